package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"sesam/pdftext"
	"sesam/seda"
)

// ObjectsWithoutText lists the present PDF objects (by declared format) of tenant and
// the tenants below it ("" for all) whose text is missing or incomplete: never
// extracted (imported with --no-text), error, no_text or partial. The caller decides by
// status and reason which to extract again (see pdftext.Transient).
func (s *Store) ObjectsWithoutText(ctx context.Context, tenant string) ([]Object, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+objectColumns+` FROM object o
		WHERE o.kind = 'binary' AND o.present AND o.text_status IN ('', 'error', 'no_text', 'partial')
		AND ($1 = '' OR o.tenant_id = $1 OR starts_with(o.tenant_id, $1 || '/'))
		ORDER BY o.id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("objects without text: %w", err)
	}
	objs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Object, error) { return scanObject(r) })
	if err != nil {
		return nil, fmt.Errorf("objects without text: %w", err)
	}
	var pdfs []Object
	for _, o := range objs {
		if isPDF(&seda.BinaryObject{MimeType: o.MimeType, FormatID: o.FormatID, Filename: o.Filename, URI: o.URI}) {
			pdfs = append(pdfs, o)
		}
	}
	return pdfs, nil
}

// SetObjectText replaces the text of object id (status, pages, page count, PDF/A
// claim) with r, and records the units showing the object in the change feed, so that
// the index reads the new text.
func (s *Store) SetObjectText(ctx context.Context, id int64, r *pdftext.Result) error {
	var pages any
	if r.PageCount > 0 {
		pages = r.PageCount
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE object SET text_status = $2, text_reason = $3, page_count = $4, pdfa = $5, encrypted = $6
			WHERE id = $1 AND kind = 'binary'`, id, string(r.Status), r.Reason, pages, r.PDFA, r.Encrypted)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("no binary object %d", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM object_page WHERE object_id = $1`, id); err != nil {
			return err
		}
		rows := make([][]any, 0, len(r.Pages))
		for _, p := range r.Pages {
			rows = append(rows, []any{id, p.Number, string(p.Source), strings.ReplaceAll(p.Text, "\x00", "")})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"object_page"}, []string{"object_id", "page", "source", "text"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		rs, err := tx.Query(ctx, `SELECT DISTINCT unit_id FROM unit_object WHERE object_id = $1 ORDER BY 1`, id)
		if err != nil {
			return err
		}
		units, err := pgx.CollectRows(rs, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		return appendChanges(ctx, tx, units)
	})
	if err != nil {
		return fmt.Errorf("set text of object %d: %w", id, err)
	}
	return nil
}
