package requests

import (
	"fmt"
	"math"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// The requests that write a person file for people, so that nobody
// types YAML to ask for access: each builds a Request for Propose.

// unmet are the conditions that refuse a change.
func unmet(conditions []model.Condition) []string {
	var out []string
	for _, c := range conditions {
		if !c.Met && !c.Later {
			out = append(out, c.Refusal())
		}
	}
	return out
}

func only(d model.Day) func(*state) model.Day {
	return func(*state) model.Day { return d }
}

// Grant asks for temporary supervised access for id from start to end:
// a temporary_access entry approved by approver and supervised by
// supervisor. as is the id of the person running the command ("" to take
// the person whose email is the git author's); agreed is written true only
// when that is id.
func Grant(id string, start, end model.Day, approver, supervisor, reason, as string) *Request {
	entry := func(agreed bool) *personfile.Edit {
		e := personfile.AppendEntry("temporary_access",
			personfile.DayField("start", start), personfile.DayField("end", end),
			personfile.TextField("approved_by", approver), personfile.TextField("supervisor", supervisor),
			personfile.BoolField("agreed", agreed), personfile.TextField("reason", strings.TrimSpace(reason)))
		return &e
	}
	req := &Request{
		id:       id,
		title:    fmt.Sprintf("Temporary production access for %s, %s to %s", id, start, end),
		summary:  []string{"Reason: " + strings.TrimSpace(reason), fmt.Sprintf("Approved by %s; supervised by %s.", approver, supervisor)},
		day:      only(start),
		days:     func(s *state) []model.Day { return []model.Day{max(start, s.today)} },
		approver: approver,
	}
	req.prepare = func(r *run, _ *model.Person) error {
		runner, err := r.runner(as)
		if err != nil {
			return err
		}
		req.edit = entry(runner == id)
		if runner != id {
			req.preview = entry(true)
			req.previewTitle = fmt.Sprintf("As written (agreed: false) the entry grants nothing until %s agrees. Once they do:", id)
		}
		if runner == approver && r.flags.PR {
			fmt.Fprintf(r.env.Stderr, "warning: you are the approver, %s: GitHub does not let the author of a pull request approve it, and the approving review is the approval; if the pull request is opened under your GitHub account, let %s or someone else open it instead\n", approver, id)
		}
		return nil
	}
	req.check = func(s *state) ([]string, []model.Condition, []string) {
		g := &s.now.TemporaryAccess[len(s.now.TemporaryAccess)-1]
		conditions := s.after.GrantConditions(s.now, g)
		refusals := unmet(conditions)
		var notes []string
		if g.End < s.today {
			refusals = append(refusals, fmt.Sprintf("%s: the entry ends on %s, before today (%s), so it would grant nothing", model.RuleTemporaryException, g.End, s.today))
		}
		if !g.Agreed {
			notes = append(notes, fmt.Sprintf("%s must agree to use the access only while supervised: the entry says agreed: false, and grants nothing until %s sets it to true in a commit of their own", id, id))
		}
		return refusals, conditions, notes
	}
	return req
}

// runner is the id of the person running the command: as, or the one
// person whose file has the git author's email. "" when unknown.
func (r *run) runner(as string) (string, error) {
	src := r.src
	if as != "" {
		if src.roster.Person(as) == nil {
			return "", fmt.Errorf("--as: %w", src.roster.NoSuch(as, src.label))
		}
		return as, nil
	}
	if src.repo == nil {
		return "", nil
	}
	_, email := src.repo.Author(r.env.Getenv)
	if email == "" {
		return "", nil
	}
	found := ""
	for _, p := range src.roster.People {
		if strings.EqualFold(p.Email, email) {
			if found != "" {
				return "", nil // two files claim it: nobody is known for sure
			}
			found = p.ID
		}
	}
	return found, nil
}

// Shift records a 2nd line shift of type typ (shadow, primary or
// secondary) from start to end for id; one that shares a day with another
// of theirs is refused.
func Shift(id, typ string, start, end model.Day) *Request {
	e := personfile.AppendEntry("shifts", personfile.TextField("type", typ), personfile.DayField("start", start), personfile.DayField("end", end))
	return &Request{
		id:    id,
		edit:  &e,
		title: fmt.Sprintf("%s%s shift for %s, %s to %s", strings.ToUpper(typ[:1]), typ[1:], id, start, end),
		day:   only(start),
		// The shift rules change a level on a shift's first day
		// and on the day after it is completed.
		days: func(*state) []model.Day { return []model.Day{start, end + 1} },
		check: func(s *state) ([]string, []model.Condition, []string) {
			n := len(s.now.Shifts) - 1
			added := s.now.Shifts[n]
			var refusals []string
			for _, other := range s.now.Shifts[:n] {
				if other.Start <= added.End && added.Start <= other.End {
					refusals = append(refusals, fmt.Sprintf("shifts: the %s shift %s overlaps the %s shift %s at line %d", added.Type, added.Range, other.Type, other.Range, other.Pos.Line))
				}
			}
			return refusals, nil, nil
		},
	}
}

// Absence records an absence of id from start, to end when its end is
// known (nil: it goes on); one that overlaps another of theirs, or starts
// while another has no end, is refused.
func Absence(id string, start model.Day, end *model.Day) *Request {
	values := []personfile.FieldValue{personfile.DayField("start", start)}
	title := fmt.Sprintf("Absence of %s from %s", id, start)
	if end != nil {
		values = append(values, personfile.DayField("end", *end))
		title = fmt.Sprintf("Absence of %s, %s to %s", id, start, *end)
	}
	e := personfile.AppendEntry("absences", values...)
	req := &Request{id: id, edit: &e, title: title, day: only(start)}
	req.check = func(s *state) ([]string, []model.Condition, []string) {
		n := len(s.now.Absences) - 1
		added := s.now.Absences[n]
		last := func(a model.Absence) model.Day {
			if a.End == nil {
				return math.MaxInt32
			}
			return *a.End
		}
		var refusals []string
		for _, other := range s.now.Absences[:n] {
			switch {
			case other.Start > last(added) || added.Start > last(other):
			case other.End == nil:
				refusals = append(refusals, fmt.Sprintf("absences: the absence from %s at line %d has no end; end it first (prodaccess absence %s --end DAY)", other.Start, other.Pos.Line, id))
			default:
				refusals = append(refusals, fmt.Sprintf("absences: the new absence overlaps the absence %s to %s at line %d", other.Start, other.End, other.Pos.Line))
			}
		}
		return refusals, nil, nil
	}
	req.days = func(s *state) []model.Day {
		// The day a long absence revokes access, and the day
		// after it ends.
		days := []model.Day{start + model.Day(s.cfg.Policy.AbsenceLimitDays)}
		if end != nil {
			days = append(days, *end+1)
		}
		return days
	}
	return req
}

// EndAbsence records the last day of the absence of id that has no end.
func EndAbsence(id string, last model.Day) *Request {
	req := &Request{id: id, day: only(last), days: func(*state) []model.Day { return []model.Day{last + 1} }}
	var open model.Absence
	req.prepare = func(_ *run, p *model.Person) error {
		index := -1
		for i, a := range p.Absences {
			if a.End == nil {
				if index >= 0 {
					return fmt.Errorf("%s has more than one absence without an end (lines %d and %d); fix the file by hand", p.File, p.Absences[index].Pos.Line, a.Pos.Line)
				}
				index = i
			}
		}
		if index < 0 {
			return fmt.Errorf("%s has no absence without an end; record a new one with --from", p.File)
		}
		open = p.Absences[index]
		e := personfile.SetEntryField("absences", index, personfile.DayField("end", last))
		req.edit = &e
		req.title = fmt.Sprintf("End of the absence of %s: away %s to %s", id, open.Start, last)
		return nil
	}
	req.check = func(s *state) ([]string, []model.Condition, []string) {
		limit := s.cfg.Policy.AbsenceLimitDays
		if last < open.Start+model.Day(limit) {
			return nil, nil, nil
		}
		return nil, nil, []string{fmt.Sprintf("the absence lasted more than %d days: access stays revoked until a reinstatement dated %s or later (prodaccess reinstate %s --on DAY --approver ID)", limit, last, id)}
	}
	return req
}

// Reinstate gives id back, from date, the access a long absence revoked:
// a reinstated entry approved by approver.
func Reinstate(id string, date model.Day, approver string) *Request {
	e := personfile.AppendEntry("reinstated", personfile.DayField("date", date), personfile.TextField("approved_by", approver))
	return &Request{
		id: id, edit: &e, approver: approver,
		title:   fmt.Sprintf("Reinstate production access for %s from %s", id, date),
		summary: []string{"Approved by " + approver + "."},
		day:     only(date),
		days:    func(*state) []model.Day { return []model.Day{date} },
		check: func(s *state) ([]string, []model.Condition, []string) {
			conditions := s.after.ReinstatementConditions(s.now, &s.now.Reinstated[len(s.now.Reinstated)-1])
			return unmet(conditions), conditions, nil
		},
	}
}

// Leave records d as the last working day of id.
func Leave(id string, d model.Day) *Request {
	e := personfile.SetField(personfile.DayField("last_day", d))
	return &Request{
		id: id, edit: &e,
		title: fmt.Sprintf("Last day of %s: %s", id, d),
		day:   only(d),
		days:  func(*state) []model.Day { return []model.Day{d + 1} },
		prepare: func(_ *run, p *model.Person) error {
			if p.LastDay != nil && *p.LastDay == d {
				return nothingToDo{fmt.Sprintf("%s already says last_day: %s; nothing to change.", p.File, d)}
			}
			return nil
		},
	}
}

// Person is what a new person file says: the fields as written, and the
// first day, if given.
type Person struct {
	Name, Email, GitHub                    string
	Programme, Role, Employment, Clearance string
	Start                                  *model.Day
	GitHubID                               string // a whole number, or ""
	Fingerprint, SSHUsername, AWSUserARN   string
	// Key is the person's armored public key, checked as validate checks
	// keys, to be written beside the file (keys/<id>.asc); nil for none.
	Key []byte
}

// NewPerson writes people/<id>.yaml for a new person, in the shape of the
// example files.
func NewPerson(id string, np Person) *Request {
	fields := []personfile.FieldValue{
		personfile.TextField("name", np.Name), personfile.TextField("email", np.Email), personfile.TextField("github", np.GitHub),
		personfile.TextField("programme", np.Programme), personfile.TextField("role", np.Role),
		personfile.TextField("employment", np.Employment), personfile.TextField("clearance", np.Clearance),
	}
	if np.Start != nil {
		fields = append(fields, personfile.DayField("start_date", *np.Start))
	}
	if np.GitHubID != "" {
		fields = append(fields, personfile.FieldValue{Name: "github_id", Value: np.GitHubID, Kind: personfile.NumberValue})
	}
	for _, v := range []struct{ name, value string }{{"gpg_fingerprint", np.Fingerprint}, {"ssh_username", np.SSHUsername}, {"aws_user_arn", np.AWSUserARN}} {
		if v.value != "" {
			kind := personfile.QuotedValue
			if v.name == "ssh_username" {
				kind = personfile.TextValue
			}
			fields = append(fields, personfile.FieldValue{Name: v.name, Value: v.value, Kind: kind})
		}
	}
	first := func(s *state) model.Day {
		if np.Start == nil {
			return s.today
		}
		return max(*np.Start, s.today)
	}
	return &Request{
		id: id, fields: fields, key: np.Key,
		title: fmt.Sprintf("New person file for %s", id),
		day: func(s *state) model.Day {
			if np.Start == nil {
				return s.today
			}
			return *np.Start
		},
		days: func(s *state) []model.Day { return []model.Day{first(s)} },
	}
}
