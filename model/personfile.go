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
	sshUsernamePattern = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	awsUserARNPattern  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:user/[\w+=,.@/-]{1,512}$`)
)

// ValidID reports whether s may be a person's id: lower-case letters and
// digits in words joined by single hyphens, at most 64 characters.
func ValidID(s string) bool { return len(s) <= 64 && idPattern.MatchString(s) }

// ValidGitHubLogin applies GitHub's rule for logins: 1 to 39 characters,
// letters, digits and single hyphens, not starting or ending with a hyphen.
func ValidGitHubLogin(s string) bool {
	if len(s) < 1 || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
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
	setText := func(dst *string, check func(n *yaml.Node, path, v string) bool) func(*yaml.Node, string) {
		return func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok && (check == nil || check(n, path, v)) {
				*dst = v
			}
		}
	}
	setDay := func(dst **Day) func(*yaml.Node, string) {
		return func(n *yaml.Node, path string) {
			if v, ok := d.day(n, path); ok {
				*dst = &v
			}
		}
	}
	var lastDayNode *yaml.Node
	d.mapping(root, "", "a person", []field{
		{name: "name", required: true, read: setText(&p.Name, nil)},
		{name: "email", required: true, read: setText(&p.Email, d.checkEmail)},
		{name: "github", read: setText(&p.GitHub, d.checkLogin)},
		{name: "github_id", read: func(n *yaml.Node, path string) {
			if v, ok := d.positiveInt(n, path); ok {
				p.GitHubID = v
			}
		}},
		{name: "gpg_fingerprint", read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				f, err := NormalizeFingerprint(v)
				if err != nil {
					d.problem(n, path, "%v", err)
					return
				}
				p.GPGFingerprint = f
			}
		}},
		{name: "ssh_username", read: setText(&p.SSHUsername, d.checkPattern(sshUsernamePattern, "a username (a lower-case letter or _, then up to 31 lower-case letters, digits, _, . or -)"))},
		{name: "aws_user_arn", read: setText(&p.AWSUserARN, d.checkPattern(awsUserARNPattern, "an IAM user ARN (arn:aws:iam::<12-digit account>:user/<name>)"))},
		{name: "programme", required: true, read: enumInto(d, &p.Programme, GOVUK, TechOps, OtherProgramme)},
		{name: "role", required: true, read: enumInto(d, &p.Role, Developer, LeadDeveloper, SRE, HeadOfTechnology, OtherRole)},
		{name: "employment", required: true, read: enumInto(d, &p.Employment, CivilServant, Contractor)},
		{name: "clearance", required: true, read: enumInto(d, &p.Clearance, clearanceOrder...)},
		{name: "start_date", read: setDay(&p.StartDate)},
		{name: "last_day", read: func(n *yaml.Node, path string) { lastDayNode = n; setDay(&p.LastDay)(n, path) }},
		{name: "probation_passed", read: setDay(&p.ProbationPassed)},
		{name: "shifts", read: listInto(d, &p.Shifts, d.shift)},
		{name: "temporary_access", read: listInto(d, &p.TemporaryAccess, d.grant)},
		{name: "absences", read: listInto(d, &p.Absences, d.absence)},
		{name: "reinstated", read: listInto(d, &p.Reinstated, d.reinstatement)},
	})
	if p.StartDate != nil && p.LastDay != nil && *p.LastDay < *p.StartDate {
		d.problem(lastDayNode, "last_day", "%s is before start_date %s", p.LastDay, p.StartDate)
	}
	if root.Kind == yaml.MappingNode {
		p.fieldPos = make([]namedPos, 0, len(root.Content)/2)
		var idKey *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			p.fieldPos = append(p.fieldPos, namedPos{k.Value, Pos{v.Line, v.Column}})
			if k.Value == "github_id" {
				idKey = k
			}
		}
		if _, ok := p.lookupField("github"); p.GitHubID != 0 && !ok {
			d.problem(idKey, "github_id", "given without github; give the login too")
		}
	}
}

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

func enumInto[T ~string](d *decoder, dst *T, allowed ...T) func(*yaml.Node, string) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return func(n *yaml.Node, path string) {
		if v, ok := d.enum(n, path, names...); ok {
			*dst = T(v)
		}
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

func (d *decoder) checkLogin(n *yaml.Node, path, v string) bool {
	if !ValidGitHubLogin(v) {
		d.problem(n, path, "%q is not a GitHub login (1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen)", v)
		return false
	}
	return true
}

func (d *decoder) checkPattern(re *regexp.Regexp, what string) func(n *yaml.Node, path, v string) bool {
	return func(n *yaml.Node, path, v string) bool {
		if !re.MatchString(v) {
			d.problem(n, path, "%q is not %s", v, what)
			return false
		}
		return true
	}
}

// rangeFields returns the start and end fields of an inclusive range, and a
// check to run once the mapping has been read.
func (d *decoder) rangeFields(r *Range, endRequired bool, end **Day) ([]field, func(n *yaml.Node, path string) bool) {
	var haveStart, haveEnd bool
	var endNode *yaml.Node
	fields := []field{
		{name: "start", required: true, read: func(n *yaml.Node, path string) {
			r.Start, haveStart = d.day(n, path)
		}},
		{name: "end", required: endRequired, read: func(n *yaml.Node, path string) {
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

func (d *decoder) shift(n *yaml.Node, path string) (Shift, bool) {
	s := Shift{Pos: Pos{n.Line, n.Column}}
	fields, check := d.rangeFields(&s.Range, true, nil)
	typeOK := false
	fields = append(fields, field{name: "type", required: true, read: func(n *yaml.Node, path string) {
		enumInto(d, &s.Type, Shadow, Primary, Secondary)(n, path)
		typeOK = s.Type != ""
	}})
	if !d.mapping(n, path, "a shift", fields) {
		return s, false
	}
	return s, check(n, path) && typeOK
}

func (d *decoder) grant(n *yaml.Node, path string) (TemporaryGrant, bool) {
	g := TemporaryGrant{Pos: Pos{n.Line, n.Column}}
	fields, check := d.rangeFields(&g.Range, true, nil)
	ok := 0
	count := func(good bool) {
		if good {
			ok++
		}
	}
	fields = append(fields,
		field{name: "approved_by", required: true, read: func(n *yaml.Node, path string) {
			g.ApprovedByPos = Pos{n.Line, n.Column}
			g.ApprovedBy, _ = d.personRef(n, path)
			count(g.ApprovedBy != "")
		}},
		field{name: "supervisor", required: true, read: func(n *yaml.Node, path string) {
			g.SupervisorPos = Pos{n.Line, n.Column}
			g.Supervisor, _ = d.personRef(n, path)
			count(g.Supervisor != "")
		}},
		field{name: "agreed", required: true, read: func(n *yaml.Node, path string) {
			var good bool
			g.Agreed, good = d.boolean(n, path)
			count(good)
		}},
		field{name: "reason", required: true, read: func(n *yaml.Node, path string) {
			g.Reason, _ = d.text(n, path)
			g.Reason = strings.TrimSpace(g.Reason)
			count(g.Reason != "")
		}},
	)
	if !d.mapping(n, path, "a temporary access entry", fields) {
		return g, false
	}
	return g, check(n, path) && ok == 4
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

func (d *decoder) reinstatement(n *yaml.Node, path string) (Reinstatement, bool) {
	r := Reinstatement{Pos: Pos{n.Line, n.Column}}
	var haveDate bool
	if !d.mapping(n, path, "a reinstatement", []field{
		{name: "date", required: true, read: func(n *yaml.Node, path string) { r.Date, haveDate = d.day(n, path) }},
		{name: "approved_by", required: true, read: func(n *yaml.Node, path string) {
			r.ApprovedByPos = Pos{n.Line, n.Column}
			r.ApprovedBy, _ = d.personRef(n, path)
		}},
	}) {
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
	if !ValidID(v) {
		d.problem(n, path, "%q is not a person id (the name of a file in people/ without .yaml)", v)
		return "", false
	}
	return v, true
}
