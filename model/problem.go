package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with an input file, at a place in it.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
	// Warning marks something to fix soon that does not make the input
	// invalid.
	Warning bool `json:"warning,omitempty"`
}

func (p Problem) String() string {
	if p.Warning {
		return fmt.Sprintf("%s:%d:%d: warning: %s", p.File, p.Line, p.Col, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
}

// Annotation writes the problem as a GitHub Actions workflow command, so
// that it shows on the line it concerns in a pull request. Values are
// escaped as GitHub requires.
func (p Problem) Annotation() string {
	level := "error"
	if p.Warning {
		level = "warning"
	}
	return fmt.Sprintf("::%s file=%s,line=%d,col=%d,title=%s::%s",
		level, escapeProperty(p.File), p.Line, p.Col, escapeProperty("prodaccess validate"), escapeData(p.Message))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// Problems is a list of problems; as an error it reads as one line each.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, line, column and message.
func (ps Problems) Sort() {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Err returns the problems as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
