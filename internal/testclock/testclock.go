// Package testclock records the waits a GitHub transport asks for, so that
// tests check how long it would have slept without sleeping.
package testclock

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Sleeps records waits; it is safe for concurrent use.
type Sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns at once.
func (s *Sleeps) Sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

// All returns the waits recorded so far.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}
