package render

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/evidence"
)

// CertificationFile writes a review file: the YAML that audit certify
// proposes, which personfile.ParseCertification reads back.
func CertificationFile(c *evidence.Certification) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Access review %s: everyone with production access on %s, and the\n", c.Period, c.At)
	fmt.Fprintf(&b, "# basis of it, from the person files at commit %s.\n", c.Commit)
	b.WriteString("# Each lead signs off the rows that name them as a certifier by approving\n")
	b.WriteString("# the pull request that adds this file. Written by prodaccess audit certify.\n")
	fmt.Fprintf(&b, "period: %s\nat: %s\ncommit: %s\npeople:", c.Period, c.At, c.Commit)
	if len(c.Rows) == 0 {
		b.WriteString(" []\n")
		return b.Bytes()
	}
	b.WriteString("\n")
	for _, r := range c.Rows {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    level: %s\n    basis:\n", r.ID, strconv.Quote(r.Name), r.Level)
		for _, x := range r.Basis {
			fmt.Fprintf(&b, "      - %s\n", strconv.Quote(x))
		}
		fmt.Fprintf(&b, "    certifiers: [%s]\n", strings.Join(r.Certifiers, ", "))
	}
	return b.Bytes()
}

// CertificationBody is the body of the pull request that proposes a
// review file: whose approval signs off which rows.
func CertificationBody(w io.Writer, c *evidence.Certification, leads map[string]string) error {
	fmt.Fprintf(w, "## Access review %s\n\n", mdText(c.Period))
	fmt.Fprintf(w, "Everyone with production access on %s, from the person files at %s, with the basis of their access. "+
		"**Approving this pull request signs off the rows that name you**: the approvals are the certification, proven from GitHub's record of the reviews as grants are. "+
		"A row changed after an approval needs approving again.\n\n", c.At, c.Commit)
	by := map[string][]string{}
	for _, r := range c.Rows {
		for _, l := range r.Certifiers {
			by[l] = append(by[l], r.ID)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(by)) {
		who := mdText(l)
		if login := leads[l]; login != "" {
			who += " (" + mdText(login) + ")"
		}
		fmt.Fprintf(w, "- %s signs off %s: %s\n", who, plural(len(by[l]), "row", "rows"), mdText(strings.Join(by[l], ", ")))
	}
	fmt.Fprintln(w, "\n| person | level | basis | certified by |\n|---|---|---|---|")
	for _, r := range c.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdText(r.ID+" ("+r.Name+")"), r.Level, mdText(strings.Join(r.Basis, "; ")), mdText(strings.Join(r.Certifiers, " or ")))
	}
	if len(c.Rows) == 0 {
		fmt.Fprintln(w, "| nobody had production access | | | |")
	}
	return nil
}
