package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// Proposal is a change to one person file, as the pull request that
// proposes it presents it.
type Proposal struct {
	Title string
	File  string // the person file changed
	Key   string // the public key file written with a new person file, if any
	// Conditions are those of the rule the new entry answers to, if any.
	Conditions []model.Condition
	Notes      []string
	// Changes are what the change does to access, on each day looked at.
	Changes []*outcome.AccessChanges
	// StackedOn, if set, is the branch of another request the change
	// builds on, StackedPull its open pull request (0: none found), and
	// Into the branch everything goes into in the end.
	StackedOn   string
	StackedPull int
	Into        string
}

// Stacked says what a change stacked on another request's branch needs
// before it is merged, in one line of plain text.
func (p *Proposal) Stacked() string {
	on := p.StackedOn
	if p.StackedPull > 0 {
		on = fmt.Sprintf("%s (#%d)", on, p.StackedPull)
	}
	return fmt.Sprintf("Stacked on %s: merge that first.", on)
}

// WriteProposalBody writes the description of the pull request: what it
// changes, the rule's conditions and whether each is met, what is still
// to do, and what it does to access (and whose review is the approval) in
// the words of changes.
func WriteProposalBody(w io.Writer, p *Proposal) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s.\n\n", mdText(p.Title))
	changes := mdCode(p.File)
	if p.Key != "" {
		changes += ", with the public key " + mdCode(p.Key) + " checked as validate checks keys,"
	}
	fmt.Fprintf(&b, "This changes %s and nothing else. It was checked against the rules before it was proposed.\n", changes)
	if p.StackedOn != "" {
		on := mdCode(p.StackedOn)
		if p.StackedPull > 0 {
			on = fmt.Sprintf("#%d (%s)", p.StackedPull, on)
		}
		fmt.Fprintf(&b, "\nStacked on %s, which must be merged first. Before merging this one, check that it goes into %s: GitHub points it there when that branch is deleted on merge; otherwise edit its base.\n", on, mdCode(p.Into))
	}
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
