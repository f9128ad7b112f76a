package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// Proposal is a change to one person file, as the pull request that
// proposes it presents it.
type Proposal struct {
	Title string
	File  string // the person file changed
	// Conditions are those of the rule the new entry answers to, if any.
	Conditions []model.Condition
	Notes      []string
	// Changes are what the change does to access, on each day looked at.
	Changes []*model.AccessChanges
}

// WriteProposalBody writes the description of the pull request: what it
// changes, the rule's conditions and whether each is met, what is still
// to do, and what it does to access (and whose review is the approval) in
// the words of changes.
func WriteProposalBody(w io.Writer, p *Proposal) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s.\n\n", mdText(p.Title))
	fmt.Fprintf(&b, "This changes %s and nothing else. It was checked against the rules before it was proposed.\n", mdCode(p.File))
	if len(p.Conditions) > 0 {
		fmt.Fprintf(&b, "\n### The conditions of %s\n\n", mdText(p.Conditions[0].Rule))
		for _, c := range p.Conditions {
			state := "met"
			switch {
			case !c.Met && c.Later:
				state = "not yet"
			case !c.Met:
				state = "not met"
			}
			fmt.Fprintf(&b, "- **%s**: %s: %s\n", state, mdText(c.Text), mdText(c.Detail))
		}
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n### Still to do\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", mdText(n))
		}
	}
	for _, c := range p.Changes {
		b.WriteString("\n")
		var md bytes.Buffer
		if err := WriteAccessChanges(&md, c, true); err != nil {
			return err
		}
		// The marker belongs to the validate check's own comment.
		b.WriteString(strings.TrimPrefix(md.String(), CommentMarker+"\n"))
	}
	_, err := w.Write(b.Bytes())
	return err
}
