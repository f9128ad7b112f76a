// Package gitop runs one git operation with a remote (a clone, a fetch, a
// push, a listing of its branches) under a deadline of its own, so that a
// host that accepts the connection and never answers fails that
// operation, with an error that says so, rather than holding the run
// until it is stopped as a whole. The deadline is DefaultTimeout, or what
// the context carries (WithTimeout): the command line sets it for every
// operation of a run (--git-timeout).
//
// It imports nothing of prodaccess.
package gitop

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultTimeout bounds one git operation with a remote.
const DefaultTimeout = 5 * time.Minute

type timeoutKey struct{}

// WithTimeout returns a context under which each git operation run
// without a limit of its own is bounded by d.
func WithTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, timeoutKey{}, d)
}

// Timeout is the deadline of one git operation under ctx.
func Timeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(timeoutKey{}).(time.Duration); ok && d > 0 {
		return d
	}
	return DefaultTimeout
}

// Run runs op under its own deadline: limit, or when it is not positive,
// Timeout(ctx). When that deadline, and not ctx, ended op, the error says
// so; the caller names the operation and the repository.
func Run(ctx context.Context, limit time.Duration, op func(ctx context.Context) error) error {
	if limit <= 0 {
		limit = Timeout(ctx)
	}
	octx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := op(octx)
	if err != nil && errors.Is(octx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		return fmt.Errorf("the git host did not finish within %s, the deadline for one git operation", limit)
	}
	return err
}
