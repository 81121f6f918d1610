// Package portal is sesam's web interface and JSON API (Fiber): search, unit and
// object pages, OIDC login with server-side sessions, consultation copies, and the
// operations endpoints. Every page and download re-checks rights against the store.
package portal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"sesam/access"
	"sesam/index"
	"sesam/stamp"
	"sesam/store"
)

// Config is the portal's configuration.
type Config struct {
	Addr     string // listen address, e.g. 127.0.0.1:8080
	BaseURL  string // public address, e.g. https://archives.cdg62.fr
	DevLogin bool   // pick a demo user without a provider (loopback only, labelled on every page)
	OIDC     OIDCConfig
	DataDir  string
	// AssetsDir, when set, reads templates and static files from disk (development).
	AssetsDir string
	// SearchRate and LoginRate limit requests per client per minute (0: defaults).
	SearchRate, LoginRate int
	// TrustedProxies are the load balancers (addresses or CIDR ranges) whose ProxyHeader
	// names the client: rate limits and the journal then see the visitor, not the
	// balancer. Empty: the connection's address is the client.
	TrustedProxies []string
	ProxyHeader    string // default X-Real-IP (set by the balancer, not appended to)
	// BroadSearches is how many broad searches (browsing, common words) may run at
	// once; 0: one per processor Go schedules on (GOMAXPROCS). sesam serve runs Go on
	// one processor more than the CPUs and lets these take one per CPU: the spare one
	// is always free for quick work (see searchLanes).
	BroadSearches int
}

// Journal records consultations; a consultation is served only once its entry is
// committed (store.Journal).
type Journal interface {
	Append(ctx context.Context, e access.JournalEntry) (access.JournalEntry, error)
}

// Stamper makes consultation copies of PDFs (stamp.Stamper).
type Stamper interface {
	Stamp(ctx context.Context, r io.ReadSeeker, w io.Writer, m stamp.Mark) error
}

// Deps are the parts the portal is built on.
type Deps struct {
	Store   *store.Store
	Index   *index.Index
	Rights  *access.Rights
	Journal Journal
	Stamper Stamper
	Log     *slog.Logger
	Now     func() time.Time // the clock (tests move it)
}

// App is the portal.
type App struct {
	cfg Config
	Deps
	pages   *pages
	metrics *metrics
	oidc    *oidcClient
	oidcMu  sync.Mutex
	fiber   *fiber.App
	heads   *headCache  // breadcrumbs of search results
	slots   searchLanes // the searches of the home page, the search page and the API that may run at once
}

// New builds the portal and its route table.
func New(ctx context.Context, cfg Config, d Deps) (*App, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if cfg.DevLogin && !loopback(cfg.Addr) {
		return nil, errors.New("--dev-login is only allowed on a loopback address (127.0.0.1, ::1, localhost)")
	}
	a := &App{cfg: cfg, Deps: d, metrics: newMetrics(), heads: newHeadCache(d.Store, d.Index),
		slots: newSearchLanes(cfg.BroadSearches)}
	var err error
	if a.pages, err = loadPages(cfg.AssetsDir); err != nil {
		return nil, err
	}
	if cfg.OIDC.Issuer != "" {
		if a.oidc, err = newOIDCClient(ctx, cfg.OIDC, cfg.BaseURL); err != nil {
			d.Log.Warn("oidc provider unavailable at start-up; logins will retry", "issuer", cfg.OIDC.Issuer, "err", err)
		}
	}
	fc := fiber.Config{
		ErrorHandler:          a.errorHandler,
		BodyLimit:             1 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          5 * time.Minute,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
		// A page of hits in JSON is 5-20 KB: with fasthttp's 4 KB buffer it went out in
		// two or three writes to the socket, a system call each.
		WriteBufferSize: 32 << 10,
		// Strings from the context (method, path, parameters, headers, cookies) are
		// copies: otherwise they point into the connection's buffer, which the next
		// request overwrites. Some outlive the handler: metric labels (a POST then a
		// GET made method="GETT", and /metrics failed), the journal writer's entry when
		// the client goes away, the limiter's keys. Copying everywhere costs a few small
		// allocations per request and leaves no such string to hunt down.
		Immutable: true,
	}
	if len(cfg.TrustedProxies) > 0 {
		// Only a request from a trusted proxy has its header believed; the header's
		// value must be an address (EnableIPValidation), or the connection's is used.
		fc.EnableTrustedProxyCheck, fc.TrustedProxies, fc.EnableIPValidation = true, cfg.TrustedProxies, true
		fc.ProxyHeader = cfg.ProxyHeader
		if fc.ProxyHeader == "" {
			fc.ProxyHeader = "X-Real-IP"
		}
	}
	a.fiber = fiber.New(fc)
	a.routes()
	return a, nil
}

// routes is the route table: one line per route.
func (a *App) routes() {
	f := a.fiber
	f.Use(recover.New(), a.requestContext, a.securityHeaders, a.session)
	searchLimit := a.limit(a.cfg.SearchRate, 120)
	loginLimit := a.limit(a.cfg.LoginRate, 20)

	f.Get("/", a.homePage)
	f.Get("/search", searchLimit, a.searchPage)
	f.Get("/units/:id", a.unitPage)
	f.Get("/objects/:id", a.objectContent)
	f.Get("/login", loginLimit, a.loginStart)
	f.Post("/login/dev", loginLimit, a.csrf, a.devLogin)
	f.Get("/auth/callback", loginLimit, a.authCallback)
	f.Post("/logout", a.csrf, a.logout)
	f.Get("/lang/:lang", a.setLang)
	f.Post("/basket", a.csrf, a.basketAdd)
	f.Post("/basket/remove", a.csrf, a.basketRemove)
	f.Get("/requests", a.myRequests)
	f.Post("/requests", a.csrf, a.requestsCreate)
	f.Get("/requests/:id", a.requestPage)
	f.Post("/requests/:id/events", a.csrf, a.requestEvent)
	f.Get("/requests/:id/letter", a.requestLetter)
	f.Get("/staff/requests", a.staffQueue)
	f.Get("/staff/requests/new", a.staffNewForm)
	f.Post("/staff/requests", a.csrf, a.staffRegister)
	f.Get("/staff/outbox", a.outboxPage)
	f.Get("/audit", a.auditPage)
	f.Get("/audit/export", a.auditExport)
	f.Get("/static/*", a.static)
	f.Get("/healthz", a.healthz)
	f.Get("/readyz", a.readyz)
	f.Get("/metrics", a.metricsHandler)

	api := f.Group("/api/v1", a.apiAuth)
	api.Get("/openapi.json", a.openAPI)
	api.Get("/search", searchLimit, a.apiSearch)
	api.Get("/units/:id", a.apiUnit)
	api.Get("/units/:id/children", a.apiChildren)
	api.Get("/objects/:id", a.apiObject)
	api.Get("/objects/:id/content", a.objectContent)
	api.Get("/me", a.apiMe)
	api.Post("/requests", a.apiCSRF, a.apiCreateRequest)
	api.Get("/requests/:id", a.apiRequest)
	api.Post("/requests/:id/events", a.apiCSRF, a.apiRequestEvent)

	f.Use(func(c *fiber.Ctx) error { return errNotFound })
}

// limit is a per-client rate limit of n requests a minute (def when n is 0).
func (a *App) limit(n, def int) fiber.Handler {
	if n == 0 {
		n = def
	}
	return limiter.New(limiter.Config{
		Max:        n,
		Expiration: time.Minute,
		LimitReached: func(c *fiber.Ctx) error {
			return &httpError{status: fiber.StatusTooManyRequests, code: "rate_limited", msg: "msg.rate_limited"}
		},
	})
}

// searchSlots lets as many searches run at once as it has room for and queues the
// others. A search of a common word over a million units holds tens of megabytes while
// it runs: 64 of them at once on 2 cores only made the garbage collector and the
// scheduler busier (wrk at 64 connections served fewer searches than at 16, each far
// later). Queued, they are served in turn at the rate the processors allow, and the
// memory stays that of the searches in the slots.
//
// A slot covers the index's search only, not the request: the document made of its
// result (breadcrumbs, names), the wait for the journal's commit and the answer hold
// little memory and mostly wait on the database. Held in the slot, they left the
// processors idle while staff searches queued (16 clients searching by cote: 2,200
// searches/s at 105% of 200% CPU, each slot held about 3.7 ms, 3.2 of them waiting for
// the commit).
type searchSlots chan struct{}

// do runs fn in a slot, once one is free; it gives up when ctx ends first.
func (s searchSlots) do(ctx context.Context, fn func() error) error {
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s }()
	return fn()
}

// quickBound is the most units a search may find (index.Bound) and still take the
// quick lane: collecting, ranking and counting 10,000 matches into facets is about a
// millisecond of CPU on the bench machine, where a common word's 225,000 take 30.
const quickBound = 10_000

// searchLanes are two sets of search slots. A search that cannot find more than
// quickBound units (a cote, a name, a rare word: most of what people type; anything
// within a small fonds) runs in the quick lane; the others (browsing, common words)
// in the broad one, which holds no more than the CPUs. In one queue, a cote looked up while broad searches held every slot waited
// for several of them to finish. And with as many broad searches running as Go has
// processors, every processor is busy with one: a quick request, its journal commit
// and its answer then wait at each step for the scheduler to preempt a broad search,
// and a network reply is only noticed every 10 ms. With Go on one processor more than
// the CPUs and broad searches on one per CPU at most, the spare processor picks up the
// quick work as it comes, and the operating system shares the CPUs. On the 1M bench
// (16 clients, 15 of them on faceted searches while one looks cotes up), a staff
// member's cote came back in 2-4 ms instead of 140-200, for as many faceted searches
// per second within the machine's noise (9 alternated rounds).
type searchLanes struct {
	quick, broad searchSlots
	bound        uint64 // quickBound, or less in tests
}

func newSearchLanes(broad int) searchLanes {
	if broad < 1 {
		broad = runtime.GOMAXPROCS(0)
	}
	return searchLanes{quick: make(searchSlots, 4*broad), broad: make(searchSlots, broad), bound: quickBound}
}

// lane is the lane of a search: the quick one when the index says it cannot find more
// than l.bound units (its words, or a filter such as the fonds searched within); the
// broad one otherwise, or when it cannot say.
func (l searchLanes) lane(ctx context.Context, ix *index.Index, req index.Request) searchSlots {
	n, err := ix.Bound(ctx, req)
	if err != nil || n > l.bound {
		return l.broad
	}
	return l.quick
}

// Handler is the Fiber app, for tests (app.Test) and for serving.
func (a *App) Handler() *fiber.App { return a.fiber }

// Listen serves until ctx ends, then shuts down gracefully.
func (a *App) Listen(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- a.fiber.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return a.fiber.ShutdownWithContext(sctx)
}

// loopback reports whether addr listens on a loopback interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
