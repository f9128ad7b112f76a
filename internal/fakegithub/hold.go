package fakegithub

import (
	"net/http"
	"slices"
	"sync"
)

// holds are the answers the server is holding back (Fault.Hold and
// Fault.HoldBody), and the clients waiting to hear of them: a gate in
// place of a timer, so that a test of a timeout never depends on how
// fast the machine is. Each hold expires exactly one try: the waiting one
// it finds when it begins, or else the next to ask.
type holds struct {
	mu      sync.Mutex
	pending []*hold // holds that have expired no try yet
	waiters []*holdWaiter
}

// holdKey names a request, and whether its headers (body false) or its
// body (body true) are held.
type holdKey struct {
	method, uri string
	body        bool
}

type hold struct{ key holdKey }

type holdWaiter struct {
	key holdKey
	ch  chan struct{}
}

func keyOf(r *http.Request, body bool) holdKey {
	return holdKey{method: r.Method, uri: r.URL.Path + "?" + r.URL.RawQuery, body: body}
}

// Expire is a deadline for github.Transport.Expire: the phase of a try
// (waiting for the headers, or reading the body) expires when, and only
// when, this server holds that part of the answer to the request.
func (s *Server) Expire(req *http.Request, body bool) (<-chan struct{}, func()) {
	h := &s.held
	w := &holdWaiter{key: keyOf(req, body), ch: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.IndexFunc(h.pending, func(x *hold) bool { return x.key == w.key }); i >= 0 {
		h.pending = slices.Delete(h.pending, i, i+1)
		close(w.ch)
		return w.ch, func() {}
	}
	h.waiters = append(h.waiters, w)
	return w.ch, func() {
		h.mu.Lock()
		h.waiters = slices.DeleteFunc(h.waiters, func(x *holdWaiter) bool { return x == w })
		h.mu.Unlock()
	}
}

// start begins a hold: it expires the try waiting on it, or is kept for
// the next to ask. The function it returns ends the hold.
func (h *holds) start(key holdKey) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.IndexFunc(h.waiters, func(w *holdWaiter) bool { return w.key == key }); i >= 0 {
		close(h.waiters[i].ch)
		h.waiters = slices.Delete(h.waiters, i, i+1)
		return func() {}
	}
	x := &hold{key: key}
	h.pending = append(h.pending, x)
	return func() {
		h.mu.Lock()
		h.pending = slices.DeleteFunc(h.pending, func(p *hold) bool { return p == x })
		h.mu.Unlock()
	}
}

// hold holds the answer to r until the client goes away.
func (h *holds) hold(r *http.Request, body bool) {
	defer h.start(keyOf(r, body))()
	<-r.Context().Done()
}

// holdBody sends the status, the headers already set on w and the first
// part of the body, then holds the rest until the client goes away. The
// body is marked held before the headers go, so that a client that has
// them finds it held.
func (h *holds) holdBody(w http.ResponseWriter, r *http.Request, status int, first string) {
	defer h.start(keyOf(r, true))()
	w.WriteHeader(status)
	w.Write([]byte(first))
	if err := http.NewResponseController(w).Flush(); err != nil {
		return
	}
	<-r.Context().Done()
}
