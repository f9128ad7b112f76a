package config

import (
	"time"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
)

// Audit holds what the audits check against: how soon a removal must
// reach the targets, and how often access is certified.
type Audit struct {
	// RemovalWithin is how long after the start of the day the rules end
	// someone's access each target may take to remove it (default 24h).
	RemovalWithin time.Duration
	// CertifyEvery is how often access is certified (default quarter).
	CertifyEvery model.Cadence
	// Reviews is the folder of the review files that certify access,
	// relative to the configuration file's folder (default reviews).
	Reviews string
}

// DefaultAudit is the audit settings when the configuration gives none.
func DefaultAudit() Audit {
	return Audit{RemovalWithin: 24 * time.Hour, CertifyEvery: model.CertifyQuarterly, Reviews: "reviews"}
}

func auditTable() []strictyaml.Field { return new(decoder).auditFields(new(Audit)) }

func (d *decoder) auditFields(a *Audit) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "removal_within", Is: removalWithinShape, Read: d.durationInto(&a.RemovalWithin, time.Hour, 90*24*time.Hour)},
		strictyaml.EnumField(&d.Decoder, "certify_every", false, certifyEveryShape, &a.CertifyEvery),
		d.TextField("reviews", false, reviewsShape, &a.Reviews, nil),
	}
}

var (
	auditShape         = strictyaml.MappingOf(auditTable, "What the audits check against: how soon removals must reach the targets, and how often access is certified.")
	removalWithinShape = revocationWaitShape.WithDoc("How long after the start of the day the rules end someone's access a target may take to remove it before the audit calls the removal late, from 1h to 2160h (default 24h).")
	certifyEveryShape  = strictyaml.OneOf("How often access is certified with prodaccess audit certify (default quarter).", model.CertifyMonthly, model.CertifyQuarterly, model.CertifyYearly)
	reviewsShape       = strictyaml.Text("The folder of the review files that certify access, relative to this file's folder (default reviews).")
)
