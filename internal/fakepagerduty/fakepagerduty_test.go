package fakepagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testToken = "pd-test-key"

// day is midnight UTC of a day of November 2026.
func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// rota is a stand-in with the rota the tests read: one escalation
// policy, whose first level is the primary schedule (a week each, alice
// then bob, with carol's override on the Wednesday of bob's week) and
// whose second is the secondary schedule (dave, day by day) and erin,
// named directly; and a schedule no policy names.
func rota(t *testing.T) *Server {
	t.Helper()
	pd := New(t)
	pd.Token = testToken
	pd.SetNow(func() time.Time { return day(20).Add(12 * time.Hour) })
	pd.AddUser("PALICE1", "Alice Example", "alice@example.gov.uk")
	pd.AddUser("PBOB001", "Bob Example", "bob@example.gov.uk")
	pd.AddUser("PCAROL1", "Carol Example", "carol@example.gov.uk")
	pd.AddUser("PDAVE01", "Dave Example", "dave@example.gov.uk")
	pd.AddUser("PERIN01", "Erin Example", "erin@example.gov.uk")
	pd.AddSchedule("PPRIMRY", "2nd line primary", "Europe/London")
	pd.AddSchedule("PSECOND", "2nd line secondary", "")
	pd.AddSchedule("PORPHAN", "Nobody's schedule", "")
	pd.AddEntry("PPRIMRY", "PALICE1", day(2), day(9))
	pd.AddEntry("PPRIMRY", "PBOB001", day(9), day(16))
	pd.Override("PPRIMRY", "PCAROL1", day(11), day(12))
	for d := 2; d < 6; d++ {
		pd.AddEntry("PSECOND", "PDAVE01", day(d), day(d+1))
	}
	pd.AddEntry("PORPHAN", "PALICE1", day(2), day(3))
	pd.AddPolicy("PEP0001", "2nd line", []string{"PPRIMRY"}, []string{"PSECOND", "PERIN01"})
	return pd
}

// get asks the stand-in as a PagerDuty client does, and returns the
// status and the decoded body.
func get(t *testing.T, pd *Server, path string, query url.Values) (int, map[string]any) {
	t.Helper()
	status, _, body := getRaw(t, pd, path, query, testToken)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
	return status, v
}

func getRaw(t *testing.T, pd *Server, path string, query url.Values, token string) (int, http.Header, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", pd.URL()+path+"?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token token="+token)
	req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// oncall is an on-call as a test compares it.
type oncall struct {
	Policy     string
	Level      int
	Schedule   string
	User       string
	Start, End string
}

func oncallsOf(t *testing.T, v map[string]any) []oncall {
	t.Helper()
	var page struct {
		Oncalls []struct {
			EscalationPolicy struct{ ID string } `json:"escalation_policy"`
			EscalationLevel  int                 `json:"escalation_level"`
			Schedule         *struct{ ID string }
			User             struct{ ID string }
			Start, End       *string
		}
	}
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	var out []oncall
	for _, o := range page.Oncalls {
		oc := oncall{Policy: o.EscalationPolicy.ID, Level: o.EscalationLevel, User: o.User.ID}
		if o.Schedule != nil {
			oc.Schedule = o.Schedule.ID
		}
		if o.Start != nil {
			oc.Start, oc.End = *o.Start, *o.End
		}
		out = append(out, oc)
	}
	return out
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// TestOnCalls: what /oncalls lists for each filter, range and time zone.
func TestOnCalls(t *testing.T) {
	pd := rota(t)
	primary := func(user, start, end string) oncall {
		return oncall{"PEP0001", 1, "PPRIMRY", user, start, end}
	}
	secondary := func(user, start, end string) oncall {
		return oncall{"PEP0001", 2, "PSECOND", user, start, end}
	}
	erin := oncall{Policy: "PEP0001", Level: 2, User: "PERIN01"}
	tests := []struct {
		name  string
		query url.Values
		want  []oncall
	}{
		{
			name:  "a schedule over a month: the override cuts bob's week in three",
			query: q("schedule_ids[]", "PPRIMRY", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z", "time_zone", "UTC"),
			want: []oncall{
				primary("PALICE1", "2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"),
				primary("PBOB001", "2026-11-09T00:00:00Z", "2026-11-11T00:00:00Z"),
				primary("PCAROL1", "2026-11-11T00:00:00Z", "2026-11-12T00:00:00Z"),
				primary("PBOB001", "2026-11-12T00:00:00Z", "2026-11-16T00:00:00Z"),
			},
		},
		{
			name:  "back-to-back days of one user are one on-call; erin is on call always, without a schedule",
			query: q("since", "2026-11-01T00:00:00Z", "until", "2026-11-03T00:00:00Z", "time_zone", "UTC", "escalation_policy_ids[]", "PEP0001"),
			want: []oncall{
				primary("PALICE1", "2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"),
				secondary("PDAVE01", "2026-11-02T00:00:00Z", "2026-11-06T00:00:00Z"),
				erin,
			},
		},
		{
			name:  "permanent on-calls with schedule_ids[] only when null is among them",
			query: q("schedule_ids[]", "PSECOND", "schedule_ids[]", "null", "since", "2026-11-01T00:00:00Z", "until", "2026-11-03T00:00:00Z", "time_zone", "UTC"),
			want:  []oncall{secondary("PDAVE01", "2026-11-02T00:00:00Z", "2026-11-06T00:00:00Z"), erin},
		},
		{
			name:  "an on-call that ends when the range starts is not listed; one that starts then is",
			query: q("schedule_ids[]", "PPRIMRY", "since", "2026-11-09T00:00:00Z", "until", "2026-11-09T00:00:00Z", "time_zone", "UTC"),
			want:  []oncall{primary("PBOB001", "2026-11-09T00:00:00Z", "2026-11-11T00:00:00Z")},
		},
		{
			name:  "one that starts when the range ends is not listed",
			query: q("schedule_ids[]", "PPRIMRY", "since", "2026-11-01T00:00:00Z", "until", "2026-11-02T00:00:00Z", "time_zone", "UTC"),
			want:  nil,
		},
		{
			name:  "since and until default to now (the 20th): nobody",
			query: q("schedule_ids[]", "PPRIMRY"),
			want:  nil,
		},
		{
			name:  "rendered in the time zone asked",
			query: q("schedule_ids[]", "PPRIMRY", "since", "2026-11-10T00:00:00Z", "until", "2026-11-10T01:00:00Z", "time_zone", "America/New_York"),
			want:  []oncall{primary("PBOB001", "2026-11-08T19:00:00-05:00", "2026-11-10T19:00:00-05:00")},
		},
		{
			name:  "a user",
			query: q("user_ids[]", "PCAROL1", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z"),
			want:  []oncall{primary("PCAROL1", "2026-11-11T00:00:00Z", "2026-11-12T00:00:00Z")},
		},
		{
			name:  "earliest: bob's first on-call only",
			query: q("user_ids[]", "PBOB001", "earliest", "true", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z"),
			want:  []oncall{primary("PBOB001", "2026-11-09T00:00:00Z", "2026-11-11T00:00:00Z")},
		},
		{
			name:  "a schedule on no escalation policy has no on-calls",
			query: q("schedule_ids[]", "PORPHAN", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z"),
			want:  nil,
		},
		{
			name:  "a schedule that does not exist matches nothing",
			query: q("schedule_ids[]", "PNOSUCH", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z"),
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, v := get(t, pd, "/oncalls", tt.query)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, v)
			}
			if diff := cmp.Diff(tt.want, oncallsOf(t, v)); diff != "" {
				t.Errorf("on-calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPages: the on-calls come in pages of limit from offset, with more
// while there are others, and total only when asked.
func TestPages(t *testing.T) {
	pd := New(t)
	pd.AddUser("PALICE1", "Alice", "alice@example.gov.uk")
	pd.AddUser("PBOB001", "Bob", "bob@example.gov.uk")
	pd.AddSchedule("PDAILY1", "Daily", "")
	for d := range 30 {
		pd.AddEntry("PDAILY1", []string{"PALICE1", "PBOB001"}[d%2], day(1).AddDate(0, 0, d), day(1).AddDate(0, 0, d+1))
	}
	pd.AddPolicy("PEP0001", "Daily", []string{"PDAILY1"})
	var got []oncall
	type pageInfo struct {
		Limit, Offset int
		More          bool
		Total         *int
	}
	var pages []pageInfo
	for offset := 0; ; {
		query := q("schedule_ids[]", "PDAILY1", "since", "2026-11-01T00:00:00Z", "until", "2026-12-01T00:00:00Z", "limit", "7", "offset", strconv.Itoa(offset), "total", "true")
		status, v := get(t, pd, "/oncalls", query)
		if status != http.StatusOK {
			t.Fatalf("status %d: %v", status, v)
		}
		page := oncallsOf(t, v)
		got = append(got, page...)
		var info pageInfo
		b, _ := json.Marshal(v)
		json.Unmarshal(b, &info)
		pages = append(pages, info)
		if !info.More {
			break
		}
		offset += len(page)
	}
	if len(got) != 30 || got[0].User != "PALICE1" || got[29].User != "PBOB001" || got[29].Start != "2026-11-30T00:00:00Z" {
		t.Errorf("%d on-calls: %v", len(got), got)
	}
	thirty := 30
	want := []pageInfo{{7, 0, true, &thirty}, {7, 7, true, &thirty}, {7, 14, true, &thirty}, {7, 21, true, &thirty}, {7, 28, false, &thirty}}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	// Without total=true, total is null; the limit is at most 100, 25 if
	// not given.
	for _, tt := range []struct {
		limit string
		want  float64
	}{{"", 25}, {"500", 100}} {
		query := q("schedule_ids[]", "PDAILY1")
		if tt.limit != "" {
			query.Set("limit", tt.limit)
		}
		_, v := get(t, pd, "/oncalls", query)
		if v["total"] != nil || v["limit"] != tt.want {
			t.Errorf("limit %q: total %v, limit %v", tt.limit, v["total"], v["limit"])
		}
	}
}

// TestEntriesDoNotOverlap: a final schedule has one user at a time; what
// a test sets up wrongly stops it, saying why.
func TestEntriesDoNotOverlap(t *testing.T) {
	var got []string
	s := newServer(func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) })
	s.AddUser("PALICE1", "Alice", "alice@example.gov.uk")
	s.AddSchedule("PPRIMRY", "Primary", "")
	s.AddEntry("PPRIMRY", "PALICE1", day(2), day(9))
	s.AddEntry("PPRIMRY", "PALICE1", day(8), day(10))
	s.AddEntry("PPRIMRY", "PNOBODY", day(10), day(11))
	s.AddEntry("PPRIMRY", "PALICE1", day(12), day(11))
	s.AddSchedule("PBAD", "Bad", "Mars/Olympus_Mons")
	s.AddPolicy("PEP0001", "Policy", []string{"PPRIMRY"}, []string{"PNOSUCH"})
	want := []string{
		"fakepagerduty: schedule PPRIMRY: an entry of PALICE1 from 2026-11-08 00:00:00 +0000 UTC to 2026-11-10 00:00:00 +0000 UTC overlaps PALICE1's from 2026-11-02 00:00:00 +0000 UTC to 2026-11-09 00:00:00 +0000 UTC; use Override",
		"fakepagerduty: no user PNOBODY",
		"fakepagerduty: schedule PPRIMRY: an entry of PALICE1 ends (2026-11-11 00:00:00 +0000 UTC) before it starts (2026-11-12 00:00:00 +0000 UTC)",
		"fakepagerduty: schedule PBAD: time zone \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons",
		"fakepagerduty: escalation policy PEP0001, level 2: no schedule or user PNOSUCH",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
