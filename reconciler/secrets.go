package reconciler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/secrets"
)

// Holders are who should be able to read a GPG target's secrets: the
// entries the plan leaves in the target's file, that is everyone Desired
// puts there and the keep entries.
func Holders(t *config.Target, decisions []model.Decision, keys map[string]model.KeyCheck) []model.Holder {
	want, _ := Desired(t, decisions, keys)
	var out []model.Holder
	for fp, dc := range want {
		out = append(out, model.Holder{Name: dc.Person.ID, Fingerprint: fp})
	}
	for _, fp := range t.Keep {
		if want[t.SubjectKey(fp)] == nil {
			out = append(out, model.Holder{Name: "keep " + t.SubjectKey(fp), Fingerprint: t.SubjectKey(fp)})
		}
	}
	return out
}

// Secrets compares who can read a target's secrets, as scanned, with who
// should (Holders). It is a pure function of its input.
func Secrets(t *config.Target, scan *model.SecretScan, decisions []model.Decision, keys map[string]model.KeyCheck, ring *secrets.KeyRing) *model.SecretsReport {
	if ring == nil {
		ring = secrets.NewKeyRing(nil)
	}
	rep := secrets.CheckSecrets(t.Name, scan.Secrets, Holders(t, decisions, keys), ring)
	rep.Warnings = append(append([]string{}, scan.Warnings...), rep.Warnings...)
	return rep
}

// SecretReaderDays is how long after losing access a person who can still
// read secrets is flagged in an access review.
const SecretReaderDays = 7

// FlagSecretReaders adds to an access review everyone who has had no
// access for more than SecretReaderDays on its day (or never had it) and
// can still read secrets of the targets in reports: a revocation that is
// not finished until those secrets are re-encrypted and rotated.
func FlagSecretReaders(rv *model.Review, r *model.Roster, reports []*model.SecretsReport) {
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
		rv.Rows = append(rv.Rows, model.ReviewRow{ID: p.ID, Name: p.Name, Level: model.None, Basis: dc.ReasonStrings(), Since: since, Flags: []string{
			fmt.Sprintf("%s and can still read secrets (%s): re-encrypt them with prodaccess secrets reencrypt, then rotate them", when, strings.Join(where, ", ")),
		}})
	}
}
