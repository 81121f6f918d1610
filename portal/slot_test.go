package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"sesam/access"
	"sesam/index"
)

// TestSearchSlotQueues: beyond its slots, a search waits for one to be free instead
// of running beside the others, and is then served; none is refused.
func TestSearchSlotQueues(t *testing.T) {
	slots := make(searchSlots, 2)
	entered := make(chan int, 3)
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) } // lets every search end, even on failure
	defer free()

	errs := make(chan error, 3)
	for range 3 {
		go func() {
			errs <- slots.do(context.Background(), func() error {
				entered <- 1
				<-release
				return nil
			})
		}()
	}
	for range 2 {
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("two searches should run at once")
		}
	}
	select {
	case <-entered:
		t.Fatal("a third search ran beside the two that hold the slots")
	case <-time.After(300 * time.Millisecond):
	}
	release <- struct{}{} // one finishes: the third gets its slot
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the queued search did not run once a slot was free")
	}
	free()
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("a search got %v", err)
		}
	}
}

// gatedJournal holds every append until open is closed, like a journal whose commits
// are slow; waiting counts the appends held.
type gatedJournal struct {
	open    chan struct{}
	waiting chan struct{}
}

func (j gatedJournal) Append(ctx context.Context, e access.JournalEntry) (access.JournalEntry, error) {
	j.waiting <- struct{}{}
	select {
	case <-j.open:
		return e, nil
	case <-ctx.Done():
		return e, ctx.Err()
	}
}

// TestJournalWaitHoldsNoSearchSlot: staff searches waiting for their journal entry have
// given back their search slot, so that more of them than there are slots reach the
// journal, and a search from someone else is answered meanwhile.
func TestJournalWaitHoldsNoSearchSlot(t *testing.T) {
	for _, path := range []string{"/api/v1/search?q=registre", "/search?q=registre"} {
		t.Run(path, func(t *testing.T) { testJournalWaitHoldsNoSearchSlot(t, path) })
	}
}

func testJournalWaitHoldsNoSearchSlot(t *testing.T, path string) {
	j := gatedJournal{open: make(chan struct{}), waiting: make(chan struct{}, 64)}
	app, err := newTestApp(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	slots := cap(app.slots.quick) + cap(app.slots.broad) // more than either lane holds
	var once sync.Once
	open := func() { once.Do(func() { close(j.open) }) } // lets every search end, even on failure
	defer open()

	var reqs []*http.Request
	for range slots + 1 {
		reqs = append(reqs, withSession(t, agentRuitz, httptest.NewRequest(http.MethodGet, path, nil)))
	}
	codes := make(chan int, len(reqs))
	for _, req := range reqs {
		go func() {
			resp, err := app.Handler().Test(req, -1)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	for i := range len(reqs) {
		select {
		case <-j.waiting:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d staff searches reached the journal; the others wait for a search slot", i, len(reqs))
		}
	}
	if r := get(t, app, nil, path); r.status != http.StatusOK {
		t.Errorf("a public search while %d staff searches wait for the journal: %d", len(reqs), r.status)
	}
	open()
	for range reqs {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("a staff search got %d once its entry was written", c)
		}
	}
}

// TestPagesWaitForASearchSlot: the home page (whose counts scan every unit the visitor
// may see), the search page and the API search only once a slot is free: with every
// slot held, they are not answered; one slot freed, they are, in full.
func TestPagesWaitForASearchSlot(t *testing.T) {
	for _, path := range []string{"/", "/search?q=registre", "/api/v1/search?q=registre"} {
		t.Run(path, func(t *testing.T) {
			app, err := newTestApp(context.Background(), tJournal)
			if err != nil {
				t.Fatal(err)
			}
			var frees []func()
			for _, lane := range []searchSlots{app.slots.quick, app.slots.broad} {
				frees = append(frees, hold(lane))
			}
			defer func() {
				for _, free := range frees {
					free()
				}
			}()
			answered := answer(app, path)
			select {
			case code := <-answered:
				t.Fatalf("answered (%d) while every search slot was held", code)
			case <-time.After(300 * time.Millisecond):
			}
			for _, free := range frees {
				free()
			}
			select {
			case code := <-answered:
				if code != http.StatusOK {
					t.Fatalf("status %d once a slot was free", code)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("not answered once a slot was free")
			}
		})
	}
}

// hold takes every slot of a lane, as long searches would; the returned function
// gives them back (once).
func hold(lane searchSlots) func() {
	for range cap(lane) {
		lane <- struct{}{}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			for range cap(lane) {
				<-lane
			}
		})
	}
}

// answer sends a GET to the app and gives its status once answered (0: no answer).
func answer(app *App, path string) <-chan int {
	answered := make(chan int, 1)
	go func() {
		resp, err := app.Handler().Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	return answered
}

// TestQuickSearchesPassBroadOnes: while broad searches hold every slot of their lane,
// a search whose words can only find a few units (a cote) is answered at once, on the
// page and through the API, and a broad one (a common word, a browse) waits its turn.
func TestQuickSearchesPassBroadOnes(t *testing.T) {
	ctx := context.Background()
	app, err := newTestApp(ctx, tJournal)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tIndex.Search(ctx, access.Scope{Tenants: []string{"cdg62"}}, index.Request{Query: "registre", Staff: true}, nil)
	if err != nil || len(res.Hits) == 0 || res.Hits[0].Cote == "" {
		t.Fatalf("a registre with a cote: %v %+v", err, res)
	}
	cote := `cote:"` + res.Hits[0].Cote + `"`
	narrow, err := tIndex.Bound(ctx, index.Request{Query: cote})
	if err != nil {
		t.Fatal(err)
	}
	if common, err := tIndex.Bound(ctx, index.Request{Query: "registre"}); err != nil || common <= narrow {
		t.Fatalf("Bound: %s %d, registre %d (%v): the fixture has no broader word", cote, narrow, common, err)
	}
	app.slots.bound = narrow // "registre" is a broad search here
	free := hold(app.slots.broad)
	defer free()
	q := url.QueryEscape(cote)
	for _, path := range []string{"/api/v1/search?q=" + q, "/search?q=" + q} {
		select {
		case code := <-answer(app, path):
			if code != http.StatusOK {
				t.Errorf("%s: status %d", path, code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: a cote waited behind the broad searches", path)
		}
	}
	broad := []<-chan int{answer(app, "/api/v1/search?q=registre"), answer(app, "/api/v1/search")}
	for i, answered := range broad {
		select {
		case code := <-answered:
			t.Errorf("broad search %d answered (%d) while every broad slot was held", i, code)
		case <-time.After(300 * time.Millisecond):
		}
	}
	free() // the broad searches end
	for i, answered := range broad {
		select {
		case code := <-answered:
			if code != http.StatusOK {
				t.Errorf("broad search %d: status %d", i, code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("broad search %d not answered once the slots were free", i)
		}
	}
}
