package personfile

import (
	"net/mail"
	"slices"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// MaxPersonFileSize is the largest person file read; larger ones are refused.
const MaxPersonFileSize = 64 << 10

// The patterns of values that a matcher of match.go decides: they are
// what the JSON Schema states and what the tests compare the matchers
// with, compiled only when used.
var (
	emailPattern       = strictyaml.Lazy(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	fingerprintPattern = strictyaml.Lazy(`^ *([0-9A-Fa-f] *){40}$`)
	sshUsernamePattern = strictyaml.Lazy(`^[a-z_][a-z0-9_.-]{0,31}$`)
	awsUserARNPattern  = strictyaml.Lazy(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:user/[\w+=,.@/-]{1,512}$`)
	pagerDutyIDPattern = strictyaml.Lazy(`^[A-Za-z0-9_-]{1,64}$`)
)

// The shapes of the values in a person file.
var (
	idShape = strictyaml.TextMatching(model.IDPattern, model.MaxIDLength, "a person id (the name of a file in people/ without .yaml)",
		"The id of a person: the name of their file in people/ without .yaml.").MatchedBy(isID)
	loginShape = strictyaml.TextMatching(model.LoginPattern, model.MaxLoginLength, "a GitHub login (1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen)",
		"GitHub login; compared without regard to case. Required for github-team targets.").MatchedBy(isLogin)
	fingerprintShape = strictyaml.TextMatching(fingerprintPattern, 0, "a fingerprint (40 hex digits)",
		"The full 40-hex-digit fingerprint of the person's v4 OpenPGP key; spaces are allowed and ignored.").MatchedBy(isFingerprint)
	programmeShape  = strictyaml.OneOf("The programme the person works in.", model.GOVUK, model.TechOps, model.OtherProgramme)
	roleShape       = strictyaml.OneOf("The person's job, as far as the rules care.", model.Developer, model.LeadDeveloper, model.SRE, model.HeadOfTechnology, model.OtherRole)
	employmentShape = strictyaml.OneOf("How the person is employed.", model.CivilServant, model.Contractor)
	clearanceShape  = strictyaml.OneOf("Security clearance; each level includes the ones before it. bpss is the minimum for temporary access.", model.Clearances...)
	shiftTypeShape  = strictyaml.OneOf("shadow, or primary or secondary (non-shadow shifts).", model.Shadow, model.Primary, model.Secondary)

	personShape = strictyaml.MappingOf(personTable, "A person file: people/<id>.yaml.")
)

// decoder reads person files: the strict YAML decoder, with the tables of
// a person file's fields.
type decoder struct{ strictyaml.Decoder }

// decodePerson reads one person file. The returned person carries every
// problem found in the file; it is never nil.
func decodePerson(file, id string, data []byte) *model.Person {
	d := &decoder{Decoder: strictyaml.Decoder{File: file}}
	p := &model.Person{ID: id, File: file}
	if root := d.Document(data); root != nil {
		d.person(root, p)
	}
	p.Problems = d.Problems
	p.Derive()
	return p
}

func (d *decoder) person(root *yaml.Node, p *model.Person) {
	var lastDay *yaml.Node
	d.Mapping(root, "", "a person", d.personFields(p, &lastDay))
	if p.StartDate != nil && p.LastDay != nil && *p.LastDay < *p.StartDate {
		d.Problem(lastDay, "last_day", "%s is before start_date %s", p.LastDay, p.StartDate)
	}
	if root.Kind == yaml.MappingNode {
		fields := make([]model.NamedPos, 0, len(root.Content)/2)
		names := fieldNames()
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			name, known := names[k.Value]
			if !known {
				name = k.Value
			}
			fields = append(fields, model.NamedPos{Name: name, Pos: model.Pos{Line: v.Line, Col: v.Column}})
		}
		p.SetFieldPositions(fields)
	}
}

// fieldNames maps each field name of a person file to itself. A person
// keeps where each of its fields is, by name: the table's copy of a name,
// not the parser's, lets the parser's copy go (half the strings a parse
// makes are keys).
var fieldNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	for _, f := range personTable() {
		names[f.Name] = f.Name
	}
	return names
})

// personTable is the fields of a person file, for the schema.
func personTable() []strictyaml.Field {
	return new(decoder).personFields(new(model.Person), new(*yaml.Node))
}

// personFields are the fields of a person file, read into p; lastDay is
// set to the value of last_day.
func (d *decoder) personFields(p *model.Person, lastDay **yaml.Node) []strictyaml.Field {
	return []strictyaml.Field{
		d.TextField("name", true, nameShape, &p.Name, nil),
		d.TextField("email", true, emailShape, &p.Email, d.checkEmail),
		d.TextField("github", false, loginShape, &p.GitHub, nil),
		{Name: "github_id", Is: githubIDShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.PositiveInt(n, path); ok {
				p.GitHubID = v
			}
		}},
		{Name: "gpg_fingerprint", Is: fingerprintShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.Text(n, path); ok {
				f, err := model.NormalizeFingerprint(v)
				if err != nil {
					d.Problem(n, path, "%v", err)
					return
				}
				if d.Matches(n, path, v, fingerprintShape) {
					p.GPGFingerprint = f
				}
			}
		}},
		d.TextField("ssh_username", false, sshUsernameShape, &p.SSHUsername, nil),
		d.TextField("aws_user_arn", false, awsUserARNShape, &p.AWSUserARN, nil),
		d.TextField("pagerduty_id", false, pagerDutyIDShape, &p.PagerDutyID, nil),
		strictyaml.EnumField(&d.Decoder, "programme", true, programmeShape, &p.Programme),
		strictyaml.EnumField(&d.Decoder, "role", true, roleShape, &p.Role),
		strictyaml.EnumField(&d.Decoder, "employment", true, employmentShape, &p.Employment),
		strictyaml.EnumField(&d.Decoder, "clearance", true, clearanceShape, &p.Clearance),
		d.DayField("start_date", false, startDateShape, &p.StartDate),
		{Name: "last_day", Is: lastDayShape, Read: func(n *yaml.Node, path string) {
			*lastDay = n
			if v, ok := d.Day(n, path); ok {
				p.LastDay = &v
			}
		}},
		d.DayField("probation_passed", false, probationShape, &p.ProbationPassed),
		{Name: "shifts", Is: shiftsShape, Read: listInto(d, &p.Shifts, d.shift)},
		{Name: "temporary_access", Is: grantsShape, Read: listInto(d, &p.TemporaryAccess, d.grant)},
		{Name: "absences", Is: absencesShape, Read: listInto(d, &p.Absences, d.absence)},
		{Name: "reinstated", Is: reinstatementsShape, Read: listInto(d, &p.Reinstated, d.reinstatement)},
		{Name: "held_before_adoption", Is: heldShape, Read: func(n *yaml.Node, path string) {
			if h, ok := d.held(n, path); ok {
				p.HeldBeforeAdoption = &h
			}
		}},
	}
}

var (
	nameShape      = strictyaml.TextUpTo(model.MaxNameLength, "The person's full name.")
	startDateShape = strictyaml.Date("The first working day: no access before it.")
	probationShape = strictyaml.Date("The day probation was passed.")
	emailShape     = strictyaml.TextMatching(emailPattern, model.MaxEmailLength, "an email address (name@example.gov.uk)", "Work email address; manual targets name the person by it.").MatchedBy(isEmail)
	githubIDShape  = &strictyaml.Shape{Kind: strictyaml.KindInt, Min: 1, HasMin: true, With: []string{"github"},
		Doc: "The immutable numeric GitHub user id (GET /users/{login} gives it); given only with github."}
	sshUsernameShape = strictyaml.TextMatching(sshUsernamePattern, 0, "a username (a lower-case letter or _, then up to 31 lower-case letters, digits, _, . or -)",
		"The username on servers, for yaml-list targets.").MatchedBy(isSSHUsername)
	awsUserARNShape = strictyaml.TextMatching(awsUserARNPattern, 0, "an IAM user ARN (arn:aws:iam::<12-digit account>:user/<name>)",
		"The AWS IAM user ARN, for tfvars-list targets.").MatchedBy(isAWSUserARN)
	pagerDutyIDShape = strictyaml.TextMatching(pagerDutyIDPattern, 64, "a PagerDuty user id (letters, digits, _ and -, such as PXPGF42)",
		"The PagerDuty user id, for a rota that matches people by it (rota.match: pagerduty_id).").MatchedBy(isPagerDutyID)
	lastDayShape = strictyaml.Date("The last working day: no access after it.")

	shiftsShape = strictyaml.ListOf(strictyaml.MappingOf(shiftTable, "A 2nd line shift; both ends are included."),
		"2nd line shifts, in any order.")
	grantsShape = strictyaml.ListOf(strictyaml.MappingOf(grantTable, "An entry of the temporary supervised access exception; both ends are included."),
		"Temporary supervised production access: the exception in the rules.")
	absencesShape = strictyaml.ListOf(strictyaml.MappingOf(absenceTable, "A period away from work; both ends are included."),
		"Absences. One that lasts more than the limit (six weeks) revokes access until a reinstatement.")
	reinstatementsShape = strictyaml.ListOf(strictyaml.MappingOf(reinstatementTable, "A reinstatement after a long absence."),
		"Reinstatements of access revoked by a long absence.")
	heldShape = strictyaml.MappingOf(heldTable, "Access the person held before the organisation adopted prodaccess, as a lead attests to it in an approving review: it gives the level on the targets named, from since, and is valid only with a since before policy.adopted_on. Replace it with the facts that give the access (shifts) over time.")
)

// listInto reads a list whose items each reads, keeping the good ones.
func listInto[T any](d *decoder, dst *[]T, each func(*yaml.Node, string) (T, bool)) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		d.List(n, path, func(_ int, item *yaml.Node, path string) {
			if v, ok := each(item, path); ok {
				*dst = append(*dst, v)
			}
		})
	}
}

func (d *decoder) checkEmail(n *yaml.Node, path, v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		d.Problem(n, path, "%q is not an email address (name@example.gov.uk)", v)
		return false
	}
	return true
}

// rangeFields returns the start and end fields of an inclusive range, and a
// check to run once the mapping has been read.
func (d *decoder) rangeFields(r *model.Range, endRequired bool, end **model.Day) ([]strictyaml.Field, func(n *yaml.Node, path string) bool) {
	var haveStart, haveEnd bool
	var endNode *yaml.Node
	endShape := rangeEndShape
	if !endRequired {
		endShape = openEndShape
	}
	fields := []strictyaml.Field{
		{Name: "start", Required: true, Is: rangeStartShape, Read: func(n *yaml.Node, path string) {
			r.Start, haveStart = d.Day(n, path)
		}},
		{Name: "end", Required: endRequired, Is: endShape, Read: func(n *yaml.Node, path string) {
			endNode = n
			r.End, haveEnd = d.Day(n, path)
			if haveEnd && end != nil {
				v := r.End
				*end = &v
			}
		}},
	}
	check := func(n *yaml.Node, path string) bool {
		if !haveStart || (endRequired && !haveEnd) {
			return false
		}
		if haveEnd && r.End < r.Start {
			d.Problem(endNode, path+".end", "%s is before start %s", r.End, r.Start)
			return false
		}
		return true
	}
	return fields, check
}

var (
	rangeStartShape = strictyaml.Date("The first day.")
	rangeEndShape   = strictyaml.Date("The last day, included.")
	openEndShape    = strictyaml.Date("The last day, included; leave it out while the absence goes on.")
	approverShape   = idShape.WithDoc("The id of the person who approved: a lead_developer or head_of_technology, not the person.")
	supervisorShape = idShape.WithDoc("The id of another person, who must have permanent access on each day the grant is used.")
	agreedShape     = strictyaml.Boolean("The person agreed to use the access only while supervised; the grant needs true.")
	reasonShape     = strictyaml.TextUpTo(model.MaxReasonLength, "Why the access is needed.")
	reinDayShape    = strictyaml.Date("The day access is given back: on or after the absence's end.")
)

func shiftTable() []strictyaml.Field {
	fields, _, _ := new(decoder).shiftFields(new(model.Shift))
	return fields
}

// shiftFields are the fields of a shift, read into s, with the check to
// run once they are read.
func (d *decoder) shiftFields(s *model.Shift) ([]strictyaml.Field, func(n *yaml.Node, path string) bool, *bool) {
	fields, check := d.rangeFields(&s.Range, true, nil)
	typeOK := new(bool)
	typeField := strictyaml.EnumField(&d.Decoder, "type", true, shiftTypeShape, &s.Type)
	read := typeField.Read
	typeField.Read = func(n *yaml.Node, path string) {
		read(n, path)
		*typeOK = s.Type != ""
	}
	fields = append(fields, typeField)
	return fields, check, typeOK
}

func (d *decoder) shift(n *yaml.Node, path string) (model.Shift, bool) {
	s := model.Shift{Pos: model.Pos{Line: n.Line, Col: n.Column}}
	fields, check, typeOK := d.shiftFields(&s)
	if !d.Mapping(n, path, "a shift", fields) {
		return s, false
	}
	return s, check(n, path) && *typeOK
}

func grantTable() []strictyaml.Field {
	fields, _, _ := new(decoder).grantFields(new(model.TemporaryGrant))
	return fields
}

// grantFields are the fields of a temporary access entry, read into g,
// with the check to run once they are read and the count of good values
// among approved_by, supervisor, agreed and reason.
func (d *decoder) grantFields(g *model.TemporaryGrant) ([]strictyaml.Field, func(n *yaml.Node, path string) bool, *int) {
	fields, check := d.rangeFields(&g.Range, true, nil)
	ok := new(int)
	count := func(good bool) {
		if good {
			*ok++
		}
	}
	fields = append(fields,
		strictyaml.Field{Name: "approved_by", Required: true, Is: approverShape, Read: func(n *yaml.Node, path string) {
			g.ApprovedByPos = model.Pos{Line: n.Line, Col: n.Column}
			g.ApprovedBy, _ = d.personRef(n, path)
			count(g.ApprovedBy != "")
		}},
		strictyaml.Field{Name: "supervisor", Required: true, Is: supervisorShape, Read: func(n *yaml.Node, path string) {
			g.SupervisorPos = model.Pos{Line: n.Line, Col: n.Column}
			g.Supervisor, _ = d.personRef(n, path)
			count(g.Supervisor != "")
		}},
		strictyaml.Field{Name: "agreed", Required: true, Is: agreedShape, Read: func(n *yaml.Node, path string) {
			var good bool
			g.Agreed, good = d.Boolean(n, path)
			count(good)
		}},
		strictyaml.Field{Name: "reason", Required: true, Is: reasonShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.Text(n, path); ok && d.Matches(n, path, v, reasonShape) {
				g.Reason = strings.TrimSpace(v)
			}
			count(g.Reason != "")
		}},
	)
	return fields, check, ok
}

func (d *decoder) grant(n *yaml.Node, path string) (model.TemporaryGrant, bool) {
	g := model.TemporaryGrant{Pos: model.Pos{Line: n.Line, Col: n.Column}}
	fields, check, ok := d.grantFields(&g)
	if !d.Mapping(n, path, "a temporary access entry", fields) {
		return g, false
	}
	return g, check(n, path) && *ok == 4
}

func absenceTable() []strictyaml.Field {
	fields, _ := new(decoder).rangeFields(new(model.Range), false, new(*model.Day))
	return fields
}

func (d *decoder) absence(n *yaml.Node, path string) (model.Absence, bool) {
	a := model.Absence{Pos: model.Pos{Line: n.Line, Col: n.Column}}
	var r model.Range
	fields, check := d.rangeFields(&r, false, &a.End)
	if !d.Mapping(n, path, "an absence", fields) {
		return a, false
	}
	a.Start = r.Start
	return a, check(n, path)
}

func reinstatementTable() []strictyaml.Field {
	return new(decoder).reinstatementFields(new(model.Reinstatement), new(bool))
}

// reinstatementFields are the fields of a reinstatement, read into r;
// haveDate is set when the date is good.
func (d *decoder) reinstatementFields(r *model.Reinstatement, haveDate *bool) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "date", Required: true, Is: reinDayShape, Read: func(n *yaml.Node, path string) { r.Date, *haveDate = d.Day(n, path) }},
		{Name: "approved_by", Required: true, Is: approverShape, Read: func(n *yaml.Node, path string) {
			r.ApprovedByPos = model.Pos{Line: n.Line, Col: n.Column}
			r.ApprovedBy, _ = d.personRef(n, path)
		}},
	}
}

func (d *decoder) reinstatement(n *yaml.Node, path string) (model.Reinstatement, bool) {
	r := model.Reinstatement{Pos: model.Pos{Line: n.Line, Col: n.Column}}
	var haveDate bool
	if !d.Mapping(n, path, "a reinstatement", d.reinstatementFields(&r, &haveDate)) {
		return r, false
	}
	return r, haveDate && r.ApprovedBy != ""
}

// personRef reads the id of another person.
func (d *decoder) personRef(n *yaml.Node, path string) (string, bool) {
	v, ok := d.Text(n, path)
	if !ok {
		return "", false
	}
	if !d.Matches(n, path, v, idShape) {
		return "", false
	}
	return v, true
}

var (
	heldLevelShape   = strictyaml.OneOf("The level held before adoption.", model.TemporarySupervised.String(), model.Supervised.String(), model.Permanent.String())
	heldSinceShape   = strictyaml.Date("The day from which the person held it, at the latest: before policy.adopted_on.")
	targetShape      = strictyaml.TextMatching(model.IDPattern, model.MaxIDLength, "a target name (lower-case letters and digits in words joined by single hyphens)", "The name of a target in prodaccess.yaml.")
	heldTargetsShape = &strictyaml.Shape{Kind: strictyaml.KindList, Items: targetShape, MinItems: 1, Unique: true,
		Doc: "The targets the person held it on, by name: the level counts on these alone."}
)

func heldTable() []strictyaml.Field {
	return new(decoder).heldFields(new(model.HeldAccess), new(int))
}

// heldFields are the fields of a held_before_adoption entry, read into h;
// good counts the fields read well.
func (d *decoder) heldFields(h *model.HeldAccess, good *int) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "level", Required: true, Is: heldLevelShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.Enum(n, path, heldLevelShape.Enum...); ok {
				h.Level, _ = model.ParseLevel(v)
				*good++
			}
		}},
		{Name: "since", Required: true, Is: heldSinceShape, Read: func(n *yaml.Node, path string) {
			h.SincePos = model.Pos{Line: n.Line, Col: n.Column}
			var ok bool
			if h.Since, ok = d.Day(n, path); ok {
				*good++
			}
		}},
		{Name: "approved_by", Required: true, Is: approverShape, Read: func(n *yaml.Node, path string) {
			h.ApprovedByPos = model.Pos{Line: n.Line, Col: n.Column}
			if h.ApprovedBy, _ = d.personRef(n, path); h.ApprovedBy != "" {
				*good++
			}
		}},
		{Name: "targets", Required: true, Is: heldTargetsShape, Read: func(n *yaml.Node, path string) {
			h.TargetsPos = model.Pos{Line: n.Line, Col: n.Column}
			bad := false
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				v, ok := d.Text(item, path)
				switch {
				case !ok:
					bad = true
				case !d.Matches(item, path, v, targetShape):
					bad = true
				case slices.Contains(h.Targets, v):
					d.Problem(item, path, "target %s is listed twice", v)
					bad = true
				default:
					h.Targets = append(h.Targets, v)
				}
			})
			if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
				d.Problem(n, path, "names no target; give the targets the access was held on")
				bad = true
			}
			if !bad && len(h.Targets) > 0 {
				*good++
			}
		}},
	}
}

// held reads a held_before_adoption entry.
func (d *decoder) held(n *yaml.Node, path string) (model.HeldAccess, bool) {
	h := model.HeldAccess{Pos: model.Pos{Line: n.Line, Col: n.Column}}
	good := 0
	if !d.Mapping(n, path, "a held_before_adoption entry", d.heldFields(&h, &good)) {
		return h, false
	}
	return h, good == 4
}
