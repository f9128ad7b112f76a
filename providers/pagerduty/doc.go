// Package pagerduty reads the on-call rota from PagerDuty's REST API (v2):
// who was on call through which schedule, from when to when
// (GET /oncalls), and the schedules and users the rota names
// (GET /schedules/{id}, GET /users/{id}). It owns the client: the token,
// the base URL (PagerDuty's EU service region has its own host), paging,
// rate limits, retries and timeouts, and the checking of every answer. It
// does not decide what the rota proves: turning on-calls into shifts is
// for the callers.
//
// Everything PagerDuty answers is treated as untrusted input. A read that
// fails, or that is only partly read, is an error, never an empty rota:
// every page of on-calls must agree with the request that asked for it,
// and every on-call must have its ids, and times that parse, end after
// they start and fall in the range asked. A schedule is checked to exist
// and to be named by an escalation policy before its on-calls are read,
// for PagerDuty lists no on-calls of a schedule no policy names. The token
// goes only into the Authorization header, to the base URL's host; a
// redirect fails the request, and no error carries the token.
package pagerduty
