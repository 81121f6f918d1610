package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/seda"
)

// Object is a binary or physical data object as stored.
type Object struct {
	ID              int64
	TenantID        string
	TransferID      int64
	SedaID          string
	Kind            string // binary or physical
	GroupID         string
	Version         string
	URI             string
	Filename        string
	MimeType        string
	FormatID        string
	FormatLitteral  string
	Size            *int64
	Digest          string
	DigestAlgorithm string
	Present         bool
	SHA256          string // blob address; empty when the bytes are absent
	PhysicalIDs     []string
	Description     string
	TextStatus      string // ok, partial, no_text, error; empty when not a PDF
	TextReason      string
	PageCount       *int
	PDFA            string
	Encrypted       bool
	OCRPages        int // pages whose text comes from OCR
}

// IsPDF says whether the object is a PDF: declared so, or read as one at import.
// It asks what the import asked (isPDF), so that what was extracted as a PDF is viewed
// and stamped as one.
func (o *Object) IsPDF() bool {
	return o.TextStatus != "" || o.PageCount != nil ||
		isPDF(&seda.BinaryObject{MimeType: o.MimeType, FormatID: o.FormatID, Filename: o.Filename, URI: o.URI})
}

const objectColumns = `o.id, o.tenant_id, o.transfer_id, o.seda_id, o.kind, o.group_id, o.version, o.uri, o.filename,
	o.mime_type, o.format_id, o.format_litteral, o.size, o.digest, o.digest_algorithm, o.present,
	coalesce(o.sha256, ''), o.physical_ids, o.description, o.text_status, o.text_reason, o.page_count, o.pdfa, o.encrypted,
	(SELECT count(*) FROM object_page p WHERE p.object_id = o.id AND p.source = 'ocr')::int`

// scanObject scans objectColumns, after the leading columns given in pre.
func scanObject(r pgx.Row, pre ...any) (Object, error) {
	var o Object
	err := r.Scan(append(pre, &o.ID, &o.TenantID, &o.TransferID, &o.SedaID, &o.Kind, &o.GroupID, &o.Version, &o.URI, &o.Filename,
		&o.MimeType, &o.FormatID, &o.FormatLitteral, &o.Size, &o.Digest, &o.DigestAlgorithm, &o.Present,
		&o.SHA256, &o.PhysicalIDs, &o.Description, &o.TextStatus, &o.TextReason, &o.PageCount, &o.PDFA, &o.Encrypted, &o.OCRPages)...)
	return o, err
}

// Object returns one object.
func (s *Store) Object(ctx context.Context, id int64) (*Object, error) {
	o, err := scanObject(s.pool.QueryRow(ctx, `SELECT `+objectColumns+` FROM object o WHERE o.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("object %d: %w", id, sesam.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", id, err)
	}
	return &o, nil
}

// UnitObjects lists the objects a unit references, in manifest order.
func (s *Store) UnitObjects(ctx context.Context, unitID int64) ([]Object, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+objectColumns+` FROM unit_object uo JOIN object o ON o.id = uo.object_id
		WHERE uo.unit_id = $1 ORDER BY uo.position, o.id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("objects of unit %d: %w", unitID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Object, error) { return scanObject(r) })
}

// ObjectUnits lists the ids of the units that reference an object.
func (s *Store) ObjectUnits(ctx context.Context, objectID int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT unit_id FROM unit_object WHERE object_id = $1 ORDER BY unit_id`, objectID)
	if err != nil {
		return nil, fmt.Errorf("units of object %d: %w", objectID, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Page is the text of one page of a PDF object.
type Page struct {
	ObjectID int64
	Number   int
	Source   string // text, ocr, none
	Text     string
}

// Pages returns the stored pages of these objects, by object then page number.
func (s *Store) Pages(ctx context.Context, objectIDs []int64) ([]Page, error) {
	rows, err := s.pool.Query(ctx, `SELECT object_id, page, source, text FROM object_page
		WHERE object_id = ANY($1) ORDER BY object_id, page`, objectIDs)
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Page, error) {
		var p Page
		err := r.Scan(&p.ObjectID, &p.Number, &p.Source, &p.Text)
		return p, err
	})
}

// PagesAt returns the pages named by the pairs (objectIDs[i], numbers[i]).
func (s *Store) PagesAt(ctx context.Context, objectIDs []int64, numbers []int) ([]Page, error) {
	rows, err := s.pool.Query(ctx, `SELECT p.object_id, p.page, p.source, p.text
		FROM unnest($1::bigint[], $2::int[]) AS k(object_id, page)
		JOIN object_page p ON p.object_id = k.object_id AND p.page = k.page`, objectIDs, numbers)
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Page, error) {
		var p Page
		err := r.Scan(&p.ObjectID, &p.Number, &p.Source, &p.Text)
		return p, err
	})
}
