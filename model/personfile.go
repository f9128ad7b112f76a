package model

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxPersonFileSize is the largest person file read; larger ones are refused.
const MaxPersonFileSize = 64 << 10

var (
	idPattern          = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	loginPattern       = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)
	emailPattern       = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	fingerprintPattern = regexp.MustCompile(`^ *([0-9A-Fa-f] *){40}$`)
	sshUsernamePattern = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	awsUserARNPattern  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:user/[\w+=,.@/-]{1,512}$`)
)

// The shapes of the values in a person file.
var (
	idShape = textMatching(idPattern, 64, "a person id (the name of a file in people/ without .yaml)",
		"The id of a person: the name of their file in people/ without .yaml.")
	loginShape = textMatching(loginPattern, 39, "a GitHub login (1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen)",
		"GitHub login; compared without regard to case. Required for github-team targets.")
	fingerprintShape = textMatching(fingerprintPattern, 0, "a fingerprint (40 hex digits)",
		"The full 40-hex-digit fingerprint of the person's v4 OpenPGP key; spaces are allowed and ignored.")
	programmeShape  = oneOf("The programme the person works in.", GOVUK, TechOps, OtherProgramme)
	roleShape       = oneOf("The person's job, as far as the rules care.", Developer, LeadDeveloper, SRE, HeadOfTechnology, OtherRole)
	employmentShape = oneOf("How the person is employed.", CivilServant, Contractor)
	clearanceShape  = oneOf("Security clearance; each level includes the ones before it. bpss is the minimum for temporary access.", clearanceOrder...)
	shiftTypeShape  = oneOf("shadow, or primary or secondary (non-shadow shifts).", Shadow, Primary, Secondary)

	personShape = mappingOf(personTable, "A person file: people/<id>.yaml.")
)

// ValidID reports whether s may be a person's id: lower-case letters and
// digits in words joined by single hyphens, at most 64 characters.
func ValidID(s string) bool { return len(s) <= idShape.maxLength && idPattern.MatchString(s) }

// ValidGitHubLogin applies GitHub's rule for logins: 1 to 39 characters,
// letters, digits and single hyphens, not starting or ending with a hyphen.
func ValidGitHubLogin(s string) bool {
	return len(s) <= loginShape.maxLength && loginPattern.MatchString(s)
}

// NormalizeFingerprint removes spaces from an OpenPGP fingerprint and
// upper-cases it. It returns an error unless the result is 40 hex digits:
// short and long key ids can be forged, so only full fingerprints count.
func NormalizeFingerprint(s string) (string, error) {
	f := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	for _, c := range f {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return "", fmt.Errorf("%q is not a fingerprint: only hex digits and spaces are allowed", s)
		}
	}
	switch len(f) {
	case 40:
		return f, nil
	case 8, 16:
		return "", fmt.Errorf("%q is a short key id, which can be forged; give the full 40-digit fingerprint", s)
	case 64:
		return "", fmt.Errorf("%q is a v5 or v6 fingerprint; only v4 keys (40 hex digits) are supported", s)
	}
	return "", fmt.Errorf("%q has %d hex digits; a fingerprint has 40", s, len(f))
}

// decodePerson reads one person file. The returned person carries every
// problem found in the file; it is never nil.
func decodePerson(file, id string, data []byte) *Person {
	d := &decoder{file: file}
	p := &Person{ID: id, File: file}
	if root := d.document(data); root != nil {
		d.person(root, p)
	}
	p.Problems = d.problems
	p.shadows = shadowShifts(p.Shifts)
	for i := range p.TemporaryAccess {
		g := &p.TemporaryAccess[i]
		g.key = g.Ref(id).Key()
	}
	for i := range p.Reinstated {
		re := &p.Reinstated[i]
		re.key = re.Ref(id).Key()
	}
	return p
}

func (d *decoder) person(root *yaml.Node, p *Person) {
	var lastDay *yaml.Node
	d.mapping(root, "", "a person", d.personFields(p, &lastDay))
	if p.StartDate != nil && p.LastDay != nil && *p.LastDay < *p.StartDate {
		d.problem(lastDay, "last_day", "%s is before start_date %s", p.LastDay, p.StartDate)
	}
	if root.Kind == yaml.MappingNode {
		p.fieldPos = make([]namedPos, 0, len(root.Content)/2)
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			p.fieldPos = append(p.fieldPos, namedPos{k.Value, Pos{v.Line, v.Column}})
		}
	}
}

// personTable is the fields of a person file, for the schema.
func personTable() []field { return new(decoder).personFields(new(Person), new(*yaml.Node)) }

// personFields are the fields of a person file, read into p; lastDay is
// set to the value of last_day.
func (d *decoder) personFields(p *Person, lastDay **yaml.Node) []field {
	return []field{
		d.textField("name", true, nameShape, &p.Name, nil),
		d.textField("email", true, emailShape, &p.Email, d.checkEmail),
		d.textField("github", false, loginShape, &p.GitHub, nil),
		{name: "github_id", is: githubIDShape, read: func(n *yaml.Node, path string) {
			if v, ok := d.positiveInt(n, path); ok {
				p.GitHubID = v
			}
		}},
		{name: "gpg_fingerprint", is: fingerprintShape, read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				f, err := NormalizeFingerprint(v)
				if err != nil {
					d.problem(n, path, "%v", err)
					return
				}
				if d.matches(n, path, v, fingerprintShape) {
					p.GPGFingerprint = f
				}
			}
		}},
		d.textField("ssh_username", false, sshUsernameShape, &p.SSHUsername, nil),
		d.textField("aws_user_arn", false, awsUserARNShape, &p.AWSUserARN, nil),
		enumField(d, "programme", true, programmeShape, &p.Programme),
		enumField(d, "role", true, roleShape, &p.Role),
		enumField(d, "employment", true, employmentShape, &p.Employment),
		enumField(d, "clearance", true, clearanceShape, &p.Clearance),
		d.dayField("start_date", false, startDateShape, &p.StartDate),
		{name: "last_day", is: lastDayShape, read: func(n *yaml.Node, path string) {
			*lastDay = n
			if v, ok := d.day(n, path); ok {
				p.LastDay = &v
			}
		}},
		d.dayField("probation_passed", false, probationShape, &p.ProbationPassed),
		{name: "shifts", is: shiftsShape, read: listInto(d, &p.Shifts, d.shift)},
		{name: "temporary_access", is: grantsShape, read: listInto(d, &p.TemporaryAccess, d.grant)},
		{name: "absences", is: absencesShape, read: listInto(d, &p.Absences, d.absence)},
		{name: "reinstated", is: reinstatementsShape, read: listInto(d, &p.Reinstated, d.reinstatement)},
	}
}

var (
	nameShape      = text("The person's full name.")
	startDateShape = date("The first working day: no access before it.")
	probationShape = date("The day probation was passed.")
	emailShape     = textMatching(emailPattern, 0, "an email address (name@example.gov.uk)", "Work email address; manual targets name the person by it.")
	githubIDShape  = &shape{kind: kindInt, min: 1, hasMin: true, with: []string{"github"},
		doc: "The immutable numeric GitHub user id (GET /users/{login} gives it); given only with github."}
	sshUsernameShape = textMatching(sshUsernamePattern, 0, "a username (a lower-case letter or _, then up to 31 lower-case letters, digits, _, . or -)",
		"The username on servers, for yaml-list targets.")
	awsUserARNShape = textMatching(awsUserARNPattern, 0, "an IAM user ARN (arn:aws:iam::<12-digit account>:user/<name>)",
		"The AWS IAM user ARN, for tfvars-list targets.")
	lastDayShape = date("The last working day: no access after it.")

	shiftsShape = listOf(mappingOf(shiftTable, "A 2nd line shift; both ends are included."),
		"2nd line shifts, in any order.")
	grantsShape = listOf(mappingOf(grantTable, "An entry of the temporary supervised access exception; both ends are included."),
		"Temporary supervised production access: the exception in the rules.")
	absencesShape = listOf(mappingOf(absenceTable, "A period away from work; both ends are included."),
		"Absences. One that lasts more than the limit (six weeks) revokes access until a reinstatement.")
	reinstatementsShape = listOf(mappingOf(reinstatementTable, "A reinstatement after a long absence."),
		"Reinstatements of access revoked by a long absence.")
)

// listInto reads a list whose items each reads, keeping the good ones.
func listInto[T any](d *decoder, dst *[]T, each func(*yaml.Node, string) (T, bool)) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		d.list(n, path, func(_ int, item *yaml.Node, path string) {
			if v, ok := each(item, path); ok {
				*dst = append(*dst, v)
			}
		})
	}
}

func (d *decoder) checkEmail(n *yaml.Node, path, v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		d.problem(n, path, "%q is not an email address (name@example.gov.uk)", v)
		return false
	}
	return true
}

// rangeFields returns the start and end fields of an inclusive range, and a
// check to run once the mapping has been read.
func (d *decoder) rangeFields(r *Range, endRequired bool, end **Day) ([]field, func(n *yaml.Node, path string) bool) {
	var haveStart, haveEnd bool
	var endNode *yaml.Node
	endShape := rangeEndShape
	if !endRequired {
		endShape = openEndShape
	}
	fields := []field{
		{name: "start", required: true, is: rangeStartShape, read: func(n *yaml.Node, path string) {
			r.Start, haveStart = d.day(n, path)
		}},
		{name: "end", required: endRequired, is: endShape, read: func(n *yaml.Node, path string) {
			endNode = n
			r.End, haveEnd = d.day(n, path)
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
			d.problem(endNode, path+".end", "%s is before start %s", r.End, r.Start)
			return false
		}
		return true
	}
	return fields, check
}

var (
	rangeStartShape = date("The first day.")
	rangeEndShape   = date("The last day, included.")
	openEndShape    = date("The last day, included; leave it out while the absence goes on.")
	approverShape   = idShape.withDoc("The id of the person who approved: a lead_developer or head_of_technology, not the person.")
	supervisorShape = idShape.withDoc("The id of another person, who must have permanent access on each day the grant is used.")
	agreedShape     = boolean("The person agreed to use the access only while supervised; the grant needs true.")
	reasonShape     = text("Why the access is needed.")
	reinDayShape    = date("The day access is given back: on or after the absence's end.")
)

func shiftTable() []field {
	fields, _, _ := new(decoder).shiftFields(new(Shift))
	return fields
}

// shiftFields are the fields of a shift, read into s, with the check to
// run once they are read.
func (d *decoder) shiftFields(s *Shift) ([]field, func(n *yaml.Node, path string) bool, *bool) {
	fields, check := d.rangeFields(&s.Range, true, nil)
	typeOK := new(bool)
	typeField := enumField(d, "type", true, shiftTypeShape, &s.Type)
	read := typeField.read
	typeField.read = func(n *yaml.Node, path string) {
		read(n, path)
		*typeOK = s.Type != ""
	}
	fields = append(fields, typeField)
	return fields, check, typeOK
}

func (d *decoder) shift(n *yaml.Node, path string) (Shift, bool) {
	s := Shift{Pos: Pos{n.Line, n.Column}}
	fields, check, typeOK := d.shiftFields(&s)
	if !d.mapping(n, path, "a shift", fields) {
		return s, false
	}
	return s, check(n, path) && *typeOK
}

func grantTable() []field {
	fields, _, _ := new(decoder).grantFields(new(TemporaryGrant))
	return fields
}

// grantFields are the fields of a temporary access entry, read into g,
// with the check to run once they are read and the count of good values
// among approved_by, supervisor, agreed and reason.
func (d *decoder) grantFields(g *TemporaryGrant) ([]field, func(n *yaml.Node, path string) bool, *int) {
	fields, check := d.rangeFields(&g.Range, true, nil)
	ok := new(int)
	count := func(good bool) {
		if good {
			*ok++
		}
	}
	fields = append(fields,
		field{name: "approved_by", required: true, is: approverShape, read: func(n *yaml.Node, path string) {
			g.ApprovedByPos = Pos{n.Line, n.Column}
			g.ApprovedBy, _ = d.personRef(n, path)
			count(g.ApprovedBy != "")
		}},
		field{name: "supervisor", required: true, is: supervisorShape, read: func(n *yaml.Node, path string) {
			g.SupervisorPos = Pos{n.Line, n.Column}
			g.Supervisor, _ = d.personRef(n, path)
			count(g.Supervisor != "")
		}},
		field{name: "agreed", required: true, is: agreedShape, read: func(n *yaml.Node, path string) {
			var good bool
			g.Agreed, good = d.boolean(n, path)
			count(good)
		}},
		field{name: "reason", required: true, is: reasonShape, read: func(n *yaml.Node, path string) {
			g.Reason, _ = d.text(n, path)
			g.Reason = strings.TrimSpace(g.Reason)
			count(g.Reason != "")
		}},
	)
	return fields, check, ok
}

func (d *decoder) grant(n *yaml.Node, path string) (TemporaryGrant, bool) {
	g := TemporaryGrant{Pos: Pos{n.Line, n.Column}}
	fields, check, ok := d.grantFields(&g)
	if !d.mapping(n, path, "a temporary access entry", fields) {
		return g, false
	}
	return g, check(n, path) && *ok == 4
}

func absenceTable() []field {
	fields, _ := new(decoder).rangeFields(new(Range), false, new(*Day))
	return fields
}

func (d *decoder) absence(n *yaml.Node, path string) (Absence, bool) {
	a := Absence{Pos: Pos{n.Line, n.Column}}
	var r Range
	fields, check := d.rangeFields(&r, false, &a.End)
	if !d.mapping(n, path, "an absence", fields) {
		return a, false
	}
	a.Start = r.Start
	return a, check(n, path)
}

func reinstatementTable() []field {
	return new(decoder).reinstatementFields(new(Reinstatement), new(bool))
}

// reinstatementFields are the fields of a reinstatement, read into r;
// haveDate is set when the date is good.
func (d *decoder) reinstatementFields(r *Reinstatement, haveDate *bool) []field {
	return []field{
		{name: "date", required: true, is: reinDayShape, read: func(n *yaml.Node, path string) { r.Date, *haveDate = d.day(n, path) }},
		{name: "approved_by", required: true, is: approverShape, read: func(n *yaml.Node, path string) {
			r.ApprovedByPos = Pos{n.Line, n.Column}
			r.ApprovedBy, _ = d.personRef(n, path)
		}},
	}
}

func (d *decoder) reinstatement(n *yaml.Node, path string) (Reinstatement, bool) {
	r := Reinstatement{Pos: Pos{n.Line, n.Column}}
	var haveDate bool
	if !d.mapping(n, path, "a reinstatement", d.reinstatementFields(&r, &haveDate)) {
		return r, false
	}
	return r, haveDate && r.ApprovedBy != ""
}

// personRef reads the id of another person.
func (d *decoder) personRef(n *yaml.Node, path string) (string, bool) {
	v, ok := d.text(n, path)
	if !ok {
		return "", false
	}
	if !d.matches(n, path, v, idShape) {
		return "", false
	}
	return v, true
}
