// Package fakepagerduty is a stateful stand-in for the parts of
// PagerDuty's REST API that prodaccess reads, the on-call rota, for tests
// and the demo: GET /oncalls, GET /schedules/{id} and GET /users/{id}.
// It serves under a path prefix so that any hard-coded URL fails, counts
// the requests to each path, and can inject faults: a status for a number
// of requests, a rate limit with PagerDuty's headers, an answer held back
// until a gate opens.
//
// Facts it follows (PagerDuty's description and documentation):
//
//   - The rota is a set of escalation policies, each a list of levels,
//     each level naming schedules and users. /oncalls lists, for each
//     policy and level, who is on call through each schedule it names, and
//     each user it names directly: such a user is always on call, with a
//     null start and end and no schedule. A schedule that no policy names
//     has no on-calls at all.
//   - A schedule's on-call entries are its final schedule: who is on call
//     from when to when, overrides included. Back-to-back entries of one
//     user are one on-call ("a contiguous unit of time").
//   - since and until default to now; an on-call is listed if it overlaps
//     them. Times are rendered in time_zone (the account's, UTC here, if
//     it is not given).
//   - Lists are paged by offset: limit (25 if not given, at most 100),
//     offset, more, and total only when asked (total=true); offset plus
//     limit may not pass 10,000.
//   - Every answer carries ratelimit-limit, ratelimit-remaining and
//     ratelimit-reset (seconds until the limit resets); a rate-limited
//     request gets 429.
//   - Without "Authorization: Token token=KEY" for a key it knows, the
//     answer is 401. A schedule or a user that does not exist is 404.
//
// Where PagerDuty's documentation is silent, the stand-in gives the answer
// that is hardest on a client: an id in the schedule_ids[] of /oncalls
// that no schedule has is a filter that matches nothing, so that a client
// must check that its schedules exist.
//
// Every exchange of a stand-in made with New is checked against PagerDuty's
// REST description (see check.go and docs/testing.md).
package fakepagerduty
