package main

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// evidenceState is what plan and apply learn of approvals.
type evidenceState struct {
	repo   *peoplerepo.Repo
	origin *peoplerepo.Remote
	run    *evidenceRun
	// lookedUp is the evidence looked up through the API in this run,
	// which apply records as signed notes.
	lookedUp []*model.CommitEvidence
	// client is GitHub's API; nil without a token.
	client *github.Client
}

// readAuthority reads who may approve from the history of the people
// branch, as gatherEvidence's evidence run asks it (see newEvidenceRun),
// early: the repository keeps the answer for the run, and a failure is
// left for the evidence run to meet and report.
func (o *options) readAuthority(repo *peoplerepo.Repo, w *world) {
	configRel, err := repo.Rel(o.configPath)
	if err != nil {
		return
	}
	_, _, _ = repo.Authority(w.commit, w.peopleRel, strings.TrimSuffix(w.peopleLabel, "/"), configRel) // kept, or met again later
}

// gatherEvidence finds, for every entry that needs approval from today to
// the horizon, the commit that wrote it and the evidence of that commit:
// from the signed notes (fetched from origin first) where they are
// complete, else through GitHub's API; and the authority (who may approve,
// under which policy) along the history, so that each entry is judged by
// the branch before the pull request that wrote it. It gives the rules the
// evidence and decides everyone's level (without evidence when the
// history cannot be read), and reads the people
// branch's protection. A fault touches only what depends on it: a note
// that is not evidence is reported and GitHub is asked instead; a failed
// lookup refuses the entries of its commit, and the run goes on.
func (o *options) gatherEvidence(ctx context.Context, w *world, repo *peoplerepo.Repo, client *github.Client) error {
	label := strings.TrimSuffix(w.peopleLabel, "/")
	w.evidence = &evidenceState{repo: repo, client: client}
	origin, err := repo.Origin(o.getenv("GITHUB_TOKEN"))
	if err != nil {
		return err
	}
	w.evidence.origin = origin
	if origin != nil {
		if err := repo.FetchNotes(ctx, origin, o.now()); err != nil {
			// The notes are a record and a cache; GitHub is the source.
			w.warnings = append(w.warnings, fmt.Sprintf("the evidence already recorded could not be fetched, so it is looked up again: %v", err))
		}
	}
	ghRepo := o.peopleGitHubRepo(w.cfg, origin)
	configRel, err := repo.Rel(o.configPath)
	if err != nil {
		return err
	}
	source, shifts, err := o.evidenceSource(w, repo, client, ghRepo, configRel)
	if err != nil {
		return err
	}
	run, err := newEvidenceRun(ctx, evidenceWhere{repo: repo, tip: w.commit, peopleDir: w.peopleRel, label: label, configPath: configRel, ghRepo: ghRepo, source: source, location: w.cfg.Location, readsRota: shifts != nil})
	if shifts != nil {
		shifts.run = run
	}
	if err != nil {
		// Without the history, who may approve and the policy in force
		// are not known: no grant can be judged, and removals go ahead.
		w.failures = append(w.failures, err.Error())
		w.grantsRefused = append(w.grantsRefused, "who may approve, and under which policy, cannot be rebuilt from the people branch's history, so no grant can be judged")
		w.decisions = w.roster.Evaluate(w.day)
		return nil
	}
	w.evidence.run = run
	auth := run.authority()
	// The rules use the policy the history establishes: a change to it
	// that widens access and no lead approved is not in force.
	if !sameRulePolicy(auth.Policy, w.cfg.Policy) {
		w.roster = model.NewRoster(w.roster.People, auth.Policy)
	}
	if auth.Policy.Evidence == model.EvidenceOff && !auth.Policy.ChecksShifts() {
		w.decisions = w.roster.Evaluate(w.day)
		w.warnings = append(w.warnings, o.authorityWarnings(run)...)
		return nil
	}
	entries := reconciler.NeedEvidence(w.roster, w.day, reconciler.EvidenceHorizon)
	ev, err := run.forEntries(ctx, w.commit, entries)
	if err != nil {
		return err
	}
	w.roster.SetEvidence(ev)
	if source != nil {
		w.warnings = append(w.warnings, certificationEvidence(ctx, run, repo, w.commit, reviewsDir(configRel, w.cfg))...)
	}
	w.evidence.lookedUp = run.lookedUp(ev, w.roster, o.now())
	w.decisions = w.roster.Evaluate(w.day)
	if source == nil {
		missing := 0
		for _, e := range entries {
			if e.Kind == model.ShiftEntry {
				continue // counted in run.unread
			}
			if ce := ev.ByEntry[e.Key()]; ce == nil || !ce.Complete {
				missing++
			}
		}
		if missing > 0 {
			why := "GITHUB_TOKEN is not set"
			if client != nil {
				why = "the people repository is not known on GitHub: set people_repo in the configuration"
			}
			w.warnings = append(w.warnings, fmt.Sprintf("the approval of %d entr(ies) cannot be looked up, because %s", missing, why))
		}
	}
	if run.unread > 0 {
		why := "PAGERDUTY_TOKEN is not set"
		if source == nil {
			why = "GITHUB_TOKEN is not set, or the people repository is not known on GitHub"
		}
		w.warnings = append(w.warnings, fmt.Sprintf("%d shift(s) cannot be read from the on-call rota, because %s: they count only as far as the signed notes already show them", run.unread, why))
	}
	w.warnings = append(w.warnings, o.authorityWarnings(run)...)
	w.warnings = append(w.warnings, evidenceWarnings(w.roster, entries)...)
	for _, sha := range sortedKeys(run.failed) {
		w.failures = append(w.failures, fmt.Sprintf("the evidence of commit %s could not be looked up, so what it wrote grants nothing that needs it: %v", model.ShortSHA(sha), run.failed[sha]))
	}

	if client != nil && ghRepo != "" {
		prot, err := client.BranchProtection(ctx, ghRepo, w.cfg.PeopleBranch)
		if err != nil {
			// Unreadable is not protected: grants wait, removals go on.
			prot = &github.Protection{Unread: []string{fmt.Sprintf("could not read the protection of %s of %s: %v", w.cfg.PeopleBranch, ghRepo, err)}}
		}
		for _, s := range append(prot.Unread, prot.Weak...) {
			if auth.Policy.Evidence == model.EvidenceRequired {
				w.grantsRefused = append(w.grantsRefused, s)
			} else {
				w.warnings = append(w.warnings, s)
			}
		}
	}
	return nil
}

// reviewsDir is the folder of the review files in the people repository,
// beside the configuration (at configRel).
func reviewsDir(configRel string, cfg *config.Config) string {
	return path.Clean(path.Join(path.Dir(configRel), cfg.Audit.Reviews))
}

// certificationEvidence looks up the evidence of the rows of the review
// files at commit (in the folder dir), so that it is recorded with the
// rest: the approvals that certify access. It grants nothing, so a lookup
// that fails is a warning, and the next run asks again.
func certificationEvidence(ctx context.Context, run *evidenceRun, repo *peoplerepo.Repo, commit, dir string) []string {
	files, err := repo.Reviews(commit, dir)
	if err != nil {
		return []string{fmt.Sprintf("the review files that certify access could not be read, so their approvals are not recorded: %v", err)}
	}
	intro := map[string]string{}
	var entries []model.EntryRef
	for _, rf := range files {
		if rf.Problem != nil {
			continue
		}
		for _, e := range rf.Certification.Entries() {
			intro[e.Key()] = rf.Wrote
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	run.gather(ctx, intro, entries)
	var out []string
	for _, rf := range files {
		if err := run.failed[rf.Wrote]; err != nil && rf.Problem == nil {
			delete(run.failed, rf.Wrote)
			out = append(out, fmt.Sprintf("the approvals of %s (commit %s) could not be looked up, so the next run asks again: %v", rf.Name, model.ShortSHA(rf.Wrote), err))
		}
	}
	return out
}

// sameRulePolicy reports whether two policies decide levels alike.
func sameRulePolicy(a, b model.Policy) bool {
	return evidence.PolicyEntryOf(a).Key() == evidence.PolicyEntryOf(b).Key()
}

// evidenceSource is where the evidence of commits is looked up: GitHub's
// API, and for shifts the rota too when the policy names one and
// PAGERDUTY_TOKEN is set (shifts, which needs the run once it is made);
// nil without a GitHub client or a repository on GitHub.
func (o *options) evidenceSource(w *world, repo *peoplerepo.Repo, client *github.Client, ghRepo, configRel string) (reconciler.EvidenceSource, *shiftSource, error) {
	if client == nil || ghRepo == "" {
		return nil, nil, nil
	}
	label := strings.TrimSuffix(w.peopleLabel, "/")
	gh, err := github.NewEvidence(client, ghRepo, w.cfg.PeopleBranch, w.peopleRel, label, configRel, repo.FileAt, o.now)
	if err != nil {
		return nil, nil, err
	}
	gh.Reviews = reviewsDir(configRel, w.cfg)
	if !w.cfg.Policy.ChecksShifts() {
		return gh, nil, nil
	}
	rota, err := o.rotaReader(w.cfg)
	if err != nil || rota == nil {
		return gh, nil, err
	}
	s := &shiftSource{github: gh, rota: rota, loc: w.cfg.Location, now: o.now}
	return s, s, nil
}

// authorityWarnings says which notes are not evidence, and which changes
// to who may approve or to the policy are not approved by a lead.
func (o *options) authorityWarnings(run *evidenceRun) []string {
	var out []string
	for _, f := range run.findings() {
		out = append(out, f.Text())
	}
	for _, p := range run.chain.Pending {
		out = append(out, p.Text())
	}
	return out
}

// evidenceWarnings says, for every entry in force or due that is not
// proven, what is missing, and what a reviewer should see of the others.
func evidenceWarnings(r *model.Roster, entries []model.EntryRef) []string {
	var out []string
	for _, e := range entries {
		p := r.Person(e.Person)
		if p == nil {
			continue
		}
		pf := r.Proof(p, e)
		if pf == nil {
			continue
		}
		if e.Kind == model.ShiftEntry && r.ShiftTakenAtWord(e) {
			continue
		}
		if !pf.Proven() {
			what := "grants nothing until it is"
			switch {
			case e.Kind == model.ShiftEntry && !r.RequiresProof(e):
				what = "counts as its file says (policy.shift_evidence was not required before the pull request that wrote it)"
			case e.Kind == model.ShiftEntry:
				what = "does not count until it is"
			case !r.RequiresProof(e):
				what = "grants as its file says (policy.evidence was not required before the pull request that wrote it)"
			}
			out = append(out, fmt.Sprintf("%s is not proven (%s), and %s", e, strings.Join(pf.Missing, "; "), what))
		}
		for _, f := range pf.Flags {
			if pf.Proven() && f != "approval not proven" {
				out = append(out, fmt.Sprintf("%s: %s", e, f))
			}
		}
	}
	sort.Strings(out)
	return out
}

// recordEvidence writes the evidence looked up in this run as notes signed
// with PRODACCESS_SIGNING_KEY, and pushes them to origin. It changes no
// commit and no branch. Without the key, or with a key that is not a
// signer of record, it writes nothing and says why.
func (o *options) recordEvidence(ctx context.Context, w *world) error {
	if w.evidence == nil || len(w.evidence.lookedUp) == 0 {
		return nil
	}
	signer, why := o.noteSigner(w.evidence.run)
	if signer == nil {
		fmt.Fprintf(o.stderr, "prodaccess: the evidence of %d commit(s) looked up in this run is not recorded, so the next run looks it up again: %s\n", len(w.evidence.lookedUp), why)
		return nil
	}
	notes, err := peoplerepo.Sign(signer, w.evidence.lookedUp)
	if err != nil {
		return err
	}
	if err := w.evidence.repo.AddNotes(notes, o.now()); err != nil {
		return fmt.Errorf("record the evidence of %d commit(s) in %s: %w", len(notes), peoplerepo.NotesRef, err)
	}
	if w.evidence.origin != nil {
		if err := w.evidence.repo.PushNotes(ctx, w.evidence.origin, o.now()); err != nil {
			return fmt.Errorf("recorded the evidence of %d commit(s), but: %w", len(notes), err)
		}
	}
	return nil
}

// noteSigner reads PRODACCESS_SIGNING_KEY; nil, and why, when there is no
// key, it does not read, or it is not a signer of record (its notes would
// not be believed).
func (o *options) noteSigner(run *evidenceRun) (*peoplerepo.NoteSigner, string) {
	text := o.getenv("PRODACCESS_SIGNING_KEY")
	if text == "" {
		return nil, "PRODACCESS_SIGNING_KEY is not set"
	}
	signer, err := peoplerepo.ParseSigningKey([]byte(text))
	if err != nil {
		return nil, "PRODACCESS_SIGNING_KEY: " + err.Error()
	}
	mine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	for _, s := range run.authority().Policy.EvidenceSigners {
		if f := strings.Fields(s); len(f) >= 2 && f[0]+" "+f[1] == mine {
			return signer, ""
		}
	}
	return nil, fmt.Sprintf("the key of PRODACCESS_SIGNING_KEY (%s) is not among the signers of record in policy.evidence_signers, so no note it signed would be believed", ssh.FingerprintSHA256(signer.PublicKey()))
}

var githubRemote = regexp.MustCompile(`^(?:https://([^/@]+)/|git@([^:]+):|ssh://git@([^/]+)/)([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)

// peopleGitHubRepo is the people repository on GitHub: the configured
// people_repo, else origin's owner/name when origin is on the GitHub that
// GITHUB_API_URL names, else GITHUB_REPOSITORY as GitHub Actions sets it.
func (o *options) peopleGitHubRepo(cfg *config.Config, origin *peoplerepo.Remote) string {
	if cfg.PeopleRepo != "" {
		return cfg.PeopleRepo
	}
	if origin != nil {
		web := "github.com"
		if api := o.getenv("GITHUB_API_URL"); api != "" {
			if u, err := url.Parse(api); err == nil && u.Host != "api.github.com" {
				web = u.Host
			}
		}
		if m := githubRemote.FindStringSubmatch(origin.URL()); m != nil && strings.EqualFold(m[1]+m[2]+m[3], web) {
			return m[4]
		}
	}
	return o.getenv("GITHUB_REPOSITORY")
}

// auditEvidence gives an audit's roster what the signed notes say of the
// approval of every entry in force on day d at commit: read from git
// alone, with no token and no request, under the authority the history
// establishes up to commit.
func (s *source) auditEvidence(a *auditOptions, commit *outcome.Commit, r *model.Roster, d model.Day) (*model.Roster, error) {
	run, err := s.evidenceRun(commit.SHA)
	if err != nil {
		return nil, err
	}
	auth := run.authority()
	if !sameRulePolicy(auth.Policy, r.Policy) {
		r = model.NewRoster(r.People, auth.Policy)
	}
	if auth.Policy.Evidence == model.EvidenceOff && !auth.Policy.ChecksShifts() {
		return r, nil
	}
	intro, err := s.introduced(run, commit.SHA, r)
	if err != nil {
		return nil, err
	}
	r.SetEvidence(run.gather(context.Background(), intro, reconciler.NeedEvidence(r, d, 0)))
	return r, nil
}

// introduced finds, once for each commit, the commit that wrote each
// entry of its files in its current form.
func (s *source) introduced(run *evidenceRun, commit string, r *model.Roster) (map[string]string, error) {
	if intro, ok := s.intro[commit]; ok {
		return intro, nil
	}
	var all []model.EntryRef
	for _, p := range r.People {
		all = append(all, p.AllEntries()...)
	}
	intro, err := run.repo.Introduced(commit, run.peopleDir, run.label, all)
	if err != nil {
		return nil, fmt.Errorf("find the commits that wrote the entries that need approval: %w", err)
	}
	if s.intro == nil {
		s.intro = map[string]map[string]string{}
	}
	s.intro[commit] = intro
	return intro, nil
}

// evidenceRun reads the notes and the authority up to commit, from the
// clone alone.
func (s *source) evidenceRun(commit string) (*evidenceRun, error) {
	if s.runs == nil {
		s.runs = map[string]*evidenceRun{}
	}
	if run, ok := s.runs[commit]; ok {
		return run, nil
	}
	notes, _ := s.repo.ReadNotes()
	if len(notes) == 0 {
		s.noNotes = true
	}
	run, err := newEvidenceRun(context.Background(), evidenceWhere{repo: s.repo, tip: commit, peopleDir: s.peopleDir, label: s.peopleDir, configPath: s.configPath,
		ghRepo: s.tipConfig.PeopleRepo, location: s.tipConfig.Location})
	if err != nil {
		return nil, err
	}
	s.runs[commit] = run
	return run, nil
}

// evidence gives the timeline the evidence of each commit: the signed
// notes, and the authority along the branch.
func (s *source) evidence(tip string) (func(string) *model.CommitEvidence, *reconciler.AuthorityChain, error) {
	run, err := s.evidenceRun(tip)
	if err != nil {
		return nil, nil, err
	}
	signers := run.authority().Policy.EvidenceSigners
	return func(commit string) *model.CommitEvidence { return run.verifier.Evidence(commit, signers) }, run.chain, nil
}

// liveWorld loads the committed configuration and person files and the
// GitHub client, for a command that cannot do without GitHub; need says
// what for, in the error when GITHUB_TOKEN is not set.
func (o *options) liveWorld(need string) (*world, *peoplerepo.Repo, *github.Client, error) {
	w, repo, err := o.loadDecisions()
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := o.githubClient(w.cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if client == nil {
		return nil, nil, nil, fmt.Errorf("GITHUB_TOKEN is not set; it is needed %s", need)
	}
	return w, repo, client, nil
}
