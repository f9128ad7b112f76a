package main

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

// dayTruth is what the history says of one day: the commit in force at
// its end, the files then with the evidence of their approvals, and the
// decisions. audit at, audit review and audit report all take it from
// truth, so that no page can contradict another.
type dayTruth struct {
	day       model.Day
	commit    *outcome.Commit
	roster    *model.Roster    // the files in force, deciding with the evidence
	decisions []model.Decision // everyone's level, with the evidence
	// files are the decisions of the same files taken at their word, as
	// who shows them.
	files []model.Decision
}

// truth is the one path to a day's truth: the last valid commit at the
// end of d, and everyone's level then under the evidence recorded.
func (s *source) truth(a *auditOptions, d model.Day) (*dayTruth, error) {
	commit, roster, err := s.at(a, d)
	if err != nil {
		return nil, err
	}
	t := &dayTruth{day: d, commit: commit, files: roster.Evaluate(d)}
	if t.roster, err = s.auditEvidence(a, commit, roster, d); err != nil {
		return nil, err
	}
	t.decisions = t.roster.Evaluate(d)
	return t, nil
}

// differences names everyone whose level under the evidence differs from
// what the files alone give (as who shows it), with what is missing.
func (t *dayTruth) differences() []render.Difference {
	withEvidence := map[string]model.Level{}
	for _, dc := range t.decisions {
		withEvidence[dc.Person.ID] = dc.Level
	}
	var out []render.Difference
	for _, dc := range t.files {
		p := dc.Person
		got := withEvidence[p.ID]
		if got == dc.Level {
			continue
		}
		diff := render.Difference{Person: p.ID, Files: dc.Level, Evidence: got}
		for _, e := range reconciler.NeedEvidence(model.NewRoster([]*model.Person{p}, t.roster.Policy), t.day, 0) {
			pf := t.roster.Proof(t.roster.Person(p.ID), e)
			if pf == nil || !t.roster.RequiresProof(e) {
				continue
			}
			switch day, ok := t.roster.Evidence().ProvenDay(pf); {
			case !pf.Proven():
				diff.Missing = append(diff.Missing, fmt.Sprintf("%s: %s", e, strings.Join(pf.Missing, "; ")))
			case ok && day > t.day:
				diff.Missing = append(diff.Missing, fmt.Sprintf("%s: proven only on %s (%s)", e, day, pf.Summary()))
			}
		}
		if len(diff.Missing) == 0 {
			diff.Missing = []string{"the policy in force is stricter than the files' configuration says: a change to it is not approved by a lead"}
		}
		out = append(out, diff)
	}
	return out
}

// reviewScope is what an access review covers besides its day.
type reviewScope struct {
	secrets bool
	// timeline is the history up to the review's day, for the removals
	// and the facts recorded late; nil leaves them out.
	timeline *outcome.Timeline
	from     model.Day // the first day whose removals are timed
}

// review is the access review of a day, from its truth: everyone with
// access, the basis, the evidence of each approval, the latest
// certification, and the flags; the findings (entries not proven, notes
// that are not evidence, changes to who may approve that no lead
// approved, facts recorded after their day); and the removals of the
// period, timed. A scan that cannot run is said, not fatal.
func (s *source) review(a *auditOptions, t *dayTruth, scope reviewScope) (*outcome.Review, error) {
	keys, err := s.keysAt(a, t.commit, t.roster, t.day)
	if err != nil {
		return nil, err
	}
	rv := reconciler.Review(t.roster, t.day, t.commit, keys, s.keyTime(a.now(), t.day))
	if hasSecrets(s) {
		if !scope.secrets {
			rv.Unchecked = append(rv.Unchecked, "who without access can still read the targets' secrets: not scanned, since that reads the target repositories (give --secrets to scan them)")
		} else if reports, err := a.secretReports(s, t.commit, t.roster, t.day, keys); err != nil {
			rv.Unchecked = append(rv.Unchecked, "who without access can still read the targets' secrets: the scan could not run: "+err.Error())
		} else {
			reconciler.FlagSecretReaders(rv, t.roster, reports)
			reconciler.FlagRotation(rv, t.roster, reports, s.tipConfig.Secrets.RotateWithinDays)
		}
	}
	rv.Findings = reconciler.EvidenceFindings(t.roster, reconciler.NeedEvidence(t.roster, t.day, 0))
	if err := s.addFindings(&rv.Findings, t.commit.SHA, ""); err != nil {
		return nil, err
	}
	if err := s.certify(t, rv); err != nil {
		return nil, err
	}
	if tl := scope.timeline; tl != nil {
		for _, f := range tl.Findings {
			if f.Kind == outcome.FindingLateFact {
				rv.Findings = append(rv.Findings, f)
			}
		}
		if rv.Removals, err = s.removals(tl, scope.from, t.day, &rv.Findings); err != nil {
			return nil, err
		}
	}
	return rv, nil
}

// hasSecrets reports whether a target at the tip holds secrets.
func hasSecrets(s *source) bool {
	for i := range s.tipConfig.Targets {
		if len(s.tipConfig.Targets[i].SecretGlobs()) > 0 {
			return true
		}
	}
	return false
}

// certify gives each row of the review the latest certification of the
// person, from the review files at the review's commit and the evidence
// of the pull requests that wrote them, and flags access not certified
// for the period that holds the review's day.
func (s *source) certify(t *dayTruth, rv *outcome.Review) error {
	period := model.PeriodOf(s.tipConfig.Audit.CertifyEvery, t.day)
	rv.Certification = &period
	latest, problems, err := s.certifications(t)
	if err != nil {
		return err
	}
	rv.Findings = append(rv.Findings, problems...)
	for i := range rv.Rows {
		row := &rv.Rows[i]
		c := latest[row.ID]
		row.Certified = c
		if row.Level == model.None {
			continue
		}
		switch {
		case c == nil || c.Period != period.Name:
			row.Flags = append(row.Flags, fmt.Sprintf("access not certified for %s", period))
		case !c.Proven:
			row.Flags = append(row.Flags, fmt.Sprintf("access not certified for %s: the row of %s is not signed off: %s", period, c.File, strings.Join(c.Missing, "; ")))
		}
	}
	return nil
}

// certifications reads the review files in force at the end of the day
// and returns each person's latest certification (by period, then day),
// proven or not: signed off by the approval of a lead of record, named in
// the row, on the pull request that wrote the file, no later than the day.
func (s *source) certifications(t *dayTruth) (map[string]*outcome.Certified, []outcome.Finding, error) {
	dir := reviewsDir(s.configPath, s.tipConfig)
	files, err := s.repo.Reviews(t.commit.SHA, dir)
	if err != nil {
		return nil, nil, err
	}
	run, err := s.evidenceRun(t.commit.SHA)
	if err != nil {
		return nil, nil, err
	}
	var problems []outcome.Finding
	signers := run.authority().Policy.EvidenceSigners
	tampered := map[string]string{}
	for _, f := range run.findings() {
		tampered[f.Commit] = f.Text()
	}
	type found struct {
		end model.Day
		c   *outcome.Certified
	}
	best := map[string]found{}
	for _, rf := range files {
		if rf.Problem != nil {
			problems = append(problems, outcome.Finding{Kind: outcome.FindingReviewFile, Detail: fmt.Sprintf("%s certifies nothing: %v", rf.Name, rf.Problem)})
			continue
		}
		cert := rf.Certification
		period, _ := model.ParsePeriod(cert.Period)
		ev := run.verifier.Evidence(rf.Wrote, signers)
		baseCommit := run.chain.BaseOf(rf.Wrote, ev)
		base := &model.EntryBase{Commit: baseCommit, Authority: run.chain.At(baseCommit)}
		for _, row := range cert.Rows {
			pf := model.Prove(ev, cert.Ref(row), nil, nil, base)
			c := &outcome.Certified{Period: cert.Period, File: rf.Name, At: cert.At, Proven: pf.Proven(), ProvenAt: pf.ProvenAt, Missing: pf.Missing}
			if why, ok := tampered[rf.Wrote]; ok && ev == nil {
				c.Missing = []string{why}
			}
			if pr := pf.PullRequest; pr != nil {
				c.PullRequest, c.URL = pr.Number, pr.URL
			}
			if pf.Approval != nil {
				c.By = pf.Approval.User.Login
			}
			if day, ok := t.roster.Evidence().ProvenDay(pf); c.Proven && ok && day > t.day {
				c.Proven = false
				c.Missing = []string{fmt.Sprintf("signed off only on %s", day)}
			}
			key := found{period.End, c}
			if b, ok := best[row.ID]; !ok || cmp.Or(cmp.Compare(key.end, b.end), cmp.Compare(c.At, b.c.At)) >= 0 {
				best[row.ID] = key
			}
		}
	}
	out := map[string]*outcome.Certified{}
	for id, f := range best {
		out[id] = f.c
	}
	return out, problems, nil
}

// removals times every loss of access due from from to to, from the
// timeline and apply's records (verified as notes are); records that are
// not evidence are findings.
func (s *source) removals(tl *outcome.Timeline, from, to model.Day, findings *[]outcome.Finding) (*outcome.RemovalReport, error) {
	run, err := s.evidenceRun(s.tip)
	if err != nil {
		return nil, err
	}
	records, bad := s.repo.ReadApplied(s.tipConfig.PeopleRepo, run.authority().Policy.EvidenceSigners)
	for _, f := range bad {
		*findings = append(*findings, outcome.Finding{Kind: outcome.FindingNote, Commit: f.Commit, Detail: f.Text()})
	}
	return reconciler.Removals(reconciler.RemovalInput{Timeline: tl, Targets: s.tipConfig.Targets, Records: records, From: from, To: to,
		Within: s.tipConfig.Audit.RemovalWithin, Location: s.tipConfig.Location}), nil
}
