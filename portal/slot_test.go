package portal

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestSearchSlotQueues: beyond its slots, a search waits for one to be free instead
// of running beside the others, and is then served; none is refused.
func TestSearchSlotQueues(t *testing.T) {
	a := &App{}
	entered := make(chan int, 3)
	release := make(chan struct{})
	f := fiber.New()
	f.Get("/s", a.searchSlot(2), func(c *fiber.Ctx) error {
		entered <- 1
		<-release
		return c.SendString("ok")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.Listener(ln)
	defer f.Shutdown()
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) } // lets every handler end, even on failure
	defer free()

	codes := make(chan int, 3)
	for range 3 {
		go func() {
			resp, err := http.Get("http://" + ln.Addr().String() + "/s")
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
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
		if c := <-codes; c != http.StatusOK {
			t.Fatalf("a search got %d", c)
		}
	}
}
