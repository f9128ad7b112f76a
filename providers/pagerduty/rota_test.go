package pagerduty

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakepagerduty"
	"github.com/prodaccess/prodaccess/internal/testclock"
)

const testToken = "pd-key-0123456789abcdef"

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// newClient is a client of the stand-in whose waits are recorded, not
// slept, and whose tries time out when, and only when, the stand-in holds
// their answers back.
func newClient(t *testing.T, pd *fakepagerduty.Server, sl *testclock.Sleeps, tune ...func(*Options)) *Client {
	t.Helper()
	opts := Options{Sleep: sl.Sleep, Expire: pd.Expire}
	for _, f := range tune {
		f(&opts)
	}
	c, err := NewClient(pd.URL(), testToken, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// within is a context that ends the test's wait for a read that hangs;
// no read here comes near it.
func within(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// rota is a stand-in with one escalation policy: level 1 the primary
// schedule (alice a week, then bob, with carol's override on the 11th),
// level 2 the secondary (dave) and erin named directly; and a schedule no
// policy names.
func rota(t *testing.T) *fakepagerduty.Server {
	t.Helper()
	pd := fakepagerduty.New(t)
	pd.Token = testToken
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		pd.AddUser(userID(u), strings.ToUpper(u[:1])+u[1:]+" Example", u+"@example.gov.uk")
	}
	pd.AddSchedule("PPRIMRY", "2nd line primary", "Europe/London")
	pd.AddSchedule("PSECOND", "2nd line secondary", "")
	pd.AddSchedule("PORPHAN", "Nobody's schedule", "")
	pd.AddEntry("PPRIMRY", userID("alice"), day(2), day(9))
	pd.AddEntry("PPRIMRY", userID("bob"), day(9), day(16))
	pd.Override("PPRIMRY", userID("carol"), day(11), day(12))
	pd.AddEntry("PSECOND", userID("dave"), day(2), day(16))
	pd.AddPolicy("PEP0001", "2nd line", []string{"PPRIMRY"}, []string{"PSECOND", userID("erin")})
	return pd
}

func userID(name string) string { return "P" + strings.ToUpper(name) }

func user(name string) User {
	return User{ID: userID(name), Name: strings.ToUpper(name[:1]) + name[1:] + " Example", Email: name + "@example.gov.uk"}
}

func primary(name string, start, end time.Time) OnCall {
	return OnCall{User: user(name), ScheduleID: "PPRIMRY", EscalationPolicyID: "PEP0001", EscalationLevel: 1, Start: start, End: end}
}

// TestOnCallsManyPages: 250 on-calls of three schedules come back whole,
// in order, each schedule read page by page after its schedule.
func TestOnCallsManyPages(t *testing.T) {
	pd := fakepagerduty.New(t)
	pd.Token = testToken
	for _, u := range []string{"alice", "bob", "carol"} {
		pd.AddUser(userID(u), strings.ToUpper(u[:1])+u[1:]+" Example", u+"@example.gov.uk")
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	sizes := map[string]int{"PSCHED1": 120, "PSCHED2": 80, "PSCHED3": 50}
	var level []string
	var want []OnCall
	for i, id := range []string{"PSCHED1", "PSCHED2", "PSCHED3"} {
		pd.AddSchedule(id, "Schedule "+id, "")
		level = append(level, id)
		// One user a stretch of 12 hours, turn by turn, so that no two
		// entries of one user meet.
		names := []string{"alice", "bob", "carol"}
		for n := range sizes[id] {
			s, e := start.Add(time.Duration(n)*12*time.Hour), start.Add(time.Duration(n+1)*12*time.Hour)
			name := names[(n+i)%3]
			pd.AddEntry(id, userID(name), s, e)
			want = append(want, OnCall{User: user(name), ScheduleID: id, EscalationPolicyID: "PEP0001", EscalationLevel: 1, Start: s, End: e})
		}
	}
	pd.AddPolicy("PEP0001", "2nd line", level)
	sl := &testclock.Sleeps{}
	got, err := newClient(t, pd, sl).OnCalls(within(t), Query{ScheduleIDs: []string{"PSCHED1", "PSCHED2", "PSCHED3"}, Since: start, Until: start.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 {
		t.Errorf("%d on-calls, want 250", len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("on-calls (-want +got):\n%s", diff)
	}
	var requests []string
	for _, r := range pd.Requests() {
		requests = append(requests, r.Path+" "+r.Query.Get("schedule_ids[]")+" "+r.Query.Get("offset"))
	}
	wantRequests := []string{
		"/schedules/PSCHED1  ", "/oncalls PSCHED1 0", "/oncalls PSCHED1 100",
		"/schedules/PSCHED2  ", "/oncalls PSCHED2 0",
		"/schedules/PSCHED3  ", "/oncalls PSCHED3 0",
	}
	if diff := cmp.Diff(wantRequests, requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(sl.All()) != 0 {
		t.Errorf("waited %v", sl.All())
	}
}

// TestSinceUntil: an on-call that overlaps the range is read whole; one
// that ends when the range starts, or starts when it ends, is not.
func TestSinceUntil(t *testing.T) {
	pd := rota(t)
	c := newClient(t, pd, &testclock.Sleeps{})
	tests := []struct {
		name         string
		since, until time.Time
		want         []OnCall
	}{
		{"the month", day(1), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []OnCall{
			primary("alice", day(2), day(9)),
			primary("bob", day(9), day(11)),
			primary("carol", day(11), day(12)),
			primary("bob", day(12), day(16)),
		}},
		{"until alice starts", day(1), day(2), nil},
		{"from when alice ends", day(9), day(10), []OnCall{primary("bob", day(9), day(11))}},
		{"an hour of carol's day", day(11).Add(time.Hour), day(11).Add(2 * time.Hour), []OnCall{primary("carol", day(11), day(12))}},
		{"until carol starts", day(10), day(11), []OnCall{primary("bob", day(9), day(11))}},
		{"after everyone", day(16), day(30), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.OnCalls(within(t), Query{ScheduleIDs: []string{"PPRIMRY"}, Since: tt.since, Until: tt.until})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The schedule was read once, for all the queries.
	if n := pd.Count("/schedules"); n != 1 {
		t.Errorf("%d reads of the schedule", n)
	}
}

// TestPermanentOnCalls: a user a policy names directly is on call always:
// no schedule, no start, no end.
func TestPermanentOnCalls(t *testing.T) {
	pd := rota(t)
	got, err := newClient(t, pd, &testclock.Sleeps{}).OnCalls(within(t), Query{ScheduleIDs: []string{"PSECOND"}, Permanent: true, Since: day(1), Until: day(3)})
	if err != nil {
		t.Fatal(err)
	}
	want := []OnCall{
		{User: user("dave"), ScheduleID: "PSECOND", EscalationPolicyID: "PEP0001", EscalationLevel: 2, Start: day(2), End: day(16)},
		{User: user("erin"), EscalationPolicyID: "PEP0001", EscalationLevel: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[0].Permanent() || !got[1].Permanent() {
		t.Errorf("Permanent: %v, %v", got[0].Permanent(), got[1].Permanent())
	}
}

// TestSchedules: a schedule is read for its name and time zone; one that
// does not exist, or that no policy names (so that PagerDuty would list
// nothing), is an error, never an empty rota.
func TestSchedules(t *testing.T) {
	pd := rota(t)
	c := newClient(t, pd, &testclock.Sleeps{})
	sc, err := c.Schedule(within(t), "PPRIMRY")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Schedule{ID: "PPRIMRY", Name: "2nd line primary", TimeZone: "Europe/London", EscalationPolicies: []string{"PEP0001"}}, sc); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	tests := []struct {
		ids  []string
		want string
	}{
		{[]string{"PNOSUCH"}, "list on-calls of schedule PNOSUCH since 2026-11-01 until 2026-12-01: PagerDuty answered GET /schedules/PNOSUCH with 404 Not Found: Not Found (it does not exist, or the key cannot see it)"},
		{[]string{"PPRIMRY", "PORPHAN"}, "list on-calls of schedule PORPHAN since 2026-11-01 until 2026-12-01: schedule PORPHAN (Nobody's schedule) is on no escalation policy, and PagerDuty lists on-calls only through policies"},
	}
	for _, tt := range tests {
		got, err := c.OnCalls(within(t), Query{ScheduleIDs: tt.ids, Since: day(1), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v: error %v, want %q", tt.ids, err, tt.want)
		}
		if got != nil {
			t.Errorf("%v: on-calls %v with the error", tt.ids, got)
		}
	}
	if _, err := c.Schedule(within(t), "PNOSUCH"); !IsNotFound(err) {
		t.Errorf("Schedule of a schedule that does not exist: %v", err)
	}
}

// TestQueryErrors: a query that cannot be right is refused before any
// request.
func TestQueryErrors(t *testing.T) {
	pd := rota(t)
	c := newClient(t, pd, &testclock.Sleeps{})
	tests := []struct {
		q    Query
		want string
	}{
		{Query{ScheduleIDs: []string{"PPRIMRY"}, Since: day(1)}, "list on-calls: since and until are both needed"},
		{Query{ScheduleIDs: []string{"PPRIMRY"}, Since: day(2), Until: day(2)}, "list on-calls since 2026-11-02 until 2026-11-02: until is not after since"},
		{Query{Since: day(1), Until: day(2)}, "list on-calls since 2026-11-01 until 2026-11-02: no schedule asked for"},
		{Query{ScheduleIDs: []string{"PPRIMRY&user_ids[]=x"}, Since: day(1), Until: day(2).Add(time.Hour)}, `list on-calls since 2026-11-01 until 2026-11-02T01:00:00Z: "PPRIMRY&user_ids[]=x" is not a PagerDuty schedule id`},
		{Query{ScheduleIDs: []string{"PPRIMRY", "PPRIMRY"}, Since: day(1), Until: day(2)}, "list on-calls since 2026-11-01 until 2026-11-02: schedule PPRIMRY is asked for twice"},
	}
	for _, tt := range tests {
		if _, err := c.OnCalls(within(t), tt.q); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: error %v, want %q", tt.q, err, tt.want)
		}
	}
	if _, err := c.Schedule(within(t), "../users/PALICE"); err == nil {
		t.Errorf("Schedule of a path: no error")
	}
	if _, err := c.User(within(t), ""); err == nil {
		t.Errorf("User of nothing: no error")
	}
	if n := pd.Count(""); n != 0 {
		t.Errorf("%d requests", n)
	}
}

func TestUser(t *testing.T) {
	pd := rota(t)
	c := newClient(t, pd, &testclock.Sleeps{})
	got, err := c.User(within(t), userID("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(user("alice"), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = c.User(within(t), "PNOSUCH")
	if !IsNotFound(err) || !strings.HasPrefix(err.Error(), "get user PNOSUCH: PagerDuty answered GET /users/PNOSUCH with 404 Not Found") {
		t.Errorf("a user that does not exist: %v", err)
	}
}

// TestBadPagesRefused: a page that does not answer its request, or holds
// an on-call that is not whole, fails the read, saying which schedule,
// which page and which on-call; nothing read before it is returned.
func TestBadPagesRefused(t *testing.T) {
	const good = `{"user": {"id": "PALICE", "type": "user", "name": "Alice", "email": "alice@example.gov.uk"}, "schedule": {"id": "PPRIMRY"}, "escalation_policy": {"id": "PEP0001"}, "escalation_level": 1, "start": "2026-11-02T00:00:00Z", "end": "2026-11-09T00:00:00Z"}`
	spoil := func(from, to string) string { return strings.Replace(good, from, to, 1) }
	page := func(offset int, more bool, oncalls ...string) string {
		return fmt.Sprintf(`{"oncalls": [%s], "limit": 100, "offset": %d, "more": %v, "total": null}`, strings.Join(oncalls, ", "), offset, more)
	}
	const prefix = "list on-calls of schedule PPRIMRY since 2026-11-01 until 2026-12-01: "
	tests := []struct {
		name string
		body string
		want string
	}{
		{"no list", `{"limit": 100, "offset": 0, "more": false}`, "the page at offset 0 has no list of on-calls"},
		{"no more", `{"oncalls": [], "limit": 100, "offset": 0}`, "the page at offset 0 does not say limit, offset and more"},
		{"another offset", page(100, false, good), "the page at offset 0 says it is at offset 100"},
		{"more with nothing", page(0, true), "the page at offset 0 holds no on-calls yet says there are more"},
		{"more than the limit", `{"oncalls": [` + good + `, ` + good + `], "limit": 1, "offset": 0, "more": false}`, "the page at offset 0 holds 2 on-calls, more than its limit of 1"},
		{"a user with no id", page(0, false, good, spoil(`"id": "PALICE"`, `"id": ""`)), "the page at offset 0: on-call 1: its user has no id, or not an id PagerDuty gives"},
		{"no user", page(0, false, spoil(`"user"`, `"someone"`)), "the page at offset 0: on-call 0: its user has no id"},
		{"no email", page(0, false, spoil(`"alice@example.gov.uk"`, `""`)), "the page at offset 0: on-call 0: user PALICE has no email (users were asked to be included)"},
		{"no policy", page(0, false, spoil(`"escalation_policy"`, `"policy"`)), "the page at offset 0: on-call 0: user PALICE: its escalation policy has no id"},
		{"level 0", page(0, false, spoil(`"escalation_level": 1`, `"escalation_level": 0`)), "the page at offset 0: on-call 0: user PALICE: it has no escalation level"},
		{"no schedule", page(0, false, spoil(`"schedule": {"id": "PPRIMRY"}`, `"schedule": null`)), "the page at offset 0: on-call 0: user PALICE: it has no schedule"},
		{"another schedule", page(0, false, spoil(`"PPRIMRY"`, `"PSECOND"`)), `the page at offset 0: on-call 0: user PALICE: it is of schedule "PSECOND", not the one asked for`},
		{"no end", page(0, false, spoil(`"end": "2026-11-09T00:00:00Z"`, `"end": null`)), "the page at offset 0: on-call 0: user PALICE: it has no start or no end"},
		{"a bad time", page(0, false, spoil(`"2026-11-02T00:00:00Z"`, `"2nd November"`)), `the page at offset 0: on-call 0: user PALICE: start "2nd November" is not a date and time`},
		{"a bad end", page(0, false, spoil(`"2026-11-09T00:00:00Z"`, `"2026-11-09"`)), `the page at offset 0: on-call 0: user PALICE: end "2026-11-09" is not a date and time`},
		{"ends before it starts", page(0, false, spoil(`"2026-11-09T00:00:00Z"`, `"2026-11-01T00:00:00Z"`)), "the page at offset 0: on-call 0: user PALICE: it ends (2026-11-01T00:00:00Z) before it starts (2026-11-02T00:00:00Z)"},
		{"outside the time asked", page(0, false, spoil(`"start": "2026-11-02T00:00:00Z", "end": "2026-11-09T00:00:00Z"`, `"start": "2026-10-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"`)), "the page at offset 0: on-call 0: user PALICE: from 2026-10-02T00:00:00Z to 2026-11-01T00:00:00Z is outside the time asked"},
		{"not JSON", "<html>maintenance</html>", `PagerDuty's answer to GET /oncalls?include%5B%5D=users&limit=100&offset=0&schedule_ids%5B%5D=PPRIMRY&since=2026-11-01T00%3A00%3A00Z&time_zone=UTC&until=2026-12-01T00%3A00%3A00Z is not the JSON it should be: invalid character '<'`},
		{"a list, not an object", "[]", "PagerDuty's answer to GET /oncalls?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := rota(t)
			pd.SetFaults(&fakepagerduty.Fault{Path: "/oncalls", Status: 200, Body: tt.body, Hostile: true})
			got, err := newClient(t, pd, &testclock.Sleeps{}).OnCalls(within(t), Query{ScheduleIDs: []string{"PPRIMRY"}, Since: day(1), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
			if err == nil || !strings.HasPrefix(err.Error(), prefix+tt.want) {
				t.Errorf("error %v\nwant one starting %q", err, prefix+tt.want)
			}
			if got != nil {
				t.Errorf("on-calls with the error: %v", got)
			}
		})
	}
}

// TestBadSecondPage: a failure on the second page fails the whole read;
// the first page is not returned as if it were all.
func TestBadSecondPage(t *testing.T) {
	pd := fakepagerduty.New(t)
	pd.Token = testToken
	pd.AddUser(userID("alice"), "Alice Example", "alice@example.gov.uk")
	pd.AddUser(userID("bob"), "Bob Example", "bob@example.gov.uk")
	pd.AddSchedule("PDAILY", "Daily", "")
	for d := range 150 {
		pd.AddEntry("PDAILY", userID([]string{"alice", "bob"}[d%2]), day(1).AddDate(0, 0, d), day(1).AddDate(0, 0, d+1))
	}
	pd.AddPolicy("PEP0001", "Daily", []string{"PDAILY"})
	// Every page but the first fails, for good.
	pd.SetFaults(&fakepagerduty.Fault{Path: "/oncalls", Skip: 1, Status: http.StatusInternalServerError})
	sl := &testclock.Sleeps{}
	got, err := newClient(t, pd, sl).OnCalls(within(t), Query{ScheduleIDs: []string{"PDAILY"}, Since: day(1), Until: day(1).AddDate(1, 0, 0)})
	want := "list on-calls of schedule PDAILY since 2026-11-01 until 2027-11-01: PagerDuty answered GET /oncalls?include%5B%5D=users&limit=100&offset=100&schedule_ids%5B%5D=PDAILY&since=2026-11-01T00%3A00%3A00Z&time_zone=UTC&until=2027-11-01T00%3A00%3A00Z with 500 Internal Server Error: Internal Server Error (after 4 retries)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %q", err, want)
	}
	if got != nil {
		t.Errorf("%d on-calls with the error", len(got))
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, sl.All()); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
	if n := pd.Count("/oncalls"); n != 6 {
		t.Errorf("%d requests of /oncalls, want the first page and five tries of the second", n)
	}
}

// TestTokenGoesOnlyInTheHeader: the key is sent as PagerDuty asks, and
// no error carries it, even when PagerDuty's own message repeats it.
func TestTokenGoesOnlyInTheHeader(t *testing.T) {
	pd := rota(t)
	pd.SetFaults(&fakepagerduty.Fault{Path: "/users", Status: 400, Body: `{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["key ` + testToken + ` may not ask this"]}}`, Times: 1})
	c := newClient(t, pd, &testclock.Sleeps{})
	_, err := c.User(within(t), userID("alice"))
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "Invalid Input Provided; key *** may not ask this") {
		t.Errorf("error %v", err)
	}
	// A wrong key: 401, said plainly, without the key.
	wrong, err := NewClient(pd.URL(), "pd-wrong-key-42", Options{Sleep: (&testclock.Sleeps{}).Sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.OnCalls(within(t), Query{ScheduleIDs: []string{"PPRIMRY"}, Since: day(1), Until: day(2)})
	want := "list on-calls of schedule PPRIMRY since 2026-11-01 until 2026-11-02: PagerDuty answered GET /schedules/PPRIMRY with 401 Unauthorized: Authentication failed (the key is wrong or revoked, or of another service region than the API URL's)"
	if err == nil || err.Error() != want {
		t.Errorf("a wrong key: error %v\nwant %q", err, want)
	}
	if strings.Contains(fmt.Sprint(err), "pd-wrong-key-42") {
		t.Errorf("the error holds the key")
	}
}

func TestNewClientErrors(t *testing.T) {
	tests := []struct {
		url, token, want string
	}{
		{"ftp://api.pagerduty.com", testToken, `the PagerDuty API URL "ftp://api.pagerduty.com" is not an http(s) URL`},
		{"api.pagerduty.com", testToken, `the PagerDuty API URL "api.pagerduty.com" is not an http(s) URL`},
		{"https://me:secret@api.pagerduty.com", testToken, "the PagerDuty API URL https://api.pagerduty.com holds a user name or password; give the API's address alone, and the key in PAGERDUTY_TOKEN"},
		{"https://api.pagerduty.com/?region=eu", testToken, "the PagerDuty API URL https://api.pagerduty.com/?region=eu has a query or fragment; give the API's address alone"},
		{"", "", "no PagerDuty API key: set PAGERDUTY_TOKEN"},
		{"", "key\r\nX-Evil: 1", "the PagerDuty API key holds a space or a character a header cannot carry"},
	}
	for _, tt := range tests {
		if _, err := NewClient(tt.url, tt.token, Options{}); err == nil || err.Error() != tt.want {
			t.Errorf("%q: error %v, want %q", tt.url, err, tt.want)
		}
	}
	c, err := NewClient("", testToken, Options{})
	if err != nil || c.base.String() != DefaultAPIURL {
		t.Errorf("the default: %v, %v", c.base, err)
	}
	if c, err := NewClient("https://api.eu.pagerduty.com/", testToken, Options{}); err != nil || c.base.String() != "https://api.eu.pagerduty.com" {
		t.Errorf("the EU region: %v, %v", c.base, err)
	}
}

// redirect is a hostile fault: a redirect to location.
func redirect(path, location string) *fakepagerduty.Fault {
	h := http.Header{}
	h.Set("Location", location)
	return &fakepagerduty.Fault{Path: path, Status: http.StatusFound, Header: h, Hostile: true, Times: 1}
}
