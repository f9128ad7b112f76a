package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
)

// recordApplied keeps what this apply did, so that the people repository
// alone says when each target changed: every change made (done, pending
// in a pull request, or failed) that is not recorded already, and what
// became of the pull requests of earlier changes to file targets (merged,
// and when, or closed), looked up on GitHub. The record is signed with
// PRODACCESS_SIGNING_KEY, as the evidence is, added to the note of the
// people commit the plan was made from under peoplerepo.AppliedRef, and
// pushed to origin. Without the key, it records nothing and says why.
func (o *options) recordApplied(ctx context.Context, w *world, report *outcome.Report) error {
	ev := w.evidence
	if ev == nil || ev.repo == nil {
		return nil
	}
	if ev.origin != nil {
		if err := ev.repo.FetchApplied(ctx, ev.origin, o.now()); err != nil {
			fmt.Fprintf(o.stderr, "prodaccess: the records of earlier applies could not be fetched, so this run may record again what they did: %v\n", err)
		}
	}
	ghRepo := o.peopleGitHubRepo(w.cfg, ev.origin)
	var signers []string
	if ev.run != nil {
		signers = ev.run.authority().Policy.EvidenceSigners
	}
	records, _ := ev.repo.ReadApplied(ghRepo, signers)
	rec := newAppliedRecord(records, report)
	rec.Pulls = o.pullsEnded(ctx, ev.client, records)
	if len(rec.Changes) == 0 && len(rec.Pulls) == 0 {
		return nil
	}
	what := fmt.Sprintf("%d change(s) and %d pull request(s) of targets", len(rec.Changes), len(rec.Pulls))
	if ev.run == nil {
		fmt.Fprintf(o.stderr, "prodaccess: what apply did (%s) is not recorded: who may sign records cannot be rebuilt from the history\n", what)
		return nil
	}
	signer, why := o.noteSigner(ev.run)
	if signer == nil {
		fmt.Fprintf(o.stderr, "prodaccess: what apply did (%s) is not recorded, so audits cannot time these removals: %s\n", what, why)
		return nil
	}
	rec.Version, rec.Kind, rec.Repository, rec.Commit, rec.Day = outcome.AppliedVersion, outcome.AppliedKind, ghRepo, w.commit, w.day
	rec.AppliedAt = o.now().UTC().Truncate(time.Second)
	note, err := peoplerepo.SignApplied(signer, rec)
	if err != nil {
		return err
	}
	if err := ev.repo.AddApplied(map[string][]byte{w.commit: note}, o.now()); err != nil {
		return fmt.Errorf("record what apply did in %s: %w", peoplerepo.AppliedRef, err)
	}
	if ev.origin != nil {
		if err := ev.repo.PushApplied(ctx, ev.origin, o.now()); err != nil {
			return fmt.Errorf("recorded what apply did, but: %w", err)
		}
	}
	return nil
}

// newAppliedRecord holds the changes of a report that no earlier record
// holds already: made, pending in a pull request, or failed.
func newAppliedRecord(records []*outcome.AppliedRecord, report *outcome.Report) *outcome.AppliedRecord {
	known := map[string]bool{}
	for _, r := range records {
		for _, c := range r.Changes {
			known[c.Key()] = true
		}
	}
	rec := &outcome.AppliedRecord{Changes: []outcome.AppliedChange{}, Pulls: []outcome.TargetPull{}}
	for _, res := range report.Results {
		switch res.Status {
		case outcome.Done, outcome.Pending, outcome.Failed:
		default:
			continue
		}
		c := res.Change
		ac := outcome.AppliedChange{Target: c.Target, Action: c.Action, Subject: c.Subject, Person: c.Person, Level: c.Level, Reason: c.Reason, Status: res.Status, Detail: res.Detail, Pull: res.Pull}
		if !known[ac.Key()] {
			known[ac.Key()] = true
			rec.Changes = append(rec.Changes, ac)
		}
	}
	return rec
}

// pullsEnded looks up, for each pull request that an earlier record holds
// a change in and no record says ended, whether it was merged or closed.
// A lookup that fails is said and left for the next run.
func (o *options) pullsEnded(ctx context.Context, client *github.Client, records []*outcome.AppliedRecord) []outcome.TargetPull {
	out := []outcome.TargetPull{}
	if client == nil {
		return out
	}
	ended, open := map[string]bool{}, map[string]outcome.TargetPull{}
	for _, r := range records {
		for _, p := range r.Pulls {
			ended[p.Key()] = true
		}
		for _, c := range r.Changes {
			if c.Status == outcome.Pending && c.Pull != nil && c.Pull.Repo != "" {
				open[c.Pull.Key()] = *c.Pull
			}
		}
	}
	prs := github.NewPullRequests(client)
	for _, key := range sortedKeys(open) {
		if ended[key] {
			continue
		}
		p := open[key]
		got, err := prs.Ended(ctx, p.Repo, p.Number)
		if err != nil {
			fmt.Fprintf(o.stderr, "prodaccess: whether %s was merged is not known yet, so the next run asks again: %v\n", key, err)
			continue
		}
		if got.MergedAt != nil || got.ClosedAt != nil {
			out = append(out, *got)
		}
	}
	return out
}
