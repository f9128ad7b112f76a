package personfile

import (
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
)

// A review file certifies access for a period: prodaccess audit certify
// writes it, a pull request adds it to the people repository, and the
// leads' approvals of that pull request sign its rows off. It is read as
// strictly as a person file.

// MaxReviewFileSize bounds a review file.
const MaxReviewFileSize = 4 << 20

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

var (
	periodShape     = strictyaml.TextMatching(regexp.MustCompile(`^[0-9]{4}(-Q[1-4]|-[0-9]{2})?$`), 7, "a period such as 2026-Q4, 2026-11 or 2026", "The period the review certifies.")
	reviewAtShape   = strictyaml.Date("The day whose access the review lists.")
	reviewSHAShape  = strictyaml.TextMatching(commitPattern, 40, "a full commit id", "The commit of the people repository the rows were read from.")
	rowIDShape      = strictyaml.TextMatching(model.IDPattern, 64, "a person id", "The person.")
	rowNameShape    = strictyaml.Text("The person's name.")
	rowLevelShape   = strictyaml.OneOf("The level of access.", model.TemporarySupervised.String(), model.Supervised.String(), model.Permanent.String())
	rowBasisShape   = strictyaml.ListOf(strictyaml.Text("A rule and its facts."), "The basis of the access.")
	certifiersShape = strictyaml.ListOf(strictyaml.TextMatching(model.IDPattern, 64, "a person id", "A lead."), "The leads, any of whom signs the row off by approving the pull request.")
)

// ParseCertification reads a review file; file names it in problems.
func ParseCertification(file string, data []byte) (*evidence.Certification, error) {
	d := &strictyaml.Decoder{File: file}
	c := &evidence.Certification{File: file}
	if len(data) > MaxReviewFileSize {
		d.Problem(&yaml.Node{Line: 1, Column: 1}, "", "the file is %d bytes, more than the %d a review file may be", len(data), MaxReviewFileSize)
		return nil, d.Problems.Err()
	}
	root := d.Document(data)
	if root == nil {
		return nil, d.Problems.Err()
	}
	var at *model.Day
	d.Mapping(root, "", "a review file", []strictyaml.Field{
		d.TextField("period", true, periodShape, &c.Period, func(n *yaml.Node, path, v string) bool {
			if _, err := model.ParsePeriod(v); err != nil {
				d.Problem(n, path, "%v", err)
				return false
			}
			return true
		}),
		d.DayField("at", true, reviewAtShape, &at),
		d.TextField("commit", true, reviewSHAShape, &c.Commit, nil),
		{Name: "people", Required: true, Is: strictyaml.ListOf(nil, ""), Read: func(n *yaml.Node, path string) {
			c.Rows = []evidence.CertificationRow{}
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				var row evidence.CertificationRow
				level := ""
				d.Mapping(item, path, "a person", []strictyaml.Field{
					d.TextField("id", true, rowIDShape, &row.ID, nil),
					d.TextField("name", true, rowNameShape, &row.Name, nil),
					strictyaml.EnumField(d, "level", true, rowLevelShape, &level),
					{Name: "basis", Required: true, Is: rowBasisShape, Read: func(n *yaml.Node, path string) {
						row.Basis = texts(d, n, path, nil)
					}},
					{Name: "certifiers", Required: true, Is: certifiersShape, Read: func(n *yaml.Node, path string) {
						row.Certifiers = texts(d, n, path, certifiersShape.Items)
					}},
				})
				if l, err := model.ParseLevel(level); err == nil {
					row.Level = l
				}
				c.Rows = append(c.Rows, row)
			})
		}},
	})
	if at != nil {
		c.At = *at
	}
	if err := d.Problems.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// texts reads a list of text, each of the shape is when one is given.
func texts(d *strictyaml.Decoder, n *yaml.Node, path string, is *strictyaml.Shape) []string {
	out := []string{}
	d.List(n, path, func(_ int, item *yaml.Node, path string) {
		if v, ok := d.Text(item, path); ok && (is == nil || d.Matches(item, path, v, is)) {
			out = append(out, v)
		}
	})
	return out
}
