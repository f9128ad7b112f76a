package fakepagerduty

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The checker matches every request to an operation of PagerDuty's REST
// description and checks the request's parameters and headers, and the
// answer's status, headers and body, against it and against what
// PagerDuty documents beside it (pagination, rate limits). docs/testing.md
// says what it checks and why.

// subsetJSON is the part of PagerDuty's REST description the stand-in
// serves; go generate makes it (see generate.go).
//
//go:embed testdata/openapi-subset.json
var subsetJSON []byte

// description is PagerDuty's REST description, compiled for checking.
type description struct {
	*openapi.Description
	source string // the file it came from
	// errorBody is PagerDuty's error, for the statuses any operation may
	// give (500, 502, 503, 504).
	errorBody *jsonschema.Schema
	// oncallsWithUsers is the 200 of GET /oncalls with include[]=users.
	oncallsWithUsers *jsonschema.Schema
	// auth is the header the token goes in, and the form of its value,
	// as the security scheme says.
	authHeader string
}

// loadDescription compiles the embedded description once.
var loadDescription = sync.OnceValues(func() (*description, error) {
	return compileDescription(subsetJSON)
})

// Pointers into the subset the checker reads.
var (
	errorPointer   = []string{"components", "responses", "Conflict", "content", "application/json", "schema"}
	oncallsPointer = []string{"paths", "/oncalls", "get", "responses", "200", "content", "application/json", "schema"}
	// The schemas the errata add.
	oncallWithUserPointer  = []string{"components", "schemas", "x-fakepagerduty-Oncall-with-user"}
	oncallsWithUserPointer = []string{"components", "schemas", "x-fakepagerduty-oncalls-with-users"}
)

// erratum is a place where PagerDuty's description says one thing in a
// schema and another in words, or where PagerDuty answers what the
// schema does not allow: the checker follows the words and the answers.
// Each holds only while the schema says what was: when PagerDuty mends
// its description, the erratum fails to apply and says so.
type erratum struct {
	why string
	at  []string // a pointer into the subset, its schemas rewritten as JSON Schema
	was string   // the JSON there
	now string   // the JSON put there
}

var errata = []erratum{
	{
		why: "Oncall.start is a date-time, yet \"If `null`, the on-call is a permanent user on-call\"",
		at:  []string{"components", "schemas", "Oncall", "properties", "start", "type"},
		was: `"string"`, now: `["string", "null"]`,
	},
	{
		why: "Oncall.end is a date-time, yet \"If `null`, the user does not go off-call\"",
		at:  []string{"components", "schemas", "Oncall", "properties", "end", "type"},
		was: `"string"`, now: `["string", "null"]`,
	},
	{
		why: "with include[]=users, PagerDuty gives each on-call's user as a User (type user, with its email) in place of a UserReference",
		at:  append(slices.Clone(oncallWithUserPointer), "properties", "user"),
		was: `{"$ref": "#/components/schemas/UserReference"}`, now: `{"$ref": "#/components/schemas/User"}`,
	},
	{
		why: "the list of on-calls with include[]=users holds those on-calls",
		at:  append(slices.Clone(oncallsWithUserPointer), "allOf", "1", "properties", "oncalls", "items"),
		was: `{"$ref": "#/components/schemas/Oncall"}`, now: `{"$ref": "#/components/schemas/x-fakepagerduty-Oncall-with-user"}`,
	},
}

// applyErrata changes doc as the errata say. Those on the schemas that
// the answers with include[]=users follow are made on copies, taken once
// the others are made.
func applyErrata(doc map[string]any) error {
	onCopy := func(e erratum) bool { return strings.HasPrefix(e.at[2], "x-fakepagerduty-") }
	for _, e := range errata {
		if !onCopy(e) {
			if err := e.apply(doc); err != nil {
				return err
			}
		}
	}
	schemas, _ := openapi.Lookup(doc, "components", "schemas").(map[string]any)
	for _, c := range []struct{ from, to []string }{
		{[]string{"components", "schemas", "Oncall"}, oncallWithUserPointer},
		{oncallsPointer, oncallsWithUserPointer},
	} {
		v := openapi.Lookup(doc, c.from...)
		if v == nil || schemas == nil {
			return fmt.Errorf("erratum: the description has no %s", openapi.Pointer(c.from))
		}
		schemas[c.to[2]] = deepCopy(v)
	}
	for _, e := range errata {
		if onCopy(e) {
			if err := e.apply(doc); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e erratum) apply(doc map[string]any) error {
	parent, _ := openapi.Lookup(doc, e.at[:len(e.at)-1]...).(map[string]any)
	var was, now any
	if err := json.Unmarshal([]byte(e.was), &was); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(e.now), &now); err != nil {
		return err
	}
	if got := openapi.Lookup(doc, e.at...); parent == nil || !jsonEqual(got, was) {
		return fmt.Errorf("erratum %q: %s is no longer %s; if PagerDuty mended its description, drop the erratum", e.why, openapi.Pointer(e.at), e.was)
	}
	parent[e.at[len(e.at)-1]] = now
	return nil
}

func deepCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// compileDescription compiles a subset of PagerDuty's description, with
// the errata.
func compileDescription(data []byte) (*description, error) {
	doc, err := openapi.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	if err := applyErrata(doc); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	od, err := openapi.Compile(doc, "fakepagerduty.invalid")
	if err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	d := &description{Description: od, source: fmt.Sprint(openapi.Lookup(doc, "info", "x-source", "file"))}
	if d.errorBody, err = od.Schema(errorPointer...); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	if d.oncallsWithUsers, err = od.Schema(oncallsWithUserPointer...); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	// The API's security: a key in a header.
	security, _ := doc["security"].([]any)
	if len(security) != 1 {
		return nil, fmt.Errorf("openapi subset: the API's security is %v, not one scheme", security)
	}
	for name := range security[0].(map[string]any) {
		scheme, _ := openapi.Lookup(doc, "components", "securitySchemes", name).(map[string]any)
		if scheme["type"] != "apiKey" || scheme["in"] != "header" || !strings.Contains(fmt.Sprint(scheme["description"]), "`Token token=<API_KEY>`") {
			return nil, fmt.Errorf("openapi subset: security scheme %s is %v, not a key in a header as Token token=<API_KEY>", name, scheme)
		}
		d.authHeader = http.CanonicalHeaderKey(fmt.Sprint(scheme["name"]))
	}
	return d, nil
}

// problems describes what is wrong with an exchange, or returns "".
func (d *description) problems(x *openapi.Exchange) string {
	op, list := d.check(x)
	return openapi.Report(x, op, list, "PagerDuty", "PagerDuty (its REST description, "+d.source+", and its documentation)")
}

// check matches an exchange to its operation and returns what is wrong
// with it.
func (d *description) check(x *openapi.Exchange) (*openapi.Operation, []string) {
	r := x.Request
	path, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok || !strings.HasPrefix(path, "/") {
		return nil, []string{"the path is outside " + Prefix + ", where the stand-in serves the API"}
	}
	op, unmatched := d.Find(r.Method, path, "PagerDuty")
	if op == nil {
		return nil, []string{unmatched}
	}
	var p openapi.Problems
	op.CheckQuery(&p, r.URL.Query())
	d.checkRequestHeaders(&p, op, r.Header)
	op.CheckRequestBody(&p, x)
	if x.Late || x.Hostile {
		return op, p.List
	}
	resp := op.Responses[x.Status]
	if resp == nil && !anyOperation(x.Status) {
		p.Addf("status %d is not documented (documented: %s)", x.Status, op.Statuses())
		return op, p.List
	}
	checkRateLimit(&p, x)
	schema := d.errorBody
	if resp != nil {
		resp.CheckHeaders(&p, x.Header, nil)
		schema = resp.Schema
		if op.ID == "listOnCalls" && x.Status == http.StatusOK && slices.Contains(r.URL.Query()["include[]"], "users") {
			schema = d.oncallsWithUsers
		}
	}
	if resp == nil && x.Body.Len() == 0 {
		return op, p.List // a failure may have no body
	}
	v, ok := openapi.JSONBody(&p, x, "application/json")
	if !ok {
		return op, p.List
	}
	if err := schema.Validate(v); err != nil {
		p.AddSchema("response body", err)
		return op, p.List
	}
	switch {
	case x.Status == http.StatusOK:
		checkAnswer(&p, op, r, v)
	case x.Status >= 400 && openapi.Lookup(v, "error", "message") == nil:
		// The schema of errors requires nothing.
		p.Addf("response body: error.message is missing, which every error of PagerDuty's carries")
	}
	return op, p.List
}

// anyOperation reports whether PagerDuty may answer any operation with
// the status, though its description documents it for none: a failure of
// its own.
func anyOperation(status int) bool {
	return slices.Contains([]int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, status)
}

var tokenForm = regexp.MustCompile(`^Token token=\S+$`)

// checkRequestHeaders checks the headers the description requires of a
// request: each header parameter (Accept, the versioning header, must be
// its default), and the key in the form the security scheme gives. The
// key itself is never said.
func (d *description) checkRequestHeaders(p *openapi.Problems, op *openapi.Operation, h http.Header) {
	for _, name := range slices.Sorted(maps.Keys(op.HeaderParams)) {
		hp := op.HeaderParams[name]
		v := h.Get(name)
		if v == "" {
			if hp.Required {
				p.Addf("the request has no header %s, which is required", name)
			}
			continue
		}
		if def, ok := hp.Raw["default"].(string); ok && name == "Accept" && v != def {
			p.Addf("the request's header Accept is %q, not %q, PagerDuty's versioning header", v, def)
		}
		if enum, ok := hp.Raw["enum"].([]any); ok {
			mt, _, _ := mime.ParseMediaType(v)
			if !slices.Contains(enum, any(mt)) {
				p.Addf("the request's header %s is %q, not one of %v", name, v, enum)
			}
		}
	}
	if !tokenForm.MatchString(h.Get(d.authHeader)) {
		p.Addf("the request's header %s is not of the form Token token=<API_KEY>", d.authHeader)
	}
}

// The rate-limit headers PagerDuty sends: the limit a minute, what is
// left of it, and the seconds until it is reset.
var rateLimitHeaders = []string{"Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset"}

// checkRateLimit checks the rate-limit headers: whole numbers, remaining
// within the limit, and all there on every answer the stand-in makes and
// on every 429.
func checkRateLimit(p *openapi.Problems, x *openapi.Exchange) {
	n := map[string]int64{}
	for _, name := range rateLimitHeaders {
		v := x.Header.Get(name)
		if v == "" {
			if !x.Injected || x.Status == http.StatusTooManyRequests {
				p.Addf("header %s is missing", name)
			}
			continue
		}
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || i < 0 {
			p.Addf("header %s: %q is not a whole number of at least 0", name, v)
			continue
		}
		n[name] = i
	}
	limit, hasLimit := n["Ratelimit-Limit"]
	if remaining, ok := n["Ratelimit-Remaining"]; ok && hasLimit && remaining > limit {
		p.Addf("header Ratelimit-Remaining (%d) is more than Ratelimit-Limit (%d)", remaining, limit)
	}
	if remaining, ok := n["Ratelimit-Remaining"]; ok && x.Status == http.StatusTooManyRequests && remaining > 0 {
		p.Addf("a 429 with header Ratelimit-Remaining %d: a limited request has nothing left", remaining)
	}
}

// checkAnswer checks what a successful answer must hold beyond its
// schema: that it answers the request.
func checkAnswer(p *openapi.Problems, op *openapi.Operation, r *http.Request, v any) {
	id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch op.ID {
	case "getSchedule":
		if got := openapi.Lookup(v, "schedule", "id"); got != id {
			p.Addf("the answer is schedule %v, not %s", got, id)
		}
	case "getUser":
		if got := openapi.Lookup(v, "user", "id"); got != id {
			p.Addf("the answer is user %v, not %s", got, id)
		}
	case "listOnCalls":
		checkOnCalls(p, r.URL.Query(), v)
	}
}

// checkOnCalls checks a page of /oncalls against the request: PagerDuty's
// offset pagination (limit, offset and more, which its Pagination schema
// lists but does not require; total only when asked), and each on-call
// against the filters, the time range and the time zone asked.
func checkOnCalls(p *openapi.Problems, q url.Values, v any) {
	for _, k := range []string{"limit", "offset", "more", "total"} {
		if _, ok := v.(map[string]any)[k]; !ok {
			p.Addf("response body: %s is missing, which PagerDuty's offset pagination always gives", k)
		}
	}
	num := func(k string) int {
		n, _ := openapi.Lookup(v, k).(json.Number).Int64()
		return int(n)
	}
	wantLimit, wantOffset := defaultLimit, 0
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		wantLimit = min(n, maxLimit)
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil {
		wantOffset = n
	}
	oncalls, _ := openapi.Lookup(v, "oncalls").([]any)
	if _, ok := openapi.Lookup(v, "limit").(json.Number); ok && num("limit") != wantLimit {
		p.Addf("response body: limit is %d, not the %d asked", num("limit"), wantLimit)
	}
	if _, ok := openapi.Lookup(v, "offset").(json.Number); ok && num("offset") != wantOffset {
		p.Addf("response body: offset is %d, not the %d asked", num("offset"), wantOffset)
	}
	if len(oncalls) > wantLimit {
		p.Addf("response body: %d on-calls, more than the limit of %d", len(oncalls), wantLimit)
	}
	total := openapi.Lookup(v, "total")
	switch {
	case q.Get("total") != "true" && total != nil:
		p.Addf("response body: total is %v though total=true was not asked", total)
	case q.Get("total") == "true" && total == nil:
		p.Addf("response body: total is null though total=true was asked")
	case total != nil && openapi.Lookup(v, "more") != (wantOffset+len(oncalls) < num("total")):
		p.Addf("response body: more is %v, with %d on-calls from offset %d of %d", openapi.Lookup(v, "more"), len(oncalls), wantOffset, num("total"))
	}
	loc, err := time.LoadLocation(q.Get("time_zone"))
	if q.Get("time_zone") == "" || err != nil {
		loc = time.UTC
	}
	since, errSince := time.Parse(time.RFC3339, q.Get("since"))
	until, errUntil := time.Parse(time.RFC3339, q.Get("until"))
	for i, oc := range oncalls {
		at := fmt.Sprintf("response body at \"/oncalls/%d\": ", i)
		in := func(param string, id any) bool {
			list, asked := q[param]
			if !asked {
				return true
			}
			if id == nil {
				id = "null"
			}
			return slices.Contains(list, fmt.Sprint(id))
		}
		for _, f := range []struct{ param, object string }{{"schedule_ids[]", "schedule"}, {"user_ids[]", "user"}, {"escalation_policy_ids[]", "escalation_policy"}} {
			if id := openapi.Lookup(oc, f.object, "id"); !in(f.param, id) {
				p.Addf("%s%s %v, which %s does not ask for", at, f.object, id, f.param)
			}
		}
		start, end := openapi.Lookup(oc, "start"), openapi.Lookup(oc, "end")
		if (start == nil) != (end == nil) || (start == nil) != (openapi.Lookup(oc, "schedule") == nil) {
			p.Addf("%sstart %v, end %v and schedule %v: a permanent on-call has none of them, any other all", at, start, end, openapi.Lookup(oc, "schedule"))
			continue
		}
		if start == nil {
			continue
		}
		var times [2]time.Time
		for j, s := range []any{start, end} {
			t, err := time.Parse(time.RFC3339, fmt.Sprint(s))
			if err != nil {
				p.Addf("%s%v is not a date-time", at, s)
				continue
			}
			if _, got := t.Zone(); got != offsetIn(t, loc) {
				p.Addf("%s%v is not in the time zone asked (%s)", at, s, loc)
			}
			times[j] = t
		}
		endsTooSoon := errSince == nil && !times[1].After(since)
		startsTooLate := errSince == nil && errUntil == nil && !times[0].Before(until) && !times[0].Equal(since)
		switch {
		case !times[0].Before(times[1]):
			p.Addf("%sit ends (%v) before it starts (%v)", at, end, start)
		case endsTooSoon || startsTooLate:
			p.Addf("%sfrom %v to %v is outside since %s and until %s", at, start, end, q.Get("since"), q.Get("until"))
		}
	}
}

func offsetIn(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}
