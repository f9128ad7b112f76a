package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Three of the rule's conditions are facts about people acting: a lead's
// approval, the person's agreement, and a reinstatement's approval. A
// person file only claims them. Evidence is what GitHub shows happened:
// the pull request that wrote an entry, who opened and merged it, and who
// reviewed it on which commit. This file holds those facts as they are
// kept (in git notes, see CommitEvidence) and the rule that says when
// they prove an entry (Prove).

// EvidencePolicy says what an entry needs besides what its file says.
type EvidencePolicy string

// Evidence policies.
const (
	// EvidenceRequired: an entry without proven approval (and, for a
	// temporary grant, agreement) grants nothing.
	EvidenceRequired EvidencePolicy = "required"
	// EvidenceWarn: the entry grants as its file says, and every report
	// flags what is not proven. The default, so that prodaccess can be
	// adopted on a history written before it.
	EvidenceWarn EvidencePolicy = "warn"
	// EvidenceOff: files are taken at their word.
	EvidenceOff EvidencePolicy = "off"
)

// EntryKind is the kind of an entry that needs approval.
type EntryKind string

// Kinds of entries that need approval.
const (
	TemporaryEntry  EntryKind = "temporary_access"
	ReinstatedEntry EntryKind = "reinstated"
)

// EntryRef names one temporary_access, reinstated, shifts or
// held_before_adoption entry of a person file in its current form: every
// field counts, so an edit that changes any of them makes a new entry
// that needs its own evidence.
type EntryRef struct {
	Person     string    `json:"person"`
	Kind       EntryKind `json:"kind"`
	Start      *Day      `json:"start,omitempty"`
	End        *Day      `json:"end,omitempty"`
	Date       *Day      `json:"date,omitempty"`
	ApprovedBy string    `json:"approved_by"`
	Supervisor string    `json:"supervisor,omitempty"`
	Agreed     *bool     `json:"agreed,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	// Shift is the kind of a shift entry.
	Shift ShiftType `json:"shift,omitempty"`
	// Level and Targets are what a held_before_adoption entry says was
	// held; empty for the other kinds.
	Level   Level    `json:"level,omitempty"`
	Targets []string `json:"targets,omitempty"`
	// Period and Certifiers are a certification's: the period of the
	// access review, and the leads whose approval signs the row off.
	Period     string   `json:"period,omitempty"`
	Certifiers []string `json:"certifiers,omitempty"`
}

// Ref names a temporary grant of person id.
func (g *TemporaryGrant) Ref(id string) EntryRef {
	start, end, agreed := g.Start, g.End, g.Agreed
	return EntryRef{Person: id, Kind: TemporaryEntry, Start: &start, End: &end, ApprovedBy: g.ApprovedBy, Supervisor: g.Supervisor, Agreed: &agreed, Reason: g.Reason}
}

// Ref names a reinstatement of person id.
func (re *Reinstatement) Ref(id string) EntryRef {
	date := re.Date
	return EntryRef{Person: id, Kind: ReinstatedEntry, Date: &date, ApprovedBy: re.ApprovedBy}
}

// Key is the entry's identity as text: equal keys, equal entries.
func (e EntryRef) Key() string {
	if b, ok := e.appendKey(make([]byte, 0, 128)); ok {
		return string(b)
	}
	b, err := json.Marshal(e)
	if err != nil {
		panic("marshal an entry: " + err.Error()) // it holds only strings, days and a bool
	}
	return string(b)
}

// appendKey appends what json.Marshal writes of e, field by field, when
// no text in it needs escaping, as nearly none does; ok is false for any
// other, which Key gives to json.Marshal. Every entry of every person has
// its key worked out when the files are read, where json.Marshal's
// reflection took a twentieth of a plan's processor time.
// TestKeyIsJSON compares the two.
func (e EntryRef) appendKey(b []byte) ([]byte, bool) {
	ok := true
	field := func(name string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
	}
	str := func(s string) {
		if !plainJSON(s) {
			ok = false
			return
		}
		b = append(b, '"')
		b = append(b, s...)
		b = append(b, '"')
	}
	list := func(name string, l []string) {
		if len(l) == 0 {
			return
		}
		field(name)
		b = append(b, '[')
		for i, s := range l {
			if i > 0 {
				b = append(b, ',')
			}
			str(s)
		}
		b = append(b, ']')
	}
	day := func(name string, d *Day) {
		if d != nil {
			field(name)
			str(d.String())
		}
	}
	text := func(name, s string) {
		if s != "" {
			field(name)
			str(s)
		}
	}
	b = append(b, '{')
	field("person")
	str(e.Person)
	field("kind")
	str(string(e.Kind))
	day("start", e.Start)
	day("end", e.End)
	day("date", e.Date)
	field("approved_by")
	str(e.ApprovedBy)
	text("supervisor", e.Supervisor)
	if e.Agreed != nil {
		field("agreed")
		b = strconv.AppendBool(b, *e.Agreed)
	}
	text("reason", e.Reason)
	text("shift", string(e.Shift))
	if e.Level != 0 {
		field("level")
		str(e.Level.String())
	}
	list("targets", e.Targets)
	text("period", e.Period)
	list("certifiers", e.Certifiers)
	b = append(b, '}')
	return b, ok
}

// plainJSON reports whether json.Marshal writes s as it is, in quotes:
// printable ASCII, without the quote, the backslash, or the <, > and &
// that it escapes for HTML.
func plainJSON(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

func (e EntryRef) String() string {
	switch e.Kind {
	case TemporaryEntry:
		return fmt.Sprintf("%s's temporary access %s (%s)", e.Person, Range{*e.Start, *e.End}, e.Reason)
	case ReinstatedEntry:
		return fmt.Sprintf("%s's reinstatement of %s", e.Person, e.Date)
	case ApproverEntry:
		return fmt.Sprintf("%s as an approver (%s)", e.Person, e.Reason)
	case PolicyEntry:
		return "the policy (" + e.Reason + ")"
	case ShiftEntry:
		return fmt.Sprintf("%s's %s shift %s", e.Person, e.Shift, Range{*e.Start, *e.End})
	case HeldEntry:
		return fmt.Sprintf("%s's access held before adoption (%s since %s on %s)", e.Person, e.Level, e.Date, strings.Join(e.Targets, ", "))
	case CertificationEntry:
		return fmt.Sprintf("%s's certification for %s (%s)", e.Person, e.Period, e.Reason)
	}
	return e.Person + " " + string(e.Kind)
}

// entryKey returns the key of a grant of p, worked out when the file was
// read.
func (g *TemporaryGrant) entryKey(id string) string {
	if g.key != "" {
		return g.key
	}
	return g.Ref(id).Key()
}

func (re *Reinstatement) entryKey(id string) string {
	if re.key != "" {
		return re.key
	}
	return re.Ref(id).Key()
}

// Entries lists the entries of p that need approval.
func (p *Person) Entries() []EntryRef {
	var out []EntryRef
	for i := range p.TemporaryAccess {
		out = append(out, p.TemporaryAccess[i].Ref(p.ID))
	}
	for i := range p.Reinstated {
		out = append(out, p.Reinstated[i].Ref(p.ID))
	}
	if h := p.HeldBeforeAdoption; h != nil {
		out = append(out, h.Ref(p.ID))
	}
	return out
}

// Account is a GitHub account: the login it had when seen, and its
// numeric id, which never changes.
type Account struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
}

func (a Account) String() string { return a.Login }

// Review states, as GitHub names them.
const (
	ReviewApproved         = "APPROVED"
	ReviewChangesRequested = "CHANGES_REQUESTED"
	ReviewCommented        = "COMMENTED"
	ReviewDismissed        = "DISMISSED"
	ReviewPending          = "PENDING"
)

// ReviewFact is one review of a pull request.
type ReviewFact struct {
	ID          int64     `json:"id"`
	User        Account   `json:"user"`
	State       string    `json:"state"`
	CommitID    string    `json:"commit_id"` // the head commit the review was made on
	SubmittedAt time.Time `json:"submitted_at"`
}

// PullRequestFact is a merged pull request, as GitHub describes it.
type PullRequestFact struct {
	Number      int          `json:"number"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	Author      Account      `json:"author"`
	MergedBy    *Account     `json:"merged_by"`
	MergedAt    *time.Time   `json:"merged_at"`
	MergeCommit string       `json:"merge_commit_sha"`
	Base        string       `json:"base"`
	Head        string       `json:"head_sha,omitempty"` // the commit at its head when read
	Reviews     []ReviewFact `json:"reviews"`
	// Commits is how many commits the pull request has: for a rebase
	// merge, how far back from its merge commit its commits begin.
	Commits int `json:"commits"`
	// SignedBy are the accounts that GitHub verified signed a commit of
	// the pull request with a key of theirs (the commit's committer).
	// A commit's author is whatever the pusher typed, and proves nothing.
	SignedBy []Account `json:"signed_by"`
}

// CommitEvidence is what is known of how one commit of the people branch
// got there, and the entries it wrote: the note prodaccess keeps for it
// under refs/notes/prodaccess.
type CommitEvidence struct {
	Version int `json:"version"`
	// Repository is the people repository on GitHub (owner/name), so
	// that a note copied from another repository is not taken for one
	// of this.
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	Branch     string `json:"branch"`
	// PullRequests are the merged pull requests into Branch that contain
	// the commit; none means the commit was pushed without one.
	PullRequests []PullRequestFact `json:"pull_requests"`
	Entries      []EntryEvidence   `json:"entries"`
	// Shifts are what the rota showed of the shifts the commit wrote
	// (version 3 notes).
	Shifts     []ShiftEvidence `json:"shifts,omitempty"`
	RecordedAt time.Time       `json:"recorded_at"`
	// Complete is true when the evidence cannot change any more: every
	// entry is proven, or there is no pull request to review. Evidence
	// that is not complete is looked up again on each run, since a lead
	// may approve a pull request after it was merged.
	Complete bool `json:"complete"`
}

// EvidenceVersion is the version of the notes prodaccess writes. Version
// 1 notes were not signed, and are never evidence.
const EvidenceVersion = 2

// EntryEvidence is one entry a commit wrote.
type EntryEvidence struct {
	Entry EntryRef `json:"entry"`
	// ReviewsOnEntry are the reviews, by id, made on a commit that
	// already held the entry; a review of an earlier commit approved
	// something else.
	ReviewsOnEntry []int64 `json:"reviews_on_entry"`
}

// Entry returns what the commit knows of an entry, or nil.
func (ce *CommitEvidence) Entry(e EntryRef) *EntryEvidence {
	key := e.Key()
	for i := range ce.Entries {
		if ce.Entries[i].Entry.Key() == key {
			return &ce.Entries[i]
		}
	}
	return nil
}

// Proof is the verdict of the evidence on one entry.
type Proof struct {
	Entry  EntryRef `json:"entry"`
	Commit string   `json:"commit,omitempty"` // the commit that wrote the entry in its current form
	// PullRequest is the pull request that proves the entry, or else the
	// first that contains the commit; nil for a direct push.
	PullRequest *PullRequestFact `json:"pull_request,omitempty"`
	Approved    bool             `json:"approved"`
	Approval    *ReviewFact      `json:"approval,omitempty"`
	// Agreed is whether the person's agreement is shown: they opened
	// the pull request, approved it, or committed to it with a commit
	// GitHub verified as signed by their account. Only a temporary grant
	// needs it; for other entries it is true.
	Agreed    bool   `json:"agreed"`
	AgreedHow string `json:"agreed_how,omitempty"`
	// ProvenAt is when the evidence was complete: the later of the
	// merge, the approving review and a review that gave the agreement.
	// An entry that must be proven counts from then, not before.
	ProvenAt *time.Time `json:"proven_at,omitempty"`
	// Missing says what is not proven, in words; empty when the entry is.
	Missing []string `json:"missing,omitempty"`
	// Flags are facts a reviewer should see even when the entry is
	// proven, such as a pull request merged by its own author.
	Flags []string `json:"flags,omitempty"`
	// Rota is what the rota showed of a shift, when it was read.
	Rota *ShiftEvidence `json:"rota,omitempty"`
	// Worked is, for a shift, whether the evidence shows it was worked:
	// the rota was read after it ended, or a lead approved it. A shift
	// the rota showed only as planned counts while it is under way, not
	// as completed.
	Worked bool `json:"worked,omitempty"`
}

// Proven reports whether the entry is approved and, where needed, agreed.
func (pr *Proof) Proven() bool { return pr != nil && pr.Approved && pr.Agreed }

// EntryBase is the people branch as it stood before the pull request
// that wrote an entry: who could approve then, with which GitHub account,
// and under which policy. Nothing the pull request changes can approve
// its own entries.
type EntryBase struct {
	// Commit is the last commit of the branch before the pull request;
	// "" when the entry came with the branch's first commit.
	Commit    string
	Authority Authority
	// Files are the person files, at Commit, of the people an entry
	// names as its approver, by id; nil for one who had no file.
	Files map[string]*Person
	// BeforeAdoption is true when the entry was written by the commit
	// that adopted prodaccess, or before it: nothing before it governed
	// access, and a shift it holds is taken at its word.
	BeforeAdoption bool
	// Location is the policy time zone, in which a shift's days are
	// counted.
	Location *time.Location
}

// ShiftTakenAtWord reports whether a shift written on this base is taken
// at its word: it came with the adoption of prodaccess, or the policy then
// did not check shifts (see Policy.ChecksShifts). Such a shift needs no
// evidence, and none is looked up.
func (b *EntryBase) ShiftTakenAtWord() bool {
	return b.BeforeAdoption || !b.Authority.Policy.ChecksShifts()
}

// Prove applies the rule of evidence to one entry: it is approved when a
// pull request that brought the commit to the branch was merged and has a
// review APPROVED by the GitHub account of an approver of record before
// that pull request (the approver the entry names, or for a change to the
// authority any approver but the one it concerns), matched by github_id
// where known, else by login without regard to case, made on a commit that
// already held the entry, by someone other than the pull request's author,
// and not followed by a later review of the same approver that requests
// changes or was dismissed. A temporary grant's agreement is shown when the
// person opened the pull request, approved it, or committed to it with a
// commit GitHub verified as signed by their account. ev is the evidence of
// the commit that wrote the entry, nil when none is known; grantee is the
// person the entry is of (nil for a change of policy), approver their
// approver's file now (to say when it differs from before), and base the
// branch before the pull request.
//
// A shift is proven by the rota instead, within its reach (see
// proveShift).
func Prove(ev *CommitEvidence, e EntryRef, grantee, approver *Person, base *EntryBase) *Proof {
	if e.Kind == ShiftEntry {
		return proveShift(ev, e, base)
	}
	return proveApproval(ev, e, grantee, approver, base)
}

// proveApproval is the rule of an approving review (see Prove).
func proveApproval(ev *CommitEvidence, e EntryRef, grantee, approver *Person, base *EntryBase) *Proof {
	pf := &Proof{Entry: e, Agreed: e.Kind != TemporaryEntry}
	if ev == nil {
		pf.Missing = append(pf.Missing, "no evidence is recorded for the commit that wrote it")
		pf.Flags = []string{"approval not proven"}
		return pf
	}
	pf.Commit = ev.Commit
	if len(ev.PullRequests) == 0 {
		pf.Missing = append(pf.Missing, fmt.Sprintf("commit %s was pushed to %s without a pull request", ShortSHA(ev.Commit), ev.Branch))
		pf.Flags = []string{"approval not proven", "pushed without a pull request"}
		return pf
	}
	if base == nil {
		base = &EntryBase{}
	}
	onEntry := map[int64]bool{}
	if ee := ev.Entry(e); ee != nil {
		for _, id := range ee.ReviewsOnEntry {
			onEntry[id] = true
		}
	}
	var approvalWhy, agreeWhy []string
	var agreedAt *time.Time
	for i := range ev.PullRequests {
		pr := &ev.PullRequests[i]
		if pf.PullRequest == nil {
			pf.PullRequest = pr
		}
		ok, why := approvedIn(pr, e, base, approver, onEntry)
		if ok != nil && !pf.Approved {
			pf.Approved, pf.Approval, pf.PullRequest = true, ok, pr
		}
		approvalWhy = append(approvalWhy, why)
		if !pf.Agreed {
			if how, at := agreedIn(pr, grantee, onEntry); how != "" {
				pf.Agreed, pf.AgreedHow, agreedAt = true, how, at
			} else {
				agreeWhy = append(agreeWhy, fmt.Sprintf("#%d", pr.Number))
			}
		}
	}
	if !pf.Approved {
		pf.Missing = append(pf.Missing, strings.Join(approvalWhy, "; "))
	}
	if !pf.Agreed {
		who := e.Person
		if grantee != nil && grantee.GitHub != "" {
			who = grantee.GitHub
		}
		pf.Missing = append(pf.Missing, fmt.Sprintf("the person's agreement is not shown: %s neither opened %s, approved it, nor committed to it with a commit GitHub verified as signed by them", who, strings.Join(agreeWhy, " or ")))
	}
	if pr := pf.PullRequest; pr != nil {
		if !hasApproval(pr) {
			pf.Flags = append(pf.Flags, "merged without review")
		}
		if slices.ContainsFunc(pr.Reviews, func(r ReviewFact) bool { return r.State == ReviewApproved && sameAccount(r.User, pr.Author) }) {
			pf.Flags = append(pf.Flags, "approved by the author")
		}
	}
	if pf.Proven() {
		at := pf.Approval.SubmittedAt
		if m := pf.PullRequest.MergedAt; m != nil {
			if m.After(at) {
				at = *m
			} else if at.After(*m) {
				pf.Flags = append(pf.Flags, "approved after merge")
			}
		}
		if agreedAt != nil && agreedAt.After(at) {
			at = *agreedAt
		}
		pf.ProvenAt = &at
	} else {
		pf.Flags = append([]string{"approval not proven"}, pf.Flags...)
	}
	return pf
}

// Summary says in one line how the entry reached the branch and who
// approved it: the pull request, its approver and merger, or what is
// missing.
func (pf *Proof) Summary() string {
	if se := pf.Rota; se != nil && se.OutOfReach == "" && pf.Approved {
		return rotaSummary(se, pf)
	}
	pr := pf.PullRequest
	if pr == nil {
		if len(pf.Missing) > 0 {
			return pf.Missing[0]
		}
		return "no pull request"
	}
	s := fmt.Sprintf("#%d", pr.Number)
	if pf.Approval != nil {
		s += fmt.Sprintf(" approved by %s on %s", pf.Approval.User, pf.Approval.SubmittedAt.UTC().Format("2006-01-02"))
	} else {
		s += " not approved by the approver named"
	}
	if pr.MergedBy != nil {
		s += fmt.Sprintf(", merged by %s", pr.MergedBy)
		if pr.MergedAt != nil {
			s += " on " + pr.MergedAt.UTC().Format("2006-01-02")
		}
	}
	return s
}

// approvedIn finds the review of pr that approves the entry, or says why
// there is none. The approver is whoever the authority before the pull
// request says: the one the entry names, or for a change to the
// authority any approver of record but the one it concerns.
func approvedIn(pr *PullRequestFact, e EntryRef, base *EntryBase, now *Person, onEntry map[int64]bool) (*ReviewFact, string) {
	candidates := map[string]Approver{}
	var wanted string
	if e.Kind == PolicyEntry || e.Kind == ApproverEntry || e.Kind == ShiftEntry {
		for id, a := range base.Authority.Approvers {
			if id != e.Person {
				candidates[id] = a
			}
		}
		if len(candidates) == 0 {
			return nil, fmt.Sprintf("there was no approver of record before #%d to approve it", pr.Number)
		}
		wanted = "a lead of record (" + strings.Join(slices.Sorted(maps.Keys(candidates)), ", ") + ")"
	} else if e.Kind == CertificationEntry {
		for _, id := range e.Certifiers {
			if a, ok := base.Authority.Approvers[id]; ok && id != e.Person {
				candidates[id] = a
			}
		}
		if len(candidates) == 0 {
			return nil, fmt.Sprintf("none of the leads named to sign the row off (%s) was a lead of record before #%d, other than the person", strings.Join(e.Certifiers, ", "), pr.Number)
		}
		wanted = "a lead of record named to sign it off (" + strings.Join(slices.Sorted(maps.Keys(candidates)), ", ") + ")"
	} else {
		a, ok := base.Authority.Approvers[e.ApprovedBy]
		if !ok {
			return nil, notApproverBefore(e.ApprovedBy, base, pr.Number)
		}
		if a.GitHub == "" {
			return nil, fmt.Sprintf("approver %s has no github login in their file, so no review can be theirs", e.ApprovedBy)
		}
		candidates[e.ApprovedBy] = a
		wanted = a.GitHub
	}
	by := func(r ReviewFact) (string, bool) {
		for id, a := range candidates {
			if a.GitHubID != 0 && r.User.ID == a.GitHubID || a.GitHubID == 0 && a.GitHub != "" && strings.EqualFold(r.User.Login, a.GitHub) {
				return id, true
			}
		}
		return "", false
	}
	reviews := slices.Clone(pr.Reviews)
	slices.SortStableFunc(reviews, func(a, b ReviewFact) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	var approvedEarlier, byAuthor, withdrawn, dismissed bool
	for i, r := range reviews {
		who, ok := by(r)
		if !ok {
			continue
		}
		switch r.State {
		case ReviewDismissed:
			dismissed = true
			continue
		case ReviewApproved:
		default:
			continue
		}
		if !onEntry[r.ID] {
			approvedEarlier = true
			continue
		}
		if sameAccount(r.User, pr.Author) {
			byAuthor = true
			continue
		}
		later := false
		for _, l := range reviews[i+1:] {
			if w, ok := by(l); ok && w == who && (l.State == ReviewChangesRequested || l.State == ReviewDismissed) {
				later = true
			}
		}
		if later {
			withdrawn = true
			continue
		}
		return &reviews[i], ""
	}
	why := fmt.Sprintf("no approving review by %s on #%d", wanted, pr.Number)
	switch {
	case byAuthor:
		why = fmt.Sprintf("%s opened #%d, and an author's own approval does not count", wanted, pr.Number)
	case withdrawn:
		why = fmt.Sprintf("%s approved #%d, then requested changes or had the approval dismissed", wanted, pr.Number)
	case approvedEarlier:
		why = fmt.Sprintf("%s approved #%d only on a commit before the entry was written", wanted, pr.Number)
	case dismissed:
		why = fmt.Sprintf("the approving review by %s on #%d was dismissed", wanted, pr.Number)
	}
	if a, ok := candidates[e.ApprovedBy]; ok && now != nil && e.ApprovedBy != "" && (!strings.EqualFold(now.GitHub, a.GitHub) || now.GitHubID != a.GitHubID) {
		why += fmt.Sprintf("; %s's GitHub account is taken from before the pull request that wrote the entry (%s), since a change to an approver's account counts only once a lead approves it", e.ApprovedBy, AccountText(a.GitHub, a.GitHubID))
	}
	return nil, why
}

// notApproverBefore says why id could not approve an entry that #n wrote.
func notApproverBefore(id string, base *EntryBase, n int) string {
	const own = "a pull request cannot make its own approver"
	switch f := base.Files[id]; {
	case f == nil:
		return fmt.Sprintf("%s was not an approver before #%d, which wrote the entry (they had no person file): %s", id, n, own)
	case !f.Role.CanApprove():
		return fmt.Sprintf("%s was not an approver before #%d, which wrote the entry (their role was %s): %s", id, n, f.Role, own)
	}
	return fmt.Sprintf("%s was not an approver of record before #%d: the change that made them one is not approved by a lead", id, n)
}

// agreedIn says how the grantee took part in pr, and when, or "" if they
// did not. A commit counts only when GitHub verified it as signed by their
// account; its author is whatever the pusher typed.
func agreedIn(pr *PullRequestFact, grantee *Person, onEntry map[int64]bool) (string, *time.Time) {
	if grantee == nil || grantee.GitHub == "" {
		return "", nil
	}
	is := func(a Account) bool {
		if grantee.GitHubID != 0 {
			return a.ID == grantee.GitHubID
		}
		return strings.EqualFold(a.Login, grantee.GitHub)
	}
	switch {
	case is(pr.Author):
		return fmt.Sprintf("%s opened #%d", pr.Author, pr.Number), nil
	case slices.ContainsFunc(pr.SignedBy, is):
		return fmt.Sprintf("%s committed to #%d with a commit GitHub verified as signed by them", grantee.GitHub, pr.Number), nil
	}
	for _, r := range pr.Reviews {
		if is(r.User) && r.State == ReviewApproved && onEntry[r.ID] {
			at := r.SubmittedAt
			return fmt.Sprintf("%s approved #%d", r.User, pr.Number), &at
		}
	}
	return "", nil
}

func hasApproval(pr *PullRequestFact) bool {
	return slices.ContainsFunc(pr.Reviews, func(r ReviewFact) bool { return r.State == ReviewApproved })
}

func sameAccount(a, b Account) bool {
	if a.ID != 0 && b.ID != 0 {
		return a.ID == b.ID
	}
	return strings.EqualFold(a.Login, b.Login)
}

// Evidence is what the rules know of approvals: the policy in force, the
// evidence of the commit that wrote each entry and the branch before the
// pull request that wrote it, by EntryRef.Key, and the time zone that
// says on which day an entry was proven.
type Evidence struct {
	Policy EvidencePolicy
	// Shifts is the policy of shift evidence in force (off when shifts
	// are not checked; see Policy.ChecksShifts).
	Shifts   EvidencePolicy
	ByEntry  map[string]*CommitEvidence
	Bases    map[string]*EntryBase
	Location *time.Location
	// Unreadable says, by entry key, why the evidence of an entry could
	// not be read (a failed lookup); such an entry is not proven.
	Unreadable map[string]string
	// Tampered names, by entry key, the note of the commit that wrote the
	// entry when it is there and is not evidence (unsigned, badly signed,
	// replayed), in an audit that does not ask GitHub instead.
	Tampered map[string]TamperedNote
}

// TamperedNote is a note that is not evidence, of the commit that wrote
// an entry.
type TamperedNote struct {
	Commit string
	Why    string
}

// ProvenDay is the day an entry was proven, in the evidence's time zone.
func (ev *Evidence) ProvenDay(pf *Proof) (Day, bool) {
	if pf == nil || pf.ProvenAt == nil {
		return 0, false
	}
	loc := ev.Location
	if loc == nil {
		loc = time.UTC
	}
	return DayOf(*pf.ProvenAt, loc), true
}
