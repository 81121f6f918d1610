package portal

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the portal's Prometheus metrics.
type metrics struct {
	reg               *prometheus.Registry
	requests          *prometheus.HistogramVec
	search            prometheus.Histogram
	journalWrites     prometheus.Counter
	journalWait       prometheus.Histogram
	journalFailures   prometheus.Counter
	integrityFailures prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sesam_http_request_duration_seconds",
		Help: "HTTP request durations by route and status.", Buckets: prometheus.DefBuckets}, []string{"method", "route", "status"})
	m.search = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sesam_search_duration_seconds",
		Help: "Index search durations (query, facets, snippets).", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)})
	m.journalWrites = prometheus.NewCounter(prometheus.CounterOpts{Name: "sesam_journal_writes_total", Help: "Journal entries committed."})
	m.journalWait = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sesam_journal_append_duration_seconds",
		Help:    "Time a consultation's journal entry took to be committed (its answer is made meanwhile and sent after).",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)})
	m.journalFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: "sesam_journal_failures_total",
		Help: "Journal entries that could not be written (the consultation was refused)."})
	m.integrityFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: "sesam_object_integrity_failures_total",
		Help: "Objects whose bytes did not match their digest (refused)."})
	m.reg.MustRegister(m.requests, m.search, m.journalWrites, m.journalWait, m.journalFailures, m.integrityFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, itoa(status)).Observe(d.Seconds())
}

// watchIndexLag exposes how many change-feed entries the index has not applied.
func (a *App) watchIndexLag() {
	a.metrics.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sesam_index_lag",
		Help: "Change-feed entries not yet applied to this instance's index."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		lag, err := a.Index.Lag(ctx, a.Store)
		if err != nil {
			return -1
		}
		return float64(lag)
	}))
}

func (a *App) metricsHandler(c *fiber.Ctx) error {
	return adaptor.HTTPHandler(promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{}))(c)
}

// healthz: the process answers.
func (a *App) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz: the database answers, the schema is current and the index is open.
func (a *App) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := a.Store.CheckSchema(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database not ready")
	}
	if _, err := a.Index.DocCount(); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("index not ready")
	}
	lag, err := a.Index.Lag(ctx, a.Store)
	if err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("change feed not readable")
	}
	return c.SendString("ready, index lag " + itoa(int(lag)))
}

func itoa(n int) string { return strconv.Itoa(n) }
