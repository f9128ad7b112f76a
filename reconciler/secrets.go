package reconciler

import (
	"github.com/prodaccess/prodaccess/model"
)

// Holders are who should be able to read a GPG target's secrets: the
// entries the plan leaves in the target's file, that is everyone Desired
// puts there and the keep entries.
func Holders(t *model.Target, decisions []model.Decision, keys map[string]model.KeyCheck) []model.Holder {
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
func Secrets(t *model.Target, scan *model.SecretScan, decisions []model.Decision, keys map[string]model.KeyCheck, ring *model.KeyRing) *model.SecretsReport {
	if ring == nil {
		ring = model.NewKeyRing(nil)
	}
	rep := model.CheckSecrets(t.Name, scan.Secrets, Holders(t, decisions, keys), ring)
	rep.Warnings = append(append([]string{}, scan.Warnings...), rep.Warnings...)
	return rep
}
