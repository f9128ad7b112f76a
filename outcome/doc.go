// Package outcome is what prodaccess finds and does, as data: what the
// targets hold, plans and their changes, apply's results and records,
// secrets reports, adoption, what a change to the files does to access,
// timelines, access reviews and removal reports. The reconciler and the
// providers make them, render writes them for people, and JSON is their
// form for programs (a saved plan is one, with its digest).
//
// It holds no rule and does no work: it imports model and nothing else
// of prodaccess.
package outcome
