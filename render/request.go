package render

import (
	"fmt"
	"io"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// WriteRequest says what a change to a person file is (title), how it
// meets the conditions of the rule its entry answers to, what is still to
// do, and what it does to access. preview, when not empty, introduces the
// changes: they show the entry as it will be, not as written.
func WriteRequest(w io.Writer, title string, conditions []model.Condition, notes []string, preview string, changes []*outcome.AccessChanges) error {
	fmt.Fprintf(w, "%s\n", title)
	for _, c := range conditions {
		fmt.Fprintf(w, "  %s: %s: %s\n", conditionState(c), c.Text, c.Detail)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "Still to do: %s\n", n)
	}
	if preview != "" {
		fmt.Fprintf(w, "\n%s\n", preview)
	}
	for _, c := range changes {
		fmt.Fprintln(w)
		if err := WriteAccessChanges(w, c, false); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func conditionState(c model.Condition) string {
	switch {
	case c.Met:
		return "met"
	case c.Later:
		return "not yet"
	}
	return "not met"
}
