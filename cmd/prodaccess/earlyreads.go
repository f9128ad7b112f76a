package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// earlyReads are the reads of the targets, begun while the person files
// load, so that the requests to GitHub and the git clones do not wait for
// the parse.
type earlyReads struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	reads  map[reconciler.Provider]*earlyRead
}

// earlyRead is one provider's read, begun early; its Read gives what the
// provider's own Read gave, once it has: a failed read stays a failure.
type earlyRead struct {
	reconciler.Provider
	done   chan struct{}
	states []outcome.TargetState
	err    error
}

// Read waits for the read begun early, or for ctx to end.
func (r *earlyRead) Read(ctx context.Context) ([]outcome.TargetState, error) {
	select {
	case <-r.done:
		return r.states, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startReads begins reading every provider at once, each in a goroutine
// of its own.
func startReads(ctx context.Context, providers []reconciler.Provider) *earlyReads {
	// The teams of one organisation read its pending invitations once
	// between them (see github.WithSharedReads).
	ctx, cancel := context.WithCancel(github.WithSharedReads(ctx))
	e := &earlyReads{cancel: cancel, reads: make(map[reconciler.Provider]*earlyRead, len(providers))}
	for _, p := range providers {
		r := &earlyRead{Provider: p, done: make(chan struct{})}
		e.reads[p] = r
		e.wg.Go(func() {
			defer close(r.done)
			defer func() {
				// A panic here would end the process with status 2,
				// which scripts read as "changes".
				if v := recover(); v != nil {
					r.states, r.err = nil, fmt.Errorf("read %s: internal error (a bug; please report it): %v", strings.Join(p.Targets(), ", "), v)
				}
			}()
			r.states, r.err = p.Read(ctx)
		})
	}
	return e
}

// stop ends the reads, when the load failed and no plan will be made,
// and waits for them to end.
func (e *earlyReads) stop() {
	e.cancel()
	e.wg.Wait()
}

// readers are the world's providers as reconciler.ReadEach reads them:
// those whose read began early give its result; the others (manual
// targets worked out from the person files) are read then.
func (w *world) readers() []reconciler.Provider {
	out := make([]reconciler.Provider, len(w.providers))
	for i, p := range w.providers {
		out[i] = p
		if w.reads != nil {
			if r := w.reads.reads[p]; r != nil {
				out[i] = r
			}
		}
	}
	return out
}
