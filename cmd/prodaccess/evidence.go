package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// evidenceState is what plan and apply learn of approvals.
type evidenceState struct {
	repo   *peoplerepo.Repo
	origin *peoplerepo.Remote
	// fetched is the evidence looked up through the API in this run,
	// which apply records as notes.
	fetched []*model.CommitEvidence
}

// gatherEvidence finds, for every entry that needs approval from today to
// the horizon, the commit that wrote it and the evidence of that commit:
// from the notes (fetched from origin first) where they are complete, else
// through GitHub's API. It gives the rules the evidence and decides
// everyone's level again, and reads the people branch's protection. A
// failed lookup is an error: nothing is planned from part of the facts.
func (o *options) gatherEvidence(ctx context.Context, w *world, repo *peoplerepo.Repo, client *github.Client) error {
	policy := w.cfg.Policy.Evidence
	if policy == model.EvidenceOff || policy == "" {
		return nil
	}
	label := strings.TrimSuffix(w.peopleLabel, "/")
	w.evidence = &evidenceState{repo: repo}
	entries := reconciler.NeedEvidence(w.roster, w.day, reconciler.EvidenceHorizon)
	intro, err := repo.Introduced(w.commit, w.peopleRel, label, entries)
	if err != nil {
		return fmt.Errorf("find the commits that wrote the entries that need approval: %w", err)
	}
	token := o.getenv("GITHUB_TOKEN")
	origin, err := repo.Origin(token)
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
	notes, err := repo.Notes()
	if err != nil {
		return err
	}
	known, err := peoplerepo.ReadEvidence(notes)
	if err != nil {
		w.warnings = append(w.warnings, err.Error())
	}
	ghRepo := o.peopleGitHubRepo(w.cfg, origin)
	var source reconciler.EvidenceSource
	if client != nil && ghRepo != "" {
		if source, err = github.NewEvidence(client, ghRepo, w.cfg.PeopleBranch, w.peopleRel, label, repo.FileAt, o.now); err != nil {
			return err
		}
	}
	ev, fetched, err := reconciler.GatherEvidence(ctx, reconciler.EvidenceInput{Policy: policy, Introduced: intro, Entries: entries, Known: known, Source: source})
	if err != nil {
		return err
	}
	if source == nil {
		missing := 0
		for _, e := range entries {
			if ev.ByEntry[e.Key()] == nil || !ev.ByEntry[e.Key()].Complete {
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
	w.roster.SetEvidence(ev)
	reconciler.MarkComplete(w.roster, fetched)
	w.evidence.fetched = fetched
	w.decisions = w.roster.Evaluate(w.day)
	w.warnings = append(w.warnings, evidenceWarnings(w.roster, entries, policy)...)

	if client != nil && ghRepo != "" {
		prot, err := client.BranchProtection(ctx, ghRepo, w.cfg.PeopleBranch)
		if err != nil {
			return err
		}
		w.warnings = append(w.warnings, prot.Unread...)
		for _, weak := range prot.Weak {
			if policy == model.EvidenceRequired {
				w.grantsRefused = append(w.grantsRefused, weak)
			} else {
				w.warnings = append(w.warnings, weak)
			}
		}
	}
	return nil
}

// evidenceWarnings says, for every entry in force or due that is not
// proven, what is missing, and what a reviewer should see of the others.
func evidenceWarnings(r *model.Roster, entries []model.EntryRef, policy model.EvidencePolicy) []string {
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
		if !pf.Proven() {
			what := "grants nothing until it is"
			if policy == model.EvidenceWarn {
				what = "grants as its file says (policy.evidence is warn)"
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

// recordEvidence writes the evidence looked up in this run as notes, and
// pushes them to origin. It changes no commit and no branch.
func (o *options) recordEvidence(ctx context.Context, w *world) error {
	if w.evidence == nil || len(w.evidence.fetched) == 0 {
		return nil
	}
	notes := map[string][]byte{}
	for _, ce := range w.evidence.fetched {
		data, err := model.EncodeEvidence(ce)
		if err != nil {
			return err
		}
		notes[ce.Commit] = data
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

// auditEvidence gives an audit's roster what the notes say of the
// approval of every entry in force on day d at commit: read from git
// alone, with no token and no request. Under policy.evidence off it does
// nothing.
func (s *source) auditEvidence(a *auditOptions, commit *model.Commit, r *model.Roster, d model.Day) error {
	if r.Policy.Evidence == model.EvidenceOff || r.Policy.Evidence == "" {
		return nil
	}
	entries := reconciler.NeedEvidence(r, d, 0)
	intro, err := s.repo.Introduced(commit.SHA, s.peopleDir, s.peopleDir, entries)
	if err != nil {
		return fmt.Errorf("find the commits that wrote the entries in force: %w", err)
	}
	known, err := s.evidence()
	if err != nil {
		return err
	}
	ev, _, err := reconciler.GatherEvidence(context.Background(), reconciler.EvidenceInput{Policy: r.Policy.Evidence, Introduced: intro, Entries: entries, Known: known})
	if err != nil {
		return err
	}
	r.SetEvidence(ev)
	return nil
}

// evidence reads the notes of the people repository, once.
func (s *source) evidence() (map[string]*model.CommitEvidence, error) {
	if s.notes != nil {
		return s.notes, nil
	}
	notes, err := s.repo.Notes()
	if err != nil {
		return nil, err
	}
	known, err := peoplerepo.ReadEvidence(notes)
	if err != nil {
		return nil, err
	}
	if len(notes) == 0 {
		s.noNotes = true
	}
	s.notes = known
	return known, nil
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
