package store

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"

	"sesam/pdftext"
	"sesam/seda"
)

// ChangeChannel is the LISTEN/NOTIFY channel that wakes change-feed readers.
const ChangeChannel = "sesam_unit_change"

// transferWriter writes one verified transfer's rows inside a transaction.
type transferWriter struct {
	tx       pgx.Tx
	tenant   string
	tr       *seda.Transfer
	texts    map[string]*pdftext.Result
	progress func(stage string, done, total int64)

	transferID int64
	unitIDs    map[string]int64         // manifest id → unit.id
	outcomes   map[string]accessOutcome // by manifest id
	objectIDs  map[string]int64         // manifest id → object.id
	existing   map[string]*existingUnit // units the transfer attaches to, by manifest id
}

func (w *transferWriter) write(ctx context.Context, src, kind, manifestSHA string) (int64, error) {
	if err := w.insertTransfer(ctx, src, kind, manifestSHA); err != nil {
		return 0, err
	}
	if err := w.resolveExisting(ctx); err != nil {
		return 0, err
	}
	w.mergeTopDefaults()
	if err := w.evaluateAccess(ctx); err != nil {
		return 0, fmt.Errorf("evaluate access: %w", err)
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"units", w.copyUnits},
		{"unit parents", w.copyParents},
		{"description flags", func(ctx context.Context) error { return inheritDescriptionFlags(ctx, w.tx, w.transferID) }},
		{"blobs", w.insertBlobs},
		{"objects", w.copyObjects},
		{"unit objects", w.copyUnitObjects},
		{"rules", w.copyRules},
		{"pages", w.copyPages},
		{"warnings", w.saveWarnings},
		{"change feed", w.publish},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return 0, fmt.Errorf("write %s: %w", st.name, err)
		}
	}
	return w.transferID, nil
}

func (w *transferWriter) insertTransfer(ctx context.Context, src, kind, manifestSHA string) error {
	tr := w.tr
	mgt, err := json.Marshal(tr.Management.Rules)
	if err != nil {
		return err
	}
	var bytes int64
	for _, b := range tr.Binaries {
		bytes += max(b.ActualSize, 0)
	}
	comments := tr.Comments
	if comments == nil {
		comments = []string{}
	}
	return w.tx.QueryRow(ctx, `
		INSERT INTO transfer (tenant_id, manifest_sha256, source, kind, seda_version, message_identifier,
			message_date, archival_agreement, archival_agency, transferring_agency,
			originating_agency_identifier, submission_agency_identifier, legal_status, comments,
			management, unit_count, object_count, byte_count)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		RETURNING id`,
		w.tenant, manifestSHA, src, kind, tr.Version, tr.MessageIdentifier, tr.Date, tr.ArchivalAgreement,
		tr.ArchivalAgency.Identifier, tr.TransferringAgency.Identifier, tr.Management.OriginatingAgencyIdentifier,
		tr.Management.SubmissionAgencyIdentifier, tr.Management.LegalStatus, comments, json.RawMessage(mgt),
		len(tr.Units), len(tr.Binaries)+len(tr.Physicals), bytes,
	).Scan(&w.transferID)
}

// saveWarnings records with the transfer what the reader and the writer corrected or
// dropped. Last but the feed: resolving existing units adds warnings too.
func (w *transferWriter) saveWarnings(ctx context.Context) error {
	if len(w.tr.Warnings) == 0 {
		return nil
	}
	_, err := w.tx.Exec(ctx, `UPDATE transfer SET warnings = $2 WHERE id = $1`, w.transferID, capWarnings(w.tr.Warnings))
	return err
}

// maxWarnings bounds the warnings stored with a transfer: a manifest repeating one
// mistake on every unit must not make a row of megabytes.
const maxWarnings = 1000

func capWarnings(ws []string) []string {
	if ws == nil {
		return []string{}
	}
	if len(ws) <= maxWarnings {
		return ws
	}
	out := append([]string(nil), ws[:maxWarnings-1]...)
	return append(out, fmt.Sprintf("… and %d more warnings", len(ws)-maxWarnings+1))
}

// evaluateAccess decides every unit's communicability and online publication with the
// tenant's referential, before the rows are written.
func (w *transferWriter) evaluateAccess(ctx context.Context) error {
	ref, err := referential(ctx, w.tx, w.tenant)
	if err != nil {
		return err
	}
	g := transferGraph(w.tr)
	if err := w.existingFacts(ctx, g); err != nil {
		return err
	}
	var ids []string
	for _, u := range w.newUnits() {
		ids = append(ids, u.ID)
	}
	w.outcomes = evaluate(g, ids, ref)
	return nil
}

// allocate reserves n ids from a table's sequence, so rows can be written with COPY and
// still be referenced by the rows that follow.
func allocate(ctx context.Context, tx pgx.Tx, seq string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, seq, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (w *transferWriter) copyUnits(ctx context.Context) error {
	units := w.newUnits()
	ids, err := allocate(ctx, w.tx, "unit_id_seq", len(units))
	if err != nil {
		return err
	}
	w.unitIDs = make(map[string]int64, len(w.tr.Units))
	for i, u := range units {
		w.unitIDs[u.ID] = ids[i]
	}
	for sedaID, x := range w.existing {
		w.unitIDs[sedaID] = x.id
	}
	g, err := newUnitGraph(w.tr.Units, w.unitIDs, w.existing)
	if err != nil {
		return err
	}
	// Rows are made as COPY sends them: a unit's row (its content and rules as JSON) is
	// several times the size of the unit: 100 000 rows held at once were ~250 MB.
	_, err = w.tx.CopyFrom(ctx, pgx.Identifier{"unit"}, []string{"id", "tenant_id", "transfer_id", "seda_id",
		"level", "title", "cote", "originating_agency", "start_date", "end_date", "ancestors", "depth",
		"content", "management", "open_day", "publish_day", "access_status", "access_reason", "publish_reason"},
		pgx.CopyFromSlice(len(units), func(i int) ([]any, error) {
			u := units[i]
			row, err := w.unitRow(u, ids[i], g)
			if err != nil {
				return nil, fmt.Errorf("unit %s: %w", u.ID, err)
			}
			if w.progress != nil && (i%1000 == 999 || i == len(units)-1) {
				w.progress("unités", int64(i+1), int64(len(units)))
			}
			return row, nil
		}))
	return err
}

func (w *transferWriter) unitRow(u *seda.Unit, id int64, g *unitGraph) ([]any, error) {
	content, err := json.Marshal(contentOf(u))
	if err != nil {
		return nil, err
	}
	mj, err := json.Marshal(u.Management)
	if err != nil {
		return nil, err
	}
	o := w.outcomes[u.ID]
	return []any{id, w.tenant, w.transferID, u.ID, u.Level, u.Title(), u.Cote(), w.originatingAgency(u),
		u.StartDate, u.EndDate, g.ancestors(u.ID), g.depth(u.ID), json.RawMessage(content), json.RawMessage(mj),
		o.openDay, o.publishDay, o.status, o.reason, o.publishReason}, nil
}

// originatingAgency is the producer used for filtering: the unit's own
// OriginatingAgency, else the transfer's OriginatingAgencyIdentifier.
func (w *transferWriter) originatingAgency(u *seda.Unit) string {
	if u.OriginatingAgency != nil && u.OriginatingAgency.Identifier != "" {
		return u.OriginatingAgency.Identifier
	}
	return w.tr.Management.OriginatingAgencyIdentifier
}

// contentOf is the unit without its graph and rules, which have their own columns.
func contentOf(u *seda.Unit) seda.Unit {
	c := *u
	c.ID, c.Parents, c.Children, c.Objects = "", nil, nil, nil
	c.Management = seda.Management{}
	return c
}

// mergeTopDefaults gives the transfer's new top units (those with no parent among the
// units it creates: its roots, or the units it attaches under existing ones) the
// transfer's default rules: from then on the rule rows, the stored management and the
// access engine all read the merged rules. An existing unit is not rewritten, so
// defaults merged onto it would be lost.
//
// Under an existing unit, the defaults' PreventInheritance and RefNonRuleId are left
// out: they were written for a transfer's roots, which inherit nothing, and must not
// cut the new units off from the protections of the unit they join (fail closed).
func (w *transferWriter) mergeTopDefaults() {
	defaults := w.tr.Management.Rules
	attached := withoutBlocks(defaults)
	for _, u := range w.newUnits() {
		switch {
		case !w.topUnit(u):
		case len(u.Parents) == 0:
			u.Management = mergeDefaults(u.Management, defaults)
		default:
			u.Management = mergeDefaults(u.Management, attached)
		}
	}
}

// withoutBlocks is m without its PreventInheritance and RefNonRuleId.
func withoutBlocks(m seda.Management) seda.Management {
	out := m
	out.Rules = make(map[seda.Category]*seda.RuleSet, len(m.Rules))
	for cat, rs := range m.Rules {
		c := *rs
		c.PreventInheritance, c.RefNonRuleIDs = false, nil
		out.Rules[cat] = &c
	}
	return out
}

// topUnit reports whether a new unit has no parent among the new units.
func (w *transferWriter) topUnit(u *seda.Unit) bool {
	for _, p := range u.Parents {
		if w.existing[p] == nil {
			return false
		}
	}
	return true
}

// mergeDefaults puts the transfer's ManagementMetadata rules on a top unit: a rule the
// unit declares itself (same category and id) keeps the unit's StartDate.
func mergeDefaults(own, defaults seda.Management) seda.Management {
	if len(defaults.Rules) == 0 {
		return own
	}
	out := seda.Management{Rules: make(map[seda.Category]*seda.RuleSet), NeedAuthorization: own.NeedAuthorization}
	if out.NeedAuthorization == nil {
		out.NeedAuthorization = defaults.NeedAuthorization
	}
	for cat, rs := range own.Rules {
		c := *rs
		c.Rules = append([]seda.Rule(nil), rs.Rules...)
		out.Rules[cat] = &c
	}
	for cat, def := range defaults.Rules {
		rs, ok := out.Rules[cat]
		if !ok {
			c := *def
			c.Rules = append([]seda.Rule(nil), def.Rules...)
			out.Rules[cat] = &c
			continue
		}
		for _, r := range def.Rules {
			if !hasRule(rs.Rules, r.ID) {
				rs.Rules = append(rs.Rules, r)
			}
		}
	}
	return out
}

func hasRule(rs []seda.Rule, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// copySeq streams the rows that rows yields into table with COPY, so that they are never
// all held at once. rows returns why it stopped early, if it did.
func copySeq(ctx context.Context, tx pgx.Tx, table string, cols []string, rows func(yield func([]any) bool) error) error {
	var rowsErr error
	next, stop := iter.Pull(func(yield func([]any) bool) { rowsErr = rows(yield) })
	defer stop()
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := next()
		if !ok {
			return nil, rowsErr
		}
		return row, nil
	}))
	return err
}

func (w *transferWriter) copyParents(ctx context.Context) error {
	return copySeq(ctx, w.tx, "unit_parent", []string{"unit_id", "parent_id", "position"}, func(yield func([]any) bool) error {
		for _, u := range w.tr.Units {
			for pos, c := range u.Children {
				if w.existing[c] != nil {
					continue // an existing unit keeps its place
				}
				cid, ok := w.unitIDs[c]
				if !ok {
					return fmt.Errorf("unit %s: child %s is not a unit of the transfer", u.ID, c)
				}
				if !yield([]any{cid, w.unitIDs[u.ID], pos}) {
					return nil
				}
			}
		}
		return nil
	})
}

func (w *transferWriter) insertBlobs(ctx context.Context) error {
	return insertBlobRows(ctx, w.tx, w.tr.Binaries)
}

// insertBlobRows records the blobs of the present objects among objs.
func insertBlobRows(ctx context.Context, tx pgx.Tx, objs []*seda.BinaryObject) error {
	var shas []string
	var sizes []int64
	seen := map[string]bool{}
	for _, b := range objs {
		if b.Present && !seen[b.SHA256] {
			seen[b.SHA256] = true
			shas = append(shas, b.SHA256)
			sizes = append(sizes, b.ActualSize)
		}
	}
	if len(shas) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO blob (sha256, size) SELECT * FROM unnest($1::text[], $2::bigint[])
		ON CONFLICT (sha256) DO NOTHING`, shas, sizes)
	return err
}

func (w *transferWriter) copyObjects(ctx context.Context) error {
	tr := w.tr
	ids, err := allocate(ctx, w.tx, "object_id_seq", len(tr.Binaries)+len(tr.Physicals))
	if err != nil {
		return err
	}
	w.objectIDs = make(map[string]int64, len(ids))
	for i, b := range tr.Binaries {
		w.objectIDs[b.ID] = ids[i]
	}
	for i, p := range tr.Physicals {
		w.objectIDs[p.ID] = ids[len(tr.Binaries)+i]
	}
	_, err = w.tx.CopyFrom(ctx, pgx.Identifier{"object"}, []string{"id", "tenant_id", "transfer_id", "seda_id", "kind",
		"group_id", "version", "uri", "filename", "mime_type", "format_id", "format_litteral", "size", "digest",
		"digest_algorithm", "present", "sha256", "physical_ids", "description", "text_status", "text_reason",
		"page_count", "pdfa", "encrypted"}, pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) {
		if i < len(tr.Binaries) {
			return w.binaryRow(ids[i], tr.Binaries[i]), nil
		}
		return w.physicalRow(ids[i], tr.Physicals[i-len(tr.Binaries)]), nil
	}))
	return err
}

func (w *transferWriter) physicalRow(id int64, p *seda.PhysicalObject) []any {
	ids := p.PhysicalIDs
	if ids == nil {
		ids = []string{}
	}
	return []any{id, w.tenant, w.transferID, p.ID, "physical", p.GroupID, p.Version, "", "", "", "", "",
		nil, "", "", false, nil, ids, p.Description, "", "", nil, "", false}
}

func (w *transferWriter) binaryRow(id int64, b *seda.BinaryObject) []any {
	var size, sha any
	if b.Present {
		size, sha = b.ActualSize, b.SHA256
	} else if b.Size >= 0 {
		size = b.Size
	}
	var status, reason, pdfa string
	var pages any
	var encrypted bool
	if r := w.texts[b.ID]; r != nil {
		status, reason, pdfa, encrypted = string(r.Status), r.Reason, r.PDFA, r.Encrypted
		if r.PageCount > 0 {
			pages = r.PageCount
		}
	}
	return []any{id, w.tenant, w.transferID, b.ID, "binary", b.GroupID, b.Version, b.URI, b.Filename, b.MimeType,
		b.FormatID, b.FormatLitteral, size, b.Digest, b.DigestAlgorithm, b.Present, sha, []string{}, "",
		status, reason, pages, pdfa, encrypted}
}

func (w *transferWriter) copyUnitObjects(ctx context.Context) error {
	return copySeq(ctx, w.tx, "unit_object", []string{"unit_id", "object_id", "position"}, func(yield func([]any) bool) error {
		for _, u := range w.newUnits() {
			seen := map[int64]bool{}
			for pos, o := range u.Objects {
				oid, ok := w.objectIDs[o]
				if !ok {
					return fmt.Errorf("unit %s: object %s is not in the transfer", u.ID, o)
				}
				if seen[oid] {
					continue
				}
				seen[oid] = true
				if !yield([]any{w.unitIDs[u.ID], oid, pos}) {
					return nil
				}
			}
		}
		return nil
	})
}

func (w *transferWriter) copyRules(ctx context.Context) error {
	cols := []string{"unit_id", "category", "rule_id", "start_date", "position"}
	return copySeq(ctx, w.tx, "unit_rule", cols, func(yield func([]any) bool) error {
		for _, u := range w.newUnits() {
			for _, cat := range seda.Categories {
				rs := u.Management.Rules[cat]
				if rs == nil {
					continue
				}
				for pos, r := range rs.Rules {
					if !yield([]any{w.unitIDs[u.ID], string(cat), r.ID, r.StartDate, pos}) {
						return nil
					}
				}
			}
		}
		return nil
	})
}

func (w *transferWriter) copyPages(ctx context.Context) error {
	cols := []string{"object_id", "page", "source", "text"}
	return copySeq(ctx, w.tx, "object_page", cols, func(yield func([]any) bool) error {
		for objID, r := range w.texts {
			id, ok := w.objectIDs[objID]
			if !ok {
				continue // completed by a concurrent import
			}
			for _, p := range r.Pages {
				// PostgreSQL text cannot hold NUL bytes; pdftotext may emit them from broken fonts.
				if !yield([]any{id, p.Number, string(p.Source), strings.ReplaceAll(p.Text, "\x00", "")}) {
					return nil
				}
			}
		}
		return nil
	})
}

// publish appends the transfer's units to the change feed and wakes the readers (the
// notification is delivered at commit).
func (w *transferWriter) publish(ctx context.Context) error {
	ids := make([]int64, 0, len(w.unitIDs))
	for _, u := range w.newUnits() {
		ids = append(ids, w.unitIDs[u.ID])
	}
	return appendChanges(ctx, w.tx, ids)
}

// appendChanges records that units changed. Call it last in a writing transaction: it
// takes the feed lock until commit.
func appendChanges(ctx context.Context, tx pgx.Tx, unitIDs []int64) error {
	if len(unitIDs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, feedLock); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO unit_change (unit_id) SELECT unnest($1::bigint[]) ORDER BY 1`, unitIDs); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, ChangeChannel)
	return err
}
