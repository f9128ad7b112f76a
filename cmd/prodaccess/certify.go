package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/render"
)

func newAuditCertify(a *auditOptions) *cobra.Command {
	var period, at string
	cmd := &cobra.Command{
		Use:   "certify",
		Short: "Open the pull request whose approvals certify everyone's access for a period",
		Long: `Write a review file listing everyone with production access today (or on
--at), the basis of it, and the leads who sign off each row: the leads of
record of the person's programme, or every lead where it has none, never the
person. Commit it as <reviews>/<period>.yaml (audit.reviews, default
reviews/) on a new branch, push it to origin and open a pull request asking
those leads to review it. Each lead's approval of the pull request signs off
the rows that name them, proven from GitHub's record of the reviews as a
grant's approval is; apply and evidence record keep it in signed notes, and
audit review and audit report show each person's latest certification and
flag access not certified for the period (audit.certify_every, default a
quarter). Needs GITHUB_TOKEN, and a checkout at origin's people branch.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := a.source()
			if err != nil {
				return err
			}
			d, err := a.day(s, at)
			if err != nil {
				return fmt.Errorf("--at: %w", err)
			}
			p := model.PeriodOf(s.tipConfig.Audit.CertifyEvery, d)
			if period != "" {
				if p, err = model.ParsePeriod(period); err != nil {
					return fmt.Errorf("--period: %w", err)
				}
			}
			if d < p.Start || d > p.End {
				return fmt.Errorf("--period %s runs from %s to %s, and the access listed would be that of %s: give --at a day in the period", p, p.Start, p.End, d)
			}
			return a.certify(s, d, p)
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the period certified: 2026-Q4, 2026-11 or 2026 (default the period of audit.certify_every that holds the day)")
	cmd.Flags().StringVar(&at, "at", "", "the day whose access is listed, YYYY-MM-DD (default today)")
	return cmd
}

// certify proposes the review file of period p for the access of day d.
func (a *auditOptions) certify(s *source, d model.Day, p model.Period) error {
	t, err := s.truth(a, d)
	if err != nil {
		return err
	}
	cert, leads, err := s.certification(t, p)
	if err != nil {
		return err
	}
	file := path.Join(reviewsDir(s.configPath, s.tipConfig), p.Name+".yaml")
	rev, err := s.history.Revision(t.commit.SHA)
	if err != nil {
		return err
	}
	if _, err := fs.Stat(rev.FS, file); err == nil {
		return fmt.Errorf("%s is already in the people repository: %s is certified by the pull request that added it", file, p)
	}

	token := a.getenv("GITHUB_TOKEN")
	if token == "" {
		return errors.New("GITHUB_TOKEN is not set: audit certify opens the pull request through GitHub's API")
	}
	origin, err := s.repo.Origin(token)
	if err != nil {
		return err
	}
	if origin == nil {
		return errors.New("the people repository has no origin to push the review to")
	}
	repo := a.peopleGitHubRepo(s.tipConfig, origin)
	if repo == "" {
		return fmt.Errorf("the people repository is not known on GitHub (origin is %s): set people_repo in %s", origin.URL(), s.configPath)
	}
	base, branch := s.tipConfig.PeopleBranch, "review/"+p.Name
	ctx, cancel := a.signalContext()
	defer cancel()
	heads, err := s.repo.RemoteBranches(ctx, origin)
	if err != nil {
		return err
	}
	head, err := s.repo.Head()
	if err != nil {
		return err
	}
	switch at, ok := heads[base]; {
	case !ok:
		return fmt.Errorf("origin %s has no branch %s to propose the review to", origin.URL(), base)
	case at != s.tip || head.Commit.Hash.String() != s.tip:
		return fmt.Errorf("the checkout (HEAD %s, %s %s) is not where origin's %s is (%s): bring it up to date (git pull), so that the review lists access as it is", model.ShortSHA(head.Commit.Hash.String()), s.branch, model.ShortSHA(s.tip), base, model.ShortSHA(at))
	}
	if _, ok := heads[branch]; ok {
		return fmt.Errorf("origin already has a branch %s: a review of %s is proposed already", branch, p)
	}
	name, email := s.repo.Author(a.getenv)
	if email == "" {
		return errors.New("git config user.email is not set: the commit must say who made it")
	}
	if name == "" {
		name = email
	}
	title := fmt.Sprintf("Access review %s: certify everyone's production access", p)
	message := fmt.Sprintf("%s\n\nEveryone with production access on %s, from the person files at %s.\n", title, d, model.ShortSHA(t.commit.SHA))
	sha, err := s.repo.CommitFile(branch, file, render.CertificationFile(cert), message, object.Signature{Name: name, Email: email, When: a.now()})
	if err != nil {
		return err
	}
	if err := s.repo.PushBranch(ctx, origin, branch, base); err != nil {
		return errors.Join(err, s.repo.DeleteBranch(branch))
	}
	fmt.Fprintf(a.stdout, "Committed %s on branch %s (%s) and pushed it to %s: %s with production access on %s.\n", file, branch, model.ShortSHA(sha), origin.URL(), fmt.Sprintf("%d %s", len(cert.Rows), map[bool]string{true: "person", false: "people"}[len(cert.Rows) == 1]), d)

	client, err := github.NewClient(a.getenv("GITHUB_API_URL"), token, github.ClientOptions{Transport: a.transport()})
	if err != nil {
		return err
	}
	var body strings.Builder
	if err := render.CertificationBody(&body, cert, leads); err != nil {
		return err
	}
	prs := github.NewPullRequests(client)
	opened, err := prs.Create(ctx, repo, base, branch, title, body.String())
	if err != nil {
		return fmt.Errorf("pushed branch %s, but could not open the pull request in %s: %w; open it by hand", branch, repo, err)
	}
	fmt.Fprintf(a.stdout, "Opened pull request #%d: %s\n", opened.Number, opened.URL)
	var logins, unknown []string
	for _, id := range sortedKeys(leads) {
		if !slices.ContainsFunc(cert.Rows, func(r evidence.CertificationRow) bool { return slices.Contains(r.Certifiers, id) }) {
			continue
		}
		if leads[id] == "" {
			unknown = append(unknown, id)
		} else {
			logins = append(logins, leads[id])
		}
	}
	if len(logins) > 0 {
		if err := prs.RequestReviewers(ctx, repo, opened.Number, logins, nil); err != nil {
			return fmt.Errorf("opened pull request #%d, but could not ask %s for a review: %w", opened.Number, strings.Join(logins, ", "), err)
		}
		fmt.Fprintf(a.stdout, "Asked %s for a review: each lead's approval signs off the rows that name them.\n", strings.Join(logins, ", "))
	}
	if len(unknown) > 0 {
		fmt.Fprintf(a.stdout, "%s have no GitHub account of record, so their review could not be requested and no approval can be theirs.\n", strings.Join(unknown, ", "))
	}
	return nil
}

// certification lists everyone with access in a day's truth, each with
// the leads of record (as the history establishes them up to the day's
// commit) who sign the row off; and the GitHub login of each lead.
func (s *source) certification(t *dayTruth, p model.Period) (*evidence.Certification, map[string]string, error) {
	run, err := s.evidenceRun(t.commit.SHA)
	if err != nil {
		return nil, nil, err
	}
	approvers := map[string]*model.Person{}
	leads := map[string]string{}
	for id, ap := range run.authority().Approvers {
		approvers[id] = t.roster.Person(id)
		leads[id] = ap.GitHub
	}
	cert := &evidence.Certification{Period: p.Name, At: t.day, Commit: t.commit.SHA, Rows: []evidence.CertificationRow{}}
	for _, dc := range t.decisions {
		if dc.Level == model.None {
			continue
		}
		cert.Rows = append(cert.Rows, evidence.CertificationRow{ID: dc.Person.ID, Name: dc.Person.Name, Level: dc.Level, Basis: dc.ReasonStrings(),
			Certifiers: evidence.Certifiers(dc.Person, approvers)})
	}
	for _, r := range cert.Rows {
		if len(r.Certifiers) == 0 {
			return nil, nil, fmt.Errorf("nobody can sign off %s's access: there is no other lead of record", r.ID)
		}
	}
	return cert, leads, nil
}
