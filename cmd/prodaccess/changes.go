package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

func newChanges(o *options) *cobra.Command {
	var from, to, format, comment string
	var pr int
	cmd := &cobra.Command{
		Use:   "changes --from REV [--to REV]",
		Short: "What a change to the person files does to access, from git alone",
		Long: `Compare the person files and configuration at two git revisions and say who
gains or loses which level, under which rule, until when, and what that means
for each target. It reads nothing but the repository, so it needs no token
and works for pull requests from forks.

It also lists the temporary_access and reinstated entries the change writes,
and whose approving review each needs. With --pr N and GITHUB_TOKEN, it reads
that pull request's reviews and says whether each approval is there yet.

With --comment FILE it also writes the markdown as a pull request comment
takes it: cut, when it is longer than GitHub's 65,536 characters, to a
summary, the first part and where the whole is (the job summary).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown", "json"); err != nil {
				return err
			}
			if from == "" {
				return errors.New("--from is required: the revision to compare with, such as origin/main")
			}
			repo, err := peoplerepo.Open(o.anchor())
			if err != nil {
				return err
			}
			after, err := o.sideAt(repo, to)
			if err != nil {
				return err
			}
			day, err := o.day(after.Config)
			if err != nil {
				return err
			}
			before, err := o.sideAt(repo, from)
			if err != nil {
				return err
			}
			before.Decisions = before.roster.Evaluate(day)
			after.Decisions = after.roster.Evaluate(day)
			after.Problems = after.roster.Problems()
			c := reconciler.Changes(before.Side, after.Side, day)
			auth, err := o.authorityAt(repo, before)
			if err != nil {
				return err
			}
			c.Approvals = approvalsUnder(auth, before, after, c.Approvals)
			if pr > 0 {
				if err := o.checkApprovals(repo, before, after, auth, c, pr); err != nil {
					return err
				}
			}
			if comment != "" {
				if err := o.writeComment(comment, c); err != nil {
					return err
				}
			}
			if isData(format) {
				return render.WriteData(o.stdout, format, c)
			}
			return render.WriteAccessChanges(o.stdout, c, format == "markdown")
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the revision before the change, such as origin/main")
	cmd.Flags().StringVar(&to, "to", "HEAD", "the revision after the change")
	cmd.Flags().StringVar(&o.at, "at", "", "the day to decide for: YYYY-MM-DD or an RFC 3339 instant (default today in the policy time zone)")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json or yaml")
	cmd.Flags().StringVar(&comment, "comment", "", "also write the markdown, cut to fit a GitHub comment, to this file")
	cmd.Flags().IntVar(&pr, "pr", 0, "the number of the pull request that makes the change: say whether each approval it needs is there yet (needs GITHUB_TOKEN)")
	o.timeoutFlag(cmd)
	return cmd
}

// authorityAt is who may approve, and under which policy, at the side
// before the change: as the history up to it establishes, from the signed
// notes of the clone (fetch them first).
func (o *options) authorityAt(repo *peoplerepo.Repo, before *side) (model.Authority, error) {
	configRel, err := repo.Rel(o.configPath)
	if err != nil {
		return model.Authority{}, err
	}
	dir := o.peopleFolder(before.Config)
	rel, err := repo.Rel(dir)
	if err != nil {
		return model.Authority{}, err
	}
	run, err := newEvidenceRun(context.Background(), evidenceWhere{repo: repo, tip: before.Commit, peopleDir: rel, label: filepath.ToSlash(dir), configPath: configRel,
		ghRepo: before.Config.PeopleRepo, location: before.Config.Location})
	if err != nil {
		return model.Authority{}, err
	}
	return run.authority(), nil
}

// approvalsUnder names, for each entry the change writes, the approver of
// record before it whose review it needs, and adds the changes the change
// makes to who may approve or to the policy that widen access, which need
// a lead's approving review of their own.
func approvalsUnder(auth model.Authority, before, after *side, needs []outcome.ApprovalNeed) []outcome.ApprovalNeed {
	for i := range needs {
		a := &needs[i]
		if ap, ok := auth.Approvers[a.Entry.ApprovedBy]; ok {
			a.Login = ap.GitHub
		} else {
			a.Login = ""
			a.Checked, a.Missing = true, []string{fmt.Sprintf("%s was not an approver before this change, which cannot make its own approver", a.Entry.ApprovedBy)}
		}
	}
	var approvers []string
	for id := range auth.Approvers {
		approvers = append(approvers, id)
	}
	slices.Sort(approvers)
	for _, ch := range evidence.Changes(auth, after.roster.People, after.Config.Policy) {
		needs = append(needs, outcome.ApprovalNeed{Entry: ch.Entry, Change: ch.What, Approvers: approvers})
	}
	return needs
}

// writeComment writes the markdown of c to path as the body of a pull
// request comment: whole when GitHub takes it, else cut to a summary and
// as much as fits, with where the whole is: the job summary of the run,
// in GitHub Actions, else what prodaccess changes prints.
func (o *options) writeComment(path string, c *outcome.AccessChanges) error {
	var md bytes.Buffer
	if err := render.WriteAccessChanges(&md, c, true); err != nil {
		return err
	}
	pointer := "`prodaccess changes --format markdown` prints the whole."
	if server, repo, run := o.getenv("GITHUB_SERVER_URL"), o.getenv("GITHUB_REPOSITORY"), o.getenv("GITHUB_RUN_ID"); server != "" && repo != "" && run != "" {
		pointer = "The whole is in the job summary of the run: " + server + "/" + repo + "/actions/runs/" + run + "."
	}
	body := render.FitBody(md.String(), fmt.Sprintf("This change changes the access of %d people.", len(c.People)), pointer)
	return os.WriteFile(path, []byte(body), 0o644)
}

// checkApprovals reads the reviews of pull request number and says, for
// each entry the change writes, whether its approval is there yet.
func (o *options) checkApprovals(repo *peoplerepo.Repo, before, after *side, auth model.Authority, c *outcome.AccessChanges, number int) error {
	if len(c.Approvals) == 0 {
		return nil
	}
	ctx, cancel, err := o.runContext()
	if err != nil {
		return err
	}
	defer cancel()
	client, err := o.githubClient(after.Config)
	if err != nil {
		return err
	}
	if client == nil {
		return fmt.Errorf("--pr needs GITHUB_TOKEN to read the pull request's reviews")
	}
	origin, err := repo.Origin(o.getenv("GITHUB_TOKEN"))
	if err != nil {
		return err
	}
	ghRepo := o.peopleGitHubRepo(after.Config, origin)
	if ghRepo == "" {
		return fmt.Errorf("the people repository is not known on GitHub: set people_repo in %s", o.configPath)
	}
	dir := o.peopleFolder(after.Config)
	rel, err := repo.Rel(dir)
	if err != nil {
		return err
	}
	configRel, err := repo.Rel(o.configPath)
	if err != nil {
		return err
	}
	source, err := github.NewEvidence(client, ghRepo, after.Config.PeopleBranch, rel, filepath.ToSlash(dir), configRel, repo.FileAt, o.now)
	if err != nil {
		return err
	}
	entries := make([]model.EntryRef, len(c.Approvals))
	for i, a := range c.Approvals {
		entries[i] = a.Entry
	}
	ev, err := source.PullEvidence(ctx, number, entries)
	if err != nil {
		return err
	}
	base := &model.EntryBase{Commit: before.Commit, Authority: auth, Files: map[string]*model.Person{}}
	for _, p := range before.roster.People {
		base.Files[p.ID] = p
	}
	for i := range c.Approvals {
		a := &c.Approvals[i]
		p := after.roster.Person(a.Entry.Person)
		if a.Entry.Kind == model.PolicyEntry || a.Entry.Kind == model.ApproverEntry {
			p = nil
		}
		pf := model.Prove(ev, a.Entry, p, after.roster.Person(a.Entry.ApprovedBy), base)
		a.Checked, a.Approved, a.Missing = true, pf.Proven(), pf.Missing
	}
	return nil
}

type side struct {
	reconciler.Side
	roster *model.Roster
}

// sideAt reads the configuration and the people at a revision.
func (o *options) sideAt(repo *peoplerepo.Repo, rev string) (*side, error) {
	r, err := repo.Resolve(rev)
	if err != nil {
		return nil, err
	}
	cfg := config.DefaultConfig()
	rel, err := repo.Rel(o.configPath)
	if err != nil {
		return nil, err
	}
	data, err := gittree.ReadBlob(r.Tree, rel)
	_, statErr := os.Stat(o.configPath)
	switch {
	case err == nil:
		if cfg, err = config.ParseConfig(o.configPath, data); err != nil {
			return nil, fmt.Errorf("the configuration at %s: %w", rev, err)
		}
		cfg.File = o.configPath
	case o.peopleDir != "" && errors.Is(statErr, fs.ErrNotExist):
		// --people with no configuration: the default policy.
	default:
		return nil, fmt.Errorf("%s is not in revision %s", o.configPath, rev)
	}
	dir := o.peopleFolder(cfg)
	relPeople, err := repo.Rel(dir)
	if err != nil {
		return nil, err
	}
	roster, err := loadCommitted(repo, r, relPeople, filepath.ToSlash(dir), cfg)
	if err != nil {
		return nil, fmt.Errorf("read the person files at %s: %w", rev, err)
	}
	return &side{Side: reconciler.Side{Commit: r.Commit.Hash.String(), Config: cfg}, roster: roster}, nil
}
