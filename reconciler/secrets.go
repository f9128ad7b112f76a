package reconciler

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/secrets"
)

// Holders are who should be able to read a GPG target's secrets: the
// entries the plan leaves in the target's file, that is everyone Desired
// puts there and the keep entries.
func Holders(t *config.Target, decisions []model.Decision, keys map[string]model.KeyCheck) []outcome.Holder {
	want, _ := Desired(t, decisions, keys)
	var out []outcome.Holder
	for fp, dc := range want {
		out = append(out, outcome.Holder{Name: dc.Person.ID, Fingerprint: fp})
	}
	for _, fp := range t.Keep {
		if want[t.SubjectKey(fp)] == nil {
			out = append(out, outcome.Holder{Name: "keep " + t.SubjectKey(fp), Fingerprint: t.SubjectKey(fp)})
		}
	}
	return out
}

// Secrets compares who can read a target's secrets, as scanned, with who
// should: for each store (the target's own and each sub-store), the
// holders StoreHolders gives. It is a pure function of its input.
func Secrets(cfg *config.Config, t *config.Target, st outcome.TargetState, decisions []model.Decision, keys map[string]model.KeyCheck, ring *secrets.KeyRing) *outcome.SecretsReport {
	if ring == nil {
		ring = secrets.NewKeyRing(nil, time.Time{})
	}
	scan := st.Secrets
	rep := secrets.CheckSecrets(t.Name, scan.Secrets, StoreHolders(cfg, t, st.SubStores, decisions, keys), ring, scan.Ledger)
	rep.Warnings = append(append(append([]string{}, scan.Warnings...), scan.Problems...), rep.Warnings...)
	return rep
}

// StoreHolders is who should read the secrets of each store of a target:
// its own holders under "", and for a gpg-id target each sub-store's, by
// folder. A sub-store's holders are always among the target's: those its
// configuration lists (its people, or the people of another target), or,
// when it keeps its own list, those its .gpg-id lists now. Keep entries
// stay where they are listed, and are added nowhere.
func StoreHolders(cfg *config.Config, t *config.Target, subs []outcome.SubStore, decisions []model.Decision, keys map[string]model.KeyCheck) map[string][]outcome.Holder {
	own := Holders(t, decisions, keys)
	out := map[string][]outcome.Holder{"": own}
	for _, sub := range subs {
		out[sub.Path] = subStoreHolders(cfg, t, sub, own, decisions, keys)
	}
	return out
}

func subStoreHolders(cfg *config.Config, t *config.Target, sub outcome.SubStore, own []outcome.Holder, decisions []model.Decision, keys map[string]model.KeyCheck) []outcome.Holder {
	listed := map[string]bool{}
	for _, e := range sub.Entries {
		listed[t.SubjectKey(e.Subject)] = true
	}
	var people map[string]bool // nil: keep its own list
	if conf := t.SubStore(sub.Path); conf != nil {
		switch {
		case conf.People != nil:
			people = map[string]bool{}
			for _, id := range conf.People {
				people[id] = true
			}
		case conf.PeopleOf != "":
			people = map[string]bool{}
			if other := cfg.Target(conf.PeopleOf); other != nil {
				want, _ := Desired(other, decisions, keys)
				for _, dc := range want {
					people[dc.Person.ID] = true
				}
			}
		}
	}
	var out []outcome.Holder
	for _, h := range own {
		kept := strings.HasPrefix(h.Name, "keep ")
		switch {
		case kept || people == nil:
			if listed[h.Fingerprint] {
				out = append(out, h)
			}
		case people[h.Name]:
			out = append(out, h)
		}
	}
	return out
}

// planSecrets adds to a target's plan what its secrets and sub-stores
// call for: the comparison of who can read its secrets with who should,
// the changes to each sub-store's .gpg-id (in the same pull request as the
// target's own), and an error for each secret that cannot be read, so
// that the run says something went wrong while every other change goes
// ahead.
func planSecrets(in Input, t *config.Target, st outcome.TargetState, tp *outcome.TargetPlan, plan *outcome.Plan) {
	if st.Secrets == nil {
		return
	}
	tp.Secrets = Secrets(in.Config, t, st, in.Decisions, in.Keys, in.Ring)
	for _, c := range tp.Secrets.Secrets {
		if c.Problem != "" {
			plan.Errors = append(plan.Errors, fmt.Sprintf("%s: the secret %s cannot be read (%s): it is counted as unreadable, and every other secret and target goes on", t.Name, c.Name(), c.Problem))
		}
	}
	holders := StoreHolders(in.Config, t, st.SubStores, in.Decisions, in.Keys)
	owners := map[string]*model.Decision{}
	for j := range in.Decisions {
		if id := t.Identity(in.Decisions[j].Person); id != "" {
			owners[t.SubjectKey(id)] = &in.Decisions[j]
		}
	}
	for _, sub := range st.SubStores {
		want := map[string]outcome.Holder{}
		for _, h := range holders[sub.Path] {
			want[h.Fingerprint] = h
		}
		conf := t.SubStore(sub.Path)
		file := sub.Path + "/.gpg-id"
		if conf == nil {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s: the sub-store %s is not listed under sub_stores: it keeps its own list, from which only people not entitled to the target are removed, and no one is added; say who may be there under sub_stores (keep_own_list: true to keep this)", t.Name, file))
		}
		var changes []outcome.Change
		present := map[string]bool{}
		left := 0
		for _, e := range sub.Entries {
			key := t.SubjectKey(e.Subject)
			present[key] = true
			if t.Kept(e.Subject) || want[key].Fingerprint != "" {
				left++
				continue
			}
			why := removalReason(t, owners[key], in.Keys)
			if dc := owners[key]; dc != nil && want[key].Fingerprint == "" && isEntitled(holders[""], key) {
				why = fmt.Sprintf("%s is not among the people of the sub-store %s (sub_stores in %s)", dc.Person.ID, sub.Path, in.Config.File)
			}
			c := outcome.Change{Target: t.Name, Store: sub.Path, Action: outcome.Remove, Subject: e.Subject, Name: e.Label, Reason: why}
			if dc := owners[key]; dc != nil {
				fillPerson(&c, dc)
			}
			changes = append(changes, c)
		}
		for key := range want {
			if present[key] {
				continue
			}
			dc := owners[key]
			if dc == nil {
				continue
			}
			c := outcome.Change{Target: t.Name, Store: sub.Path, Action: outcome.Add, Subject: t.Identity(dc.Person),
				Reason: fmt.Sprintf("one of the people of the sub-store %s (sub_stores in %s); %s", sub.Path, in.Config.File, strings.Join(dc.ReasonStrings(), "; "))}
			fillPerson(&c, dc)
			changes = append(changes, c)
			left++
		}
		if left == 0 && len(changes) > 0 {
			plan.Errors = append(plan.Errors, fmt.Sprintf("%s: the sub-store %s would be left with no one, which pass cannot encrypt to, so it is not changed; say who may be there under sub_stores, or remove the sub-store", t.Name, file))
			continue
		}
		tp.Changes = append(tp.Changes, changes...)
	}
}

func isEntitled(hs []outcome.Holder, fp string) bool {
	return slices.ContainsFunc(hs, func(h outcome.Holder) bool { return h.Fingerprint == fp })
}

// RotateWithinDays is how long after losing access a person's readable
// values may wait for rotation before an access review flags them, when
// the configuration does not say.
const RotateWithinDays = config.DefaultRotateWithinDays

// FlagRotation adds to an access review every value in the targets'
// rotation ledgers that is not recorded as rotated more than within days
// after it became due: a flag on the row of each person who could read
// it (a row is added for one who has none), and a row for each reader
// that is not a person (a key no known public key has, hidden
// recipients, a passphrase).
func FlagRotation(rv *outcome.Review, r *model.Roster, reports []*outcome.SecretsReport, within int) {
	type late struct {
		target string
		n      int
		due    model.Day
	}
	byReader := map[string][]*late{}
	var readers []string
	for _, rep := range reports {
		for _, e := range rep.Rotation {
			if rv.At-e.Due <= model.Day(within) {
				continue
			}
			for _, who := range e.Readers {
				if i := strings.Index(who, "'s "); i > 0 && r.Person(who[:i]) != nil {
					who = who[:i]
				}
				ls := byReader[who]
				if len(ls) == 0 || ls[len(ls)-1].target != rep.Target {
					if len(ls) == 0 {
						readers = append(readers, who)
					}
					ls = append(ls, &late{target: rep.Target, due: e.Due})
					byReader[who] = ls
				}
				l := ls[len(ls)-1]
				l.n++
				l.due = min(l.due, e.Due)
			}
		}
	}
	slices.Sort(readers)
	for _, who := range readers {
		var parts []string
		for _, l := range byReader[who] {
			parts = append(parts, fmt.Sprintf("%d in %s, due since %s", l.n, l.target, l.due))
		}
		flag := fmt.Sprintf("could read values not yet rotated more than %d days after they became due (%s): change each value where it is used, then record it with prodaccess secrets rotation --record", within, strings.Join(parts, "; "))
		if i := slices.IndexFunc(rv.Rows, func(row outcome.ReviewRow) bool { return row.ID == who }); i >= 0 {
			rv.Rows[i].Flags = append(rv.Rows[i].Flags, flag)
			continue
		}
		row := outcome.ReviewRow{ID: who, Name: "not a person", Level: model.None, Basis: []string{}, Flags: []string{flag}}
		if p := r.Person(who); p != nil {
			dc := r.Decide(p, rv.At)
			row.Name, row.Level, row.Basis, row.Since = p.Name, dc.Level, dc.ReasonStrings(), r.Since(p, rv.At)
		}
		rv.Rows = append(rv.Rows, row)
	}
}

// SecretReaderDays is how long after losing access a person who can still
// read secrets is flagged in an access review.
const SecretReaderDays = 7

// FlagSecretReaders adds to an access review everyone who has had no
// access for more than SecretReaderDays on its day (or never had it) and
// can still read secrets of the targets in reports: a revocation that is
// not finished until those secrets are re-encrypted and rotated.
func FlagSecretReaders(rv *outcome.Review, r *model.Roster, reports []*outcome.SecretsReport) {
	d := rv.At
	for _, dc := range r.Evaluate(d) {
		p := dc.Person
		if dc.Level != model.None {
			continue
		}
		since := r.Since(p, d)
		if since != nil && d-*since <= SecretReaderDays {
			continue
		}
		var where []string
		for _, rep := range reports {
			n := 0
			for _, c := range rep.Secrets {
				if slices.Contains(c.Stale, p.ID) {
					n++
				}
			}
			if n > 0 {
				where = append(where, fmt.Sprintf("%d in %s", n, rep.Target))
			}
		}
		if len(where) == 0 {
			continue
		}
		when := "has never had access"
		if since != nil {
			when = fmt.Sprintf("has had no access since %s", since)
		}
		rv.Rows = append(rv.Rows, outcome.ReviewRow{ID: p.ID, Name: p.Name, Level: model.None, Basis: dc.ReasonStrings(), Since: since, Flags: []string{
			fmt.Sprintf("%s and can still read secrets (%s): re-encrypt them with prodaccess secrets reencrypt, then rotate them", when, strings.Join(where, ", ")),
		}})
	}
}
