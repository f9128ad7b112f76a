package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pageSize is how many on-calls a page asks for, PagerDuty's most.
const pageSize = 100

// maxOffset bounds PagerDuty's offset pagination: offset plus limit may
// not pass it.
const maxOffset = 10000

// User is a PagerDuty user.
type User struct {
	ID, Name, Email string
}

// Schedule is an on-call schedule.
type Schedule struct {
	ID, Name string
	TimeZone string // as PagerDuty gives it
	// EscalationPolicies are the ids of the policies that name the
	// schedule; PagerDuty lists on-calls of a schedule only through them.
	EscalationPolicies []string
}

// OnCall is a stretch of time for which a user was on call for an
// escalation policy at a level, through a schedule, from Start until End
// (in UTC). A permanent on-call is a user the policy names directly: it
// has no schedule, and zero Start and End.
type OnCall struct {
	User               User
	ScheduleID         string
	EscalationPolicyID string
	EscalationLevel    int
	Start, End         time.Time
}

// Permanent reports whether the on-call is a user a policy names
// directly, on call at all times.
func (o OnCall) Permanent() bool { return o.Start.IsZero() }

// Query asks for on-calls.
type Query struct {
	// ScheduleIDs are the schedules whose on-calls are read.
	ScheduleIDs []string
	// Since and Until bound the time: an on-call that overlaps them is
	// read whole.
	Since, Until time.Time
	// Permanent also reads the permanent on-calls of every policy.
	Permanent bool
}

// id is a PagerDuty id, as it may go into a path or a query; compiled
// when first used, not at the start of every command ({1,64} unrolls
// into 64 instructions).
var id = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })

// OnCalls reads the on-calls a query asks for: first each schedule's
// (which must exist and be named by an escalation policy), in order of
// time, then the permanent ones. Any failure is an error: there is no
// partial answer.
func (c *Client) OnCalls(ctx context.Context, q Query) ([]OnCall, error) {
	span := fmt.Sprintf("since %s until %s", when(q.Since), when(q.Until))
	switch {
	case q.Since.IsZero() || q.Until.IsZero():
		return nil, fmt.Errorf("list on-calls: since and until are both needed")
	case !q.Since.Before(q.Until):
		return nil, fmt.Errorf("list on-calls %s: until is not after since", span)
	case len(q.ScheduleIDs) == 0 && !q.Permanent:
		return nil, fmt.Errorf("list on-calls %s: no schedule asked for", span)
	}
	seen := map[string]bool{}
	for _, s := range q.ScheduleIDs {
		if !id().MatchString(s) {
			return nil, fmt.Errorf("list on-calls %s: %q is not a PagerDuty schedule id", span, s)
		}
		if seen[s] {
			return nil, fmt.Errorf("list on-calls %s: schedule %s is asked for twice", span, s)
		}
		seen[s] = true
	}
	var all []OnCall
	for _, s := range q.ScheduleIDs {
		list, err := c.scheduleOnCalls(ctx, s, q.Since, q.Until)
		if err != nil {
			return nil, c.clean(fmt.Errorf("list on-calls of schedule %s %s: %w", s, span, err))
		}
		all = append(all, list...)
	}
	if q.Permanent {
		list, err := c.pages(ctx, "null", q.Since, q.Until)
		if err != nil {
			return nil, c.clean(fmt.Errorf("list permanent on-calls %s: %w", span, err))
		}
		all = append(all, list...)
	}
	return all, nil
}

// when writes t as a day if it is midnight UTC, or else in full.
func when(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

func (c *Client) scheduleOnCalls(ctx context.Context, scheduleID string, since, until time.Time) ([]OnCall, error) {
	sc, err := c.schedule(ctx, scheduleID)
	if err != nil {
		return nil, err
	}
	if len(sc.EscalationPolicies) == 0 {
		return nil, fmt.Errorf("schedule %s (%s) is on no escalation policy, and PagerDuty lists on-calls only through policies", sc.ID, sc.Name)
	}
	return c.pages(ctx, scheduleID, since, until)
}

// rawOnCall is an on-call as PagerDuty gives it.
type rawOnCall struct {
	User *struct {
		ID, Type, Name, Summary, Email string
	}
	Schedule *struct {
		ID string
	}
	EscalationPolicy *struct {
		ID string
	} `json:"escalation_policy"`
	EscalationLevel *int    `json:"escalation_level"`
	Start           *string `json:"start"`
	End             *string `json:"end"`
}

// pages reads every page of the on-calls of a schedule ("null": the
// permanent ones), checking each page against the request and each
// on-call.
func (c *Client) pages(ctx context.Context, scheduleID string, since, until time.Time) ([]OnCall, error) {
	var all []OnCall
	for offset := 0; ; {
		if offset+pageSize > maxOffset {
			return nil, fmt.Errorf("more than %d on-calls, the most PagerDuty pages through: ask for less time", offset)
		}
		query := url.Values{
			"schedule_ids[]": {scheduleID},
			"since":          {since.UTC().Format(time.RFC3339)},
			"until":          {until.UTC().Format(time.RFC3339)},
			"time_zone":      {"UTC"},
			"include[]":      {"users"},
			"limit":          {strconv.Itoa(pageSize)},
			"offset":         {strconv.Itoa(offset)},
		}
		var page struct {
			OnCalls *[]rawOnCall `json:"oncalls"`
			Limit   *int         `json:"limit"`
			Offset  *int         `json:"offset"`
			More    *bool        `json:"more"`
		}
		if err := c.get(ctx, "/oncalls", query, &page); err != nil {
			return nil, err
		}
		at := fmt.Sprintf("the page at offset %d", offset)
		switch {
		case page.OnCalls == nil:
			return nil, fmt.Errorf("%s has no list of on-calls", at)
		case page.More == nil || page.Offset == nil || page.Limit == nil:
			return nil, fmt.Errorf("%s does not say limit, offset and more", at)
		case *page.Offset != offset:
			return nil, fmt.Errorf("%s says it is at offset %d", at, *page.Offset)
		case len(*page.OnCalls) > max(*page.Limit, 0) || len(*page.OnCalls) > pageSize:
			return nil, fmt.Errorf("%s holds %d on-calls, more than its limit of %d", at, len(*page.OnCalls), *page.Limit)
		case *page.More && len(*page.OnCalls) == 0:
			return nil, fmt.Errorf("%s holds no on-calls yet says there are more", at)
		}
		for i, raw := range *page.OnCalls {
			oc, err := raw.check(scheduleID, since, until)
			if err != nil {
				return nil, fmt.Errorf("%s: on-call %d: %w", at, i, err)
			}
			all = append(all, oc)
		}
		if !*page.More {
			return all, nil
		}
		offset += len(*page.OnCalls)
	}
}

// check turns an on-call PagerDuty gave for scheduleID ("null": the
// permanent ones) between since and until into an OnCall, or says what
// is wrong with it.
func (r rawOnCall) check(scheduleID string, since, until time.Time) (OnCall, error) {
	var oc OnCall
	switch {
	case r.User == nil || !id().MatchString(r.User.ID):
		return oc, errors.New("its user has no id, or not an id PagerDuty gives")
	case r.User.Email == "" || !strings.Contains(r.User.Email, "@"):
		return oc, fmt.Errorf("user %s has no email (users were asked to be included)", r.User.ID)
	case r.EscalationPolicy == nil || !id().MatchString(r.EscalationPolicy.ID):
		return oc, fmt.Errorf("user %s: its escalation policy has no id", r.User.ID)
	case r.EscalationLevel == nil || *r.EscalationLevel < 1:
		return oc, fmt.Errorf("user %s: it has no escalation level", r.User.ID)
	}
	name := r.User.Name
	if name == "" {
		name = r.User.Summary
	}
	oc = OnCall{
		User:               User{ID: r.User.ID, Name: name, Email: r.User.Email},
		EscalationPolicyID: r.EscalationPolicy.ID,
		EscalationLevel:    *r.EscalationLevel,
	}
	if scheduleID == "null" {
		if r.Schedule != nil || r.Start != nil || r.End != nil {
			return OnCall{}, fmt.Errorf("user %s: an on-call with a schedule or times, among the permanent ones", r.User.ID)
		}
		return oc, nil
	}
	switch {
	case r.Schedule == nil:
		return OnCall{}, fmt.Errorf("user %s: it has no schedule", r.User.ID)
	case r.Schedule.ID != scheduleID:
		return OnCall{}, fmt.Errorf("user %s: it is of schedule %q, not the one asked for", r.User.ID, r.Schedule.ID)
	case r.Start == nil || r.End == nil:
		return OnCall{}, fmt.Errorf("user %s: it has no start or no end", r.User.ID)
	}
	oc.ScheduleID = r.Schedule.ID
	var err error
	if oc.Start, err = time.Parse(time.RFC3339, *r.Start); err != nil {
		return OnCall{}, fmt.Errorf("user %s: start %q is not a date and time", r.User.ID, *r.Start)
	}
	if oc.End, err = time.Parse(time.RFC3339, *r.End); err != nil {
		return OnCall{}, fmt.Errorf("user %s: end %q is not a date and time", r.User.ID, *r.End)
	}
	oc.Start, oc.End = oc.Start.UTC(), oc.End.UTC()
	switch {
	case !oc.Start.Before(oc.End):
		return OnCall{}, fmt.Errorf("user %s: it ends (%s) before it starts (%s)", r.User.ID, *r.End, *r.Start)
	case !oc.End.After(since) || !oc.Start.Before(until):
		return OnCall{}, fmt.Errorf("user %s: from %s to %s is outside the time asked", r.User.ID, *r.Start, *r.End)
	}
	return oc, nil
}

// schedule reads a schedule once; the client keeps it.
func (c *Client) schedule(ctx context.Context, scheduleID string) (Schedule, error) {
	c.mu.Lock()
	sc, ok := c.schedules[scheduleID]
	c.mu.Unlock()
	if ok {
		return sc, nil
	}
	var answer struct {
		Schedule *struct {
			ID, Name, Summary  string
			TimeZone           string `json:"time_zone"`
			EscalationPolicies []struct {
				ID string
			} `json:"escalation_policies"`
		}
	}
	if err := c.get(ctx, "/schedules/"+url.PathEscape(scheduleID), nil, &answer); err != nil {
		return Schedule{}, err
	}
	s := answer.Schedule
	switch {
	case s == nil:
		return Schedule{}, errors.New("PagerDuty's answer holds no schedule")
	case s.ID != scheduleID:
		return Schedule{}, fmt.Errorf("PagerDuty answered with schedule %q", s.ID)
	case s.TimeZone == "":
		return Schedule{}, errors.New("the schedule has no time zone")
	}
	sc = Schedule{ID: s.ID, Name: s.Name, TimeZone: s.TimeZone}
	if sc.Name == "" {
		sc.Name = s.Summary
	}
	for _, p := range s.EscalationPolicies {
		if !id().MatchString(p.ID) {
			return Schedule{}, errors.New("an escalation policy of the schedule has no id")
		}
		sc.EscalationPolicies = append(sc.EscalationPolicies, p.ID)
	}
	c.mu.Lock()
	c.schedules[scheduleID] = sc
	c.mu.Unlock()
	return sc, nil
}

// Schedule reads a schedule: that it exists, its name and time zone, and
// the policies that name it.
func (c *Client) Schedule(ctx context.Context, scheduleID string) (Schedule, error) {
	if !id().MatchString(scheduleID) {
		return Schedule{}, fmt.Errorf("get schedule: %q is not a PagerDuty schedule id", scheduleID)
	}
	sc, err := c.schedule(ctx, scheduleID)
	if err != nil {
		return Schedule{}, c.clean(fmt.Errorf("get schedule %s: %w", scheduleID, err))
	}
	return sc, nil
}

// User reads a user: its name and email.
func (c *Client) User(ctx context.Context, userID string) (User, error) {
	if !id().MatchString(userID) {
		return User{}, fmt.Errorf("get user: %q is not a PagerDuty user id", userID)
	}
	var answer struct {
		User *struct{ ID, Name, Email string }
	}
	err := c.get(ctx, "/users/"+url.PathEscape(userID), nil, &answer)
	switch {
	case err != nil:
	case answer.User == nil:
		err = errors.New("PagerDuty's answer holds no user")
	case answer.User.ID != userID:
		err = fmt.Errorf("PagerDuty answered with user %q", answer.User.ID)
	case !strings.Contains(answer.User.Email, "@"):
		err = errors.New("the user has no email")
	}
	if err != nil {
		return User{}, c.clean(fmt.Errorf("get user %s: %w", userID, err))
	}
	return User{ID: answer.User.ID, Name: answer.User.Name, Email: answer.User.Email}, nil
}
