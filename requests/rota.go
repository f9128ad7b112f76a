package requests

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

// rota sync proposes, for each person whose completed shifts the on-call
// rota shows and whose file lacks them, one pull request that adds them:
// on a branch of its own (rota/<id>), kept up to date run after run as
// the pull requests of file targets are, and closed when nothing is
// missing any more.

// RotaReader reads the on-calls of the rota's schedules that overlap the
// time from since until until; a failed read is an error, never none.
type RotaReader interface {
	OnCalls(ctx context.Context, schedules []string, since, until time.Time) ([]model.OnCallFact, error)
}

// RotaPulls finds, opens, updates and closes the pull requests of the
// rota's branches; repo is "owner/name". The GitHub provider implements
// it.
type RotaPulls interface {
	reconciler.PullRequestAPI
	Close(ctx context.Context, repo string, number int) error
}

// RotaSync is one run of rota sync.
type RotaSync struct {
	Env *Env
	// Rota reads PagerDuty; nil when PAGERDUTY_TOKEN is not set.
	Rota  RotaReader
	Pulls func(cfg *config.Config) (RotaPulls, error)
	// Login says which account GITHUB_TOKEN acts as: only the pull
	// requests it opened from a rota branch are updated or closed.
	Login func(ctx context.Context) (string, error)
	// Since is the first day whose shifts are proposed (--since); "" for
	// the default, RotaSyncDays before today.
	Since  string
	DryRun bool
}

// The rota's branches, and how far rota sync reads.
const (
	RotaBranchPrefix = "rota/"
	// RotaSyncDays is how many days back rota sync looks by default.
	RotaSyncDays = 90
	// rotaReadDays is the most a read of the rota spans: PagerDuty
	// refuses longer ranges.
	rotaReadDays = 90
	// rotaLookback is how many days before since are read too, so that a
	// shift that starts on since is known to start there.
	rotaLookback = 14
	// RotaPlanMargin is how many days after a window the rota is read, so
	// that a shift that starts in the window is known to its end.
	RotaPlanMargin = 14
)

// rotaPlan is what the rota shows that the files lack.
type rotaPlan struct {
	proposals []*rotaProposal
	unknown   []evidence.RotaShift // shifts of PagerDuty users no person file matches
	skipped   []string             // shifts not proposed, and why
}

// rotaProposal is the shifts to add to one person's file.
type rotaProposal struct {
	person *model.Person
	shifts []evidence.RotaShift
}

// planRota says, for each shift the rota shows, whose it is and whether
// their file lacks it: a shift is in the file when the file has a shift of
// the same kind that shares a day with it; one that shares a day with a
// shift of another kind is not proposed, and said why.
func planRota(roster *model.Roster, rota model.Rota, shifts []evidence.RotaShift) *rotaPlan {
	plan := &rotaPlan{}
	byPerson := map[string]*rotaProposal{}
	for _, rs := range shifts {
		p := evidence.PersonFor(roster, rota, rs.User, rs.Email)
		what := fmt.Sprintf("%s shift %s", rs.Type, rs.Range)
		switch {
		case p == nil:
			plan.unknown = append(plan.unknown, rs)
			continue
		case !roster.Valid(p):
			plan.skipped = append(plan.skipped, fmt.Sprintf("%s: %s is not proposed: %s has problems; fix them first (prodaccess validate)", p.ID, what, p.File))
			continue
		}
		prop := byPerson[p.ID]
		if prop == nil {
			prop = &rotaProposal{person: p}
			byPerson[p.ID] = prop
		}
		held, clash := false, ""
		for _, s := range p.Shifts {
			if s.Start <= rs.End && rs.Start <= s.End {
				if s.Type == rs.Type {
					held = true
				} else {
					clash = fmt.Sprintf("the %s shift %s at line %d", s.Type, s.Range, s.Pos.Line)
				}
			}
		}
		for _, other := range prop.shifts {
			if other.Start <= rs.End && rs.Start <= other.End {
				clash = fmt.Sprintf("the %s shift %s the rota also shows", other.Type, other.Range)
			}
		}
		switch {
		case held:
		case clash != "":
			plan.skipped = append(plan.skipped, fmt.Sprintf("%s: %s is not proposed: it shares a day with %s", p.ID, what, clash))
		default:
			prop.shifts = append(prop.shifts, rs)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(byPerson)) {
		if prop := byPerson[id]; len(prop.shifts) > 0 {
			slices.SortFunc(prop.shifts, func(a, b evidence.RotaShift) int { return int(a.Start - b.Start) })
			plan.proposals = append(plan.proposals, prop)
		}
	}
	return plan
}

// Run reads the rota, works out which completed shifts the files lack,
// and proposes them, or with DryRun prints each change as a diff.
func (s *RotaSync) Run() error {
	env := s.Env
	src, err := env.source(&Flags{PR: true})
	if err != nil {
		return err
	}
	cfg, roster := src.cfg, src.roster
	rota := cfg.Policy.Rota
	switch {
	case !rota.Configured():
		return fmt.Errorf("%s has no rota section naming the PagerDuty schedules that stand for shifts (see docs/rota.md)", env.ConfigPath)
	case s.Rota == nil:
		return errors.New("PAGERDUTY_TOKEN is not set: rota sync reads the on-call rota through PagerDuty's API with a read-only key")
	}
	today := model.DayOf(env.Now(), cfg.Location)
	since := today - RotaSyncDays
	if s.Since != "" {
		if since, err = model.ParseDay(s.Since); err != nil {
			return fmt.Errorf("--since: %w", err)
		}
	}
	if rota.Since != nil && since < *rota.Since {
		since = *rota.Since
	}
	if since >= today {
		return fmt.Errorf("--since: %s is not before today (%s): only completed shifts are proposed", since, today)
	}
	env.WarnInvalid(roster)
	ctx, cancel, err := env.Context()
	if err != nil {
		return err
	}
	defer cancel()
	// Today is read too: a run of days on call that goes on into today is
	// not completed.
	onCalls, err := ReadRota(ctx, s.Rota, rota, since-rotaLookback, today+1, cfg.Location)
	if err != nil {
		return err
	}
	var completed []evidence.RotaShift
	for _, rs := range evidence.RotaShifts(rota, onCalls, cfg.Location) {
		if rs.Start >= since && rs.End < today {
			completed = append(completed, rs)
		}
	}
	plan := planRota(roster, rota, completed)
	w := env.Stdout
	fmt.Fprintf(w, "The on-call rota from %s to %s: %s of %s on %s.\n", since, today-1,
		countText(len(completed), "completed shift"), countText(len(distinctUsers(completed)), "PagerDuty user"), countText(len(rota.Schedules), "schedule"))
	var pulls RotaPulls
	var remote *peoplerepo.Remote
	var ghRepo string
	var branches map[string]string
	if !s.DryRun {
		if pulls, remote, ghRepo, branches, err = s.prepare(ctx, src); err != nil {
			return err
		}
	}
	var failed []string
	proposed := map[string]bool{}
	for _, prop := range plan.proposals {
		proposed[prop.person.ID] = true
		if err := s.propose(ctx, src, prop, pulls, remote, ghRepo); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", prop.person.ID, err))
		}
	}
	if len(plan.proposals) == 0 {
		fmt.Fprintln(w, "Every completed shift the rota shows is in the person files.")
	}
	// A branch whose shifts are all in the files now proposes nothing:
	// its pull request is closed and the branch deleted.
	for _, branch := range slices.Sorted(maps.Keys(branches)) {
		id, ok := strings.CutPrefix(branch, RotaBranchPrefix)
		if !ok || proposed[id] {
			continue
		}
		if err := s.closeStale(ctx, src, pulls, remote, ghRepo, branch); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", id, err))
		}
	}
	render.WriteRotaLeftOut(w, plan.unknown, plan.skipped, rota.Match)
	if len(failed) > 0 {
		return fmt.Errorf("%d proposal(s) failed:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return nil
}

func countText(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func distinctUsers(shifts []evidence.RotaShift) map[string]bool {
	out := map[string]bool{}
	for _, rs := range shifts {
		out[rs.User] = true
	}
	return out
}

// ReadRota reads the on-calls of every schedule of the rota that overlap
// the days from first to before end (in loc), in reads of at most
// rotaReadDays days; an on-call read twice, across two reads, counts
// once.
func ReadRota(ctx context.Context, r RotaReader, rota model.Rota, first, end model.Day, loc *time.Location) ([]model.OnCallFact, error) {
	var ids []string
	for _, s := range rota.Schedules {
		ids = append(ids, s.ID)
	}
	var out []model.OnCallFact
	for from := first; from < end; from += rotaReadDays {
		to := min(from+rotaReadDays, end)
		got, err := r.OnCalls(ctx, ids, StartOfDay(from, loc), StartOfDay(to, loc))
		if err != nil {
			return nil, fmt.Errorf("read the on-call rota from %s to %s: %w", from, to-1, err)
		}
		for _, oc := range got {
			if !slices.Contains(out, oc) {
				out = append(out, oc)
			}
		}
	}
	return out, nil
}

// StartOfDay is the moment day d begins in loc.
func StartOfDay(d model.Day, loc *time.Location) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// prepare checks everything the pull requests need before anything is
// pushed: a token, an origin, the repository on GitHub, and the branches
// origin has.
func (s *RotaSync) prepare(ctx context.Context, src *source) (RotaPulls, *peoplerepo.Remote, string, map[string]string, error) {
	env := s.Env
	token := env.Getenv("GITHUB_TOKEN")
	if token == "" {
		return nil, nil, "", nil, errors.New("GITHUB_TOKEN is not set: rota sync pushes a branch and opens a pull request through GitHub's API (or give --dry-run)")
	}
	remote, err := src.repo.Origin(token)
	if err != nil {
		return nil, nil, "", nil, err
	}
	if remote == nil {
		return nil, nil, "", nil, errors.New("the people repository has no origin to push the branches to")
	}
	ghRepo := env.GitHubRepo(src.cfg, remote)
	if ghRepo == "" {
		return nil, nil, "", nil, fmt.Errorf("the people repository is not known on GitHub (origin is %s): set people_repo in %s", remote.URL(), env.ConfigPath)
	}
	pulls, err := s.Pulls(src.cfg)
	if err != nil {
		return nil, nil, "", nil, err
	}
	heads, err := src.repo.RemoteBranches(ctx, remote)
	if err != nil {
		return nil, nil, "", nil, err
	}
	branches := map[string]string{}
	for b, sha := range heads {
		if strings.HasPrefix(b, RotaBranchPrefix) {
			branches[b] = sha
		}
	}
	return pulls, remote, ghRepo, branches, nil
}

// propose writes the shifts into the person's file with the edit engine,
// checks the roster with it, and prints the diff (DryRun) or keeps the
// branch and its pull request.
func (s *RotaSync) propose(ctx context.Context, src *source, prop *rotaProposal, pulls RotaPulls, remote *peoplerepo.Remote, ghRepo string) error {
	env, p := s.Env, prop.person
	name := p.ID + ".yaml"
	file := path.Join(src.label, name)
	data, err := src.read(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	out := data
	for _, rs := range prop.shifts {
		e := personfile.AppendEntry("shifts", personfile.TextField("type", string(rs.Type)), personfile.DayField("start", rs.Start), personfile.DayField("end", rs.End))
		if out, err = e.Apply(file, out); err != nil {
			return err
		}
	}
	_, after := withFile(src, name, out)
	if problems := newProblems(src.roster, after); len(problems) > 0 {
		return fmt.Errorf("the shifts would make the files invalid, so none is proposed:\n  %s", strings.Join(problems, "\n  "))
	}
	pr := render.RotaProposal{Person: p.ID, Name: p.Name, File: file, Shifts: prop.shifts, Location: src.cfg.Location.String(), Branch: RotaBranchPrefix + p.ID}
	w := env.Stdout
	if s.DryRun {
		fmt.Fprintf(w, "\n%s\n", render.RotaTitle(pr))
		render.WriteDiff(w, file, data, out)
		return nil
	}
	// The branch's pull request is looked for, and its author checked,
	// before anything is pushed: prodaccess neither pushes to nor
	// rewrites a pull request that another account opened.
	existing, err := pulls.Find(ctx, ghRepo, pr.Branch)
	if err != nil {
		return fmt.Errorf("look for the pull request of %s in %s: %w", pr.Branch, ghRepo, err)
	}
	if existing != nil {
		if err := reconciler.CheckAuthor(ctx, s.Login, existing, pr.Branch); err != nil {
			return err
		}
	}
	sha, pushed, err := src.repo.KeepBranch(ctx, remote, pr.Branch, src.cfg.PeopleBranch, peoplerepo.RelPath(src.rel, name), out, render.RotaCommitMessage(pr))
	if err != nil {
		return err
	}
	th := &reconciler.PullThreads{API: pulls, Repository: ghRepo, Base: src.cfg.PeopleBranch, Head: pr.Branch,
		Check: func(ctx context.Context, found *outcome.PullRequest) error {
			return reconciler.CheckAuthor(ctx, s.Login, found, pr.Branch)
		}}
	var cur *reconciler.Thread
	if existing != nil {
		cur = reconciler.AsThread(existing)
	}
	t, wrote, err := reconciler.KeepThread(ctx, th, cur, render.RotaTitle(pr), render.RotaPullRequestBody(pr))
	if err != nil {
		return fmt.Errorf("pushed %s, but: %w", pr.Branch, err)
	}
	what := "is up to date"
	switch {
	case existing == nil:
		what = "opened"
	case wrote || pushed:
		what = "updated"
	}
	fmt.Fprintf(w, "%s: pull request #%d (%s) %s: %s (commit %s)\n", p.ID, t.Number, t.URL, what, render.RotaShiftsText(prop.shifts), sha[:12])
	return nil
}

// closeStale closes the pull request of a rota branch that proposes
// nothing any more, and deletes the branch.
func (s *RotaSync) closeStale(ctx context.Context, src *source, pulls RotaPulls, remote *peoplerepo.Remote, ghRepo, branch string) error {
	pr, err := pulls.Find(ctx, ghRepo, branch)
	if err != nil {
		return fmt.Errorf("look for the pull request of %s in %s: %w", branch, ghRepo, err)
	}
	if pr != nil {
		if err := reconciler.CheckAuthor(ctx, s.Login, pr, branch); err != nil {
			return err
		}
		if err := pulls.Close(ctx, ghRepo, pr.Number); err != nil {
			return fmt.Errorf("close pull request #%d in %s: %w", pr.Number, ghRepo, err)
		}
		fmt.Fprintf(s.Env.Stdout, "%s: closed pull request #%d (%s): the files hold every shift it proposed\n", strings.TrimPrefix(branch, RotaBranchPrefix), pr.Number, pr.URL)
	}
	return src.repo.DeleteRemoteBranch(ctx, remote, branch, src.cfg.PeopleBranch)
}
