package fakepagerduty

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// Prefix is the path the API is served under. PagerDuty serves it at the
// root of its host; the prefix makes a client that ignores its base URL
// fail.
const Prefix = "/pagerduty"

// RateLimit is the requests a minute the stand-in says a key may make,
// PagerDuty's limit for a REST API key.
const RateLimit = 960

// User is a PagerDuty user.
type User struct {
	ID, Name, Email string
	TimeZone        string // an IANA name; "" is UTC
}

// Schedule is an on-call schedule: its final schedule, who is on call
// from when to when.
type Schedule struct {
	ID, Name, Description string
	TimeZone              string // an IANA name; "" is UTC
	Entries               []Entry
}

// Entry is one stretch of a final schedule: User is on call from Start
// until End. Override marks an entry an override made.
type Entry struct {
	User       string // the user's id
	Start, End time.Time
	Override   bool
}

// EscalationPolicy escalates through its levels in turn; each level names
// schedules and users (by id) to notify.
type EscalationPolicy struct {
	ID, Name string
	Levels   [][]string
}

// Request is one request the stand-in answered.
type Request struct {
	Method, Path string // Path without the prefix
	Query        url.Values
	Status       int

	at time.Time // by the stand-in's clock
}

// Fault makes matching requests get an answer the test chose.
type Fault struct {
	// Path is matched against the request's path without the prefix:
	// equal, or below it ("/schedules" matches /schedules/P1); "" matches
	// every path.
	Path   string
	Status int
	Header http.Header
	// Body is the answer's body; "" gives PagerDuty's error body for the
	// status.
	Body string
	// Skip is how many matching requests are answered as usual first
	// (Skip: 1 fails the second page of a list).
	Skip int
	// Times is how many requests it affects after those; 0 is all.
	Times int
	// Hold, if set, holds the answer back until the gate opens or the
	// client gives up; a client whose deadline is the stand-in's Expire
	// gives up at once.
	Hold *Gate
	// Hostile marks an answer PagerDuty would not send (a redirect, a body
	// that is not JSON): it is not checked against the description.
	Hostile bool

	seen, used int
}

// Gate holds answers back until it is opened. Arrived receives once for
// each request it holds, once the request is held (so that Expire then
// finds it held).
type Gate struct {
	arrived chan struct{}
	open    chan struct{}
	once    sync.Once
}

// NewGate returns a closed gate.
func NewGate() *Gate {
	return &Gate{arrived: make(chan struct{}, 1000), open: make(chan struct{})}
}

// Arrived receives once for each request the gate holds.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Open lets every answer held, and every answer to come, through.
func (g *Gate) Open() { g.once.Do(func() { close(g.open) }) }

// Server is the stand-in. Its exported fields may be read and changed
// between requests while holding no lock, or with Lock and Unlock.
type Server struct {
	sync.Mutex

	Users     map[string]*User
	Schedules map[string]*Schedule
	Policies  map[string]*EscalationPolicy
	// Token, if set, is the only key accepted; otherwise any key is.
	Token string
	// Now is the stand-in's clock, for the since and until that default
	// to now and for the rate-limit reset.
	Now    func() time.Time
	Faults []*Fault

	fatalf   func(format string, args ...any)
	held     holds
	requests []Request
	srv      *httptest.Server
	close    sync.Once
}

// New starts a stand-in for a test: every request the test makes and
// every answer it gets are checked against PagerDuty's REST description
// (see check.go), and each difference fails the test. The stand-in stops
// when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	d, err := loadDescription()
	if err != nil {
		t.Fatalf("fakepagerduty: %v", err)
	}
	s := newServer(t.Fatalf)
	s.srv = openapi.Serve(t, d.problems, s.serve)
	return s
}

// NewUnchecked starts a stand-in that checks nothing, for programs such
// as the demo. Close it when done. Tests use New; in a test binary
// NewUnchecked panics, so that no test goes unchecked.
func NewUnchecked() *Server {
	if testing.Testing() {
		panic("fakepagerduty.NewUnchecked in a test: use fakepagerduty.New(t), which checks the stand-in's answers")
	}
	s := newServer(func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) })
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, &openapi.Exchange{})
	}))
	return s
}

func newServer(fatalf func(string, ...any)) *Server {
	return &Server{
		Users:     map[string]*User{},
		Schedules: map[string]*Schedule{},
		Policies:  map[string]*EscalationPolicy{},
		Now:       time.Now,
		fatalf:    fatalf,
	}
}

// URL is the API's base URL, for PAGERDUTY_API_URL.
func (s *Server) URL() string { return s.srv.URL + Prefix }

// Close stops the server once the requests it is answering are answered.
// It may be called more than once.
func (s *Server) Close() { s.close.Do(s.srv.Close) }

// AddUser adds a user.
func (s *Server) AddUser(id, name, email string) *User {
	s.Lock()
	defer s.Unlock()
	u := &User{ID: id, Name: name, Email: email}
	s.Users[id] = u
	return u
}

// AddSchedule adds a schedule with no entries, in a time zone (an IANA
// name; "" is UTC).
func (s *Server) AddSchedule(id, name, timeZone string) *Schedule {
	s.Lock()
	defer s.Unlock()
	if _, err := time.LoadLocation(timeZone); err != nil {
		s.fatalf("fakepagerduty: schedule %s: time zone %q: %v", id, timeZone, err)
	}
	sc := &Schedule{ID: id, Name: name, TimeZone: timeZone}
	s.Schedules[id] = sc
	return sc
}

// AddEntry puts user on call on a schedule from start until end. Entries
// of a final schedule do not overlap: an override is made with Override.
func (s *Server) AddEntry(schedule, user string, start, end time.Time) {
	s.Lock()
	defer s.Unlock()
	sc := s.entryChecks(schedule, user, start, end)
	for _, e := range sc.Entries {
		if e.Start.Before(end) && start.Before(e.End) {
			s.fatalf("fakepagerduty: schedule %s: an entry of %s from %s to %s overlaps %s's from %s to %s; use Override", schedule, user, start, end, e.User, e.Start, e.End)
		}
	}
	sc.Entries = append(sc.Entries, Entry{User: user, Start: start, End: end})
	sortEntries(sc.Entries)
}

// Override puts user on call on a schedule from start until end in place
// of whoever the schedule had then, as a PagerDuty override does: the
// entries it covers are cut around it.
func (s *Server) Override(schedule, user string, start, end time.Time) {
	s.Lock()
	defer s.Unlock()
	sc := s.entryChecks(schedule, user, start, end)
	var kept []Entry
	for _, e := range sc.Entries {
		if !e.Start.Before(end) || !start.Before(e.End) {
			kept = append(kept, e)
			continue
		}
		if e.Start.Before(start) {
			before := e
			before.End = start
			kept = append(kept, before)
		}
		if end.Before(e.End) {
			after := e
			after.Start = end
			kept = append(kept, after)
		}
	}
	sc.Entries = append(kept, Entry{User: user, Start: start, End: end, Override: true})
	sortEntries(sc.Entries)
}

func (s *Server) entryChecks(schedule, user string, start, end time.Time) *Schedule {
	sc := s.Schedules[schedule]
	switch {
	case sc == nil:
		s.fatalf("fakepagerduty: no schedule %s", schedule)
	case s.Users[user] == nil:
		s.fatalf("fakepagerduty: no user %s", user)
	case !start.Before(end):
		s.fatalf("fakepagerduty: schedule %s: an entry of %s ends (%s) before it starts (%s)", schedule, user, end, start)
	}
	return sc
}

func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int { return a.Start.Compare(b.Start) })
}

// AddPolicy adds an escalation policy; each level names the schedules and
// users it notifies, by id.
func (s *Server) AddPolicy(id, name string, levels ...[]string) *EscalationPolicy {
	s.Lock()
	defer s.Unlock()
	for i, level := range levels {
		for _, target := range level {
			if s.Schedules[target] == nil && s.Users[target] == nil {
				s.fatalf("fakepagerduty: escalation policy %s, level %d: no schedule or user %s", id, i+1, target)
			}
		}
	}
	p := &EscalationPolicy{ID: id, Name: name, Levels: levels}
	s.Policies[id] = p
	return p
}

// SetFaults replaces the faults to inject.
func (s *Server) SetFaults(faults ...*Fault) {
	s.Lock()
	defer s.Unlock()
	s.Faults = faults
}

// RateLimited is a fault: the next times requests to path (as Fault.Path)
// get PagerDuty's 429, which asks the client to come back in reset
// seconds.
func RateLimited(path string, times, reset int) *Fault {
	h := http.Header{}
	h.Set("Ratelimit-Limit", fmt.Sprint(RateLimit))
	h.Set("Ratelimit-Remaining", "0")
	h.Set("Ratelimit-Reset", fmt.Sprint(reset))
	return &Fault{Path: path, Status: http.StatusTooManyRequests, Header: h, Times: times}
}

// SetNow sets the stand-in's clock.
func (s *Server) SetNow(now func() time.Time) {
	s.Lock()
	defer s.Unlock()
	s.Now = now
}

// Requests returns the requests answered so far.
func (s *Server) Requests() []Request {
	s.Lock()
	defer s.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the requests answered so far.
func (s *Server) ResetRequests() {
	s.Lock()
	defer s.Unlock()
	s.requests = nil
}

// Count returns how many requests were made to path (as Fault.Path: ""
// counts them all).
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if under(r.Path, path) {
			n++
		}
	}
	return n
}

// under reports whether path is prefix or below it.
func under(path, prefix string) bool {
	return prefix == "" || path == prefix || strings.HasPrefix(path, strings.TrimSuffix(prefix, "/")+"/")
}
