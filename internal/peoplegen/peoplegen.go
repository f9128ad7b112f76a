// Package peoplegen writes large, varied and valid sets of person files for
// benchmarks and load tests. Every rule fires for some of the people it
// writes, and the same n always gives the same files.
package peoplegen

import (
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File returns the id and YAML of person i of n (n at least 60). One person in twenty is a
// lead developer; the others are developers, SREs and contractors at
// every stage, some with temporary grants, absences and reinstatements.
func File(i, n int) (id, body string) {
	id = fmt.Sprintf("person-%05d", i)
	fp := fmt.Sprintf("%X", sha1.Sum([]byte(id)))
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated person %d of %d.\n", i, n)
	fmt.Fprintf(&b, "name: Person %05d\nemail: person.%05d@example.gov.uk\n", i, i)
	fmt.Fprintf(&b, "github: person-%05d\ngithub_id: %d\n", i, 100000+i)
	fmt.Fprintf(&b, "gpg_fingerprint: %q\n", fp)
	fmt.Fprintf(&b, "ssh_username: person%05d\n", i)
	fmt.Fprintf(&b, "aws_user_arn: \"arn:aws:iam::123456789012:user/person.%05d@example.gov.uk\"\n", i)
	year := 2015 + i%10
	switch {
	case i%20 == 0:
		b.WriteString("programme: govuk\nrole: lead_developer\nemployment: civil_servant\nclearance: sc\n")
	case i%7 == 3:
		b.WriteString("programme: techops\nrole: sre\nemployment: civil_servant\nclearance: sc\n")
	case i%11 == 5:
		b.WriteString("programme: other\nrole: other\nemployment: contractor\nclearance: bpss\n")
	default:
		b.WriteString("programme: govuk\nrole: developer\nemployment: civil_servant\nclearance: bpss\n")
	}
	fmt.Fprintf(&b, "start_date: %d-01-%02d\n", year, 1+i%28)
	if i%4 != 1 {
		fmt.Fprintf(&b, "probation_passed: %d-07-%02d\n", year, 1+i%28)
	}
	if i%50 == 7 {
		fmt.Fprintf(&b, "last_day: %d-12-31\n", year+3)
	}
	b.WriteString("shifts:\n")
	fmt.Fprintf(&b, "  - type: shadow\n    start: %d-03-%02d\n    end: %d-03-%02d\n", year, 1+i%20, year, 5+i%20)
	fmt.Fprintf(&b, "  - type: shadow\n    start: %d-05-%02d\n    end: %d-05-%02d\n", year, 1+i%20, year, 5+i%20)
	if i%3 != 2 {
		fmt.Fprintf(&b, "  - type: primary\n    start: %d-09-%02d\n    end: %d-09-%02d\n", year, 1+i%20, year, 5+i%20)
	}
	if i%11 == 5 || i%13 == 4 {
		lead := fmt.Sprintf("person-%05d", leadFor(i, n))
		sup := fmt.Sprintf("person-%05d", (leadFor(i, n)+20)%(n-n%20))
		fmt.Fprintf(&b, "temporary_access:\n  - start: %d-10-01\n    end: %d-12-15\n    approved_by: %s\n    supervisor: %s\n    agreed: true\n    reason: Covering the rota for team %d\n", year+1, year+1, lead, sup, i%17)
	}
	if i%9 == 2 {
		fmt.Fprintf(&b, "absences:\n  - start: %d-02-01\n    end: %d-06-30\n", year+2, year+2)
		if i%2 == 0 {
			fmt.Fprintf(&b, "reinstated:\n  - date: %d-07-01\n    approved_by: person-%05d\n", year+2, leadFor(i, n))
		}
	}
	return id, b.String()
}

// Leaver returns person i's file with a last day six weeks after they
// started, so that they have left by the time of most histories.
func Leaver(i, n int) string {
	_, body := File(i, n)
	var kept []string
	for _, line := range strings.SplitAfter(body, "\n") {
		if !strings.HasPrefix(line, "last_day:") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "") + fmt.Sprintf("last_day: %d-02-15\n", 2015+i%10)
}

// leadFor is the lead developer who approves for person i: the nearest
// lead below, or for a lead the next one up.
func leadFor(i, n int) int {
	lead := i / 20 * 20
	if lead == i {
		lead = (i + 20) % (n - n%20)
	}
	return lead
}

// Write writes n person files into dir, which must exist.
func Write(dir string, n int) error {
	for i := range n {
		id, body := File(i, n)
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Folder writes n people (see Write) into a temporary folder of the test
// or benchmark, and returns the folder.
func Folder(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	return dir
}
