package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"sesam/access"
	"sesam/corpus"
	"sesam/index"
	"sesam/portal"
	"sesam/store"
)

// principal is one of the three kinds of people the bench searches as.
type principal struct {
	Name    string // agent, archivist, public
	Subject string // "" for the public
	Role    string
	Domains []string
	Tenants int          // collectivités the principal's roles cover
	scope   access.Scope // as the portal computes it
	tokens  []string     // one session per client: sessions are per person
	fonds   int64        // the fonds searched within
	cotes   []string
}

// setupPrincipals grants the roles and opens the sessions of the three principals: an
// agent reader of one small collectivité, an archivist of every operator (all the
// collectivités), and the public.
func (b *bench) setupPrincipals(ctx context.Context) error {
	small := smallTenant(b.m)
	var ops []string
	for _, t := range b.m.Tenants {
		if t.Kind == "operator" {
			ops = append(ops, t.ID)
		}
	}
	ps := []*principal{
		{Name: "agent", Subject: "agent.bench@sesam.invalid", Role: access.RoleReader, Domains: []string{small.ID}},
		{Name: "archivist", Subject: "archiviste.bench@sesam.invalid", Role: access.RoleArchivist, Domains: ops},
		{Name: "public"},
	}
	if len(b.opt.as) > 0 {
		ps = slices.DeleteFunc(ps, func(p *principal) bool { return !slices.Contains(b.opt.as, p.Name) })
	}
	for _, p := range ps {
		if err := b.setupPrincipal(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
	}
	b.res.Principals = ps
	return nil
}

func (b *bench) setupPrincipal(ctx context.Context, p *principal) error {
	for _, d := range p.Domains {
		if _, err := b.rights.Grant(access.Assignment{Subject: p.Subject, Role: p.Role, Domain: d}); err != nil {
			return err
		}
	}
	who := access.Principal{Subject: p.Subject, Email: p.Subject, Name: p.Name}
	var err error
	if p.scope, err = b.st.Scope(ctx, b.rights, who, time.Now()); err != nil {
		return err
	}
	for _, t := range b.m.Tenants {
		closed := access.UnitView{Tenant: t.ID, OpenDay: access.NeverDay, PublishDay: access.NeverDay}
		if t.Kind != "operator" && (p.scope.Visibility(closed) == access.Full || p.Subject == "" && t.Publish) {
			p.Tenants++ // staff: every unit of the collectivité; the public: its public units
		}
	}
	if p.Subject != "" {
		for range b.opt.clients {
			token := randomHex()
			s := store.Session{Subject: p.Subject, Email: p.Subject, Name: p.Name, CSRF: randomHex(),
				ExpiresAt: time.Now().Add(24 * time.Hour)}
			if err := b.st.CreateSession(ctx, token, s); err != nil {
				return err
			}
			p.tokens = append(p.tokens, token)
		}
	}
	if p.fonds, err = b.largestFonds(ctx, p); err != nil {
		return err
	}
	p.cotes = b.sampleCotes()
	return nil
}

// smallTenant is the commune whose size is the median one: a small collectivité, as
// most are.
func smallTenant(m *corpus.Manifest) corpus.Tenant {
	var communes []corpus.Tenant
	for _, t := range m.Tenants {
		if t.Kind == "commune" {
			communes = append(communes, t)
		}
	}
	sort.SliceStable(communes, func(i, j int) bool { return communes[i].Units < communes[j].Units })
	return communes[len(communes)/2]
}

// largestFonds finds, through the index, the unit id of the largest fonds the principal
// may search (the largest package of a tenant it sees in full, for the public one that
// publishes), for the within-fonds query; 0 when there is none.
func (b *bench) largestFonds(ctx context.Context, p *principal) (int64, error) {
	pkgs := append([]corpus.PackageInfo(nil), b.m.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].Units > pkgs[j].Units })
	for _, pkg := range pkgs {
		view := access.UnitView{Tenant: pkg.Tenant, OpenDay: access.AlwaysDay, PublishDay: access.AlwaysDay}
		if p.scope.Visibility(view) != access.Full {
			continue
		}
		req := index.Request{Filters: index.Filters{Tenants: []string{pkg.Tenant}, Levels: []string{"Fonds"}}, Size: 100}
		res, err := b.ix.Search(ctx, access.Scope{All: true, Today: p.scope.Today}, req, nil)
		if err != nil {
			return 0, err
		}
		for _, h := range res.Hits {
			if h.Title == pkg.Fonds {
				return h.ID, nil
			}
		}
	}
	return 0, nil
}

// sampleCotes are the cotes of the exact-cote query: two of the agent's collectivité's
// files and two of the largest collectivité's (the same for every principal).
func (b *bench) sampleCotes() []string {
	small, large := smallTenant(b.m).ID, ""
	most := 0
	for _, t := range b.m.Tenants {
		if t.Units > most {
			most, large = t.Units, t.ID
		}
	}
	var out []string
	for _, tenant := range []string{small, large} {
		n := 0
		for _, p := range b.m.Packages {
			for _, c := range p.Cotes {
				if p.Tenant == tenant && n < 2 && !slices.Contains(out, c) {
					out = append(out, c)
					n++
				}
			}
		}
	}
	return out
}

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// benchPortal is the portal served in-process on a loopback port.
type benchPortal struct {
	base   string
	client *http.Client
	cancel context.CancelFunc
	done   chan error
	// journal counts the staff's searches written and the commits that wrote them.
	journal *store.Journal
}

// startPortal serves the portal as `sesam serve` wires it (without the index follower:
// nothing changes during the run), with the search rate limit lifted.
func (b *bench) startPortal(ctx context.Context) error {
	servingGC() // the import and the indexing are done: from here on the process serves
	b.cpus = servingProcs()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	journal := store.NewJournal(b.st, store.JournalOptions{})
	app, err := portal.New(ctx, portal.Config{Addr: ln.Addr().String(), BaseURL: base, DataDir: b.opt.dataDir,
		SearchRate: 1 << 30, BroadSearches: b.cpus},
		portal.Deps{Store: b.st, Index: b.ix, Rights: b.rights, Journal: journal, Log: b.log})
	if err != nil {
		ln.Close()
		journal.Close()
		return err
	}
	sctx, cancel := context.WithCancel(context.Background())
	p := &benchPortal{base: base, cancel: cancel, done: make(chan error, 1), journal: journal,
		client: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{
			MaxIdleConns: 4 * b.opt.clients, MaxIdleConnsPerHost: 4 * b.opt.clients, IdleConnTimeout: time.Minute,
			// The clients run in the portal's process and count against it: a response is
			// read in one system call, not in 4 KB ones.
			ReadBufferSize: 64 << 10}}}
	go b.st.ListenSessions(sctx)
	go func() {
		p.done <- app.Listen(sctx, ln)
		journal.Close()
	}()
	b.portal = p
	return nil
}

func (p *benchPortal) stop() {
	p.cancel()
	<-p.done
	p.client.CloseIdleConnections()
}

// sessionCookie is the portal's session cookie name (portal/middleware.go).
const sessionCookie = "sesam_session"

// journalWaits reads from the portal's metrics how long the journaled requests waited
// for their entries so far, in seconds, and how many they were.
func (p *benchPortal) journalWaits(ctx context.Context) (sum, count float64, err error) {
	status, body, err := p.get(ctx, &principal{Name: "metrics"}, 0, "/metrics")
	if err == nil && status != 200 {
		err = fmt.Errorf("GET /metrics: HTTP %d", status)
	}
	if err != nil {
		return 0, 0, err
	}
	for _, m := range journalWaitLine.FindAllStringSubmatch(string(body), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return 0, 0, fmt.Errorf("GET /metrics: %q: %w", m[0], err)
		}
		if m[1] == "sum" {
			sum = v
		} else {
			count = v
		}
	}
	return sum, count, nil
}

var journalWaitLine = regexp.MustCompile(`(?m)^sesam_journal_append_duration_seconds_(sum|count) (\S+)$`)

// get runs one API request as the principal's client n and returns the body.
func (p *benchPortal) get(ctx context.Context, pr *principal, n int, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	if len(pr.tokens) > 0 {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: pr.tokens[n%len(pr.tokens)]})
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
