// Package fakegithub is a stateful stand-in for the parts of GitHub's REST
// API that prodaccess uses, for tests and the demo. It behaves as GitHub
// does in the ways that matter (see the facts it follows below), serves
// under a path prefix so that any hard-coded URL fails, records every
// request so tests can count them, and can inject faults and latency.
//
// Facts it follows: adding a user who is not an organisation member
// creates an invitation ("state": "pending") and the user does not appear
// among the members until they accept; a team's member list includes the
// members of its child teams; DELETE of a team membership removes an active
// or a pending membership; lists are paginated with Link headers and
// answer 304 to a matching If-None-Match; a missing team is a 404; teams
// synced from an identity provider answer 403 to writes; issues and pull
// requests share one sequence of numbers, and the list of issues holds
// the pull requests too; what the client creates is its token's account's
// (Viewer), and GET /user refuses an App's token; a ruleset's bypass actors
// are shown only to a token that may write it (RulesetWriter); a pending
// review is listed to its author alone; a commit is verified only when a
// key of its committer's account signed it; a pull request's or issue's
// body may be at most 65,536 characters. docs/testing.md says more.
package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// Prefix is the path the API is served under, as on GitHub Enterprise.
const Prefix = "/api/v3"

// User is a GitHub account.
type User struct {
	Login string
	ID    int64
	// Blocked users cannot be added to the organisation's teams.
	Blocked bool
	// Name and Email are what the account's public profile shows; empty
	// when its owner shows none (GitHub then answers null).
	Name, Email string
}

// Team is a team of an organisation.
type Team struct {
	ID     int64
	Slug   string
	Parent string            // the parent team's slug, if any
	Roles  map[string]string // direct members: lower-case login → "member" or "maintainer"
	// Synced teams are managed by an identity provider and refuse writes.
	Synced bool
}

// Invitation is a pending invitation to the organisation, to some teams.
type Invitation struct {
	ID        int64
	Login     string
	Teams     []string
	CreatedAt time.Time
}

// PullRequest is a pull request of a repository.
type PullRequest struct {
	ID                           int64
	Number                       int
	Head, Base                   string
	Title, Body                  string
	State                        string // open or closed
	CreatedAt, UpdatedAt, Closed time.Time

	// Author opened it; nil for the account the token belongs to
	// (Server.Viewer).
	Author *User
	// Commits are its commits, oldest first; the last is its head.
	Commits []PullCommit
	Reviews []*Review
	// RequestedReviewers (logins) and RequestedTeams (slugs) are asked
	// for a review.
	RequestedReviewers, RequestedTeams []string
	// A merged pull request: when, by whom, its merge commit (for a
	// squash, the one commit it put on the base branch), and any other
	// commits it put there (those a rebase made).
	MergedAt       time.Time
	MergedBy       *User
	MergeCommitSHA string
	BranchCommits  []string
}

// Request is one request the server answered.
type Request struct {
	Method, Path string // Path without the prefix
	Query        url.Values
	Status       int
}

// Fault makes matching requests fail. Times is how many requests it
// affects (0: all).
type Fault struct {
	Method     string // "" matches any method
	PathPrefix string // matched against the path without the API prefix
	Status     int
	Header     http.Header
	Body       string
	// Hold keeps the answer back until the client gives up, as a server
	// that never answers does. A client whose transport takes its
	// deadlines from Expire gives up at once, whatever the machine's
	// speed.
	Hold bool
	// HoldBody sends the headers and the first byte of Body at once and
	// then holds the rest until the client gives up, as a server that
	// never quite finishes its answer does.
	HoldBody bool
	// Hostile marks an answer GitHub would not send (from a hostile
	// server, or one in the middle): only the request is held to GitHub's
	// description.
	Hostile bool
	Times   int

	used int
}

// Server is the stand-in. Its exported state may be read and changed
// between requests while holding no lock, or with Lock and Unlock.
type Server struct {
	sync.Mutex

	Org         string
	OrgMembers  map[string]bool // lower-case logins
	Teams       map[string]*Team
	Invitations []*Invitation
	Users       map[string]*User // lower-case login → user
	Pulls       map[string][]*PullRequest
	Issues      map[string][]*Issue
	// RepoDirs are the git repositories of repositories (owner/name),
	// whose files the contents API serves.
	RepoDirs map[string]string
	// Rules, Rulesets and Protections protect branches, by
	// "owner/name@branch" and "owner/name#id".
	Rules       map[string][]RuleInForce
	Rulesets    map[string]Ruleset
	Protections map[string]*ClassicProtection
	// RulesetWriter says the token has write access to the rulesets
	// (an App's Administration: write). GitHub returns a ruleset's
	// bypass_actors only to such a token "to prevent leaking sensitive
	// information"; to any other, the list is missing, which means
	// "cannot see", never "nobody". Off by default, as for a read-only
	// App token.
	RulesetWriter bool
	// Token, if set, must be sent as a bearer token.
	Token string
	// Viewer is the account the token belongs to: the author of what the
	// client creates, and the answer to GET /user. nil is prodaccess's
	// GitHub App, prodaccess[bot]. A bot's token (a login ending in
	// [bot]: an App's installation token, or Actions' GITHUB_TOKEN) gets
	// a 403 from GET /user, as on GitHub, which does not offer it to
	// Apps; a person's token gets their public profile.
	Viewer *User
	// Latency is added to every response.
	Latency time.Duration
	Faults  []*Fault
	// Gate, if set, is asked before every write; when it says no, the
	// write is not made and the client gets a 503, as if the server had
	// gone away. Tests use it to stop a run after a number of writes.
	Gate func(r *http.Request) bool

	requests  []Request
	held      holds
	nextID    int64
	repoIDs   map[string]int64
	srv       *httptest.Server
	closeOnce sync.Once

	memberLists map[memberKey]memberList       // see members.go
	accounts    map[accountKey]json.RawMessage // see members.go
}

// New starts a stand-in for one organisation, for a test: every request
// the test makes and every answer it gets are checked against GitHub's
// REST description (see check.go), and each difference fails the test.
// The stand-in stops when the test ends.
func New(t testing.TB, org string) *Server {
	t.Helper()
	d, err := loadDescription()
	if err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	s := newServer(org)
	s.srv = openapi.Serve(t, d.problems, s.serve)
	return s
}

// NewUnchecked starts a stand-in that checks nothing, for programs such as
// the demo. Close it when done. Tests use New; in a test binary
// NewUnchecked panics, so that no test goes unchecked.
func NewUnchecked(org string) *Server {
	if testing.Testing() {
		panic("fakegithub.NewUnchecked in a test: use fakegithub.New(t, org), which checks the stand-in's answers")
	}
	s := newServer(org)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, &openapi.Exchange{})
	}))
	return s
}

func newServer(org string) *Server {
	return &Server{
		Org:        org,
		OrgMembers: map[string]bool{},
		Teams:      map[string]*Team{},
		Users:      map[string]*User{},
		Pulls:      map[string][]*PullRequest{},
		Issues:     map[string][]*Issue{},
		nextID:     1000,
	}
}

// URL is the API's base URL, for GITHUB_API_URL.
func (s *Server) URL() string { return s.srv.URL + Prefix }

// Close stops the server, once all the requests it is answering are
// answered. It may be called more than once.
func (s *Server) Close() { s.closeOnce.Do(s.srv.Close) }

// AddUser creates an account; member makes it a member of the organisation.
func (s *Server) AddUser(login string, id int64, member bool) *User {
	s.Lock()
	defer s.Unlock()
	u := &User{Login: login, ID: id}
	s.Users[strings.ToLower(login)] = u
	if member {
		s.OrgMembers[strings.ToLower(login)] = true
	}
	return u
}

// AddTeam creates a team, under parent if it is not empty.
func (s *Server) AddTeam(slug, parent string) *Team {
	s.Lock()
	defer s.Unlock()
	s.nextID++
	t := &Team{ID: s.nextID, Slug: slug, Parent: parent, Roles: map[string]string{}}
	s.Teams[slug] = t
	return t
}

// SetMember makes login a direct member of team with role.
func (s *Server) SetMember(team, login, role string) {
	s.Lock()
	defer s.Unlock()
	s.Teams[team].Roles[strings.ToLower(login)] = role
	s.OrgMembers[strings.ToLower(login)] = true
}

// Invite records a pending organisation invitation to some teams.
func (s *Server) Invite(login string, teams ...string) {
	s.Lock()
	defer s.Unlock()
	s.nextID++
	s.Invitations = append(s.Invitations, &Invitation{ID: s.nextID, Login: login, Teams: teams, CreatedAt: time.Now()})
}

// Accept turns login's invitation into organisation and team membership.
func (s *Server) Accept(login string) {
	s.Lock()
	defer s.Unlock()
	k := strings.ToLower(login)
	for i, inv := range s.Invitations {
		if strings.ToLower(inv.Login) == k {
			s.OrgMembers[k] = true
			for _, t := range inv.Teams {
				s.Teams[t].Roles[k] = "member"
			}
			s.Invitations = slices.Delete(s.Invitations, i, i+1)
			return
		}
	}
}

// SetFaults replaces the faults to inject.
func (s *Server) SetFaults(faults ...*Fault) {
	s.Lock()
	defer s.Unlock()
	s.Faults = faults
}

// SetGate sets the gate asked before every write (see Gate).
func (s *Server) SetGate(g func(r *http.Request) bool) {
	s.Lock()
	defer s.Unlock()
	s.Gate = g
}

// SetLatency sets the time added to every response.
func (s *Server) SetLatency(d time.Duration) {
	s.Lock()
	defer s.Unlock()
	s.Latency = d
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

// Count returns how many requests had the method and a path starting
// with prefix.
func (s *Server) Count(method, prefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// Counted is how many of the requests answered so far GitHub counts
// against the primary rate limit: all but those answered 304 Not
// Modified to a conditional request, which GitHub does not count.
func (s *Server) Counted() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Status != http.StatusNotModified {
			n++
		}
	}
	return n
}

// NotModified is how many requests were answered 304 Not Modified.
func (s *Server) NotModified() int { return len(s.Requests()) - s.Counted() }

// Writes counts the requests that are not reads.
func (s *Server) Writes() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			n++
		}
	}
	return n
}

// Members returns the direct members of a team, as lower-case logins.
func (s *Server) Members(team string) []string {
	s.Lock()
	defer s.Unlock()
	var out []string
	for l := range s.Teams[team].Roles {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Invited returns the lower-case logins with a pending invitation to team.
func (s *Server) Invited(team string) []string {
	s.Lock()
	defer s.Unlock()
	var out []string
	for _, inv := range s.Invitations {
		if slices.Contains(inv.Teams, team) {
			out = append(out, strings.ToLower(inv.Login))
		}
	}
	slices.Sort(out)
	return out
}

// OpenPulls returns the open pull requests of a repository.
func (s *Server) OpenPulls(repo string) []PullRequest {
	s.Lock()
	defer s.Unlock()
	return copies(s.Pulls[repo], func(pr *PullRequest) bool { return pr.State == "open" })
}

// copies returns copies of the items that keep holds for, so that a test
// reads them while the server goes on changing its own.
func copies[T any](items []*T, keep func(*T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, *it)
		}
	}
	return out
}

// serve answers a request; x records whether a Fault or the Gate did.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *openapi.Exchange) {
	s.Lock()
	latency := s.Latency
	s.Unlock()
	if latency > 0 {
		time.Sleep(latency)
	}
	// The answer is made under the lock, and sent after it is released,
	// so that a client slow to read holds up no other request.
	rec := httptest.NewRecorder()
	sent := false // a trickling answer goes straight to w
	defer func() {
		if sent {
			return
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}()
	s.Lock()
	defer func() {
		path := strings.TrimPrefix(r.URL.Path, Prefix)
		s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.Query(), Status: rec.Code})
		s.Unlock()
	}()
	if !strings.HasPrefix(r.URL.Path, Prefix+"/") {
		s.fail(rec, http.StatusNotFound, "Not Found (outside "+Prefix+")")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	if f := s.fault(r.Method, path); f != nil {
		x.Injected, x.Late, x.Hostile = true, f.Hold, f.Hostile
		if f.Hold {
			// Held until the client gives up; it never gets an answer.
			s.Unlock()
			s.held.hold(r, false)
			s.Lock()
		}
		for k, vs := range f.Header {
			rec.Header()[k] = vs
		}
		if f.Body != "" {
			rec.Header().Set("Content-Type", "application/json")
		}
		rec.WriteHeader(f.Status)
		if f.HoldBody && f.Body != "" {
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			sent = true
			s.Unlock()
			s.held.holdBody(w, r, f.Status, f.Body[:1])
			s.Lock()
			return
		}
		fmt.Fprint(rec, f.Body)
		return
	}
	// GitHub sends the rate limit with every answer, errors included.
	rec.Header().Set("X-Ratelimit-Limit", "5000")
	rec.Header().Set("X-Ratelimit-Remaining", "4999")
	rec.Header().Set("X-Ratelimit-Used", "1")
	rec.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	rec.Header().Set("X-Ratelimit-Resource", "core")
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.fail(rec, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if s.Gate != nil && r.Method != http.MethodGet && r.Method != http.MethodHead && !s.Gate(r) {
		x.Injected = true
		s.fail(rec, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	s.route(rec, r, strings.Split(strings.Trim(path, "/"), "/"))
}

func (s *Server) fault(method, path string) *Fault {
	for _, f := range s.Faults {
		if (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix) && (f.Times == 0 || f.used < f.Times) {
			f.used++
			return f
		}
	}
	return nil
}

// reply writes v as JSON. A successful read gets an ETag, and, as GitHub
// does, a 304 with no body when the client already has it.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // the stand-in's own values always marshal
	}
	s.replyJSON(w, r, status, body)
}

// replyJSON is reply of a body already in JSON.
func (s *Server) replyJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if r.Method == http.MethodGet && status == http.StatusOK {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if matchesETag(r.Header.Get("If-None-Match"), etag) {
			// A 304 carries the validator and the rate limit, not the
			// headers of the representation (no Link): a client must
			// not count on it for the page links.
			w.Header().Del("Link")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// matchesETag reports whether an If-None-Match header names etag, with
// the weak comparison RFC 9110 asks of If-None-Match. An empty header
// names nothing: a request that is not conditional never gets a 304.
func matchesETag(header, etag string) bool {
	if strings.TrimSpace(header) == "" {
		return false
	}
	weak := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, tag := range strings.Split(header, ",") {
		if t := weak(tag); t == "*" || t == weak(etag) {
			return true
		}
	}
	return false
}

// apiError is the body of GitHub's errors.
type apiError struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
}

// fieldError says what was wrong with a write, in a 422.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// fail writes one of GitHub's errors; a 422 may say what was wrong.
func (s *Server) fail(w http.ResponseWriter, status int, message string, errs ...fieldError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Message: message, Errors: errs, DocumentationURL: "https://docs.github.com/rest", Status: strconv.Itoa(status)})
}

func (s *Server) notFound(w http.ResponseWriter) { s.fail(w, http.StatusNotFound, "Not Found") }

func (s *Server) route(w http.ResponseWriter, r *http.Request, p []string) {
	get := r.Method == http.MethodGet
	switch {
	case len(p) >= 2 && p[0] == "orgs" && !strings.EqualFold(p[1], s.Org):
		s.notFound(w)
	case len(p) >= 4 && p[0] == "orgs" && p[2] == "teams":
		team := s.Teams[p[3]]
		if team == nil {
			s.notFound(w)
			return
		}
		switch {
		case len(p) == 5 && p[4] == "members" && get:
			s.listMembers(w, r, team)
		case len(p) == 5 && p[4] == "teams" && get:
			var out []any
			for _, t := range s.sortedTeams() {
				if t.Parent == team.Slug {
					out = append(out, s.teamJSON(t))
				}
			}
			s.page(w, r, len(out), func(i int) any { return out[i] })
		case len(p) == 5 && p[4] == "invitations" && get:
			var out []any
			for _, inv := range s.Invitations {
				if slices.Contains(inv.Teams, team.Slug) {
					out = append(out, s.invitationJSON(inv))
				}
			}
			s.page(w, r, len(out), func(i int) any { return out[i] })
		case len(p) == 6 && p[4] == "memberships":
			s.membership(w, r, team, p[5])
		default:
			s.notFound(w)
		}
	case len(p) == 3 && p[0] == "orgs" && p[2] == "invitations" && get:
		var out []any
		for _, inv := range s.Invitations {
			out = append(out, s.invitationJSON(inv))
		}
		s.page(w, r, len(out), func(i int) any { return out[i] })
	case len(p) == 2 && p[0] == "users" && get:
		u := s.user(p[1])
		if u == nil {
			s.notFound(w)
			return
		}
		s.reply(w, r, http.StatusOK, s.publicUserJSON(u))
	case len(p) == 1 && p[0] == "user" && get:
		// GitHub does not offer GET /user to GitHub Apps: an
		// installation token is refused.
		if v := s.viewer(); isBot(v) {
			s.fail(w, http.StatusForbidden, "Resource not accessible by integration")
		} else {
			s.reply(w, r, http.StatusOK, s.publicUserJSON(v))
		}
	case len(p) >= 4 && p[0] == "repos" && p[3] == "pulls":
		s.pulls(w, r, p[1]+"/"+p[2], p[4:])
	case len(p) >= 4 && len(p) <= 5 && p[0] == "repos" && p[3] == "issues":
		s.issues(w, r, p[1]+"/"+p[2], p[4:])
	case len(p) == 6 && p[0] == "repos" && p[3] == "commits" && p[5] == "pulls" && get:
		s.pullsOfCommit(w, r, p[1]+"/"+p[2], p[4])
	case len(p) >= 5 && p[0] == "repos" && p[3] == "contents" && get:
		s.contents(w, r, p[1]+"/"+p[2], strings.Join(p[4:], "/"))
	case len(p) >= 6 && p[0] == "repos" && p[3] == "rules" && p[4] == "branches" && get:
		s.rulesForBranch(w, r, p[1]+"/"+p[2], strings.Join(p[5:], "/"))
	case len(p) == 5 && p[0] == "repos" && p[3] == "rulesets" && get:
		s.ruleset(w, r, p[1]+"/"+p[2], p[4])
	case len(p) >= 6 && p[0] == "repos" && p[3] == "branches" && p[len(p)-1] == "protection" && get:
		s.protection(w, r, p[1]+"/"+p[2], strings.Join(p[4:len(p)-1], "/"))
	default:
		s.notFound(w)
	}
}

func (s *Server) sortedTeams() []*Team {
	var out []*Team
	for _, t := range s.Teams {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Team) int { return strings.Compare(a.Slug, b.Slug) })
	return out
}

// listMembers lists a team's members and, as GitHub does, the members of
// all its descendant teams.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, team *Team) {
	logins := s.members(team, r.URL.Query().Get("role"))
	s.page(w, r, len(logins), func(i int) any { return s.userRaw(s.Users[logins[i]]) })
}

// page writes one page of a list of n items with GitHub's Link header;
// item makes the JSON of the i-th.
func (s *Server) page(w http.ResponseWriter, r *http.Request, n int, item func(i int) any) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg <= 0 {
		pg = 1
	}
	last := max(1, (n+per-1)/per)
	items := []any{}
	for i := (pg - 1) * per; i < min(pg*per, n); i++ {
		items = append(items, item(i))
	}
	link := func(n int, rel string) string {
		u := *r.URL
		qq := u.Query()
		qq.Set("page", strconv.Itoa(n))
		u.RawQuery = qq.Encode()
		u.Scheme, u.Host = "http", r.Host
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	raw := true // a list of JSON already made is joined, not marshalled again
	for _, it := range items {
		_, ok := it.(json.RawMessage)
		raw = raw && ok
	}
	if !raw {
		s.reply(w, r, http.StatusOK, items)
		return
	}
	size := len(items) + 2
	for _, it := range items {
		size += len(it.(json.RawMessage))
	}
	body := make([]byte, 1, size)
	body[0] = '['
	for i, it := range items {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, it.(json.RawMessage)...)
	}
	s.replyJSON(w, r, http.StatusOK, append(body, ']'))
}

func (s *Server) membership(w http.ResponseWriter, r *http.Request, team *Team, login string) {
	k := strings.ToLower(login)
	u := s.Users[k]
	switch r.Method {
	case http.MethodGet:
		if rl, ok := team.Roles[k]; ok {
			s.reply(w, r, http.StatusOK, s.membershipJSON(team, u, rl, "active"))
			return
		}
		s.notFound(w)
	case http.MethodPut:
		if team.Synced {
			s.fail(w, http.StatusForbidden, "This team is synchronized with an identity provider; change its membership there.")
			return
		}
		if u == nil {
			s.notFound(w)
			return
		}
		if u.Blocked {
			s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "TeamMember", Field: "user", Code: "custom", Message: "the user is blocked from the organization"})
			return
		}
		var body struct {
			Role string `json:"role"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		if body.Role == "" {
			body.Role = "member"
		}
		if s.OrgMembers[k] {
			team.Roles[k] = body.Role
			s.reply(w, r, http.StatusOK, s.membershipJSON(team, u, body.Role, "active"))
			return
		}
		for _, inv := range s.Invitations {
			if strings.ToLower(inv.Login) == k {
				if !slices.Contains(inv.Teams, team.Slug) {
					inv.Teams = append(inv.Teams, team.Slug)
				}
				s.reply(w, r, http.StatusOK, s.membershipJSON(team, u, body.Role, "pending"))
				return
			}
		}
		s.nextID++
		s.Invitations = append(s.Invitations, &Invitation{ID: s.nextID, Login: u.Login, Teams: []string{team.Slug}, CreatedAt: time.Now()})
		s.reply(w, r, http.StatusOK, s.membershipJSON(team, u, body.Role, "pending"))
	case http.MethodDelete:
		if team.Synced {
			s.fail(w, http.StatusForbidden, "This team is synchronized with an identity provider; change its membership there.")
			return
		}
		if _, ok := team.Roles[k]; ok {
			delete(team.Roles, k)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		for i, inv := range s.Invitations {
			if strings.ToLower(inv.Login) == k && slices.Contains(inv.Teams, team.Slug) {
				inv.Teams = slices.DeleteFunc(inv.Teams, func(t string) bool { return t == team.Slug })
				if len(inv.Teams) == 0 {
					s.Invitations = slices.Delete(s.Invitations, i, i+1)
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		s.notFound(w)
	default:
		s.notFound(w)
	}
}

func (s *Server) pulls(w http.ResponseWriter, r *http.Request, repo string, rest []string) {
	owner, _, _ := strings.Cut(repo, "/")
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		q := r.URL.Query()
		state := q.Get("state")
		if state == "" {
			state = "open"
		}
		var out []any
		for _, pr := range s.Pulls[repo] {
			if (state == "all" || pr.State == state) && (q.Get("head") == "" || q.Get("head") == owner+":"+pr.Head) {
				out = append(out, s.pullJSON(repo, pr, false))
			}
		}
		s.page(w, r, len(out), func(i int) any { return out[i] })
	case len(rest) == 0 && r.Method == http.MethodPost:
		var body struct{ Title, Body, Head, Base string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Head == "" || body.Base == "" {
			s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "PullRequest", Field: "head", Code: "missing_field"})
			return
		}
		if s.bodyTooLong(w, "PullRequest", &body.Body) {
			return
		}
		for _, pr := range s.Pulls[repo] {
			if pr.State == "open" && pr.Head == body.Head && pr.Base == body.Base {
				s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "PullRequest", Code: "custom", Message: "A pull request already exists for " + owner + ":" + body.Head + "."})
				return
			}
		}
		s.nextID++
		now := time.Now()
		pr := &PullRequest{ID: s.nextID, Number: s.nextNumber(repo), Head: body.Head, Base: body.Base, Title: body.Title, Body: body.Body, State: "open", Author: s.viewer(), CreatedAt: now, UpdatedAt: now}
		s.Pulls[repo] = append(s.Pulls[repo], pr)
		w.Header().Set("Location", s.api(fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number)))
		s.reply(w, r, http.StatusCreated, s.pullJSON(repo, pr, true))
	case len(rest) == 2:
		n, _ := strconv.Atoi(rest[0])
		pr := s.pull(repo, n)
		if pr == nil {
			s.notFound(w)
			return
		}
		s.pullMore(w, r, repo, pr, rest[1])
	case len(rest) == 1 && (r.Method == http.MethodGet || r.Method == http.MethodPatch):
		n, _ := strconv.Atoi(rest[0])
		pr := s.pull(repo, n)
		if pr == nil {
			s.notFound(w)
			return
		}
		if r.Method == http.MethodPatch {
			var body struct{ Title, Body, State, Base *string }
			json.NewDecoder(r.Body).Decode(&body)
			if s.bodyTooLong(w, "PullRequest", body.Body) {
				return
			}
			if body.Base != nil {
				// Changing the base of a merged or closed pull request, or
				// to nothing, is refused.
				if *body.Base == "" || pr.State != "open" {
					s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
					return
				}
				pr.Base = *body.Base
			}
			if body.Title != nil {
				pr.Title = *body.Title
			}
			if body.Body != nil {
				pr.Body = *body.Body
			}
			if body.State != nil && *body.State != pr.State {
				pr.State = *body.State
				pr.Closed = time.Time{}
				if pr.State == "closed" {
					pr.Closed = time.Now()
				}
			}
			pr.UpdatedAt = time.Now()
		}
		s.reply(w, r, http.StatusOK, s.pullJSON(repo, pr, true))
	default:
		s.notFound(w)
	}
}
