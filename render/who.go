package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/model"
)

// WhoJSON is the machine-readable answer of "who": the contract's shape,
// exactly.
type WhoJSON struct {
	At     model.Day    `json:"at"`
	People []WhoJSONRow `json:"people"`
}

// WhoJSONRow is one person in WhoJSON.
type WhoJSONRow struct {
	ID      string      `json:"id"`
	GitHub  *string     `json:"github"` // null when the file gives no login
	Level   model.Level `json:"level"`
	Reasons []string    `json:"reasons"`
	Until   *model.Day  `json:"until"`
}

// NewWhoJSON builds the JSON answer from decisions.
func NewWhoJSON(at model.Day, decisions []model.Decision) WhoJSON {
	out := WhoJSON{At: at, People: make([]WhoJSONRow, len(decisions))}
	for i, dc := range decisions {
		row := WhoJSONRow{ID: dc.Person.ID, Level: dc.Level, Reasons: dc.ReasonStrings(), Until: dc.Until}
		if dc.Person.GitHub != "" {
			login := dc.Person.GitHub
			row.GitHub = &login
		}
		out.People[i] = row
	}
	return out
}

// WriteJSON writes v as indented JSON with a final newline.
func WriteJSON(w io.Writer, v any) error {
	compact, err := json.Marshal(v)
	if err != nil {
		return err
	}
	compact = append(compact, '\n')
	_, err = w.Write(indentJSON(make([]byte, 0, len(compact)*3/2), compact))
	return err
}

// indentJSON appends src, compact JSON as json.Marshal writes it (no
// space outside strings), indented by two spaces a level as json.Indent
// does it. json.Indent runs every byte through JSON's grammar, which took
// more time than marshalling the 3 MB that who writes for 10,000 people;
// compact JSON needs only its strings skipped. TestIndentJSON and
// FuzzIndentJSON compare the two.
func indentJSON(dst, src []byte) []byte {
	depth, opened := 0, false
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, "  "...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if opened && c != ']' && c != '}' {
			opened = false
			newline()
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			depth++
			opened = true
		case '}', ']':
			depth--
			if opened {
				opened = false
			} else {
				newline()
			}
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// WriteWho writes everyone's level as an aligned table for people to read.
func WriteWho(w io.Writer, at model.Day, zone string, decisions []model.Decision) error {
	fmt.Fprintf(w, "Production access on %s (%s)\n\n", at, zone)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tGITHUB\tLEVEL\tUNTIL\tWHY")
	counts := map[model.Level]int{}
	for _, dc := range decisions {
		counts[dc.Level]++
		reasons := dc.ReasonStrings()
		if len(reasons) == 0 {
			reasons = []string{"no rule grants access"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", dc.Person.ID, orDash(dc.Person.GitHub), dc.Level, untilText(dc.Until), reasons[0])
		for _, r := range reasons[1:] {
			fmt.Fprintf(tw, "\t\t\t\t%s\n", r)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for i := len(model.Levels) - 1; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("%d %s", counts[model.Levels[i]], model.Levels[i]))
	}
	_, err := fmt.Fprintf(w, "\n%d people: %s\n", len(decisions), strings.Join(parts, ", "))
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func untilText(u *model.Day) string {
	if u == nil {
		return "-"
	}
	return u.String()
}

// ExplainJSON is the machine-readable form of "explain".
type ExplainJSON struct {
	ID       string             `json:"id"`
	File     string             `json:"file"`
	At       model.Day          `json:"at"`
	Level    model.Level        `json:"level"`
	Until    *model.Day         `json:"until"`
	Reasons  []string           `json:"reasons"`
	Rules    []model.RuleResult `json:"rules"`
	Problems model.Problems     `json:"problems"`
}

// NewExplainJSON builds the JSON form of one decision.
func NewExplainJSON(dc model.Decision) ExplainJSON {
	problems := dc.Problems
	if problems == nil {
		problems = model.Problems{}
	}
	return ExplainJSON{ID: dc.Person.ID, File: dc.Person.File, At: dc.At, Level: dc.Level, Until: dc.Until,
		Reasons: dc.ReasonStrings(), Rules: dc.Rules, Problems: problems}
}

// WriteExplanation writes one decision with every rule, whether it fired
// and why.
func WriteExplanation(w io.Writer, dc model.Decision) error {
	p := dc.Person
	fmt.Fprintf(w, "%s", p.ID)
	if p.Name != "" {
		fmt.Fprintf(w, ": %s", p.Name)
	}
	if p.Email != "" {
		fmt.Fprintf(w, " <%s>", p.Email)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  file\t%s\n", p.File)
	if p.GitHub != "" {
		fmt.Fprintf(tw, "  github\t%s\n", p.GitHub)
	}
	if p.Programme != "" && p.Role != "" {
		track := "none: only temporary-exception can give access"
		switch p.Track() {
		case model.DeveloperTrack:
			track = "developer"
		case model.SRETrack:
			track = "sre"
		}
		fmt.Fprintf(tw, "  role\t%s in %s, %s, clearance %s\n", p.Role, p.Programme, p.Employment, p.Clearance)
		fmt.Fprintf(tw, "  track\t%s\n", track)
	}
	fmt.Fprintf(tw, "  on\t%s\n", dc.At)
	fmt.Fprintf(tw, "  level\t%s\n", dc.Level)
	if dc.Until != nil {
		fmt.Fprintf(tw, "  until\t%s (the level may change the day after)\n", dc.Until)
	} else {
		fmt.Fprintf(tw, "  until\tnothing in the files ends this level\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, kind := range []model.RuleKind{model.Grants, model.Blocks} {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if kind == model.Grants {
			fmt.Fprintf(tw, "\nRULES THAT GRANT\tLEVEL\tFIRED\tWHY\n")
		} else {
			fmt.Fprintf(tw, "\nRULES THAT BLOCK\tFIRED\tWHY\n")
		}
		for _, rr := range dc.Rules {
			if rr.Kind != kind {
				continue
			}
			fired := "no"
			switch {
			case rr.Fired && kind == model.Grants && rr.Level > dc.Level:
				fired = "blocked"
			case rr.Fired:
				fired = "yes"
			}
			if kind == model.Grants {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rr.Rule, rr.Level, fired, rr.Detail)
			} else {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", rr.Rule, fired, rr.Detail)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(dc.Problems) > 0 {
		fmt.Fprintf(w, "\nProblems in %s:\n", p.File)
		for _, pr := range dc.Problems {
			fmt.Fprintf(w, "  %s\n", pr)
		}
	}
	return nil
}
