package model

import (
	"cmp"
	"fmt"
	"slices"
)

// Programme is the programme a person works in.
type Programme string

// Programmes known to the rules.
const (
	GOVUK          Programme = "govuk"
	TechOps        Programme = "techops"
	OtherProgramme Programme = "other"
)

// Role is a person's job, as far as the rules care.
type Role string

// Roles known to the rules.
const (
	Developer        Role = "developer"
	LeadDeveloper    Role = "lead_developer"
	SRE              Role = "sre"
	HeadOfTechnology Role = "head_of_technology"
	OtherRole        Role = "other"
)

// CanApprove reports whether the role may approve temporary access and
// reinstatements.
func (r Role) CanApprove() bool { return r == LeadDeveloper || r == HeadOfTechnology }

// Employment is how a person is employed.
type Employment string

// Kinds of employment.
const (
	CivilServant Employment = "civil_servant"
	Contractor   Employment = "contractor"
)

// Clearance is a security clearance; each level includes the ones before it.
type Clearance string

// Clearance levels, lowest first.
const (
	NoClearance Clearance = "none"
	BPSS        Clearance = "bpss"
	CTC         Clearance = "ctc"
	SC          Clearance = "sc"
	DV          Clearance = "dv"
)

var Clearances = []Clearance{NoClearance, BPSS, CTC, SC, DV}

// AtLeast reports whether c includes min.
func (c Clearance) AtLeast(min Clearance) bool {
	return slices.Index(Clearances, c) >= slices.Index(Clearances, min)
}

// ShiftType is the kind of a 2nd line shift.
type ShiftType string

// Shift types: shadow, and the two non-shadow kinds.
const (
	Shadow    ShiftType = "shadow"
	Primary   ShiftType = "primary"
	Secondary ShiftType = "secondary"
)

// Track is the path by which a person earns access through shifts.
type Track string

// Tracks: developers in GOV.UK, SREs in TechOps, and everyone else.
const (
	DeveloperTrack Track = "developer"
	SRETrack       Track = "sre"
	NoTrack        Track = ""
)

// Pos is a line and column in a file, both counted from 1.
type Pos struct{ Line, Col int }

// Person is one person file, as loaded.
type Person struct {
	ID   string // the file name without .yaml
	File string // the path the file was read from, as it appears in messages

	Name           string
	Email          string
	GitHub         string // login as written; compare case-insensitively
	GitHubID       int64  // 0 when not given
	GPGFingerprint string // 40 upper-case hex digits, or empty
	SSHUsername    string
	AWSUserARN     string
	PagerDutyID    string // the PagerDuty user id, for a rota that matches by it
	Programme      Programme
	Role           Role
	Employment     Employment
	Clearance      Clearance

	StartDate       *Day
	LastDay         *Day
	ProbationPassed *Day

	Shifts          []Shift
	TemporaryAccess []TemporaryGrant
	Absences        []Absence
	Reinstated      []Reinstatement
	// HeldBeforeAdoption is the access the person held before prodaccess
	// was adopted, as a lead attests to it; nil for none.
	HeldBeforeAdoption *HeldAccess

	// Problems of this person's file on its own. A person with any
	// problem, of the file or with other files (see Roster), is granted
	// nothing.
	Problems Problems

	shadows  []Shift    // shadow shifts ordered by start date
	fieldPos []NamedPos // where each top-level field's value is
}

// NamedPos is where the value of a named field starts.
type NamedPos struct {
	Name string
	Pos  Pos
}

// SetFieldPositions records where each top-level field's value starts,
// as the file was read, for FieldPos.
func (p *Person) SetFieldPositions(fields []NamedPos) { p.fieldPos = fields }

// Derive works out, once a person's file is read, what the rules look up
// on every evaluation: the shadow shifts in order, and the key of each
// entry that needs approval.
func (p *Person) Derive() {
	for i := range p.Shifts {
		s := &p.Shifts[i]
		s.key = s.Ref(p.ID).Key()
	}
	p.shadows = shadowShifts(p.Shifts)
	for i := range p.TemporaryAccess {
		g := &p.TemporaryAccess[i]
		g.key = g.Ref(p.ID).Key()
	}
	for i := range p.Reinstated {
		re := &p.Reinstated[i]
		re.key = re.Ref(p.ID).Key()
	}
	if h := p.HeldBeforeAdoption; h != nil {
		h.key = h.Ref(p.ID).Key()
	}
}

// FieldPos returns where the value of a top-level field starts, or line 1
// column 1 when the field is absent.
func (p *Person) FieldPos(name string) Pos {
	if pos, ok := p.lookupField(name); ok {
		return pos
	}
	return Pos{1, 1}
}

func (p *Person) lookupField(name string) (Pos, bool) {
	for _, f := range p.fieldPos {
		if f.Name == name {
			return f.Pos, true
		}
	}
	return Pos{}, false
}

// shadowShifts returns the shadow shifts ordered by start date.
func shadowShifts(shifts []Shift) []Shift {
	first, last, n := -1, -1, 0
	for i, s := range shifts {
		if s.Type == Shadow {
			if first < 0 {
				first = i
			}
			last, n = i, n+1
		}
	}
	if n == 0 {
		return nil
	}
	if run := shifts[first : last+1 : last+1]; len(run) == n && slices.IsSortedFunc(run, byStart) {
		return run // as nearly every file lists them: together, in order; shared, not copied
	}
	var out []Shift
	for _, s := range shifts {
		if s.Type == Shadow {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, byStart)
	return out
}

func byStart(a, b Shift) int { return cmp.Compare(a.Start, b.Start) }

// FileValid reports whether the person's file has no problem of its own;
// Roster.Valid also counts problems between files.
func (p *Person) FileValid() bool { return len(p.Problems) == 0 }

// Track is the shift track the person is on.
func (p *Person) Track() Track {
	switch {
	case p.Programme == GOVUK && (p.Role == Developer || p.Role == LeadDeveloper):
		return DeveloperTrack
	case p.Programme == TechOps && p.Role == SRE:
		return SRETrack
	}
	return NoTrack
}

// Shift is one 2nd line shift.
type Shift struct {
	Type ShiftType
	Range
	Pos Pos

	key string // Ref(id).Key(), set when the file is read
}

// TemporaryGrant is one entry of temporary supervised access.
type TemporaryGrant struct {
	Range
	ApprovedBy string
	Supervisor string
	Agreed     bool
	Reason     string

	Pos, ApprovedByPos, SupervisorPos Pos

	key string // Ref(id).Key(), set when the file is read
}

// Absence is a period away from work; End is nil while it goes on.
type Absence struct {
	Start Day
	End   *Day
	Pos   Pos
}

// Reinstatement re-grants access revoked by a long absence.
type Reinstatement struct {
	Date          Day
	ApprovedBy    string
	Pos           Pos
	ApprovedByPos Pos

	key string // Ref(id).Key(), set when the file is read
}

// AddProblem records a problem of the person's file at pos.
func (p *Person) AddProblem(pos Pos, format string, args ...any) {
	p.Problems = append(p.Problems, Problem{File: p.File, Line: pos.Line, Col: pos.Col, Message: fmt.Sprintf(format, args...)})
}
