package evidence

import (
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// Certification is a review file: everyone with access on a day, with the
// basis of it and the leads who sign each row off.
type Certification struct {
	// File is where it was read from, in the repository.
	File   string `json:"file"`
	Period string `json:"period"`
	// At is the day whose access it lists; Commit the people commit the
	// rows were read from.
	At     model.Day          `json:"at"`
	Commit string             `json:"commit"`
	Rows   []CertificationRow `json:"people"`
}

// CertificationRow is one person in a review file.
type CertificationRow struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Level model.Level `json:"level"`
	Basis []string    `json:"basis"`
	// Certifiers are the leads (by id) any of whom signs the row off:
	// those of the person's programme, or every lead where the
	// programme has none; never the person themself.
	Certifiers []string `json:"certifiers"`
}

// Ref names a row as an entry that needs approval: every field counts,
// so a row changed after a lead approved it needs approving again.
func (c *Certification) Ref(row CertificationRow) model.EntryRef {
	at := c.At
	return model.EntryRef{Person: row.ID, Kind: model.CertificationEntry, Date: &at, Period: c.Period,
		Reason: row.Level.String() + ": " + strings.Join(row.Basis, "; "), Certifiers: row.Certifiers}
}

// Entries names every row.
func (c *Certification) Entries() []model.EntryRef {
	out := make([]model.EntryRef, len(c.Rows))
	for i, r := range c.Rows {
		out[i] = c.Ref(r)
	}
	return out
}

// Certifiers are the leads of record who sign off the row of person p:
// the approvers of p's programme, else every approver; never p.
func Certifiers(p *model.Person, approvers map[string]*model.Person) []string {
	var same, all []string
	for id, a := range approvers {
		if id == p.ID {
			continue
		}
		all = append(all, id)
		if a != nil && a.Programme == p.Programme {
			same = append(same, id)
		}
	}
	if len(same) == 0 {
		same = all
	}
	slices.Sort(same)
	return same
}
