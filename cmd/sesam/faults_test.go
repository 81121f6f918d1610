package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/store/storetest"
)

// privateCluster is a PostgreSQL cluster of the test's own, which it may stop and start.
type privateCluster struct {
	dir, port string
	asOwner   []string
	pgctl     string
}

func findPGBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

// startCluster initialises and starts a cluster (as the postgres user when run as root).
func startCluster(t *testing.T) *privateCluster {
	t.Helper()
	initdb, pgctl := findPGBin("initdb"), findPGBin("pg_ctl")
	if initdb == "" || pgctl == "" {
		t.Skip("PostgreSQL's initdb and pg_ctl are not installed")
	}
	// Not under t.TempDir(): its parents are private to root, and the cluster belongs
	// to the postgres user.
	base, err := os.MkdirTemp("", "sesam-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(base, 0o755)
	t.Cleanup(func() { os.RemoveAll(base) })
	c := &privateCluster{dir: filepath.Join(base, "pg"), pgctl: pgctl}
	addr := freePort(t)
	c.port = addr[strings.LastIndex(addr, ":")+1:]
	if os.Geteuid() == 0 {
		c.asOwner = []string{"runuser", "-u", "postgres", "--"}
		os.MkdirAll(c.dir, 0o700)
		if err := exec.Command("chown", "postgres", c.dir).Run(); err != nil {
			t.Skip("cannot give the cluster directory to the postgres user")
		}
	}
	if out, err := c.cmd(initdb, "-D", c.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start(t)
	t.Cleanup(func() { c.cmd(pgctl, "-D", c.dir, "-m", "immediate", "stop").Run() })
	return c
}

func (c *privateCluster) cmd(name string, args ...string) *exec.Cmd {
	all := append(append([]string{}, c.asOwner...), name)
	all = append(all, args...)
	return exec.Command(all[0], all[1:]...)
}

func (c *privateCluster) start(t *testing.T) {
	t.Helper()
	out, err := c.cmd(c.pgctl, "-D", c.dir, "-l", filepath.Join(c.dir, "log"), "-w", "-o",
		"-p "+c.port+" -k "+c.dir+" -c listen_addresses=127.0.0.1 -c fsync=off", "start").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

func (c *privateCluster) stop(t *testing.T) {
	t.Helper()
	if out, err := c.cmd(c.pgctl, "-D", c.dir, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *privateCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", c.port, db)
}

// TestPostgresRestartAndLostIndex: PostgreSQL stops and starts while the portal serves
// and an import runs; the portal recovers without a restart, every download it served
// has its journal entry and the chain is intact; the index directory removed while
// serving is rebuilt.
func TestPostgresRestartAndLostIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster and processes")
	}
	pg := startCluster(t)
	t.Setenv("SESAM_DATABASE_URL", pg.url("sesam"))
	dataDir := t.TempDir()
	t.Setenv("SESAM_DATA_DIR", dataDir)
	mustRun(t, "migrate")
	mustRun(t, "tenant", "add", "cdg62", "--name", "CDG 62")
	mustRun(t, "tenant", "add", "cdg62/ruitz", "--name", "Commune de Ruitz", "--publish")
	mustRun(t, "import", "--tenant", "cdg62/ruitz", ruitzPackageDir(t))
	srv := serveProcess(t, t.TempDir())
	waitFor(t, 10*time.Second, "indexed", func() bool { return total(srv, "registre") == 3 })
	objURL := srv.url + "/objects/" + firstObjectID(t, pg.url("sesam"))

	// Clients download the public PDF the whole time; count what was served.
	var served, refused atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 15 * time.Second}
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(objURL)
				if err == nil {
					if resp.StatusCode == 200 {
						served.Add(1)
					} else {
						refused.Add(1)
					}
					resp.Body.Close()
				} else {
					refused.Add(1)
				}
				time.Sleep(30 * time.Millisecond)
			}
		}()
	}
	// An import runs while PostgreSQL goes down: it fails cleanly or completes.
	importDone := make(chan string, 1)
	go func() {
		code, out, errb := runSesam("import", "--tenant", "cdg62/ruitz", sample("sip", "vitam__SIP_MAIL.zip"))
		importDone <- fmt.Sprintf("%d %s %s", code, out, errb)
	}()
	time.Sleep(300 * time.Millisecond)
	pg.stop(t)
	time.Sleep(2 * time.Second)
	pg.start(t)
	t.Logf("import during the restart: %s", <-importDone)
	waitFor(t, 20*time.Second, "portal serving again after the restart", func() bool {
		resp, err := client.Get(objURL)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	close(stop)
	wg.Wait()
	t.Logf("downloads served %d, refused %d across the restart", served.Load(), refused.Load())
	if refused.Load() == 0 {
		t.Errorf("no download was refused while PostgreSQL was down: the consultation was not journalled first")
	}
	// The import left either all of the package or nothing: importing it again tells.
	out := mustRun(t, "import", "--tenant", "cdg62/ruitz", sample("sip", "vitam__SIP_MAIL.zip"))
	if !strings.HasPrefix(out, "imported") && !strings.HasPrefix(out, "unchanged") {
		t.Errorf("import after the restart: %s", out)
	}
	checkTransfersWhole(t, pg.url("sesam"))
	// Every download served has its journal entry, and the chain is intact.
	var journalled int64
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.url("sesam"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	conn.QueryRow(ctx, `SELECT count(*) FROM journal WHERE action = 'object_download'`).Scan(&journalled)
	if journalled < served.Load()+1 { // +1: the wait loop's own download
		t.Errorf("%d downloads served, %d journalled", served.Load()+1, journalled)
	}
	if out := mustRun(t, "journal", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("journal verify: %s", out)
	}

	// The index directory removed while serving is rebuilt. The portal may write a
	// segment into it while it is being removed ("directory not empty"): removed again,
	// as whoever typed rm -rf would.
	waitFor(t, 10*time.Second, "index directory removed", func() bool {
		return os.RemoveAll(srv.indexDir) == nil
	})
	waitFor(t, 20*time.Second, "index rebuilt", func() bool {
		_, err := os.Stat(filepath.Join(srv.indexDir, "CURRENT"))
		return err == nil && total(srv, "registre") == 3
	})
}

func ruitzPackageDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ruitz")
	if _, err := storetestRuitz(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func storetestRuitz(dir string) (string, error) {
	return storetest.RuitzPackage(dir, filepath.Join("..", "..", "..", "shared", "testdata", "pdf"))
}

func firstObjectID(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var id string
	if err := conn.QueryRow(ctx, `SELECT o.id::text FROM object o JOIN unit_object uo ON uo.object_id = o.id
		JOIN unit u ON u.id = uo.unit_id WHERE u.seda_id = 'W-DISCOURS'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// checkTransfersWhole: every transfer has all its units and objects (no half import).
func checkTransfersWhole(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var bad int
	conn.QueryRow(ctx, `SELECT count(*) FROM transfer t WHERE t.object_count <> (SELECT count(*) FROM object o WHERE o.transfer_id = t.id)`).Scan(&bad)
	if bad > 0 {
		t.Errorf("%d transfers are not whole", bad)
	}
}
