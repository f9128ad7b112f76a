package fakepagerduty

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// PagerDuty's error codes the stand-in gives.
const (
	codeInvalidInput = 2001 // Invalid Input Provided
	codeBadTime      = 2004 // Invalid 'since' or 'until' Parameter Values
	codeBadRange     = 2005 // Invalid Query Date Range
	codeAuth         = 2006 // Authentication failed
	codeNotFound     = 2100 // Not Found
)

// The limits of PagerDuty's offset pagination.
const (
	defaultLimit = 25
	maxLimit     = 100
	maxOffset    = 10000 // offset + limit may not pass it
)

// htmlURL is where the stand-in says its objects are shown, as PagerDuty
// says https://SUBDOMAIN.pagerduty.com/...
const htmlURL = "https://fakepagerduty.invalid"

// apiError is the body of PagerDuty's errors.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message string   `json:"message"`
	Code    int      `json:"code,omitempty"`
	Errors  []string `json:"errors,omitempty"`
}

func fail(w http.ResponseWriter, status, code int, message string, errs ...string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Error: errorBody{Message: message, Code: code, Errors: errs}})
}

func invalid(w http.ResponseWriter, errs ...string) {
	fail(w, http.StatusBadRequest, codeInvalidInput, "Invalid Input Provided", errs...)
}

func notFound(w http.ResponseWriter) { fail(w, http.StatusNotFound, codeNotFound, "Not Found") }

func reply(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // the stand-in's own values always marshal
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// serve answers a request; x records whether a fault answered it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *openapi.Exchange) {
	// The answer is made under the lock, and sent after it is released,
	// so that a client slow to read holds up no other request.
	rec := httptest.NewRecorder()
	defer func() {
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}()
	s.Lock()
	defer func() {
		s.requests = append(s.requests, Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, Prefix), Query: r.URL.Query(), Status: rec.Code, at: s.Now()})
		s.Unlock()
	}()
	path, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok || !strings.HasPrefix(path, "/") {
		notFound(rec)
		return
	}
	if f := s.fault(path); f != nil {
		s.injectFault(rec, r, x, f)
		return
	}
	s.rateLimitHeaders(rec.Header())
	if !s.authorized(r) {
		fail(rec, http.StatusUnauthorized, codeAuth, "Authentication failed")
		return
	}
	p := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method != http.MethodGet:
		notFound(rec)
	case len(p) == 1 && p[0] == "oncalls":
		s.oncalls(rec, r)
	case len(p) == 2 && p[0] == "schedules":
		s.schedule(rec, r, p[1])
	case len(p) == 2 && p[0] == "users":
		s.user(rec, r, p[1])
	default:
		notFound(rec)
	}
}

func (s *Server) fault(path string) *Fault {
	for _, f := range s.Faults {
		if !under(path, f.Path) {
			continue
		}
		if f.seen++; f.seen > f.Skip && (f.Times == 0 || f.used < f.Times) {
			f.used++
			return f
		}
	}
	return nil
}

// injectFault answers with a fault, once its gate (if it has one) opens;
// if the client gives up first, the answer is late: nobody reads it.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, x *openapi.Exchange, f *Fault) {
	x.Injected, x.Hostile = true, f.Hostile
	if f.Hold != nil {
		// Held first, then said to have arrived: a test that hears of the
		// arrival and asks Expire finds the hold already there.
		s.held.start(r)
		select {
		case f.Hold.arrived <- struct{}{}:
		default:
		}
		s.Unlock()
		select {
		case <-f.Hold.open:
		case <-r.Context().Done():
		}
		s.Lock()
		x.Late = r.Context().Err() != nil
	}
	maps.Copy(w.Header(), f.Header)
	if f.Body == "" && f.Status >= 400 {
		message := http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			message = "Rate Limit Exceeded"
		}
		fail(w, f.Status, 0, message)
		return
	}
	if f.Body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(f.Status)
	fmt.Fprint(w, f.Body)
}

// rateLimitHeaders says how much of the minute's limit is left: the
// requests answered in this minute of the clock count against it.
func (s *Server) rateLimitHeaders(h http.Header) {
	now := s.Now()
	window := now.Truncate(time.Minute)
	used := 1
	for _, r := range s.requests {
		if !r.at.Before(window) {
			used++
		}
	}
	h.Set("Ratelimit-Limit", strconv.Itoa(RateLimit))
	h.Set("Ratelimit-Remaining", strconv.Itoa(max(0, RateLimit-used)))
	h.Set("Ratelimit-Reset", strconv.Itoa(int(window.Add(time.Minute).Sub(now).Seconds())))
}

var tokenHeader = regexp.MustCompile(`^Token token=(\S+)$`)

func (s *Server) authorized(r *http.Request) bool {
	m := tokenHeader.FindStringSubmatch(r.Header.Get("Authorization"))
	return m != nil && (s.Token == "" || m[1] == s.Token)
}

// location reads a time_zone parameter; "" is def.
func location(w http.ResponseWriter, name, def string) (*time.Location, bool) {
	if name == "" {
		name = def
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		invalid(w, "Time Zone is not a valid time zone")
		return nil, false
	}
	return loc, true
}

// timeParam reads a since or until; zero if it is not given.
func timeParam(w http.ResponseWriter, q url.Values, name string) (time.Time, bool) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fail(w, http.StatusBadRequest, codeBadTime, "Invalid 'since' or 'until' Parameter Values", fmt.Sprintf("%s is not a date and time", name))
		return time.Time{}, false
	}
	return t, true
}

// page reads limit and offset.
func page(w http.ResponseWriter, q url.Values) (limit, offset int, ok bool) {
	limit, offset = defaultLimit, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			invalid(w, "Limit must be a positive integer")
			return 0, 0, false
		}
		limit = min(n, maxLimit)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			invalid(w, "Offset must be a non-negative integer")
			return 0, 0, false
		}
		offset = n
	}
	if offset+limit > maxOffset {
		invalid(w, fmt.Sprintf("Offset plus limit must not exceed %d", maxOffset))
		return 0, 0, false
	}
	return limit, offset, true
}

// onCall is one entry of /oncalls.
type onCall struct {
	policy     *EscalationPolicy
	level      int
	schedule   *Schedule // nil for a user the policy names directly
	user       *User
	start, end time.Time // zero for a user the policy names directly
}

// filter is what /oncalls is asked for.
type filter struct {
	since, until               time.Time
	schedules, users, policies []string // nil: any
	permanent, earliest        bool
}

func (f *filter) overlaps(start, end time.Time) bool {
	return (start.Before(f.until) || start.Equal(f.since)) && end.After(f.since)
}

func (s *Server) oncalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc, ok := location(w, q.Get("time_zone"), "UTC")
	if !ok {
		return
	}
	f := filter{since: s.Now(), until: s.Now()}
	for name, t := range map[string]*time.Time{"since": &f.since, "until": &f.until} {
		v, ok := timeParam(w, q, name)
		if !ok {
			return
		}
		if !v.IsZero() {
			*t = v
		}
	}
	if f.until.Before(f.since) {
		fail(w, http.StatusBadRequest, codeBadRange, "Invalid Query Date Range", "until is before since")
		return
	}
	limit, offset, ok := page(w, q)
	if !ok {
		return
	}
	withUsers := false
	for _, inc := range q["include[]"] {
		if inc != "users" {
			invalid(w, "the stand-in does not model include[]="+inc)
			return
		}
		withUsers = true
	}
	f.schedules, f.users, f.policies = q["schedule_ids[]"], q["user_ids[]"], q["escalation_policy_ids[]"]
	f.permanent = f.schedules == nil || slices.Contains(f.schedules, "null")
	f.earliest = q.Get("earliest") == "true"
	all := s.onCalls(&f)

	out := []any{}
	for _, oc := range all[min(offset, len(all)):min(offset+limit, len(all))] {
		out = append(out, s.onCallJSON(r, oc, loc, withUsers))
	}
	var total any
	if q.Get("total") == "true" {
		total = len(all)
	}
	reply(w, map[string]any{
		"oncalls": out,
		"limit":   limit,
		"offset":  offset,
		"more":    offset+limit < len(all),
		"total":   total,
	})
}

// onCalls lists the on-calls the filter asks for, policy by policy (in
// order of id), level by level, target by target, each schedule's in
// order of time.
func (s *Server) onCalls(f *filter) []onCall {
	var all []onCall
	for _, id := range slices.Sorted(maps.Keys(s.Policies)) {
		p := s.Policies[id]
		if f.policies != nil && !slices.Contains(f.policies, p.ID) {
			continue
		}
		for i, level := range p.Levels {
			for _, target := range level {
				if u := s.Users[target]; u != nil {
					if f.permanent {
						all = append(all, onCall{policy: p, level: i + 1, user: u})
					}
					continue
				}
				sc := s.Schedules[target]
				if f.schedules != nil && !slices.Contains(f.schedules, sc.ID) {
					continue
				}
				for _, e := range merged(sc.Entries) {
					if f.overlaps(e.Start, e.End) {
						all = append(all, onCall{policy: p, level: i + 1, schedule: sc, user: s.Users[e.User], start: e.Start, end: e.End})
					}
				}
			}
		}
	}
	all = slices.DeleteFunc(all, func(oc onCall) bool { return f.users != nil && !slices.Contains(f.users, oc.user.ID) })
	if f.earliest {
		type key struct {
			policy string
			level  int
			user   string
		}
		first := map[key]int{}
		for i, oc := range all {
			k := key{oc.policy.ID, oc.level, oc.user.ID}
			if j, ok := first[k]; !ok || oc.start.Before(all[j].start) {
				first[k] = i
			}
		}
		var kept []onCall
		for i, oc := range all {
			if first[key{oc.policy.ID, oc.level, oc.user.ID}] == i {
				kept = append(kept, oc)
			}
		}
		all = kept
	}
	return all
}

// merged joins back-to-back entries of one user: one on-call.
func merged(entries []Entry) []Entry {
	var out []Entry
	for _, e := range entries {
		if n := len(out); n > 0 && out[n-1].User == e.User && out[n-1].End.Equal(e.Start) {
			out[n-1].End = e.End
			continue
		}
		out = append(out, e)
	}
	return out
}

// apiURL is the URL of an object on this server, as PagerDuty's "self".
func apiURL(r *http.Request, kind, id string) string {
	return "http://" + r.Host + Prefix + "/" + kind + "/" + url.PathEscape(id)
}

// reference is PagerDuty's reference to an object: kind is where the API
// has it (users), typ what it is (user_reference).
func reference(r *http.Request, kind, typ, id, summary string) map[string]any {
	return map[string]any{
		"id":       id,
		"type":     typ,
		"summary":  summary,
		"self":     apiURL(r, kind, id),
		"html_url": htmlURL + "/" + kind + "/" + url.PathEscape(id),
	}
}

func policyRef(r *http.Request, p *EscalationPolicy) map[string]any {
	return reference(r, "escalation_policies", "escalation_policy_reference", p.ID, p.Name)
}

func userRef(r *http.Request, u *User) map[string]any {
	return reference(r, "users", "user_reference", u.ID, u.Name)
}

// timeIn renders t as PagerDuty does, in loc.
func timeIn(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

func (s *Server) onCallJSON(r *http.Request, oc onCall, loc *time.Location, withUser bool) map[string]any {
	m := map[string]any{
		"escalation_policy": policyRef(r, oc.policy),
		"escalation_level":  oc.level,
		"user":              userRef(r, oc.user),
		"start":             nil,
		"end":               nil,
	}
	if withUser {
		m["user"] = userJSON(r, oc.user)
	}
	if oc.schedule != nil {
		m["schedule"] = reference(r, "schedules", "schedule_reference", oc.schedule.ID, oc.schedule.Name)
		m["start"], m["end"] = timeIn(oc.start, loc), timeIn(oc.end, loc)
	}
	return m
}

func userJSON(r *http.Request, u *User) map[string]any {
	tz := u.TimeZone
	if tz == "" {
		tz = "Etc/UTC"
	}
	m := userRef(r, u)
	contact := reference(r, "users/"+url.PathEscape(u.ID)+"/contact_methods", "email_contact_method_reference", "PC"+u.ID, "Default")
	contact["html_url"] = nil
	maps.Copy(m, map[string]any{
		"type":               "user",
		"name":               u.Name,
		"email":              u.Email,
		"time_zone":          tz,
		"color":              "green",
		"role":               "user",
		"avatar_url":         htmlURL + "/avatars/" + url.PathEscape(u.ID) + ".png",
		"description":        nil,
		"invitation_sent":    false,
		"job_title":          "",
		"created_via_sso":    false,
		"teams":              []any{},
		"contact_methods":    []any{contact},
		"notification_rules": []any{},
	})
	return m
}

func (s *Server) user(w http.ResponseWriter, r *http.Request, id string) {
	if inc := r.URL.Query()["include[]"]; len(inc) > 0 {
		invalid(w, "the stand-in does not model include[]="+strings.Join(inc, ","))
		return
	}
	u := s.Users[id]
	if u == nil {
		notFound(w)
		return
	}
	reply(w, map[string]any{"user": userJSON(r, u)})
}

func (s *Server) schedule(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	if q.Get("include_next_oncall_for_user") != "" {
		invalid(w, "the stand-in does not model include_next_oncall_for_user")
		return
	}
	sc := s.Schedules[id]
	if sc == nil {
		notFound(w)
		return
	}
	tz := sc.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, ok := location(w, q.Get("time_zone"), tz)
	if !ok {
		return
	}
	since, ok := timeParam(w, q, "since")
	if !ok {
		return
	}
	until, ok := timeParam(w, q, "until")
	if !ok {
		return
	}
	// Each defaults to two weeks from the other; with neither, nothing
	// is rendered.
	const twoWeeks = 14 * 24 * time.Hour
	switch {
	case since.IsZero() && !until.IsZero():
		since = until.Add(-twoWeeks)
	case until.IsZero() && !since.IsZero():
		until = since.Add(twoWeeks)
	}
	if until.Before(since) {
		fail(w, http.StatusBadRequest, codeBadRange, "Invalid Query Date Range", "until is before since")
		return
	}
	var policies, users []any
	for _, pid := range slices.Sorted(maps.Keys(s.Policies)) {
		p := s.Policies[pid]
		if slices.ContainsFunc(p.Levels, func(l []string) bool { return slices.Contains(l, sc.ID) }) {
			policies = append(policies, policyRef(r, p))
		}
	}
	seen := map[string]bool{}
	for _, e := range sc.Entries {
		if !seen[e.User] {
			seen[e.User] = true
			users = append(users, userRef(r, s.Users[e.User]))
		}
	}
	final := map[string]any{"name": "Final Schedule"}
	overrides := map[string]any{"name": "Overrides"}
	if !since.IsZero() {
		overflow := q.Get("overflow") == "true"
		final["rendered_schedule_entries"], final["rendered_coverage_percentage"] = s.rendered(r, sc.Entries, since, until, loc, overflow)
		var os []Entry
		for _, e := range sc.Entries {
			if e.Override {
				os = append(os, e)
			}
		}
		overrides["rendered_schedule_entries"], overrides["rendered_coverage_percentage"] = s.rendered(r, os, since, until, loc, overflow)
	}
	reply(w, map[string]any{"schedule": map[string]any{
		"id":                    sc.ID,
		"type":                  "schedule",
		"summary":               sc.Name,
		"self":                  apiURL(r, "schedules", sc.ID),
		"html_url":              htmlURL + "/schedules/" + url.PathEscape(sc.ID),
		"name":                  sc.Name,
		"description":           sc.Description,
		"time_zone":             tz,
		"escalation_policies":   orEmpty(policies),
		"users":                 orEmpty(users),
		"teams":                 []any{},
		"schedule_layers":       []any{},
		"final_schedule":        final,
		"overrides_subschedule": overrides,
	}})
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// rendered lists the entries within since and until, cut at them unless
// overflow, and the share of the range they cover, in percent.
func (s *Server) rendered(r *http.Request, entries []Entry, since, until time.Time, loc *time.Location, overflow bool) ([]any, float64) {
	out := []any{}
	var covered time.Duration
	for _, e := range entries {
		if !e.Start.Before(until) || !e.End.After(since) {
			continue
		}
		start, end := e.Start, e.End
		covered += earlier(end, until).Sub(later(start, since))
		if !overflow {
			start, end = later(start, since), earlier(end, until)
		}
		out = append(out, map[string]any{
			"user":  userRef(r, s.Users[e.User]),
			"start": timeIn(start, loc),
			"end":   timeIn(end, loc),
		})
	}
	pct := 0.0
	if until.After(since) {
		pct = 100 * float64(covered) / float64(until.Sub(since))
	}
	return out, pct
}
