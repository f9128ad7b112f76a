// Package render writes everything prodaccess shows people: plans and
// their results, who and explain (as text and as the JSON of the
// contract), changes, upcoming changes and the issue that warns of them,
// audits and access reviews, the status of secrets, the bodies and titles
// of pull requests and the messages of the commits prodaccess makes, and
// the HTML access report: a timeline picture of who had production access
// when, with the access review and each person's changes.
//
// It holds no rules and reads nothing: everything it shows comes to it as
// data (model's decisions, outcome's plans, timelines and reports,
// evidence's certifications, config's targets), and text read from files
// is escaped for where it goes (markdown.go). It may import model,
// outcome, evidence and config; it must not import a provider, reconciler, peoplerepo,
// secrets, requests or cmd.
package render
