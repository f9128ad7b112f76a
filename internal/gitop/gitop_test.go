package gitop

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRun: an operation that outlives its deadline fails saying so; one
// ended by its caller's context keeps that error; the context's timeout
// is the default limit.
func TestRun(t *testing.T) {
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	ctx := WithTimeout(context.Background(), time.Millisecond)
	if got := Timeout(ctx); got != time.Millisecond {
		t.Errorf("Timeout = %s", got)
	}
	if got := Timeout(context.Background()); got != DefaultTimeout {
		t.Errorf("Timeout without one = %s", got)
	}
	err := Run(ctx, 0, hang)
	if err == nil || err.Error() != "the git host did not finish within 1ms, the deadline for one git operation" {
		t.Errorf("Run past its deadline: %v", err)
	}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(stopped, time.Hour, hang); !errors.Is(err, context.Canceled) {
		t.Errorf("Run of a stopped run: %v", err)
	}
	if err := Run(ctx, time.Hour, func(context.Context) error { return nil }); err != nil {
		t.Errorf("Run of what finishes: %v", err)
	}
}
