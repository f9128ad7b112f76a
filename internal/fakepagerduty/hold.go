package fakepagerduty

import (
	"net/http"
	"slices"
	"sync"
)

// holds are the answers the stand-in is holding back (Fault.Hold), and
// the clients waiting to hear of them: a gate in place of a timer, so
// that a test of a timeout never depends on how fast the machine is. Each
// hold expires exactly one try: the one waiting when it begins, or else
// the next to ask.
type holds struct {
	mu      sync.Mutex
	pending map[string]int // holds that have expired no try yet
	waiters map[string][]chan struct{}
}

// holdKey names a request: its method, path and query.
func holdKey(r *http.Request) string { return r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery }

// Expire is a deadline for pagerduty.Options.Expire: a try waiting for
// its answer's headers expires when, and only when, the stand-in holds
// that answer back. The stand-in never holds a body back, so a try
// reading one never expires here.
func (s *Server) Expire(req *http.Request, body bool) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	if body {
		return ch, func() {}
	}
	h := &s.held
	k := holdKey(req)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending[k] > 0 {
		h.pending[k]--
		close(ch)
		return ch, func() {}
	}
	if h.waiters == nil {
		h.waiters = map[string][]chan struct{}{}
	}
	h.waiters[k] = append(h.waiters[k], ch)
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.waiters[k] = slices.DeleteFunc(h.waiters[k], func(w chan struct{}) bool { return w == ch })
	}
}

// start says that the answer to r is held: the try waiting for it
// expires, or the next one to ask.
func (h *holds) start(r *http.Request) {
	k := holdKey(r)
	h.mu.Lock()
	defer h.mu.Unlock()
	if ws := h.waiters[k]; len(ws) > 0 {
		close(ws[0])
		h.waiters[k] = ws[1:]
		return
	}
	if h.pending == nil {
		h.pending = map[string]int{}
	}
	h.pending[k]++
}
