package github

import (
	"context"
	"errors"
	"sync"
)

// A round of reads (the reads a plan starts at once, one a target) may
// share what several of its team targets read alike: an organisation's
// pending invitations, which every team of the organisation lists. Fifty
// team targets in one organisation asked for the same list fifty times a
// run, each counted against the App's hourly budget when the cache had no
// answer yet. What a round shares lives in its context, never in the
// client: a read after writes (apply's) is another round, and asks again.

type sharedReadsKey struct{}

// sharedReads is what one round of reads has read, by client and path.
type sharedReads struct {
	mu    sync.Mutex
	lists map[sharedKey]*sharedList
}

type sharedKey struct {
	c    *Client
	path string
}

// sharedList is one list read for the round: done is closed when list
// and err are set.
type sharedList struct {
	done chan struct{}
	list []apiInvitation
	err  error
}

// WithSharedReads is ctx for one round of reads whose team targets read
// an organisation's pending invitations once between them.
func WithSharedReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedReadsKey{}, &sharedReads{lists: map[sharedKey]*sharedList{}})
}

// orgInvitations lists the pending invitations at path (an organisation's)
// once for the round of reads ctx belongs to, if any: the first read asks
// and the others wait for its answer. A failed read is given to those
// waiting on it, and not kept: a read that starts later asks again.
func orgInvitations(ctx context.Context, c *Client, path string) ([]apiInvitation, error) {
	s, _ := ctx.Value(sharedReadsKey{}).(*sharedReads)
	if s == nil {
		return listAll(ctx, c, path, nil, checkInvitation)
	}
	key := sharedKey{c, path}
	s.mu.Lock()
	l, ok := s.lists[key]
	if !ok {
		l = &sharedList{done: make(chan struct{})}
		s.lists[key] = l
	}
	s.mu.Unlock()
	if ok {
		select {
		case <-l.done:
			return l.list, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// Those waiting are woken however the read ends, a panic included.
	l.err = errors.New("the read of the pending invitations ended without an answer")
	defer func() {
		if l.err != nil {
			s.mu.Lock()
			delete(s.lists, key)
			s.mu.Unlock()
		}
		close(l.done)
	}()
	l.list, l.err = listAll(ctx, c, path, nil, checkInvitation)
	return l.list, l.err
}
