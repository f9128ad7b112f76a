package fakepagerduty

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/openapi"
	"github.com/prodaccess/prodaccess/internal/openapisubset"
)

func loaded(t *testing.T) *description {
	t.Helper()
	d, err := loadDescription()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSubsetIsTheList: the committed subset holds exactly the operations
// openapi-operations.txt names, made from the file generate.go names (by
// its sha256), so that a line added to the list or a new file named
// without go generate fails here.
func TestSubsetIsTheList(t *testing.T) {
	list, err := openapisubset.ReadListFile("openapi-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, _, src, err := openapisubset.Held(subsetJSON)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list.Strings(), got); diff != "" {
		t.Errorf("operations in testdata/openapi-subset.json (-listed +present); run go generate ./internal/fakepagerduty:\n%s", diff)
	}
	gen, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^//go:generate .* -sha256 ([0-9a-f]{64}) -name (\S+) `).FindSubmatch(gen)
	if m == nil {
		t.Fatal("generate.go names no -sha256 and -name")
	}
	wantSrc := openapisubset.Source{File: string(m[2]), SHA256: string(m[1])}
	if diff := cmp.Diff(wantSrc, src); diff != "" {
		t.Errorf("the subset was not made from the file generate.go names; run go generate ./internal/fakepagerduty (-generate.go +subset):\n%s", diff)
	}
	if d := loaded(t); len(d.Operations) != len(list.Operations) || d.source != wantSrc.File {
		t.Errorf("compiled %d operations from %q, want %d from %s", len(d.Operations), d.source, len(list.Operations), wantSrc.File)
	}
}

// TestErrataHoldOnlyWhileNeeded: each erratum applies to the description
// as it is, and refuses one where PagerDuty has mended what it mends.
func TestErrataHoldOnlyWhileNeeded(t *testing.T) {
	for _, e := range errata {
		doc, err := openapi.Decode(subsetJSON)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyErrata(doc); err != nil {
			t.Fatalf("the errata do not apply: %v", err)
		}
		// Mended: the value is already what the erratum puts there.
		mended, err := openapi.Decode(subsetJSON)
		if err != nil {
			t.Fatal(err)
		}
		if e.at[2] == "Oncall" {
			var now any
			json.Unmarshal([]byte(e.now), &now)
			openapi.Lookup(mended, e.at[:len(e.at)-1]...).(map[string]any)[e.at[len(e.at)-1]] = now
		} else {
			// The copies are made from Oncall and the 200 of /oncalls.
			openapi.Lookup(mended, "components", "schemas", "Oncall", "properties").(map[string]any)["user"] = map[string]any{"$ref": "#/components/schemas/User"}
			openapi.Lookup(mended, oncallsPointer...).(map[string]any)["allOf"].([]any)[1].(map[string]any)["properties"].(map[string]any)["oncalls"].(map[string]any)["items"] = map[string]any{"$ref": "#/components/schemas/Other"}
		}
		if err := applyErrata(mended); err == nil || !strings.Contains(err.Error(), "drop the erratum") {
			t.Errorf("erratum %q on a mended description: error %v", e.why, err)
		}
	}
}

// exchange makes an exchange: a request as the client sends it and an
// answer with the headers PagerDuty always sends.
func exchange(target string, status int, body string) *openapi.Exchange {
	r := httptest.NewRequest("GET", Prefix+target, nil)
	r.Header.Set("Authorization", "Token token=k")
	r.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	r.Header.Set("Content-Type", "application/json")
	x := &openapi.Exchange{Request: r, Status: status, Header: http.Header{}}
	x.Header.Set("Ratelimit-Limit", "960")
	x.Header.Set("Ratelimit-Remaining", "959")
	x.Header.Set("Ratelimit-Reset", "30")
	if body != "" {
		x.Header.Set("Content-Type", "application/json; charset=utf-8")
		x.Body.WriteString(body)
	}
	return x
}

// answerOf is an answer as the stand-in makes it, as generic JSON a
// test may spoil.
func answerOf(t *testing.T, pd *Server, target string, spoil func(m map[string]any)) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	_, v := get(t, pd, u.Path, u.Query())
	spoil(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func first(m map[string]any) map[string]any { return m["oncalls"].([]any)[0].(map[string]any) }

// TestCheckFindsDifferences: each answer differs from what PagerDuty
// gives in one way, and the checker names the operation and says where.
// Each want is the start of one problem, in order; there must be no other
// problem.
func TestCheckFindsDifferences(t *testing.T) {
	d := loaded(t)
	pd := rota(t)
	const month = "/oncalls?schedule_ids[]=PPRIMRY&since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z&time_zone=UTC"
	ok := func(map[string]any) {}
	tests := []struct {
		name string
		x    *openapi.Exchange
		op   string // the operation matched
		want []string
	}{
		{
			name: "as PagerDuty answers",
			x:    exchange(month, 200, answerOf(t, pd, month, ok)),
			op:   "listOnCalls",
		},
		{
			name: "with users included, as PagerDuty answers",
			x:    exchange(month+"&include[]=users", 200, answerOf(t, pd, month+"&include[]=users", ok)),
			op:   "listOnCalls",
		},
		{
			name: "a permanent on-call, as PagerDuty answers",
			x:    exchange("/oncalls?schedule_ids[]=null", 200, answerOf(t, pd, "/oncalls?schedule_ids[]=null", ok)),
			op:   "listOnCalls",
		},
		{
			name: "a permanent on-call with its user included, as PagerDuty answers",
			x:    exchange("/oncalls?schedule_ids[]=null&include[]=users", 200, answerOf(t, pd, "/oncalls?schedule_ids[]=null&include[]=users", ok)),
			op:   "listOnCalls",
		},
		{
			name: "missing more",
			x:    exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) { delete(m, "more") })),
			op:   "listOnCalls",
			want: []string{"response body: more is missing, which PagerDuty's offset pagination always gives"},
		},
		{
			name: "a time that is not a date-time",
			x:    exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) { first(m)["start"] = "2026-11-02 00:00" })),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0/start": '2026-11-02 00:00' is not valid date-time`},
		},
		{
			name: "a time not in the time zone asked",
			x:    exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) { first(m)["start"] = "2026-11-02T01:00:00+01:00" })),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0": 2026-11-02T01:00:00+01:00 is not in the time zone asked (UTC)`},
		},
		{
			name: "an on-call outside the range",
			x: exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) {
				first(m)["start"], first(m)["end"] = "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z"
			})),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0": from 2026-10-01T00:00:00Z to 2026-10-02T00:00:00Z is outside since 2026-11-01T00:00:00Z and until 2026-12-01T00:00:00Z`},
		},
		{
			name: "an on-call that ends before it starts",
			x:    exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) { first(m)["end"] = "2026-11-01T12:00:00Z" })),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0": it ends (2026-11-01T12:00:00Z) before it starts (2026-11-02T00:00:00Z)`},
		},
		{
			name: "an on-call of a schedule not asked for",
			x: exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) {
				first(m)["schedule"].(map[string]any)["id"] = "PSECOND"
			})),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0": schedule PSECOND, which schedule_ids[] does not ask for`},
		},
		{
			name: "a permanent on-call with a schedule",
			x: exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) {
				first(m)["start"], first(m)["end"] = nil, nil
			})),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0": start <nil>, end <nil> and schedule map[`},
		},
		{
			name: "a user reference where users were included",
			x:    exchange(month+"&include[]=users&limit=1", 200, answerOf(t, pd, month+"&limit=1", ok)),
			op:   "listOnCalls",
			want: []string{`response body at "/oncalls/0/user": missing properties 'name', 'email'`, `response body at "/oncalls/0/user/type": value must be 'user'`},
		},
		{
			name: "more pages than the limit",
			x:    exchange(month+"&limit=2", 200, answerOf(t, pd, month, ok)),
			op:   "listOnCalls",
			want: []string{"response body: limit is 25, not the 2 asked", "response body: 4 on-calls, more than the limit of 2"},
		},
		{
			name: "another offset",
			x:    exchange(month+"&offset=2", 200, answerOf(t, pd, month, ok)),
			op:   "listOnCalls",
			want: []string{"response body: offset is 0, not the 2 asked"},
		},
		{
			name: "a total not asked for",
			x:    exchange(month, 200, answerOf(t, pd, month, func(m map[string]any) { m["total"] = 4 })),
			op:   "listOnCalls",
			want: []string{"response body: total is 4 though total=true was not asked"},
		},
		{
			name: "more with nothing more",
			x:    exchange(month+"&total=true", 200, answerOf(t, pd, month+"&total=true", func(m map[string]any) { m["more"] = true })),
			op:   "listOnCalls",
			want: []string{"response body: more is true, with 4 on-calls from offset 0 of 4"},
		},
		{
			name: "an undocumented parameter",
			x:    exchange(month+"&per_page=100", 200, answerOf(t, pd, month, ok)),
			op:   "listOnCalls",
			want: []string{`the request's query parameter "per_page" is not documented`},
		},
		{
			name: "a list parameter with a value twice",
			x:    exchange("/oncalls?schedule_ids[]=P1&schedule_ids[]=P1", 200, `{"oncalls": [], "limit": 25, "offset": 0, "more": false, "total": null}`),
			op:   "listOnCalls",
			want: []string{`the request's query parameter schedule_ids[]=["P1" "P1"] at "": items at 0 and 1 are equal`},
		},
		{
			name: "a since that is not a date-time",
			x:    exchange("/oncalls?since=yesterday", 400, `{"error": {"message": "Invalid 'since' or 'until' Parameter Values", "code": 2004}}`),
			op:   "listOnCalls",
			want: []string{`the request's query parameter since="yesterday" at "": 'yesterday' is not valid date-time`},
		},
		{
			name: "a status the operation does not document",
			x:    exchange("/oncalls", 404, `{"error": {"message": "Not Found", "code": 2100}}`),
			op:   "listOnCalls",
			want: []string{"status 404 is not documented (documented: 200, 400, 401, 403, 429)"},
		},
		{
			name: "an error that is not PagerDuty's",
			x:    exchange("/users/PALICE1", 404, `{"message": "Not Found"}`),
			op:   "getUser",
			want: []string{"response body: error.message is missing, which every error of PagerDuty's carries"},
		},
		{
			name: "a failure of PagerDuty's own, with no body",
			x:    exchange("/schedules/PPRIMRY", 503, ""),
			op:   "getSchedule",
		},
		{
			name: "a body that is not JSON",
			x:    exchange("/users/PALICE1", 500, "<html>oops</html>"),
			op:   "getUser",
			want: []string{"the body is not JSON"},
		},
		{
			name: "another user than asked",
			x:    exchange("/users/PBOB001", 200, `{"user": {"id": "PALICE1", "type": "user", "name": "Alice", "email": "alice@example.gov.uk"}}`),
			op:   "getUser",
			want: []string{"the answer is user PALICE1, not PBOB001"},
		},
		{
			name: "a user without an email",
			x:    exchange("/users/PALICE1", 200, `{"user": {"id": "PALICE1", "type": "user", "name": "Alice"}}`),
			op:   "getUser",
			want: []string{`response body at "/user": missing property 'email'`},
		},
		{
			name: "a schedule without a time zone",
			x:    exchange("/schedules/PPRIMRY", 200, `{"schedule": {"id": "PPRIMRY", "type": "schedule", "name": "Primary"}}`),
			op:   "getSchedule",
			want: []string{`response body at "/schedule": missing property 'time_zone'`},
		},
		{
			name: "no rate-limit headers",
			x: func() *openapi.Exchange {
				x := exchange("/users/PALICE1", 404, `{"error": {"message": "Not Found", "code": 2100}}`)
				x.Header.Del("Ratelimit-Reset")
				x.Header.Set("Ratelimit-Remaining", "1000")
				return x
			}(),
			op:   "getUser",
			want: []string{"header Ratelimit-Reset is missing", "header Ratelimit-Remaining (1000) is more than Ratelimit-Limit (960)"},
		},
		{
			name: "a 429 with something left",
			x:    exchange("/oncalls", 429, `{"error": {"message": "Rate Limit Exceeded"}}`),
			op:   "listOnCalls",
			want: []string{"a 429 with header Ratelimit-Remaining 959: a limited request has nothing left"},
		},
		{
			name: "no Accept, another Content-Type, a bearer token",
			x: func() *openapi.Exchange {
				x := exchange("/users/PALICE1", 404, `{"error": {"message": "Not Found", "code": 2100}}`)
				x.Request.Header.Del("Accept")
				x.Request.Header.Set("Content-Type", "text/plain")
				x.Request.Header.Set("Authorization", "Bearer secret-key")
				return x
			}(),
			op: "getUser",
			want: []string{
				"the request has no header Accept, which is required",
				`the request's header Content-Type is "text/plain", not one of [application/json]`,
				"the request's header Authorization is not of the form Token token=<API_KEY>",
			},
		},
		{
			name: "the Accept of another version",
			x: func() *openapi.Exchange {
				x := exchange("/users/PALICE1", 404, `{"error": {"message": "Not Found", "code": 2100}}`)
				x.Request.Header.Set("Accept", "application/json")
				return x
			}(),
			op:   "getUser",
			want: []string{`the request's header Accept is "application/json", not "application/vnd.pagerduty+json;version=2", PagerDuty's versioning header`},
		},
		{
			name: "a path PagerDuty does not have",
			x:    exchange("/oncalls/now", 404, `{"error": {"message": "Not Found", "code": 2100}}`),
			want: []string{"no operation in the description matches GET /oncalls/now"},
		},
		{
			name: "outside the prefix",
			x:    &openapi.Exchange{Request: httptest.NewRequest("GET", "/oncalls", nil), Status: 404},
			want: []string{"the path is outside /pagerduty"},
		},
		{
			name: "a hostile answer: only the request is checked",
			x: func() *openapi.Exchange {
				x := exchange("/oncalls?limit=many", 302, "")
				x.Hostile = true
				return x
			}(),
			op:   "listOnCalls",
			want: []string{`the request's query parameter limit="many" is not a integer`},
		},
		{
			name: "a late answer: nobody read it",
			x: func() *openapi.Exchange {
				x := exchange("/oncalls", 200, "{")
				x.Late = true
				return x
			}(),
			op: "listOnCalls",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, got := d.check(tt.x)
			gotOp := ""
			if op != nil {
				gotOp = op.ID
			}
			if gotOp != tt.op {
				t.Errorf("operation %q, want %q", gotOp, tt.op)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n\t%s\nwant %d:\n\t%s", strings.Join(got, "\n\t"), len(tt.want), strings.Join(tt.want, "\n\t"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d: %q, want one starting %q", i, got[i], tt.want[i])
				}
			}
		})
	}
	// The message names the request, the status, the source and the
	// operation, and never the key.
	x := exchange("/oncalls", 404, `{"error": {"message": "Not Found", "code": 2100}}`)
	x.Request.Header.Set("Authorization", "Token token=very-secret-key extra")
	msg := d.problems(x)
	for _, want := range []string{"GET /pagerduty/oncalls with 404", "PagerDuty/api-schema@91a06fb:reference/REST/openapiv3.json", "for listOnCalls (GET /oncalls):\n\t"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "very-secret-key") {
		t.Errorf("message %q holds the key", msg)
	}
	if d.problems(exchange(month, 200, answerOf(t, pd, month, ok))) != "" {
		t.Errorf("a good answer has a message")
	}
}

// TestEveryAnswerIsDocumented drives the stand-in to every answer it can
// give: each operation with each parameter, each error and each fault.
// New checks each against PagerDuty's description, so any answer
// PagerDuty would not give fails this test; the statuses show that every
// path was taken.
func TestEveryAnswerIsDocumented(t *testing.T) {
	pd := rota(t)
	month := q("since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z")
	with := func(base url.Values, kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = slices.Clone(vs)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	type call struct {
		path  string
		query url.Values
		token string
	}
	calls := []call{
		{"/oncalls", nil, ""},
		{"/oncalls", with(month, "schedule_ids[]", "PPRIMRY", "schedule_ids[]", "PSECOND", "schedule_ids[]", "null", "include[]", "users", "time_zone", "Europe/London", "limit", "3", "offset", "3", "total", "true"), ""},
		{"/oncalls", with(month, "user_ids[]", "PBOB001", "escalation_policy_ids[]", "PEP0001", "earliest", "true", "total", "false"), ""},
		{"/oncalls", with(nil, "since", "2026-11-05T00:00:00+01:00"), ""},
		{"/oncalls", with(nil, "since", "2026-12-01T00:00:00Z", "until", "2026-11-01T00:00:00Z"), ""},
		{"/oncalls", with(nil, "time_zone", "Mars/Olympus_Mons"), ""},
		{"/oncalls", with(nil, "limit", "0"), ""},
		{"/oncalls", with(nil, "offset", "-1"), ""},
		{"/oncalls", with(nil, "limit", "100", "offset", "9950"), ""},
		{"/oncalls", with(nil, "include[]", "schedules"), ""},
		{"/oncalls", nil, "wrong-key"},
		{"/schedules/PPRIMRY", nil, ""},
		{"/schedules/PPRIMRY", with(nil, "since", "2026-11-10T12:00:00Z", "until", "2026-11-12T12:00:00Z", "time_zone", "UTC"), ""},
		{"/schedules/PPRIMRY", with(nil, "until", "2026-11-12T12:00:00Z", "overflow", "true"), ""},
		{"/schedules/PSECOND", with(nil, "since", "2026-11-01T00:00:00Z"), ""},
		{"/schedules/PNOSUCH", nil, ""},
		{"/schedules/PPRIMRY", with(nil, "time_zone", "Nowhere"), ""},
		{"/schedules/PPRIMRY", with(nil, "include_next_oncall_for_user", "PALICE1"), ""},
		{"/users/PALICE1", nil, ""},
		{"/users/PNOSUCH", nil, ""},
		{"/users/PALICE1", with(nil, "include[]", "contact_methods"), ""},
	}
	var got []int
	for _, c := range calls {
		token := testToken
		if c.token != "" {
			token = c.token
		}
		status, _, _ := getRaw(t, pd, c.path, c.query, token)
		got = append(got, status)
	}
	// Faults: a rate limit, a failure for two requests, a hostile answer.
	pd.SetFaults(RateLimited("/oncalls", 1, 17), &Fault{Path: "/schedules", Status: 502, Times: 2}, &Fault{Path: "/users", Status: 200, Body: "not json", Hostile: true, Times: 1})
	for _, path := range []string{"/oncalls", "/oncalls", "/schedules/PPRIMRY", "/schedules/PPRIMRY", "/schedules/PPRIMRY", "/users/PALICE1"} {
		status, h, _ := getRaw(t, pd, path, nil, testToken)
		if status == http.StatusTooManyRequests && h.Get("Ratelimit-Reset") != "17" {
			t.Errorf("429 with Ratelimit-Reset %q", h.Get("Ratelimit-Reset"))
		}
		got = append(got, status)
	}
	want := []int{200, 200, 200, 200, 400, 400, 400, 400, 400, 400, 401, 200, 200, 200, 200, 404, 400, 400, 200, 404, 400, 429, 200, 502, 502, 200, 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestHeldAnswer: a fault with a gate holds its answer until the gate
// opens, and tells the test when a request is held.
func TestHeldAnswer(t *testing.T) {
	pd := rota(t)
	gate := NewGate()
	pd.SetFaults(&Fault{Path: "/users", Status: 503, Hold: gate, Times: 1})
	done := make(chan int)
	go func() {
		status, _, _ := getRaw(t, pd, "/users/PALICE1", nil, testToken)
		done <- status
	}()
	<-gate.Arrived()
	select {
	case status := <-done:
		t.Fatalf("answered %d before the gate opened", status)
	default:
	}
	gate.Open()
	if status := <-done; status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want the fault's 503", status)
	}
	if status, _, _ := getRaw(t, pd, "/users/PALICE1", nil, testToken); status != http.StatusOK {
		t.Errorf("after the fault: status %d", status)
	}
}

// TestCountAndRateLimit: requests are counted by path, and each answer
// says what is left of the minute's limit.
func TestCountAndRateLimit(t *testing.T) {
	pd := rota(t)
	var remaining []string
	for _, path := range []string{"/oncalls", "/schedules/PPRIMRY", "/schedules/PSECOND", "/users/PALICE1"} {
		_, h, _ := getRaw(t, pd, path, nil, testToken)
		remaining = append(remaining, h.Get("Ratelimit-Remaining")+"/"+h.Get("Ratelimit-Limit")+" reset "+h.Get("Ratelimit-Reset"))
	}
	// The clock stands at 12:00:00: the limit resets in a minute.
	if diff := cmp.Diff([]string{"959/960 reset 60", "958/960 reset 60", "957/960 reset 60", "956/960 reset 60"}, remaining); diff != "" {
		t.Errorf("rate-limit headers (-want +got):\n%s", diff)
	}
	for path, want := range map[string]int{"": 4, "/oncalls": 1, "/schedules": 2, "/schedules/PSECOND": 1, "/sched": 0, "/users/PALICE1": 1} {
		if got := pd.Count(path); got != want {
			t.Errorf("Count(%q) = %d, want %d", path, got, want)
		}
	}
	// A new minute, a new limit.
	pd.SetNow(func() time.Time { return day(20).Add(12*time.Hour + 90*time.Second) })
	if _, h, _ := getRaw(t, pd, "/oncalls", nil, testToken); h.Get("Ratelimit-Remaining") != "959" || h.Get("Ratelimit-Reset") != "30" {
		t.Errorf("the next minute: %v", h)
	}
	pd.ResetRequests()
	if n := pd.Count(""); n != 0 {
		t.Errorf("after ResetRequests: %d", n)
	}
}

func TestNewUncheckedPanicsInTests(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "use fakepagerduty.New(t)") {
			t.Errorf("recovered %v", r)
		}
	}()
	NewUnchecked()
}

// TestExpire: a try waiting on Expire expires when, and only when, the
// stand-in holds its answer; a hold with no try waiting expires the next
// one to ask; a body never expires.
func TestExpire(t *testing.T) {
	pd := rota(t)
	gate := NewGate()
	t.Cleanup(gate.Open)
	pd.SetFaults(&Fault{Path: "/users/PALICE1", Status: 503, Hold: gate})
	req := func(path string) *http.Request { return httptest.NewRequest("GET", pd.URL()+path, nil) }
	expired := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	waiting, release := pd.Expire(req("/users/PALICE1"), false)
	other, releaseOther := pd.Expire(req("/users/PBOB001"), false)
	body, _ := pd.Expire(req("/users/PALICE1"), true)
	defer releaseOther()
	done := make(chan int)
	go func() {
		status, _, _ := getRaw(t, pd, "/users/PALICE1", nil, testToken)
		done <- status
	}()
	<-gate.Arrived()
	<-waiting // expires; the test would hang otherwise
	release()
	if expired(other) || expired(body) {
		t.Errorf("expired: another request's %v, a body's %v", expired(other), expired(body))
	}
	// A second hold, with nobody waiting: the next to ask expires at once.
	go func() {
		status, _, _ := getRaw(t, pd, "/users/PALICE1", nil, testToken)
		done <- status
	}()
	<-gate.Arrived()
	if next, _ := pd.Expire(req("/users/PALICE1"), false); !expired(next) {
		t.Errorf("the next to ask did not expire")
	}
	if again, release := pd.Expire(req("/users/PALICE1"), false); expired(again) {
		t.Errorf("one hold expired two tries")
	} else {
		release()
	}
	gate.Open()
	for range 2 {
		if status := <-done; status != http.StatusServiceUnavailable {
			t.Errorf("status %d", status)
		}
	}
}
