package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Change is one entry of the change feed: unit UnitID was written (or deleted) at Seq.
type Change struct {
	Seq    int64
	UnitID int64
	Op     string // "upsert" or "delete"
}

// Changes returns up to limit changes after seq, in order.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, unit_id, op FROM unit_change WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read change feed: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Change, error) {
		var c Change
		err := r.Scan(&c.Seq, &c.UnitID, &c.Op)
		return c, err
	})
}

// LastSeq is the feed's latest sequence number (0 when empty).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM unit_change`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read change feed: %w", err)
	}
	return seq, nil
}

// Listen sends on wake (without blocking) each time a writing transaction commits
// changes, until ctx ends. A lost connection is retried every few seconds; readers
// also sweep periodically, so a missed notification only delays.
func (s *Store) Listen(ctx context.Context, wake chan<- struct{}) {
	s.ListenChannel(ctx, ChangeChannel, wake)
}

// ListenChannel is Listen on any notification channel.
func (s *Store) ListenChannel(ctx context.Context, channel string, wake chan<- struct{}) {
	s.listen(ctx, channel, nil, func(string) {
		select {
		case wake <- struct{}{}:
		default:
		}
	}, nil)
}

// listen hands note the payload of each notification on channel until ctx ends. up
// runs once LISTEN is in place, down once the connection is lost (when not nil); a lost
// connection is retried every few seconds.
func (s *Store) listen(ctx context.Context, channel string, up func(), note func(payload string), down func()) {
	for ctx.Err() == nil {
		_ = s.listenOnce(ctx, channel, up, note) // the callers' sweeps and fallbacks cover the gap
		if down != nil {
			down()
		}
		select {
		case <-ctx.Done():
		case <-time.After(3 * time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context, channel string, up func(), note func(payload string)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+channel)
	if up != nil {
		up()
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		note(n.Payload)
	}
}
