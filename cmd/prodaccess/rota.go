package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/providers/pagerduty"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/requests"
	"github.com/spf13/cobra"
)

// The on-call rota: PagerDuty's schedules, read with PAGERDUTY_TOKEN (a
// read-only API key) at PAGERDUTY_API_URL, prove shifts and propose the
// ones the files lack.

func newRota(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rota",
		Short: "The on-call rota (PagerDuty) that proves 2nd line shifts",
		Long: `The rota section of the configuration names the PagerDuty schedules that
stand for primary, secondary and shadow shifts. Under policy.shift_evidence
a shift counts only when the rota shows the person on call on such a
schedule on every day of it (plan and apply read it, and record what it
showed in the signed notes); rota sync proposes the shifts the rota shows
and the files lack. PagerDuty is read with PAGERDUTY_TOKEN, a read-only
API key, at PAGERDUTY_API_URL (default https://api.pagerduty.com; EU
accounts use https://api.eu.pagerduty.com).`,
	}
	cmd.AddCommand(newRotaSync(o))
	return cmd
}

func newRotaSync(o *options) *cobra.Command {
	var since string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "sync [--since DAY] [--dry-run]",
		Short: "Propose the completed shifts the rota shows and the person files lack",
		Long: `Read the rota's schedules from --since (default 90 days ago, and never
before rota.since) to yesterday, turn each person's on-calls into shifts
(each run of consecutive days on call on the schedules of one kind of
shift, in the policy time zone) and, for each person whose file lacks a
completed one, commit the shifts on the branch rota/<id> with the edit
engine of the request commands, push it and open a pull request, or
update the one that is open. A branch whose shifts the files now hold is
closed and deleted. The shifts of PagerDuty users no person file matches
are listed, and so is every shift not proposed, with why.

Reads the people repository at HEAD, which must be where origin's
people_branch is. Needs PAGERDUTY_TOKEN, and GITHUB_TOKEN with Contents:
write and Pull requests: write on the people repository. With --dry-run
it prints each change as a diff and writes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := o.config()
			if err != nil {
				return err
			}
			rota, err := o.rotaReader(cfg)
			if err != nil {
				return err
			}
			sync := &requests.RotaSync{Env: o.requestEnv(), Since: since, DryRun: dryRun}
			sync.Pulls = func(*config.Config) (requests.RotaPulls, error) {
				client, err := github.NewClient(o.getenv("GITHUB_API_URL"), o.getenv("GITHUB_TOKEN"), github.ClientOptions{Transport: o.transport()})
				if err != nil {
					return nil, err
				}
				sync.Login = o.githubLogin(client)
				return github.NewPullRequests(client), nil
			}
			if rota != nil {
				sync.Rota = rota
			}
			return sync.Run()
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "the first day whose shifts are proposed, YYYY-MM-DD (default 90 days ago)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print each change as a diff; push and open nothing")
	o.timeoutFlag(cmd)
	return cmd
}

// pagerdutyClient is the client of PagerDuty's API, with PAGERDUTY_TOKEN
// at PAGERDUTY_API_URL; nil without a token.
func (o *options) pagerdutyClient() (*pagerduty.Client, error) {
	token := o.getenv("PAGERDUTY_TOKEN")
	if token == "" {
		return nil, nil
	}
	return pagerduty.NewClient(o.getenv("PAGERDUTY_API_URL"), token, pagerduty.Options{
		Logf: func(f string, a ...any) { fmt.Fprintf(o.stderr, "prodaccess: "+f+"\n", a...) },
	})
}

// rotaReader reads the rota when the configuration names one and
// PAGERDUTY_TOKEN is set; nil otherwise.
func (o *options) rotaReader(cfg *config.Config) (*rotaReader, error) {
	if !cfg.Policy.Rota.Configured() {
		return nil, nil
	}
	client, err := o.pagerdutyClient()
	if err != nil || client == nil {
		return nil, err
	}
	return &rotaReader{client: client}, nil
}

// rotaReader reads on-calls through the PagerDuty client, as the model
// holds them, with each schedule's name.
type rotaReader struct{ client *pagerduty.Client }

var _ requests.RotaReader = (*rotaReader)(nil)

// OnCalls reads the on-calls of the schedules that overlap since to
// until.
func (r *rotaReader) OnCalls(ctx context.Context, schedules []string, since, until time.Time) ([]model.OnCallFact, error) {
	list, err := r.client.OnCalls(ctx, pagerduty.Query{ScheduleIDs: schedules, Since: since, Until: until})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]model.OnCallFact, 0, len(list))
	for _, oc := range list {
		name, ok := names[oc.ScheduleID]
		if !ok {
			// Read already, to check it before its on-calls: no request.
			sc, err := r.client.Schedule(ctx, oc.ScheduleID)
			if err != nil {
				return nil, err
			}
			name, names[oc.ScheduleID] = sc.Name, sc.Name
		}
		out = append(out, model.OnCallFact{Schedule: oc.ScheduleID, ScheduleName: name, User: oc.User.ID, Name: oc.User.Name, Email: oc.User.Email, Start: oc.Start, End: oc.End})
	}
	return out, nil
}

// shiftSource looks up the evidence of commits as the GitHub source does,
// and adds for each shift they wrote what the rota shows of it: read with
// the schedules and the person's identity (email or pagerduty_id) of the
// branch before the pull request that wrote it, so that the pull request
// cannot name its own schedule or take someone else's identity.
type shiftSource struct {
	github reconciler.EvidenceSource
	rota   *rotaReader
	run    *evidenceRun // set once the run is made; authority lookups need no rota
	loc    *time.Location
	now    func() time.Time
}

var _ reconciler.EvidenceSource = (*shiftSource)(nil)

func (s *shiftSource) CommitEvidence(ctx context.Context, sha string, entries []model.EntryRef) (*model.CommitEvidence, error) {
	ev, err := s.github.CommitEvidence(ctx, sha, entries)
	if err != nil || s.run == nil {
		return ev, err
	}
	base := s.run.chain.Base(sha, ev, s.loc)
	for _, e := range entries {
		if e.Kind != model.ShiftEntry {
			continue
		}
		se, err := s.read(ctx, sha, e, base)
		if err != nil {
			return nil, fmt.Errorf("read %s from the on-call rota: %w", e, err)
		}
		ev.Shifts = append(ev.Shifts, *se)
	}
	if len(ev.Shifts) > 0 {
		ev.Version = model.ShiftEvidenceVersion
	}
	return ev, nil
}

// read reads what the rota shows of one shift that commit wrote.
func (s *shiftSource) read(ctx context.Context, commit string, e model.EntryRef, base *model.EntryBase) (*model.ShiftEvidence, error) {
	rota := base.Authority.Policy.Rota
	now := s.now().UTC().Truncate(time.Second)
	ids := rota.SchedulesFor(e.Shift)
	se := &model.ShiftEvidence{Entry: e, Schedules: []model.ScheduleRef{}, Match: rota.Match, OnCalls: []model.OnCallFact{}, LookedUpAt: now}
	for _, id := range ids {
		se.Schedules = append(se.Schedules, model.ScheduleRef{ID: id})
	}
	if se.Match == "" {
		se.Match = model.MatchEmail
	}
	// Who the person was before the pull request: a pull request that
	// changes an email or a pagerduty_id and claims a shift through it
	// proves nothing. A person new in it has no file before.
	who := s.run.personAt(base.Commit, e.Person)
	if base.Commit == "" || who == nil {
		who = s.run.personAt(commit, e.Person)
	}
	se.Key = rota.KeyOf(who)
	if se.OutOfReach = rota.OutOfReach(e, now, s.loc); se.OutOfReach != "" || se.Key == "" {
		return se, nil
	}
	since := requests.StartOfDay(*e.Start, s.loc)
	until := requests.StartOfDay(*e.End+1, s.loc)
	// PagerDuty plans on-calls no more than 90 days ahead.
	if limit := now.AddDate(0, 0, 89); until.After(limit) {
		until = limit
	}
	if !since.Before(until) {
		return se, nil
	}
	list, err := s.rota.OnCalls(ctx, ids, since, until)
	if err != nil {
		return nil, err
	}
	for i := range se.Schedules {
		// Read to check each schedule before its on-calls: no request.
		sc, err := s.rota.client.Schedule(ctx, se.Schedules[i].ID)
		if err != nil {
			return nil, err
		}
		se.Schedules[i].Name = sc.Name
	}
	for _, oc := range list {
		if rota.MatchesUser(se.Key, oc.User, oc.Email) {
			se.OnCalls = append(se.OnCalls, oc)
		}
	}
	slices.SortFunc(se.OnCalls, func(a, b model.OnCallFact) int { return a.Start.Compare(b.Start) })
	return se, nil
}
