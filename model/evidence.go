package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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

// EntryRef names one temporary_access or reinstated entry of a person
// file in its current form: every field counts, so an edit that changes
// any of them makes a new entry that needs its own approval.
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
	b, err := json.Marshal(e)
	if err != nil {
		panic("marshal an entry: " + err.Error()) // it holds only strings, days and a bool
	}
	return string(b)
}

func (e EntryRef) String() string {
	switch e.Kind {
	case TemporaryEntry:
		return fmt.Sprintf("%s's temporary access %s (%s)", e.Person, Range{*e.Start, *e.End}, e.Reason)
	case ReinstatedEntry:
		return fmt.Sprintf("%s's reinstatement of %s", e.Person, e.Date)
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
	// CommitAuthors are the GitHub accounts that wrote the pull
	// request's commits, where GitHub knows them.
	CommitAuthors []Account `json:"commit_authors"`
}

// CommitEvidence is what is known of how one commit of the people branch
// got there, and the entries it wrote: the note prodaccess keeps for it
// under refs/notes/prodaccess.
type CommitEvidence struct {
	Version int    `json:"version"`
	Commit  string `json:"commit"`
	Branch  string `json:"branch"`
	// PullRequests are the merged pull requests into Branch that contain
	// the commit; none means the commit was pushed without one.
	PullRequests []PullRequestFact `json:"pull_requests"`
	Entries      []EntryEvidence   `json:"entries"`
	RecordedAt   time.Time         `json:"recorded_at"`
	// Complete is true when the evidence cannot change any more: every
	// entry is proven, or there is no pull request to review. Evidence
	// that is not complete is looked up again on each run, since a lead
	// may approve a pull request after it was merged.
	Complete bool `json:"complete"`
}

// EvidenceVersion is the version of the notes prodaccess writes.
const EvidenceVersion = 1

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
	// the pull request, wrote a commit in it or approved it. Only a
	// temporary grant needs it; for a reinstatement it is true.
	Agreed    bool   `json:"agreed"`
	AgreedHow string `json:"agreed_how,omitempty"`
	// Missing says what is not proven, in words; empty when the entry is.
	Missing []string `json:"missing,omitempty"`
	// Flags are facts a reviewer should see even when the entry is
	// proven, such as a pull request merged by its own author.
	Flags []string `json:"flags,omitempty"`
}

// Proven reports whether the entry is approved and, where needed, agreed.
func (pr *Proof) Proven() bool { return pr != nil && pr.Approved && pr.Agreed }

// Prove applies the rule of evidence to one entry: it is approved when a
// pull request that brought the commit to the branch was merged and has a
// review APPROVED by the GitHub account of the approver named in the entry
// (matched by github_id when the approver's file gives one, else by login
// without regard to case), made on a commit that already held the entry,
// by someone other than the pull request's author, and not followed by a
// later review of the same approver that requests changes or was
// dismissed. A temporary grant's agreement is shown when the person opened
// the pull request, wrote a commit in it, or approved it. ev is the
// evidence of the commit that wrote the entry, nil when none is known;
// approver and grantee are the people the entry names (approver may be
// nil).
func Prove(ev *CommitEvidence, e EntryRef, grantee, approver *Person) *Proof {
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
	onEntry := map[int64]bool{}
	if ee := ev.Entry(e); ee != nil {
		for _, id := range ee.ReviewsOnEntry {
			onEntry[id] = true
		}
	}
	var approvalWhy, agreeWhy []string
	for i := range ev.PullRequests {
		pr := &ev.PullRequests[i]
		if pf.PullRequest == nil {
			pf.PullRequest = pr
		}
		ok, why := approvedIn(pr, approver, e.ApprovedBy, onEntry)
		if ok != nil && !pf.Approved {
			pf.Approved, pf.Approval, pf.PullRequest = true, ok, pr
		}
		approvalWhy = append(approvalWhy, why)
		if !pf.Agreed {
			if how := agreedIn(pr, grantee, onEntry); how != "" {
				pf.Agreed, pf.AgreedHow = true, how
			} else {
				agreeWhy = append(agreeWhy, fmt.Sprintf("#%d", pr.Number))
			}
		}
	}
	if !pf.Approved {
		pf.Missing = append(pf.Missing, strings.Join(approvalWhy, "; "))
	}
	if !pf.Agreed {
		who := grantee.ID
		if grantee.GitHub != "" {
			who = grantee.GitHub
		}
		pf.Missing = append(pf.Missing, fmt.Sprintf("the person's agreement is not shown: %s neither opened, wrote a commit in, nor approved %s", who, strings.Join(agreeWhy, " or ")))
	}
	if pr := pf.PullRequest; pr != nil {
		if !hasApproval(pr) {
			pf.Flags = append(pf.Flags, "merged without review")
		}
		if slices.ContainsFunc(pr.Reviews, func(r ReviewFact) bool { return r.State == ReviewApproved && sameAccount(r.User, pr.Author) }) {
			pf.Flags = append(pf.Flags, "approved by the author")
		}
	}
	if !pf.Proven() {
		pf.Flags = append([]string{"approval not proven"}, pf.Flags...)
	}
	return pf
}

// Summary says in one line how the entry reached the branch and who
// approved it: the pull request, its approver and merger, or what is
// missing.
func (pf *Proof) Summary() string {
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
// there is none.
func approvedIn(pr *PullRequestFact, approver *Person, approverID string, onEntry map[int64]bool) (*ReviewFact, string) {
	if approver == nil {
		return nil, fmt.Sprintf("approver %s does not exist", approverID)
	}
	if approver.GitHub == "" {
		return nil, fmt.Sprintf("approver %s has no github login in their file, so no review can be theirs", approver.ID)
	}
	login := approver.GitHub
	reviews := slices.Clone(pr.Reviews)
	slices.SortStableFunc(reviews, func(a, b ReviewFact) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	byApprover := func(r ReviewFact) bool {
		if approver.GitHubID != 0 {
			return r.User.ID == approver.GitHubID
		}
		return strings.EqualFold(r.User.Login, login)
	}
	var approvedEarlier, byAuthor, withdrawn bool
	var dismissed bool
	for i, r := range reviews {
		if !byApprover(r) {
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
			if byApprover(l) && (l.State == ReviewChangesRequested || l.State == ReviewDismissed) {
				later = true
			}
		}
		if later {
			withdrawn = true
			continue
		}
		return &reviews[i], ""
	}
	switch {
	case byAuthor:
		return nil, fmt.Sprintf("%s opened #%d, and an author's own approval does not count", login, pr.Number)
	case withdrawn:
		return nil, fmt.Sprintf("%s approved #%d, then requested changes or had the approval dismissed", login, pr.Number)
	case approvedEarlier:
		return nil, fmt.Sprintf("%s approved #%d only on a commit before the entry was written", login, pr.Number)
	case dismissed:
		return nil, fmt.Sprintf("the approving review by %s on #%d was dismissed", login, pr.Number)
	}
	return nil, fmt.Sprintf("no approving review by %s on #%d", login, pr.Number)
}

// agreedIn says how the grantee took part in pr, or "" if they did not.
func agreedIn(pr *PullRequestFact, grantee *Person, onEntry map[int64]bool) string {
	if grantee == nil || grantee.GitHub == "" {
		return ""
	}
	is := func(a Account) bool {
		if grantee.GitHubID != 0 {
			return a.ID == grantee.GitHubID
		}
		return strings.EqualFold(a.Login, grantee.GitHub)
	}
	switch {
	case is(pr.Author):
		return fmt.Sprintf("%s opened #%d", pr.Author, pr.Number)
	case slices.ContainsFunc(pr.CommitAuthors, is):
		return fmt.Sprintf("%s wrote a commit in #%d", grantee.GitHub, pr.Number)
	}
	for _, r := range pr.Reviews {
		if is(r.User) && r.State == ReviewApproved && onEntry[r.ID] {
			return fmt.Sprintf("%s approved #%d", r.User, pr.Number)
		}
	}
	return ""
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

// EncodeEvidence writes the note of one commit.
func EncodeEvidence(ev *CommitEvidence) ([]byte, error) {
	data, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// DecodeEvidence reads the note of one commit strictly.
func DecodeEvidence(data []byte) (*CommitEvidence, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var ev CommitEvidence
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("not prodaccess evidence: %w", err)
	}
	if ev.Version != EvidenceVersion {
		return nil, fmt.Errorf("evidence version %d; this prodaccess reads version %d", ev.Version, EvidenceVersion)
	}
	if len(ev.Commit) != 40 {
		return nil, fmt.Errorf("evidence for %q, which is not a full commit id", ev.Commit)
	}
	return &ev, nil
}

// Evidence is what the rules know of approvals: the policy, and the
// evidence of the commit that wrote each entry, by EntryRef.Key.
type Evidence struct {
	Policy  EvidencePolicy
	ByEntry map[string]*CommitEvidence
}
