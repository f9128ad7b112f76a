package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/spf13/cobra"
)

// The commands that write a person file for people, so that nobody
// types YAML to ask for access: each builds a request and hands it to
// propose (propose.go).

const requestHelp = `
Before writing anything it loads every person file with the change made
and refuses, in the words of the rules, what they would not honour. Then it
prints what the change does to access, in the words of prodaccess changes,
and writes the file in the working tree; it commits nothing, so commit as
you like. The edit adds or changes only the lines it must, in the file's
own style.

With --dry-run it prints the change as a diff and writes nothing. With --pr
it commits the change on a new branch (access/<id>-<day>), pushes it to
origin and opens a pull request through GitHub's API (GITHUB_TOKEN), with
the rule's conditions in its description; the working tree is left alone.`

func dayFlag(flag, v string) (model.Day, error) {
	d, err := model.ParseDay(v)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", flag, err)
	}
	return d, nil
}

// stringFlag is a flag holding text; a required one must be given.
type stringFlag struct {
	p           *string
	name, usage string
	required    bool
}

func addFlags(cmd *cobra.Command, flags ...stringFlag) {
	for _, f := range flags {
		cmd.Flags().StringVar(f.p, f.name, "", f.usage)
		if f.required {
			if err := cmd.MarkFlagRequired(f.name); err != nil {
				panic(err)
			}
		}
	}
}

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

func only(d model.Day) func(*requestState) model.Day {
	return func(*requestState) model.Day { return d }
}

func newGrant(o *options) *cobra.Command {
	var f requestFlags
	var from, to, approver, supervisor, reason, as string
	cmd := &cobra.Command{
		Use:   "grant ID --from DAY --to DAY --approver ID --supervisor ID --reason TEXT",
		Short: "Ask for temporary supervised access: add a temporary_access entry",
		Long: `Add a temporary_access entry to the person file of ID: the exception for
people who do not meet the shift rules, for at most the policy's days,
approved by a lead developer or the head of technology and supervised by
someone with permanent access on each day.

agreed is written true only when ID is the person running the command
(--as ID, or git config user.email is the email in ID's file); for anyone
else it is false, and the entry grants nothing until ID sets it to true in
a commit of their own. With --pr the approver's GitHub login is asked to
review the pull request: their approving review is the approval.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			end, err := dayFlag("to", to)
			if err != nil {
				return err
			}
			entry := func(agreed bool) *personfile.Edit {
				e := personfile.AppendEntry("temporary_access",
					personfile.DayField("start", start), personfile.DayField("end", end),
					personfile.TextField("approved_by", approver), personfile.TextField("supervisor", supervisor),
					personfile.BoolField("agreed", agreed), personfile.TextField("reason", strings.TrimSpace(reason)))
				return &e
			}
			req := &request{
				id:       id,
				title:    fmt.Sprintf("Temporary production access for %s, %s to %s", id, start, end),
				summary:  []string{"Reason: " + strings.TrimSpace(reason), fmt.Sprintf("Approved by %s; supervised by %s.", approver, supervisor)},
				day:      only(start),
				days:     func(s *requestState) []model.Day { return []model.Day{max(start, s.today)} },
				approver: approver,
			}
			req.prepare = func(src *requestSource, _ *model.Person) error {
				runner, err := o.runner(src, as)
				if err != nil {
					return err
				}
				req.edit = entry(runner == id)
				if runner != id {
					req.preview = entry(true)
					req.previewTitle = fmt.Sprintf("As written (agreed: false) the entry grants nothing until %s agrees. Once they do:", id)
				}
				if runner == approver && f.pr {
					fmt.Fprintf(o.stderr, "warning: you are the approver, %s: GitHub does not let the author of a pull request approve it, and the approving review is the approval; if the pull request is opened under your GitHub account, let %s or someone else open it instead\n", approver, id)
				}
				return nil
			}
			req.check = func(s *requestState) ([]string, []model.Condition, []string) {
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
			return o.propose(req, &f)
		},
	}
	addFlags(cmd,
		stringFlag{&from, "from", "the first day of access, YYYY-MM-DD", true},
		stringFlag{&to, "to", "the last day of access, YYYY-MM-DD", true},
		stringFlag{&approver, "approver", "the id of the lead developer or head of technology who approves it", true},
		stringFlag{&supervisor, "supervisor", "the id of the person with permanent access who supervises it", true},
		stringFlag{&reason, "reason", "why the access is needed, on one line", true},
		stringFlag{&as, "as", "the id of the person running this (default: the person whose email is git config user.email)", false})
	f.register(cmd, o)
	return cmd
}

// runner is the id of the person running the command: --as, or the one
// person whose file has the git author's email. "" when unknown.
func (o *options) runner(src *requestSource, as string) (string, error) {
	if as != "" {
		if src.roster.Person(as) == nil {
			return "", fmt.Errorf("--as: no person %q in %s", as, src.label)
		}
		return as, nil
	}
	if src.repo == nil {
		return "", nil
	}
	_, email := src.repo.Author(o.getenv)
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

func newShift(o *options) *cobra.Command {
	var f requestFlags
	var typ, from, to string
	cmd := &cobra.Command{
		Use:   "shift ID --type shadow|primary|secondary --from DAY --to DAY",
		Short: "Record a 2nd line shift: add an entry to shifts",
		Long: `Add a 2nd line shift to the person file of ID. A shift that shares a day
with another of theirs is refused.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			switch typ {
			case string(model.Shadow), string(model.Primary), string(model.Secondary):
			default:
				return fmt.Errorf("--type: %q is not a kind of shift; use shadow, primary or secondary", typ)
			}
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			end, err := dayFlag("to", to)
			if err != nil {
				return err
			}
			e := personfile.AppendEntry("shifts", personfile.TextField("type", typ), personfile.DayField("start", start), personfile.DayField("end", end))
			req := &request{
				id:    id,
				edit:  &e,
				title: fmt.Sprintf("%s%s shift for %s, %s to %s", strings.ToUpper(typ[:1]), typ[1:], id, start, end),
				day:   only(start),
				// The shift rules change a level on a shift's first day
				// and on the day after it is completed.
				days: func(*requestState) []model.Day { return []model.Day{start, end + 1} },
				check: func(s *requestState) ([]string, []model.Condition, []string) {
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
			return o.propose(req, &f)
		},
	}
	addFlags(cmd,
		stringFlag{&typ, "type", "shadow, primary or secondary", true},
		stringFlag{&from, "from", "the shift's first day, YYYY-MM-DD", true},
		stringFlag{&to, "to", "the shift's last day, YYYY-MM-DD", true})
	f.register(cmd, o)
	return cmd
}

func newAbsence(o *options) *cobra.Command {
	var f requestFlags
	var from, to, end string
	cmd := &cobra.Command{
		Use:   "absence ID --from DAY [--to DAY] | --end DAY",
		Short: "Record an absence, or the end of the one under way",
		Long: `With --from (and --to, if its end is known), add an absence to the person
file of ID; one that overlaps another of theirs, or starts while another
has no end, is refused. With --end, record the last day of the absence
that has no end yet. An absence of more than the policy's days revokes
access until a reinstatement (prodaccess reinstate).
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			switch {
			case end != "" && (from != "" || to != ""):
				return fmt.Errorf("--end ends the absence under way and is given alone; --from (and --to) record a new absence")
			case end != "":
				last, err := dayFlag("end", end)
				if err != nil {
					return err
				}
				return o.propose(endAbsence(id, last), &f)
			case from == "":
				return fmt.Errorf("give --from DAY (and --to DAY) for a new absence, or --end DAY to end the one under way")
			}
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			values := []personfile.FieldValue{personfile.DayField("start", start)}
			title := fmt.Sprintf("Absence of %s from %s", id, start)
			var stop model.Day
			if to != "" {
				if stop, err = dayFlag("to", to); err != nil {
					return err
				}
				values = append(values, personfile.DayField("end", stop))
				title = fmt.Sprintf("Absence of %s, %s to %s", id, start, stop)
			}
			e := personfile.AppendEntry("absences", values...)
			req := &request{id: id, edit: &e, title: title, day: only(start)}
			req.check = func(s *requestState) ([]string, []model.Condition, []string) {
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
			req.days = func(s *requestState) []model.Day {
				// The day a long absence revokes access, and the day
				// after it ends.
				days := []model.Day{start + model.Day(s.cfg.Policy.AbsenceLimitDays)}
				if to != "" {
					days = append(days, stop+1)
				}
				return days
			}
			return o.propose(req, &f)
		},
	}
	addFlags(cmd,
		stringFlag{&from, "from", "the first day of the absence, YYYY-MM-DD", false},
		stringFlag{&to, "to", "the last day of the absence, if known", false},
		stringFlag{&end, "end", "the last day of the absence under way", false})
	f.register(cmd, o)
	return cmd
}

// endAbsence records the last day of the absence that has no end.
func endAbsence(id string, last model.Day) *request {
	req := &request{id: id, day: only(last), days: func(*requestState) []model.Day { return []model.Day{last + 1} }}
	var open model.Absence
	req.prepare = func(_ *requestSource, p *model.Person) error {
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
	req.check = func(s *requestState) ([]string, []model.Condition, []string) {
		limit := s.cfg.Policy.AbsenceLimitDays
		if last < open.Start+model.Day(limit) {
			return nil, nil, nil
		}
		return nil, nil, []string{fmt.Sprintf("the absence lasted more than %d days: access stays revoked until a reinstatement dated %s or later (prodaccess reinstate %s --on DAY --approver ID)", limit, last, id)}
	}
	return req
}

func newReinstate(o *options) *cobra.Command {
	var f requestFlags
	var on, approver string
	cmd := &cobra.Command{
		Use:   "reinstate ID --on DAY --approver ID",
		Short: "Reinstate access revoked by a long absence: add a reinstated entry",
		Long: `Add a reinstated entry to the person file of ID, approved by a lead
developer or the head of technology, dated on or after the end of the long
absence that revoked their access. With --pr the approver's GitHub login
is asked to review the pull request: their approving review is the
approval.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			date, err := dayFlag("on", on)
			if err != nil {
				return err
			}
			e := personfile.AppendEntry("reinstated", personfile.DayField("date", date), personfile.TextField("approved_by", approver))
			req := &request{
				id: id, edit: &e, approver: approver,
				title:   fmt.Sprintf("Reinstate production access for %s from %s", id, date),
				summary: []string{"Approved by " + approver + "."},
				day:     only(date),
				days:    func(*requestState) []model.Day { return []model.Day{date} },
				check: func(s *requestState) ([]string, []model.Condition, []string) {
					conditions := s.after.ReinstatementConditions(s.now, &s.now.Reinstated[len(s.now.Reinstated)-1])
					return unmet(conditions), conditions, nil
				},
			}
			return o.propose(req, &f)
		},
	}
	addFlags(cmd,
		stringFlag{&on, "on", "the day access is reinstated, YYYY-MM-DD", true},
		stringFlag{&approver, "approver", "the id of the lead developer or head of technology who approves it", true})
	f.register(cmd, o)
	return cmd
}

func newLeave(o *options) *cobra.Command {
	var f requestFlags
	var lastDay string
	cmd := &cobra.Command{
		Use:   "leave ID --last-day DAY",
		Short: "Record a person's last working day: set last_day",
		Long: `Set last_day in the person file of ID: they have no access after it. What
they approve or supervise stops counting too, and the change says so.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			d, err := dayFlag("last-day", lastDay)
			if err != nil {
				return err
			}
			e := personfile.SetField(personfile.DayField("last_day", d))
			req := &request{
				id: id, edit: &e,
				title: fmt.Sprintf("Last day of %s: %s", id, d),
				day:   only(d),
				days:  func(*requestState) []model.Day { return []model.Day{d + 1} },
				prepare: func(_ *requestSource, p *model.Person) error {
					if p.LastDay != nil && *p.LastDay == d {
						return nothingToDo{fmt.Sprintf("%s already says last_day: %s; nothing to change.", p.File, d)}
					}
					return nil
				},
			}
			return o.propose(req, &f)
		},
	}
	addFlags(cmd, stringFlag{&lastDay, "last-day", "the last working day, YYYY-MM-DD", true})
	f.register(cmd, o)
	return cmd
}

func newPerson(o *options) *cobra.Command {
	person := &cobra.Command{
		Use:   "person",
		Short: "Person files: new",
		Args:  cobra.NoArgs,
	}
	var f requestFlags
	var name, email, login, programme, role, employment, clearance, start, githubID, fingerprint, ssh, arn string
	cmd := &cobra.Command{
		Use:   "new ID --name NAME --email EMAIL --github LOGIN --programme P --role R --employment E --clearance C [--start DAY]",
		Short: "Write a new person file",
		Long: `Write people/ID.yaml for a new person, in the shape of the example files.
A login, email, fingerprint, username or ARN that another file already
claims is refused.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			fields := []personfile.FieldValue{
				personfile.TextField("name", name), personfile.TextField("email", email), personfile.TextField("github", login),
				personfile.TextField("programme", programme), personfile.TextField("role", role),
				personfile.TextField("employment", employment), personfile.TextField("clearance", clearance),
			}
			var startDay model.Day
			if start != "" {
				d, err := dayFlag("start", start)
				if err != nil {
					return err
				}
				startDay = d
				fields = append(fields, personfile.DayField("start_date", d))
			}
			if githubID != "" {
				if _, err := strconv.ParseUint(githubID, 10, 63); err != nil {
					return fmt.Errorf("--github-id: %q is not a whole number", githubID)
				}
				fields = append(fields, personfile.FieldValue{Name: "github_id", Value: githubID, Kind: personfile.NumberValue})
			}
			for _, v := range []struct{ name, value string }{{"gpg_fingerprint", fingerprint}, {"ssh_username", ssh}, {"aws_user_arn", arn}} {
				if v.value != "" {
					kind := personfile.QuotedValue
					if v.name == "ssh_username" {
						kind = personfile.TextValue
					}
					fields = append(fields, personfile.FieldValue{Name: v.name, Value: v.value, Kind: kind})
				}
			}
			first := func(s *requestState) model.Day {
				if start == "" {
					return s.today
				}
				return max(startDay, s.today)
			}
			req := &request{
				id: id, fields: fields,
				title: fmt.Sprintf("New person file for %s", id),
				day: func(s *requestState) model.Day {
					if start == "" {
						return s.today
					}
					return startDay
				},
				days: func(s *requestState) []model.Day { return []model.Day{first(s)} },
			}
			return o.propose(req, &f)
		},
	}
	addFlags(cmd,
		stringFlag{&name, "name", "the person's name", true},
		stringFlag{&email, "email", "their email address", true},
		stringFlag{&login, "github", "their GitHub login", true},
		stringFlag{&programme, "programme", "govuk, techops or other", true},
		stringFlag{&role, "role", "developer, lead_developer, sre, head_of_technology or other", true},
		stringFlag{&employment, "employment", "civil_servant or contractor", true},
		stringFlag{&clearance, "clearance", "none, bpss, ctc, sc or dv", true},
		stringFlag{&start, "start", "their first day, YYYY-MM-DD: no access before it", false},
		stringFlag{&githubID, "github-id", "their numeric GitHub user id", false},
		stringFlag{&fingerprint, "gpg-fingerprint", "the full 40-hex fingerprint of their GPG key", false},
		stringFlag{&ssh, "ssh-username", "their username on the servers", false},
		stringFlag{&arn, "aws-user-arn", "the ARN of their AWS IAM user", false})
	f.register(cmd, o)
	person.AddCommand(cmd)
	return person
}
