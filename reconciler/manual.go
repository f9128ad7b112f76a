package reconciler

import (
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// Snapshot is everyone's decision at the end of one past day, from the
// person files as they were committed then.
type Snapshot struct {
	Day       model.Day
	Decisions []model.Decision // nil when no commit existed yet: the day is left out
}

// ManualHeld is what a manual target without a record is taken to hold,
// so that every change of the last days stays listed until the window has
// passed: nothing can read such a system, and a change listed on one day
// only is lost if no run succeeds that day. window holds the ends of the
// days of the window, today holds today's decisions.
//
// Days before the first commit of the person files are not part of the
// window: prodaccess was not in use, and on the day it starts everyone
// entitled is listed once, as nothing is known of the system.
//
// Someone entitled today is taken to hold the access only if they were
// entitled at the end of every day of the window (otherwise the grant is
// listed again); someone not entitled today is taken to hold it if they
// were entitled at the end of any day of the window (so the revocation is
// listed again, even if they were granted and revoked within the window).
func ManualHeld(t *config.Target, today []model.Decision, window []Snapshot) []outcome.Entry {
	now, _ := Desired(t, today, nil)
	type seen struct {
		days  int
		entry outcome.Entry
	}
	held := map[string]*seen{}
	days := 0
	for _, s := range window {
		if s.Decisions == nil {
			continue
		}
		days++
		want, _ := Desired(t, s.Decisions, nil)
		for key, dc := range want {
			h := held[key]
			if h == nil {
				h = &seen{}
				held[key] = h
			}
			h.days++
			h.entry = outcome.Entry{Subject: t.Identity(dc.Person), Label: dc.Person.Name}
		}
	}
	out := []outcome.Entry{}
	for key, h := range held {
		if now[key] == nil || h.days == days {
			out = append(out, h.entry)
		}
	}
	slices.SortFunc(out, func(a, b outcome.Entry) int { return strings.Compare(a.Subject, b.Subject) })
	return out
}
