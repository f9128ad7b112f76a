package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// TestCertificationFileReadsBack: what audit certify writes, the strict
// reader reads back as it was, names and reasons with quotes and markup
// included.
func TestCertificationFileReadsBack(t *testing.T) {
	c := &evidence.Certification{File: "reviews/2026-Q4.yaml", Period: "2026-Q4", At: day("2026-12-06"), Commit: strings.Repeat("ab", 20), Rows: []evidence.CertificationRow{
		{ID: "alex", Name: `Alex "Lead" O'Neil`, Level: model.Permanent, Basis: []string{"after-primary-shift: primary shift 2019-04-01 to 2019-04-05 completed"}, Certifiers: []string{"hannah"}},
		{ID: "chris", Name: "Chris <b>Contractor</b>", Level: model.TemporarySupervised, Basis: []string{"temporary-exception: 2026-11-16 to 2027-01-31, approved by alex: no, yes: 0123"}, Certifiers: []string{"alex", "lee"}},
	}}
	got, err := personfile.ParseCertification(c.File, CertificationFile(c))
	if err != nil {
		t.Fatalf("%v\n%s", err, CertificationFile(c))
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
	empty := &evidence.Certification{File: c.File, Period: "2026-Q4", At: c.At, Commit: c.Commit, Rows: []evidence.CertificationRow{}}
	if got, err := personfile.ParseCertification(c.File, CertificationFile(empty)); err != nil || len(got.Rows) != 0 {
		t.Errorf("an empty review: %v, %v", got, err)
	}
}

// TestCertificationFileProblems: a review file with a bad field names its
// line and field.
func TestCertificationFileProblems(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{"period: 2026-Q5\nat: 2026-12-06\ncommit: " + strings.Repeat("a", 40) + "\npeople: []\n", `reviews/x.yaml:1:9: period: "2026-Q5" is not a period: give a quarter (2026-Q4), a month (2026-11) or a year (2026)`},
		{"period: 2026-Q4\nat: 2026-12-06\ncommit: " + strings.Repeat("a", 40) + "\npeople:\n  - {id: sam, name: Sam, level: root, basis: [], certifiers: [alex]}\n", `reviews/x.yaml:5:33: people[0].level: unknown value "root"`},
		{"period: 2026-Q4\nat: 2026-12-06\npeople: []\n", `reviews/x.yaml:1:1: missing required field "commit"`},
	} {
		_, err := personfile.ParseCertification("reviews/x.yaml", []byte(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.body, err, tt.want)
		}
	}
}
