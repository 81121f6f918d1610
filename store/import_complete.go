package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/pdftext"
	"sesam/seda"
)

// complete handles a package whose manifest the tenant imported before (transfer id).
// When that import lacked the bytes of some objects (a bare manifest came first) and
// this package carries them, they are verified, stored, and the objects made present
// in one transaction (Added): a later full package is never lost behind its manifest.
// Otherwise nothing is written (Already).
func (s *Store) complete(ctx context.Context, id int64, pkg *seda.Package, res *ImportResult, opt ImportOptions, start time.Time) (*ImportResult, error) {
	res.TransferID = id
	absent, err := s.absentObjects(ctx, id)
	if err != nil {
		return nil, err
	}
	tr := pkg.Transfer()
	var add []*seda.BinaryObject
	for _, b := range tr.Binaries {
		if b.Present && absent[b.ID] {
			add = append(add, b)
		}
	}
	if len(add) == 0 {
		res.Already = true
		return res, nil
	}
	// The manifest's own warnings were stored by the first import; only those of the
	// bytes (size corrections) are new.
	before := len(tr.Warnings)
	if err := pkg.Verify(ctx); err != nil {
		return nil, err
	}
	warnings := tr.Warnings[before:]
	err = s.withBlobs(ctx, pkg, add, opt, func(tx pgx.Tx, texts map[string]*pdftext.Result) error {
		var err error
		res.Added, res.Bytes, err = completeObjects(ctx, tx, id, add, texts, warnings)
		return err
	})
	if err != nil {
		return nil, err
	}
	if res.Added == 0 { // a concurrent import completed the transfer first
		res.Already, res.Bytes = true, 0
		return res, nil
	}
	res.Warnings = warnings
	res.Duration = time.Since(start)
	return res, nil
}

// absentObjects lists the transfer's binary objects whose bytes the store lacks, by
// manifest id.
func (s *Store) absentObjects(ctx context.Context, transferID int64) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT seda_id FROM object WHERE transfer_id = $1 AND kind = 'binary' AND NOT present`, transferID)
	if err != nil {
		return nil, fmt.Errorf("absent objects: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("absent objects: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// completeObjects makes the objects present with their verified bytes and text, adds
// the warnings and bytes to the transfer, and tells the index that the units holding
// them changed. It returns how many objects it completed and their bytes (none when a
// concurrent import got there first).
func completeObjects(ctx context.Context, tx pgx.Tx, transferID int64, objs []*seda.BinaryObject,
	texts map[string]*pdftext.Result, warnings []string) (int, int64, error) {
	if err := insertBlobRows(ctx, tx, objs); err != nil {
		return 0, 0, fmt.Errorf("write blobs: %w", err)
	}
	ids, bytes, err := markPresent(ctx, tx, transferID, objs, texts)
	if err != nil || len(ids) == 0 {
		return 0, 0, err
	}
	w := &transferWriter{tx: tx, texts: texts, objectIDs: ids}
	if err := w.copyPages(ctx); err != nil {
		return 0, 0, fmt.Errorf("write pages: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE transfer SET byte_count = byte_count + $2, warnings = warnings || $3::text[] WHERE id = $1`,
		transferID, bytes, capWarnings(warnings)); err != nil {
		return 0, 0, fmt.Errorf("update transfer: %w", err)
	}
	objectIDs := make([]int64, 0, len(ids))
	for _, id := range ids {
		objectIDs = append(objectIDs, id)
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT unit_id FROM unit_object WHERE object_id = ANY($1) ORDER BY 1`, objectIDs)
	if err != nil {
		return 0, 0, err
	}
	units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, 0, err
	}
	return len(ids), bytes, appendChanges(ctx, tx, units)
}

// markPresent sets the bytes' address, size and text of the objects still absent, and
// returns their row ids by manifest id and the bytes they hold.
func markPresent(ctx context.Context, tx pgx.Tx, transferID int64, objs []*seda.BinaryObject,
	texts map[string]*pdftext.Result) (map[string]int64, int64, error) {
	var sedaIDs, shas, statuses, reasons, pdfas []string
	var sizes []int64
	var pages []*int32
	var encrypted []bool
	for _, b := range objs {
		sedaIDs, shas, sizes = append(sedaIDs, b.ID), append(shas, b.SHA256), append(sizes, b.ActualSize)
		var status, reason, pdfa string
		var n *int32
		var enc bool
		if r := texts[b.ID]; r != nil {
			status, reason, pdfa, enc = string(r.Status), r.Reason, r.PDFA, r.Encrypted
			if r.PageCount > 0 {
				c := int32(r.PageCount)
				n = &c
			}
		}
		statuses, reasons, pdfas = append(statuses, status), append(reasons, reason), append(pdfas, pdfa)
		pages, encrypted = append(pages, n), append(encrypted, enc)
	}
	rows, err := tx.Query(ctx, `
		UPDATE object o SET present = true, sha256 = v.sha256, size = v.size, text_status = v.status,
			text_reason = v.reason, page_count = v.pages, pdfa = v.pdfa, encrypted = v.encrypted
		FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int[], $8::text[], $9::boolean[])
			AS v(seda_id, sha256, size, status, reason, pages, pdfa, encrypted)
		WHERE o.transfer_id = $1 AND o.seda_id = v.seda_id AND o.kind = 'binary' AND NOT o.present
		RETURNING o.seda_id, o.id, o.size`,
		transferID, sedaIDs, shas, sizes, statuses, reasons, pages, pdfas, encrypted)
	if err != nil {
		return nil, 0, fmt.Errorf("mark objects present: %w", err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	var bytes int64
	for rows.Next() {
		var sedaID string
		var id, size int64
		if err := rows.Scan(&sedaID, &id, &size); err != nil {
			return nil, 0, err
		}
		ids[sedaID] = id
		bytes += size
	}
	return ids, bytes, rows.Err()
}
