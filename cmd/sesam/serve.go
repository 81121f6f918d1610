package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sesam/access"
	"sesam/index"
	"sesam/mail"
	"sesam/portal"
	"sesam/stamp"
	"sesam/store"
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve", e.stderr)
	dev := fs.Bool("dev-login", false, "log in as a demo user without an identity provider (loopback only)")
	addr := fs.String("addr", e.cfg.Addr, "listen address")
	assets := fs.String("assets", "", "read templates and static files from this source tree (development)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	servingGC()
	broad := servingProcs()
	searchRate := 0 // the portal's default
	if v := e.cfg.SearchRate; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("SESAM_SEARCH_RATE=%q: a number of searches per client and minute", v)
		}
		searchRate = n
	}
	trustEmail := false
	if v := e.cfg.OIDCTrustEmail; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("SESAM_OIDC_TRUST_UNVERIFIED_EMAIL=%q: true or false", v)
		}
		trustEmail = b
	}
	log := newLogger(e)
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ix, fresh, err := index.Open(indexDir(e.cfg))
	if err != nil {
		return err
	}
	defer ix.Close()
	rights, err := access.NewRights(st.CasbinAdapter())
	if err != nil {
		return err
	}
	journal := store.NewJournal(st, store.JournalOptions{})
	defer journal.Close()
	if exposure, err := st.JournalExposure(ctx); err != nil {
		return err
	} else if exposure != "" {
		log.Warn("the journal is not protected from this portal: see README, Deploying for real", "detail", exposure)
	}
	font := os.Getenv("SESAM_STAMP_FONT")
	stamper, err := stamp.New(e.cfg.DataDir, font) // pdfcpu keeps its files in DataDir/pdfcpu
	if err != nil {
		return err
	}
	base := e.cfg.BaseURL
	if base == "" {
		base = "http://" + *addr
	}
	app, err := portal.New(ctx, portal.Config{Addr: *addr, BaseURL: base, DevLogin: *dev, DataDir: e.cfg.DataDir, AssetsDir: *assets, SearchRate: searchRate,
		TrustedProxies: splitList(e.cfg.TrustedProxies), ProxyHeader: e.cfg.ProxyHeader, BroadSearches: broad,
		OIDC: portal.OIDCConfig{Issuer: e.cfg.OIDCIssuer, ClientID: e.cfg.OIDCClientID, ClientSecret: e.cfg.OIDCClientSecret,
			GroupsClaim: e.cfg.OIDCGroupsClaim, PostLogoutRedirectURI: e.cfg.OIDCPostLogout, TrustUnverifiedEmail: trustEmail}},
		portal.Deps{Store: st, Index: ix, Rights: rights, Journal: journal, Stamper: stamper, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	go keepIndexFresh(ctx, log, ix, st, fresh)
	go keepRightsFresh(ctx, log, rights, st)
	go st.ListenSessions(ctx) // the session cache serves only while it listens
	go housekeeping(ctx, log, st, e.cfg.DataDir)
	if e.cfg.SMTPURL != "" {
		sender, err := mail.NewSender(e.cfg.SMTPURL)
		if err != nil {
			return err
		}
		go mail.Deliver(ctx, st, sender, 30*time.Second, log)
	} else {
		log.Info("no SESAM_SMTP_URL: notifications stay in the outbox (/staff/outbox)")
	}
	fmt.Fprintf(e.stdout, "sesam serves on %s (%s)%s\n", base, ln.Addr(), map[bool]string{true: " with DEV LOGIN", false: ""}[*dev])
	return app.Listen(ctx, ln)
}

func newLogger(e *env) *slog.Logger {
	level := slog.LevelInfo
	if strings.EqualFold(e.cfg.LogLevel, "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// keepIndexFresh rebuilds a missing or corrupt index, then follows the change feed.
func keepIndexFresh(ctx context.Context, log *slog.Logger, ix *index.Index, st *store.Store, fresh bool) {
	if fresh {
		start := time.Now()
		log.Info("index missing or unreadable: rebuilding from the store")
		if err := ix.Rebuild(ctx, st, nil); err != nil {
			log.Error("index rebuild failed", "err", err)
		} else {
			log.Info("index rebuilt", "seconds", time.Since(start).Seconds())
		}
	}
	ix.Follow(ctx, st, 5*time.Second, func(err error) { log.Warn("index sync", "err", err) })
}

// keepRightsFresh reloads role assignments when they change (another process, the
// command line) and every minute anyway.
func keepRightsFresh(ctx context.Context, log *slog.Logger, r *access.Rights, st *store.Store) {
	wake := make(chan struct{}, 1)
	go st.ListenChannel(ctx, store.PolicyChannel, wake)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
		if err := r.Reload(); err != nil {
			log.Warn("reload rights", "err", err)
		}
	}
}

// housekeeping removes expired sessions and anchors the journal's head once a day.
func housekeeping(ctx context.Context, log *slog.Logger, st *store.Store, dataDir string) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	lastAnchor := ""
	for {
		now := time.Now()
		if err := st.DeleteExpiredSessions(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("session cleanup", "err", err)
		}
		if day := now.Format("2006-01-02"); day != lastAnchor {
			var broken *store.JournalBrokenError
			if path, err := st.AnchorJournal(ctx, filepath.Join(dataDir, "journal-anchors"), now); errors.As(err, &broken) {
				log.Error("journal broken: no anchor taken", "seq", broken.Break.Seq, "problem", broken.Break.Problem)
			} else if err != nil {
				log.Warn("journal anchor", "err", err)
			} else {
				lastAnchor = day
				log.Info("journal head anchored", "file", path)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// splitList reads a comma-separated setting.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
