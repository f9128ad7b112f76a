package adoption

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

// Input is everything adoption works from: the configuration, the person
// files as they are, and what each target holds.
type Input struct {
	Config *config.Config
	Roster *model.Roster // the person files that exist, under the policy in force
	Label  string        // the people folder as messages name it
	Today  model.Day
	// Since is the since of each held_before_adoption entry written.
	Since model.Day
	// States are what the targets hold (every target but the manual ones
	// without a record); Unread names those that cannot be read, and why.
	States []outcome.TargetState
	Unread []string
	// Profiles are the GitHub profiles of the teams' members, by
	// lower-case login.
	Profiles map[string]Profile
	// Keys are the public keys found, with their user ids.
	Keys []outcome.KeyIdentity
	// Approvers are the ids of the leads a held_before_adoption entry
	// names as its approver: the first who is not the person.
	Approvers []string
	// Fields are written in every new file: programme, role, employment
	// and clearance, which no target says. An empty one is left out, and
	// the file is a draft.
	Fields Fields
	// ReadFile reads a person file that exists (by its name, id.yaml), to
	// change it.
	ReadFile func(name string) ([]byte, error)
}

func (in *Input) read(p *model.Person) ([]byte, error) {
	data, err := in.ReadFile(p.ID + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.File, err)
	}
	return data, nil
}

// Fields are the values of a new file that no target says.
type Fields struct{ Programme, Role, Employment, Clearance string }

func (f Fields) list() []personfile.FieldValue {
	var out []personfile.FieldValue
	for _, v := range []struct{ name, value string }{{"programme", f.Programme}, {"role", f.Role}, {"employment", f.Employment}, {"clearance", f.Clearance}} {
		if v.value != "" {
			out = append(out, personfile.TextField(v.name, v.value))
		}
	}
	return out
}

// File is a person file adoption writes: new (Before is nil) or changed.
type File struct {
	ID     string
	Path   string // as messages name it: the people folder and the file's name
	Before []byte
	After  []byte
}

// Result is what adoption found and what it writes.
type Result struct {
	Report *outcome.Adoption
	Files  []File
}

// Adopt works out who is who across the targets and the person file of
// each person found.
func Adopt(in Input) (*Result, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	holders, kept := in.holders()
	nodes := slices.Clone(holders)
	for _, p := range in.Roster.People {
		nodes = append(nodes, fileNode(p, in.Config))
	}
	l := newLinker(nodes)
	l.link()

	rep := &outcome.Adoption{At: in.Today, AdoptedOn: in.Config.Policy.AdoptedOn, Since: in.Since, People: []outcome.AdoptedPerson{},
		Unplaced: []outcome.UnplacedEntry{}, Conflicts: []outcome.AdoptionConflict{}, Kept: kept, Unread: slices.Clone(in.Unread)}
	if rep.Kept == nil {
		rep.Kept = map[string][]string{}
	}
	res := &Result{Report: rep}
	ids := map[int]string{} // cluster root → the person's id
	taken := map[string]bool{}
	for _, p := range in.Roster.People {
		taken[p.ID] = true
	}
	var people []*person
	for _, root := range slices.Sorted(maps.Keys(l.clusters)) {
		c := l.clusters[root]
		p := &person{in: &in, l: l, c: c}
		switch {
		case p.file() != nil:
			ids[root] = p.file().ID
		case p.machine() != "":
			rep.Unplaced = append(rep.Unplaced, p.unplaced(true, p.machine()+": proposed as a keep entry")...)
			continue
		case p.personLike():
			ids[root] = p.newID(taken)
			taken[ids[root]] = true
		default:
			rep.Unplaced = append(rep.Unplaced, p.unplaced(false, "nothing tells whose it is, and nobody found has it: the first plan removes it, unless a person file comes to name it")...)
			continue
		}
		p.id = ids[root]
		if len(p.entries()) == 0 {
			continue // a person file that no target names
		}
		people = append(people, p)
	}
	for _, p := range people {
		ap, f, err := p.write()
		if err != nil {
			return nil, err
		}
		rep.People = append(rep.People, ap)
		if f != nil {
			res.Files = append(res.Files, *f)
		}
	}
	slices.SortFunc(rep.People, func(a, b outcome.AdoptedPerson) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(res.Files, func(a, b File) int { return strings.Compare(a.ID, b.ID) })
	rep.Conflicts = l.report(ids)
	slices.SortFunc(rep.Unplaced, func(a, b outcome.UnplacedEntry) int {
		return strings.Compare(a.Target+"\x00"+a.Subject, b.Target+"\x00"+b.Subject)
	})
	return res, nil
}

// check refuses what adoption cannot work with: no policy.adopted_on, a
// since not before it, an approver who may not approve.
func (in *Input) check() error {
	a := in.Config.Policy.AdoptedOn
	switch {
	case a == nil:
		return fmt.Errorf("policy.adopted_on is not set in %s: set it to the day prodaccess takes over (such as %s), and commit it, so that access held before then can be recorded", in.Config.File, in.Today)
	case in.Since >= *a:
		return fmt.Errorf("the since of the entries, %s, is not before policy.adopted_on %s", in.Since, *a)
	case len(in.Approvers) == 0:
		return errors.New("no lead_developer or head_of_technology has a person file yet, so nobody can approve the access held before adoption: commit the leads' files first (their approving reviews are the approval)")
	}
	for _, id := range in.Approvers {
		p := in.Roster.Person(id)
		switch {
		case p == nil:
			return fmt.Errorf("--approver %s: there is no person %q in %s", id, id, in.Label)
		case !p.Role.CanApprove():
			return fmt.Errorf("--approver %s: %s is a %s; only a lead_developer or head_of_technology can approve", id, id, p.Role)
		case !in.Roster.Valid(p):
			return fmt.Errorf("--approver %s: %s has problems; fix them first:\n%w", id, p.File, in.Roster.ProblemsOf(p))
		}
	}
	return nil
}

// person is a cluster on its way to a person file.
type person struct {
	in *Input
	l  *linker
	c  *cluster
	id string
}

func (p *person) nodes() []*node {
	out := make([]*node, len(p.c.nodes))
	for i, j := range p.c.nodes {
		out[i] = p.l.nodes[j]
	}
	slices.SortStableFunc(out, func(a, b *node) int { return strings.Compare(a.anchor, b.anchor) })
	return out
}

// file is the person file that exists already, or nil.
func (p *person) file() *model.Person {
	for _, n := range p.nodes() {
		if n.person != nil {
			return n.person
		}
	}
	return nil
}

// machine says why the cluster looks like a machine's, or "": a bot, or
// a name that names a machine, with nothing that is a person's.
func (p *person) machine() string {
	var why []string
	for _, n := range p.nodes() {
		why = append(why, n.machine...)
		if len(n.names) > 0 {
			return ""
		}
	}
	if len(why) == 0 {
		return ""
	}
	return why[0]
}

// personLike reports whether the cluster is someone's: a GitHub account,
// a full name or an email.
func (p *person) personLike() bool {
	for _, n := range p.nodes() {
		if n.kind == kindGitHub || len(n.names) > 0 || len(n.emails) > 0 {
			return true
		}
	}
	return false
}

// entries are the entries of the targets that the person holds, in the
// order of the configuration's targets.
func (p *person) entries() []outcome.FoundEntry {
	var out []outcome.FoundEntry
	for _, n := range p.nodes() {
		for _, e := range n.entries {
			fe := e
			fe.Says = append(slices.Clone(e.Says), n.says()...)
			out = append(out, fe)
		}
	}
	order := map[string]int{}
	for i, t := range p.in.Config.Targets {
		order[t.Name] = i
	}
	slices.SortStableFunc(out, func(a, b outcome.FoundEntry) int { return order[a.Target] - order[b.Target] })
	return out
}

// says is what is known of a holder beyond its comments, for the report.
func (n *node) says() []string {
	var out []string
	if p := n.profile; p != nil {
		s := fmt.Sprintf("GitHub user id %d", p.ID)
		if p.Name != "" {
			s += ", name " + p.Name
		}
		if p.Email != "" {
			s += ", public email " + p.Email
		}
		out = append(out, s)
	}
	if n.kind == kindKey {
		var ids []string
		for _, ss := range n.names {
			for _, s := range ss {
				if strings.HasPrefix(s.source, "the user id") {
					ids = append(ids, s.value)
				}
			}
		}
		for e, ss := range n.emails {
			for _, s := range ss {
				if strings.HasPrefix(s.source, "the user id") {
					ids = append(ids, e)
				}
			}
		}
		slices.Sort(ids)
		if len(ids) > 0 {
			out = append(out, "key user id "+strings.Join(slices.Compact(ids), ", "))
		}
	}
	return out
}

func (p *person) targets() []string {
	var out []string
	for _, e := range p.entries() {
		if !slices.Contains(out, e.Target) {
			out = append(out, e.Target)
		}
	}
	return out
}

// unplaced lists the cluster's entries as placed with nobody.
func (p *person) unplaced(keep bool, why string) []outcome.UnplacedEntry {
	var out []outcome.UnplacedEntry
	for _, e := range p.entries() {
		out = append(out, outcome.UnplacedEntry{FoundEntry: e, Keep: keep, Why: why})
	}
	return out
}

// pick is the first value, in the order of the kinds of source given,
// that a node of the cluster says.
func (p *person) pick(attr func(*node) map[string][]said, prefixes ...string) string {
	for _, prefix := range prefixes {
		for _, n := range p.nodes() {
			m := attr(n)
			for _, k := range slices.Sorted(maps.Keys(m)) {
				for _, s := range m[k] {
					if strings.HasPrefix(s.source, prefix) {
						return s.value
					}
				}
			}
		}
	}
	return ""
}

// name is the person's name: their GitHub profile's, else their key's,
// else a record's or a comment's.
func (p *person) name() string {
	return p.pick(func(n *node) map[string][]said { return n.names }, "the GitHub profile", "the user id", "the comment")
}

// email is the person's email: a record's (manual targets name people by
// it), else an AWS user's, a key's, a comment's, the GitHub profile's.
func (p *person) email() string {
	return p.pick(func(n *node) map[string][]said { return n.emails }, "a record's entry", "the AWS user name", "the user id", "the comment", "the GitHub profile")
}

// identity is the cluster's identity of a kind, as a target writes it.
func (p *person) identity(kind string) (string, *node) {
	for _, n := range p.nodes() {
		if n.kind == kind {
			return n.subject, n
		}
	}
	return "", nil
}

// newID makes an id for a new person file from the name, else the email,
// a login or a username, that no file has.
func (p *person) newID(taken map[string]bool) string {
	var base string
	for _, s := range []string{p.name(), localPart(p.email()), first(p.identity(kindGitHub)), first(p.identity(kindSSH))} {
		if base = idFrom(s); base != "" {
			break
		}
	}
	if base == "" {
		base = "person"
	}
	id := base
	if login, _ := p.identity(kindGitHub); taken[id] && login != "" {
		id = idFrom(base + "-" + login)
	}
	for i := 2; taken[id] || !model.ValidID(id); i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	return id
}

func first(s string, _ *node) string { return s }

func localPart(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}

// idFrom makes a person id of text: lower-case ASCII letters and digits,
// each run of anything else a hyphen; "" when nothing is left.
func idFrom(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r >= 0x80 || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
	id := strings.Join(words, "-")
	if len(id) > model.MaxIDLength {
		id = strings.Trim(id[:model.MaxIDLength], "-")
	}
	return id
}

// levelFor is the level recorded as held on the targets: the highest that
// every one of them includes, and a note when there is none.
func levelFor(cfg *config.Config, targets []string) (model.Level, string) {
	for _, l := range []model.Level{model.Permanent, model.Supervised, model.TemporarySupervised} {
		all := true
		for _, name := range targets {
			if t := cfg.Target(name); t != nil && !t.Includes(l) {
				all = false
			}
		}
		if all {
			return l, ""
		}
	}
	return model.Permanent, fmt.Sprintf("the targets %s include no level in common: permanent is recorded; the first plan removes the person from those that do not include it", strings.Join(targets, ", "))
}

// approverFor is the first approver who is not the person.
func (in *Input) approverFor(id string) string {
	for _, a := range in.Approvers {
		if a != id {
			return a
		}
	}
	return ""
}

// write works out the person's file: a new one, or the fields an
// existing one lacks and access held before adoption where the rules do
// not give what the person holds.
func (p *person) write() (outcome.AdoptedPerson, *File, error) {
	targets := p.targets()
	ap := outcome.AdoptedPerson{ID: p.id, File: path.Join(p.in.Label, p.id+".yaml"), Found: p.entries(), Match: p.c.strength, Reasons: slices.Clone(p.c.reasons), Changes: []string{}}
	if ap.Reasons == nil {
		ap.Reasons = []string{}
	}
	slices.Sort(ap.Reasons)
	level, note := levelFor(p.in.Config, targets)
	if note != "" {
		ap.Notes = append(ap.Notes, note)
	}
	approver := p.in.approverFor(p.id)
	held := func(ap *outcome.AdoptedPerson) (personfile.FieldValue, error) {
		if approver == "" {
			return personfile.FieldValue{}, fmt.Errorf("%s: every approver given is the person; give another lead with --approver", p.id)
		}
		ap.Held = &outcome.HeldText{Level: level, Since: p.in.Since, ApprovedBy: approver, Targets: targets}
		return personfile.MappingField("held_before_adoption", personfile.TextField("level", level.String()), personfile.DayField("since", p.in.Since),
			personfile.TextField("approved_by", approver), personfile.ListField("targets", targets...)), nil
	}
	if f := p.file(); f != nil {
		return p.change(ap, f, held)
	}
	ap.Name, ap.Email = p.name(), p.email()
	var fields []personfile.FieldValue
	add := func(v personfile.FieldValue, missing string) {
		if v.Value == "" && v.Kind != personfile.MappingValue {
			if missing != "" {
				ap.Missing = append(ap.Missing, missing)
			}
			return
		}
		fields = append(fields, v)
	}
	add(personfile.TextField("name", ap.Name), "name")
	add(personfile.TextField("email", ap.Email), "email")
	for _, v := range p.identityFields(nil) {
		add(v, "")
	}
	given := p.in.Fields.list()
	fields = append(fields, given...)
	for _, f := range []struct{ name, v string }{{"programme", p.in.Fields.Programme}, {"role", p.in.Fields.Role}, {"employment", p.in.Fields.Employment}, {"clearance", p.in.Fields.Clearance}} {
		if f.v == "" {
			ap.Missing = append(ap.Missing, f.name)
		}
	}
	if len(given) > 0 {
		var names []string
		for _, g := range given {
			names = append(names, g.Name)
		}
		ap.Notes = append(ap.Notes, fmt.Sprintf("%s as given to adopt, for everyone: check them", strings.Join(names, ", ")))
	}
	h, err := held(&ap)
	if err != nil {
		return ap, nil, err
	}
	fields = append(fields, h)
	comment := []string{fmt.Sprintf("Found by prodaccess adopt on %s in %s.", p.in.Today, strings.Join(targets, ", "))}
	if len(ap.Missing) > 0 {
		comment = append(comment, "To fill in before it grants anything: "+strings.Join(ap.Missing, ", ")+".")
	}
	out, err := personfile.WritePersonFile(ap.File, comment, fields, len(ap.Missing) > 0)
	if err != nil {
		return ap, nil, fmt.Errorf("write the file of %s: %w", p.id, err)
	}
	ap.Changes = append(ap.Changes, "new file")
	return ap, &File{ID: p.id, Path: ap.File, After: out}, nil
}

// identityFields are the identities the cluster holds that file (nil for
// a new one) does not give, as fields.
func (p *person) identityFields(file *model.Person) []personfile.FieldValue {
	var out []personfile.FieldValue
	if login, n := p.identity(kindGitHub); login != "" {
		if file == nil || file.GitHub == "" {
			out = append(out, personfile.TextField("github", login))
		}
		if n.profile != nil && n.profile.ID != 0 && (file == nil || file.GitHubID == 0) {
			out = append(out, personfile.FieldValue{Name: "github_id", Value: fmt.Sprint(n.profile.ID), Kind: personfile.NumberValue})
		}
	}
	if fp, _ := p.identity(kindKey); fp != "" && (file == nil || file.GPGFingerprint == "") {
		if norm, err := model.NormalizeFingerprint(fp); err == nil {
			out = append(out, personfile.FieldValue{Name: "gpg_fingerprint", Value: norm, Kind: personfile.QuotedValue})
		}
	}
	if u, _ := p.identity(kindSSH); u != "" && (file == nil || file.SSHUsername == "") {
		out = append(out, personfile.TextField("ssh_username", u))
	}
	if arn, _ := p.identity(kindARN); arn != "" && (file == nil || file.AWSUserARN == "") {
		out = append(out, personfile.FieldValue{Name: "aws_user_arn", Value: arn, Kind: personfile.QuotedValue})
	}
	return out
}

// change works out what an existing file lacks: the identities found
// that it does not give, and access held before adoption where the rules
// do not give the person what they hold on every target found.
func (p *person) change(ap outcome.AdoptedPerson, f *model.Person, held func(*outcome.AdoptedPerson) (personfile.FieldValue, error)) (outcome.AdoptedPerson, *File, error) {
	ap.Existing, ap.Name, ap.Email = true, f.Name, f.Email
	var edits []personfile.Edit
	for _, v := range p.identityFields(f) {
		edits = append(edits, personfile.SetField(v))
		ap.Changes = append(ap.Changes, "adds "+v.Name)
	}
	dc := p.in.Roster.Decide(f, p.in.Today)
	var short []string
	for _, name := range p.targets() {
		t := p.in.Config.Target(name)
		if l := dc.LevelOn(name); l == model.None || !t.Includes(l) {
			short = append(short, name)
		}
	}
	switch h := f.HeldBeforeAdoption; {
	case len(short) == 0:
	case h != nil:
		var missing []string
		for _, name := range short {
			if !slices.Contains(h.Targets, name) {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			ap.Notes = append(ap.Notes, fmt.Sprintf("holds %s, which neither the rules nor its held_before_adoption give: change the entry by hand, as a lead must approve it again", strings.Join(missing, ", ")))
		}
	default:
		v, err := held(&ap)
		if err != nil {
			return ap, nil, err
		}
		edits = append(edits, personfile.AddMapping(v.Name, v.Fields...))
		ap.Changes = append(ap.Changes, "adds held_before_adoption")
	}
	if len(edits) == 0 {
		return ap, nil, nil
	}
	if len(p.in.Roster.ProblemsOf(f)) > 0 && !p.in.Roster.Valid(f) {
		return ap, nil, fmt.Errorf("%s has problems; fix them before adopting:\n%w", f.File, p.in.Roster.ProblemsOf(f))
	}
	before, err := p.in.read(f)
	if err != nil {
		return ap, nil, err
	}
	out := before
	for _, e := range edits {
		if out, err = e.Apply(ap.File, out); err != nil {
			return ap, nil, err
		}
	}
	return ap, &File{ID: p.id, Path: ap.File, Before: before, After: out}, nil
}
