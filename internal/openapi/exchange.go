package openapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Exchange is one request a stand-in answered and the answer it wrote.
type Exchange struct {
	Request     *http.Request // a copy, whose body is RequestBody
	RequestBody []byte
	Status      int
	Header      http.Header // as it was when the status was written
	Body        bytes.Buffer

	// What the stand-in says of its answer:
	// Injected: the test chose it (a fault).
	Injected bool
	// Late: it was held back until the client gave up, which never read
	// it.
	Late bool
	// Hostile: the service would never send it (a redirect elsewhere, a
	// body that is not JSON); it is made to test that the client refuses
	// it.
	Hostile bool
}

// capture is the ResponseWriter a stand-in writes to while checked.
type capture struct {
	http.ResponseWriter
	x *Exchange
}

func (c *capture) WriteHeader(code int) {
	if c.x.Status == 0 {
		c.x.Status = code
		c.x.Header = c.ResponseWriter.Header().Clone()
	}
	c.ResponseWriter.WriteHeader(code)
}

// Unwrap lets an http.ResponseController reach the connection.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *capture) Write(b []byte) (int, error) {
	if c.x.Status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	c.x.Body.Write(b)
	return c.ResponseWriter.Write(b)
}

// Checker checks exchanges one at a time on a goroutine of its own, off
// the requests' path, so that checking takes no time from the answers
// and a client's timeouts are as they would be without it.
type Checker struct {
	queue chan *Exchange
	done  chan struct{}
}

// NewChecker starts a checker: check says what is wrong with an exchange
// ("" if nothing), and report is told each such message.
func NewChecker(check func(*Exchange) string, report func(string)) *Checker {
	c := &Checker{queue: make(chan *Exchange, 64), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for x := range c.queue {
			if msg := check(x); msg != "" {
				report(msg)
			}
		}
	}()
	return c
}

// Wrap returns a handler that records each exchange with next and queues
// it for checking.
func (c *Checker) Wrap(next func(http.ResponseWriter, *http.Request, *Exchange)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A copy: the request is read after the handler has returned.
		x := &Exchange{Request: r.Clone(context.Background())}
		if r.Body != nil {
			x.RequestBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
		}
		next(&capture{ResponseWriter: w, x: x}, r, x)
		if x.Status == 0 {
			x.Status, x.Header = http.StatusOK, w.Header().Clone()
		}
		c.queue <- x
	}
}

// Stop waits until every exchange queued is checked. Nothing may be
// queued after it: call it once the server has stopped.
func (c *Checker) Stop() {
	close(c.queue)
	<-c.done
}

// Serve starts a stand-in for a test: serve answers each request, and
// each exchange is checked with check, the test told of each problem.
// When the test ends, the server is closed (it may have been closed
// before) and every exchange checked.
func Serve(t testing.TB, check func(*Exchange) string, serve func(http.ResponseWriter, *http.Request, *Exchange)) *httptest.Server {
	c := NewChecker(check, func(msg string) { t.Errorf("%s", msg) })
	srv := httptest.NewServer(c.Wrap(serve))
	t.Cleanup(func() {
		srv.Close()
		c.Stop()
	})
	return srv
}
