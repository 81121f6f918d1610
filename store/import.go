package store

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sesam/pdftext"
	"sesam/seda"
)

// ImportOptions tunes an import.
type ImportOptions struct {
	Limits seda.Limits
	// Text extracts the text of PDF objects; nil leaves their text status empty.
	Text *pdftext.Extractor
	// OnText, when set, is told the text extracted from each PDF object (to count and
	// log what failed).
	OnText func(b *seda.BinaryObject, r *pdftext.Result)
	// Progress, when set, is told how far the import is (stage, done, total).
	Progress func(stage string, done, total int64)
}

// ImportResult says what an import did.
type ImportResult struct {
	TransferID int64
	Already    bool // the package was imported before and brought nothing new: nothing was written
	// Added counts the objects whose bytes this package brought to a transfer imported
	// before without them (its manifest alone): the import completed that transfer.
	Added    int
	Units    int
	Objects  int
	Bytes    int64 // bytes of the objects the package holds (when Added: of those added)
	Warnings []string
	Duration time.Duration
}

// blobLock is the advisory lock key guarding blob files between their creation and the
// commit that references them: imports hold it shared; removing the files of a failed
// import takes it exclusively, so no file another import relies on is removed.
const blobLock = 0x5e5a_0002

// feedLock serialises the allocation of change-feed numbers at the end of writing
// transactions, so that they become visible in order.
const feedLock = 0x5e5a_0003

// Import reads the package at src and writes it for tenantID in one transaction:
// either all of it lands or nothing does. A refused package returns a
// *seda.RefusalError and writes nothing, not even a blob. Importing a package whose
// manifest was already imported for this tenant writes nothing and says so (Already),
// unless that import lacked bytes this package carries: they are then added (Added).
func (s *Store) Import(ctx context.Context, tenantID, src string, opt ImportOptions) (*ImportResult, error) {
	start := time.Now()
	if _, err := s.Tenant(ctx, tenantID); err != nil {
		return nil, err
	}
	if opt.Limits == (seda.Limits{}) {
		opt.Limits = seda.DefaultLimits()
	}
	pkg, err := seda.Open(src, opt.Limits)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	tr := pkg.Transfer()
	res := &ImportResult{Units: len(tr.Units), Objects: len(tr.Binaries) + len(tr.Physicals)}
	id, ok, err := s.transferByManifest(ctx, tenantID, pkg.ManifestSHA256())
	if err != nil {
		return nil, err
	}
	if ok {
		return s.complete(ctx, id, pkg, res, opt, start)
	}
	if err := pkg.Verify(ctx); err != nil {
		return nil, err
	}
	for _, b := range tr.Binaries {
		res.Bytes += max(b.ActualSize, 0)
	}
	id, units, err := s.write(ctx, tenantID, src, pkg, opt)
	if isUniqueViolation(err, "transfer_tenant_id_manifest_sha256_key") {
		// Imported concurrently by someone else: same outcome as a re-import.
		if id, _, err = s.transferByManifest(ctx, tenantID, pkg.ManifestSHA256()); err != nil {
			return nil, err
		}
		return s.complete(ctx, id, pkg, res, opt, start)
	}
	if err != nil {
		return nil, err
	}
	res.TransferID, res.Units, res.Warnings = id, units, tr.Warnings
	res.Duration = time.Since(start)
	return res, nil
}

func (s *Store) transferByManifest(ctx context.Context, tenantID, sha string) (int64, bool, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM transfer WHERE tenant_id = $1 AND manifest_sha256 = $2`, tenantID, sha).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up transfer: %w", err)
	}
	return id, true, nil
}

// write stores the blobs, extracts the text, then writes every row in one transaction.
func (s *Store) write(ctx context.Context, tenantID, src string, pkg *seda.Package, opt ImportOptions) (id int64, units int, err error) {
	err = s.withBlobs(ctx, pkg, pkg.Transfer().Binaries, opt, func(tx pgx.Tx, texts map[string]*pdftext.Result) error {
		w := &transferWriter{tx: tx, tenant: tenantID, tr: pkg.Transfer(), texts: texts, progress: opt.Progress}
		var err error
		id, err = w.write(ctx, src, pkg.Kind(), pkg.ManifestSHA256())
		units = len(w.newUnits())
		return err
	})
	return id, units, err
}

// withBlobs stores the bytes of objs (those present) in the blob store, extracts their
// text, then runs fn in one transaction. It holds the blob lock (shared) on one
// connection from the first blob to the commit, and removes the files it created when
// anything fails.
func (s *Store) withBlobs(ctx context.Context, pkg *seda.Package, objs []*seda.BinaryObject, opt ImportOptions,
	fn func(tx pgx.Tx, texts map[string]*pdftext.Result) error) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock_shared($1)`, blobLock); err != nil {
		return fmt.Errorf("lock blob store: %w", err)
	}
	var created []string
	defer func() {
		unlockCtx := context.WithoutCancel(ctx)
		conn.Exec(unlockCtx, `SELECT pg_advisory_unlock_shared($1)`, blobLock)
		if err != nil && len(created) > 0 {
			if cerr := s.removeUnreferencedBlobs(unlockCtx, conn, created); cerr != nil {
				err = fmt.Errorf("%w (and cleaning its blobs failed: %v)", err, cerr)
			}
		}
	}()
	created, err = s.putBlobs(ctx, pkg, objs, opt.Progress)
	if err != nil {
		return err
	}
	texts := s.extractText(ctx, objs, opt)
	if err := ctx.Err(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return fn(tx, texts) })
}

// putBlobs writes every present object's bytes to the blob store and returns the
// addresses of the files it created (those that were not there before).
func (s *Store) putBlobs(ctx context.Context, pkg *seda.Package, objs []*seda.BinaryObject, progress func(string, int64, int64)) ([]string, error) {
	var created []string
	var total, done int64
	for _, b := range objs {
		total += b.ActualSize
	}
	for _, b := range objs {
		if !b.Present {
			continue
		}
		if err := ctx.Err(); err != nil {
			return created, err
		}
		ok, err := s.putBlob(pkg, b)
		if err != nil {
			return created, err
		}
		if ok {
			created = append(created, b.SHA256)
		}
		done += b.ActualSize
		if progress != nil {
			progress("objets", done, total)
		}
	}
	return created, nil
}

func (s *Store) putBlob(pkg *seda.Package, b *seda.BinaryObject) (bool, error) {
	r, err := pkg.OpenObject(b)
	if err != nil {
		return false, fmt.Errorf("object %s: %w", b.ID, err)
	}
	defer r.Close()
	created, err := s.blobs.Put(b.SHA256, b.ActualSize, r)
	if err != nil {
		return false, fmt.Errorf("object %s: %w", b.ID, err)
	}
	return created, nil
}

// removeUnreferencedBlobs deletes, among the files a failed import created, those that
// no committed object references. It waits for the blob lock exclusively, i.e. until
// every import in flight has committed or rolled back.
func (s *Store) removeUnreferencedBlobs(ctx context.Context, conn *pgxpool.Conn, shas []string) error {
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, blobLock); err != nil {
		return err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, blobLock)
	rows, err := conn.Query(ctx, `SELECT sha256 FROM blob WHERE sha256 = ANY($1)`, shas)
	if err != nil {
		return err
	}
	kept, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(kept))
	for _, k := range kept {
		keep[k] = true
	}
	for _, sha := range shas {
		if !keep[sha] {
			if err := s.blobs.Remove(sha); err != nil {
				return err
			}
		}
	}
	return nil
}

// extractText runs the extractor over the PDF objects among objs (in parallel, within
// its workers) and returns the results by object id.
func (s *Store) extractText(ctx context.Context, all []*seda.BinaryObject, opt ImportOptions) map[string]*pdftext.Result {
	if opt.Text == nil {
		return nil
	}
	var objs []*seda.BinaryObject
	var paths []string
	for _, b := range all {
		if b.Present && isPDF(b) {
			objs = append(objs, b)
			paths = append(paths, s.blobs.Path(b.SHA256))
		}
	}
	if progress := opt.Progress; progress != nil && len(paths) > 0 {
		progress("texte", 0, int64(len(paths)))
		defer progress("texte", int64(len(paths)), int64(len(paths)))
	}
	results := opt.Text.ExtractAll(ctx, paths)
	out := make(map[string]*pdftext.Result, len(objs))
	for i, b := range objs {
		out[b.ID] = results[i]
		if opt.OnText != nil {
			opt.OnText(b, results[i])
		}
	}
	return out
}

// isPDF says whether an object is a PDF by its declared format (MIME, PRONOM or name);
// the extractor itself checks the bytes.
func isPDF(b *seda.BinaryObject) bool {
	switch strings.ToLower(b.MimeType) {
	case "application/pdf", "application/x-pdf":
		return true
	}
	if pronomPDF[b.FormatID] {
		return true
	}
	name := b.Filename
	if name == "" {
		name = b.URI
	}
	return strings.EqualFold(path.Ext(name), ".pdf")
}

// pronomPDF lists the PRONOM ids of PDF and PDF/A versions.
var pronomPDF = map[string]bool{
	"fmt/14": true, "fmt/15": true, "fmt/16": true, "fmt/17": true, "fmt/18": true, "fmt/19": true,
	"fmt/20": true, "fmt/276": true, "fmt/1129": true, "fmt/95": true, "fmt/354": true, "fmt/476": true,
	"fmt/477": true, "fmt/478": true, "fmt/479": true, "fmt/480": true, "fmt/481": true, "fmt/1910": true,
	"fmt/1911": true, "fmt/1912": true,
}
