package outcome

import (
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// Adoption is what prodaccess adopt found in the targets as they are and
// made of it: who is who across targets, with how sure each match is and
// why, the entries it could not place, the conflicts, and the person file
// it writes or changes for each person. It is data: rendered as text for
// people and as JSON for programs.
type Adoption struct {
	At        model.Day  `json:"at"`         // the day the targets were read
	AdoptedOn *model.Day `json:"adopted_on"` // policy.adopted_on
	Since     model.Day  `json:"since"`      // the since written in held_before_adoption entries
	// People are everyone found, by id.
	People []AdoptedPerson `json:"people"`
	// Unplaced are the entries that belong to nobody found: machine keys
	// and bots (proposed as keep entries of their target), and entries
	// with nothing to tell whose they are.
	Unplaced []UnplacedEntry `json:"unplaced"`
	// Conflicts are entries that the evidence gives to more than one
	// person, such as a key whose comment names one person and whose user
	// id another.
	Conflicts []AdoptionConflict `json:"conflicts"`
	// Kept are the entries the configuration keeps already, which belong
	// to nobody, by target.
	Kept map[string][]string `json:"kept"`
	// Unread are the targets adopt cannot read (a manual target without a
	// record), and why.
	Unread []string `json:"unread"`
}

// Sureness says how sure a match is.
type Sureness string

// How sure a match is, from the surest.
const (
	// MatchCertain: the entries share an identity (an email, a
	// fingerprint, a login, a person file that names them).
	MatchCertain Sureness = "certain"
	// MatchLikely: they share a full name or a username.
	MatchLikely Sureness = "likely"
	// MatchLikeness: they are alike, and nothing else says so: a first
	// name in a comment, a username that looks like a name.
	MatchLikeness Sureness = "likeness only"
)

// FoundEntry is one entry of a target as adopt read it, with what the
// target and the keys say about whose it is.
type FoundEntry struct {
	Target  string `json:"target"`
	Subject string `json:"subject"`
	// Says is what the target or a key says of it: a GitHub profile's
	// name and email, a comment, a key's user ids.
	Says []string `json:"says,omitempty"`
}

// AdoptedPerson is one person found, and what adopt writes for them.
type AdoptedPerson struct {
	ID   string `json:"id"`
	File string `json:"file"`
	// Existing is true when the person had a file already.
	Existing bool         `json:"existing"`
	Name     string       `json:"name,omitempty"`
	Email    string       `json:"email,omitempty"`
	Found    []FoundEntry `json:"found"`
	// Match is how sure adopt is that the entries are one person, and
	// Reasons why it took them to be: each link between them.
	Match   Sureness `json:"match"`
	Reasons []string `json:"reasons"`
	// Held is the access recorded as held before adoption, when the file
	// gets an entry for it.
	Held *HeldText `json:"held,omitempty"`
	// Changes are what adopt writes in the file: "new file", or each
	// field it adds; empty when the file says it all already.
	Changes []string `json:"changes"`
	// Missing are the fields of a new file that nothing found, or that
	// were not given: the file is a draft that someone must complete
	// before it grants anything.
	Missing []string `json:"missing,omitempty"`
	// Notes are what a reviewer should know: a field taken from adopt's
	// flags, a level that not every target includes.
	Notes []string `json:"notes,omitempty"`
}

// HeldText is a held_before_adoption entry as the report shows it.
type HeldText struct {
	Level      model.Level `json:"level"`
	Since      model.Day   `json:"since"`
	ApprovedBy string      `json:"approved_by"`
	Targets    []string    `json:"targets"`
}

// UnplacedEntry is an entry that belongs to nobody found.
type UnplacedEntry struct {
	FoundEntry
	// Keep is true for what looks like a machine's (a bot, a server's
	// key): proposed as a keep entry of its target. Otherwise the first
	// plan after adoption removes it, unless a person file comes to name
	// it.
	Keep bool   `json:"keep"`
	Why  string `json:"why"`
}

// AdoptionConflict is an entry the evidence gives to more than one person.
type AdoptionConflict struct {
	FoundEntry
	People []string `json:"people"`
	// PlacedWith is the person it was placed with (by the stronger
	// evidence), or "" when it was placed with nobody.
	PlacedWith string `json:"placed_with,omitempty"`
	Why        string `json:"why"`
}

// Changed reports whether adopt writes anything.
func (a *Adoption) Changed() bool {
	for _, p := range a.People {
		if len(p.Changes) > 0 {
			return true
		}
	}
	return false
}

// KeepProposals are the unplaced entries proposed as keep entries, by
// target.
func (a *Adoption) KeepProposals() map[string][]UnplacedEntry {
	out := map[string][]UnplacedEntry{}
	for _, u := range a.Unplaced {
		if u.Keep {
			out[u.Target] = append(out[u.Target], u)
		}
	}
	return out
}

// AdoptionSummary is what a plan says while people rest on access held
// before adoption: how many, and whether the plan adds anyone or removes
// an entry of a person file, besides the entries no person file names.
type AdoptionSummary struct {
	AdoptedOn *model.Day `json:"adopted_on,omitempty"`
	// Resting is how many people's access rests on access held before
	// adoption.
	Resting   int `json:"resting"`
	Additions int `json:"additions"`
	// Removals are the removals of entries a person file names;
	// Unowned those of entries no person file names.
	Removals int `json:"removals"`
	Unowned  int `json:"unowned"`
}

// SummarizeAdoption counts, for a plan made from decisions, what the
// summary of adoption says; nil when nobody rests on access held before
// adoption.
func SummarizeAdoption(p *Plan, decisions []model.Decision, adoptedOn *model.Day) *AdoptionSummary {
	s := &AdoptionSummary{AdoptedOn: adoptedOn}
	for i := range decisions {
		if decisions[i].RestsOnHeld() {
			s.Resting++
		}
	}
	if s.Resting == 0 {
		return nil
	}
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			switch {
			case c.Action == Add:
				s.Additions++
			case c.Person == "":
				s.Unowned++
			default:
				s.Removals++
			}
		}
	}
	return s
}

// Text says the summary in one sentence.
func (s *AdoptionSummary) Text() string {
	var b strings.Builder
	if s.AdoptedOn != nil {
		b.WriteString("Adopted on " + s.AdoptedOn.String() + ": ")
	}
	b.WriteString(plural(s.Resting, "person rests", "people rest") + " on access held before adoption. This plan ")
	switch {
	case s.Additions == 0 && s.Removals == 0 && s.Unowned == 0:
		b.WriteString("adds nobody and removes nothing.")
	case s.Additions == 0 && s.Removals == 0:
		b.WriteString("adds nobody, and removes only the " + plural(s.Unowned, "entry", "entries") + " that no person file names.")
	default:
		b.WriteString("adds " + plural(s.Additions, "entry", "entries") + ", removes " + plural(s.Removals, "entry", "entries") +
			" of person files and " + plural(s.Unowned, "entry", "entries") + " that no person file names.")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// KeyIdentity is a public key found in the people repository's keys
// folder or a target repository: its fingerprint, and the names and
// emails of the user ids its owner gave it.
type KeyIdentity struct {
	Fingerprint string   `json:"fingerprint"`
	Names       []string `json:"names,omitempty"`
	Emails      []string `json:"emails,omitempty"`
	File        string   `json:"file"` // where it was found, as messages name it
}
