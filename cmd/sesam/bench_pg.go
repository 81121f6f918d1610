package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sesam/access"
)

// The PostgreSQL full-text search the bench compares sesam with: a table of the same
// units (built here, in the bench database only) with a weighted tsvector of the
// title and cote (A), descriptions, keywords and persons (B) and PDF text (D) in the
// french configuration, a GIN index, and the columns the filters and facets need.
// (A list of the content JSON is null when empty: a Go nil slice.)
// This SQL belongs to the benchmark, not to sesam: it is the yardstick.
var pgBuildSQL = []string{
	`DROP TABLE IF EXISTS bench_fts`,
	// Statistics first: right after a bulk import autovacuum may not have analysed the
	// tables yet, and with the estimates of empty tables the planner joins every unit's
	// pages by scanning all of object_page (at 1M units the build ran for hours).
	`ANALYZE unit, unit_object, object_page, tenant`,
	`CREATE TABLE bench_fts AS
	SELECT u.id AS unit_id, u.tenant_id,
		ARRAY(SELECT array_to_string(p[1:i], '/') FROM (SELECT string_to_array(u.tenant_id, '/') AS p) s,
			generate_series(1, cardinality(s.p)) i) AS tenant_path,
		t.publish, u.level, u.title, u.cote, lower(regexp_replace(btrim(u.cote), '\s+', ' ', 'g')) AS cote_norm,
		u.originating_agency AS producer, coalesce(y.sy, 99999) AS date_asc,
		CASE WHEN y.sy IS NULL THEN '{}'::int[]
			ELSE ARRAY(SELECT d * 10 FROM generate_series(y.sy / 10, y.ey / 10) d) END AS decades,
		CASE WHEN y.sy IS NULL THEN '{}'::int[]
			ELSE ARRAY(SELECT c * 100 FROM generate_series(y.sy / 100, y.ey / 100) c) END AS centuries,
		ARRAY(SELECT k->>'Content' FROM jsonb_array_elements(CASE jsonb_typeof(u.content->'Keywords') WHEN 'array' THEN u.content->'Keywords' ELSE '[]' END) k) AS keywords,
		EXISTS (SELECT 1 FROM unit_object uo WHERE uo.unit_id = u.id) AS has_object,
		u.open_day, u.publish_day, u.description_public, u.ancestors, d.description,
		setweight(to_tsvector('french', u.title || ' ' || u.cote), 'A') ||
		setweight(to_tsvector('french', coalesce(d.description, '')), 'B') ||
		setweight(to_tsvector('french', coalesce(x.extra, '')), 'B') ||
		setweight(to_tsvector('french', coalesce(pg.pages, '')), 'D') AS doc
	FROM unit u
	JOIN tenant t ON t.id = u.tenant_id
	CROSS JOIN LATERAL (SELECT extract(year FROM coalesce(u.start_date, u.end_date))::int AS sy,
		extract(year FROM coalesce(u.end_date, u.start_date))::int AS ey) y
	CROSS JOIN LATERAL (SELECT string_agg(e->>'Value', ' ') AS description
		FROM jsonb_array_elements(CASE jsonb_typeof(u.content->'Descriptions') WHEN 'array' THEN u.content->'Descriptions' ELSE '[]' END) e) d
	CROSS JOIN LATERAL (SELECT concat_ws(' ',
		(SELECT string_agg(k->>'Content', ' ') FROM jsonb_array_elements(CASE jsonb_typeof(u.content->'Keywords') WHEN 'array' THEN u.content->'Keywords' ELSE '[]' END) k),
		(SELECT string_agg(concat_ws(' ', p->>'FirstName', p->>'BirthName', p->>'FullName'), ' ')
			FROM jsonb_array_elements(CASE jsonb_typeof(u.content->'Persons') WHEN 'array' THEN u.content->'Persons' ELSE '[]' END) p)) AS extra) x
	CROSS JOIN LATERAL (SELECT string_agg(op.text, ' ' ORDER BY op.object_id, op.page) AS pages
		FROM unit_object uo JOIN object_page op ON op.object_id = uo.object_id WHERE uo.unit_id = u.id) pg`,
	`ALTER TABLE bench_fts ADD PRIMARY KEY (unit_id)`,
	`CREATE INDEX bench_fts_doc_idx ON bench_fts USING gin (doc)`,
	`CREATE INDEX bench_fts_tenant_path_idx ON bench_fts USING gin (tenant_path)`,
	`CREATE INDEX bench_fts_ancestors_idx ON bench_fts USING gin (ancestors)`,
	`CREATE INDEX bench_fts_cote_idx ON bench_fts (cote_norm text_pattern_ops)`,
	`CREATE INDEX bench_fts_date_idx ON bench_fts (date_asc, unit_id)`,
	`ANALYZE bench_fts`,
}

// measurePG builds the comparison table, then runs the same mix on it for each
// principal, with the same clients and duration as through the API.
func (b *bench) measurePG(ctx context.Context) error {
	if !b.opt.compare {
		b.res.Notes = append(b.res.Notes, "--compare=false: PostgreSQL full-text search was not measured")
		return nil
	}
	pool, err := b.pgPool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	for _, stmt := range pgBuildSQL {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("build bench_fts: %w", err)
		}
	}
	b.res.PGBuild = newPhase(b.m.Units, "units", time.Since(start))
	if err := pool.QueryRow(ctx, `SELECT pg_total_relation_size('bench_fts'), current_setting('server_version')`).
		Scan(&b.res.PGBytes, &b.res.PGVersion); err != nil {
		return err
	}
	for _, row := range b.res.Rows {
		if len(row.specs) == 0 {
			continue
		}
		plans, total, err := pgPlans(ctx, pool, row, row.specs, row.probe)
		if err != nil {
			return err
		}
		row.PGHits = total
		var heavy loadFunc
		if row.beside != nil {
			others, _, err := pgPlans(ctx, pool, row, row.beside, row.besideProbe)
			if err != nil {
				return err
			}
			heavy = pgLoad(pool, others)
		}
		b.progressf("PostgreSQL %s as %s", row.Query, row.Principal)
		row.PG = b.timeRow(ctx, row, "postgresql", pgLoad(pool, plans), heavy)
	}
	return nil
}

// pgPlans are the SQL plans of specs, each run once (a warm-up, as for the API), and
// their mean total.
func pgPlans(ctx context.Context, pool *pgxpool.Pool, row *benchRow, specs []querySpec, pr probe) ([]*pgPlan, int64, error) {
	plans := make([]*pgPlan, len(specs))
	var total int64
	for i, q := range specs {
		plans[i] = newPGPlan(q, row.principal.scope, pr)
		n, err := plans[i].run(ctx, pool)
		if err != nil {
			return nil, 0, fmt.Errorf("%s as %s: %w", row.Query, row.Principal, err)
		}
		total += n
	}
	return plans, total / int64(len(plans)), nil
}

// pgLoad is a client's loop body running the plans in turn.
func pgLoad(pool *pgxpool.Pool, plans []*pgPlan) loadFunc {
	return func(ctx context.Context, client, iter int) error {
		_, err := plans[(client+iter)%len(plans)].run(ctx, pool)
		return err
	}
}

// pgPool is a pool of as many connections as clients, on the bench database.
func (b *bench) pgPool(ctx context.Context) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(b.e.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(b.opt.clients)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// pgPlan is one query of the mix in SQL: the page of hits, then the facets (with the
// total) or the total alone, then the highlights of the page, on one connection in
// turn, as a portal on PostgreSQL would answer a search.
type pgPlan struct {
	where     string
	args      []any
	tsquery   string // SQL of the text query, "" without text
	text      string // the text query, for the highlights
	order     string
	offset    int
	facets    bool
	staff     bool
	highlight bool
	today     int
}

// newPGPlan writes q as SQL with the same meaning as the API's search: the text (or
// exact cote), the filters, the security filter of scope. It computes facets and
// highlights when the API computed them (probe), so that both engines do the same work.
func newPGPlan(q querySpec, scope access.Scope, pr probe) *pgPlan {
	pl := &pgPlan{offset: q.Offset, facets: q.Facets || pr.facets, highlight: pr.highlighted && q.Text != "",
		staff: scope.Staff(), today: scope.Today}
	conds := []string{pl.scopeSQL(scope)}
	switch {
	case q.Cote != "":
		// The cote and the pieces under it ("1 D 12" finds 1 D 12/3), as the index's cote
		// query does with its phrase on the cote's words.
		c := `lower(regexp_replace(btrim(` + pl.arg(q.Cote) + `::text), '\s+', ' ', 'g'))`
		conds = append(conds, `(cote_norm = `+c+` OR cote_norm LIKE `+c+` || '/%')`)
	case q.Text != "":
		pl.text = q.Text
		pl.tsquery = `websearch_to_tsquery('french', ` + pl.arg(q.Text) + `::text)`
		conds = append(conds, "doc @@ "+pl.tsquery)
	}
	if q.Within != 0 {
		conds = append(conds, "ancestors @> ARRAY["+pl.arg(q.Within)+"::bigint]")
	}
	pl.where = strings.Join(conds, " AND ")
	switch {
	case q.Sort == "date":
		pl.order = "date_asc, unit_id"
	case pl.tsquery != "":
		pl.order = "ts_rank(doc, " + pl.tsquery + ") DESC, unit_id"
	default:
		pl.order = "cote, unit_id"
	}
	return pl
}

// arg adds a parameter and returns its placeholder.
func (pl *pgPlan) arg(v any) string {
	pl.args = append(pl.args, v)
	return "$" + strconv.Itoa(len(pl.args))
}

// scopeSQL is the security filter as index.scopeQuery builds it: the tenants in full,
// the public units of the publishing tenants (or their public descriptions), the grants.
func (pl *pgPlan) scopeSQL(s access.Scope) string {
	if s.All {
		return "TRUE"
	}
	var or, own []string
	for _, t := range s.Tenants {
		switch {
		case t == "*":
			return "TRUE"
		case strings.HasSuffix(t, "/*"):
			base := pl.arg(strings.TrimSuffix(t, "/*"))
			or = append(or, "(tenant_path @> ARRAY["+base+"::text] AND tenant_id <> "+base+")")
		default:
			own = append(own, t)
		}
	}
	if len(own) > 0 {
		or = append(or, "tenant_path && "+pl.arg(own)+"::text[]")
	}
	for _, a := range s.AgencyTenants {
		or = append(or, "(tenant_path @> ARRAY["+pl.arg(a.Tenant)+"::text] AND producer = ANY("+pl.arg(a.Agencies)+"::text[]))")
	}
	if len(s.PublicTenants) > 0 {
		today := pl.arg(s.Today)
		or = append(or, "(tenant_id = ANY("+pl.arg(s.PublicTenants)+"::text[]) AND (open_day <= "+today+
			" AND publish_day <= "+today+" OR description_public))")
	}
	if gs := s.ActiveGrants(); len(gs) > 0 {
		var ids []int64
		for _, g := range gs {
			id, _ := strconv.ParseInt(g.UnitID, 10, 64)
			ids = append(ids, id)
		}
		p := pl.arg(ids)
		or = append(or, "(unit_id = ANY("+p+"::bigint[]) OR ancestors && "+p+"::bigint[])")
	}
	if len(or) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// run answers the query on one connection and returns the total.
func (pl *pgPlan) run(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT unit_id FROM bench_fts WHERE %s ORDER BY %s LIMIT %d OFFSET %d`,
		pl.where, pl.order, pageSize+1, pl.offset), pl.args...)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	total, err := pl.countOrFacets(ctx, conn)
	if err != nil {
		return 0, err
	}
	if pl.highlight && len(ids) > 0 {
		return total, pl.headlines(ctx, conn, ids)
	}
	return total, nil
}

// countOrFacets counts the hits, and when facets are wanted counts them per tenant,
// level, producer, keyword, has_object, decade and century (and status for staff) in
// one pass over the hits. It returns the total.
func (pl *pgPlan) countOrFacets(ctx context.Context, conn *pgxpool.Conn) (int64, error) {
	var sql string
	if pl.facets {
		status := ""
		if pl.staff {
			status = fmt.Sprintf(`UNION ALL SELECT 'status', CASE WHEN open_day <= %d THEN 'open' WHEN open_day >= %d THEN 'never'
				ELSE 'closed' END, count(*) FROM h GROUP BY 2 `, pl.today, access.NeverDay)
		}
		sql = `WITH h AS MATERIALIZED (SELECT tenant_id, level, producer, keywords, has_object, decades, centuries, open_day
				FROM bench_fts WHERE ` + pl.where + `)
			SELECT 'total', '', count(*) FROM h
			UNION ALL SELECT 'tenant', tenant_id, count(*) FROM h GROUP BY tenant_id
			UNION ALL SELECT 'level', level, count(*) FROM h GROUP BY level
			UNION ALL SELECT 'producer', producer, count(*) FROM h GROUP BY producer
			UNION ALL SELECT 'has_object', has_object::text, count(*) FROM h GROUP BY has_object
			UNION ALL SELECT 'keyword', k, count(*) FROM h, unnest(keywords) k GROUP BY k
			UNION ALL SELECT 'decade', d::text, count(*) FROM h, unnest(decades) d GROUP BY d
			UNION ALL SELECT 'century', c::text, count(*) FROM h, unnest(centuries) c GROUP BY c ` + status
	} else {
		sql = `SELECT 'total', '', count(*) FROM bench_fts WHERE ` + pl.where
	}
	rows, err := conn.Query(ctx, sql, pl.args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total int64
	for rows.Next() {
		var facet, value string
		var n int64
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return 0, err
		}
		if facet == "total" {
			total = n
		}
	}
	return total, rows.Err()
}

// headlines marks the query's words in the page's titles and descriptions.
func (pl *pgPlan) headlines(ctx context.Context, conn *pgxpool.Conn, ids []int64) error {
	rows, err := conn.Query(ctx, `SELECT ts_headline('french', title, q, 'StartSel=<mark>, StopSel=</mark>'),
			ts_headline('french', coalesce(description, ''), q, 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2')
		FROM bench_fts, websearch_to_tsquery('french', $1::text) q WHERE unit_id = ANY($2::bigint[])`, pl.text, ids)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}
