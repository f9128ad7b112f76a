package peoplerepo

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestAppliedRecords: records of apply are appended to the note of their
// commit, both kept when two runs wrote one note, and believed only when
// a signer of record signed them for that commit and repository.
func TestAppliedRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "people")
	origin := filepath.Join(t.TempDir(), "origin.git")
	if _, err := devstack.Git(filepath.Dir(origin), "init", "-q", "--bare", "-b", "main", origin); err != nil {
		t.Fatal(err)
	}
	if err := devstack.NewRepo(dir, map[string]string{"people/cy.yaml": grantee}); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "remote", "add", "origin", origin); err != nil {
		t.Fatal(err)
	}
	first := head(t, dir)
	if err := devstack.Commit(dir, map[string]string{"people/cy.yaml": grantee + "# touched\n"}, "Touch"); err != nil {
		t.Fatal(err)
	}
	second := head(t, dir)
	s, other := newSigner(t), newSigner(t)
	signers := []string{strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))}
	record := func(commit, repository string, at time.Time, subject string) *outcome.AppliedRecord {
		return &outcome.AppliedRecord{Version: outcome.AppliedVersion, Kind: outcome.AppliedKind, Repository: repository, Commit: commit, Day: model.DayOf(at, time.UTC), AppliedAt: at,
			Changes: []outcome.AppliedChange{{Target: "team", Action: outcome.Remove, Subject: subject, Person: subject, Status: outcome.Done}}, Pulls: []outcome.TargetPull{}}
	}
	sign := func(by *NoteSigner, r *outcome.AppliedRecord) []byte {
		t.Helper()
		note, err := SignApplied(by, r)
		if err != nil {
			t.Fatal(err)
		}
		return note
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	// Two runs from the same commit: one here, one that pushed first.
	if err := r.AddApplied(map[string][]byte{first: sign(s, record(first, "o/people", at, "pat"))}, at); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	if _, err := devstack.Git(filepath.Dir(elsewhere), "clone", "-q", dir, elsewhere); err != nil {
		t.Fatal(err)
	}
	theirs, err := Open(elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	if err := theirs.AddApplied(map[string][]byte{first: sign(s, record(first, "o/people", at.Add(time.Hour), "kim"))}, at); err != nil {
		t.Fatal(err)
	}
	theirRemote, err := theirs.Origin("")
	if err != nil {
		t.Fatal(err)
	}
	theirRemote.url = origin
	if err := theirs.PushApplied(context.Background(), theirRemote, at); err != nil {
		t.Fatal(err)
	}
	mine, err := r.Origin("")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.PushApplied(context.Background(), mine, at); err != nil {
		t.Fatal(err)
	}
	// Records an insider wrote: unsigned, signed by another key, another
	// commit's, another repository's.
	unsigned, _ := outcome.EncodeApplied(record(second, "o/people", at, "mallory"))
	bad := bytes.Join([][]byte{unsigned, sign(other, record(second, "o/people", at, "eve")), sign(s, record(first, "o/people", at, "replayed")), sign(s, record(second, "o/elsewhere", at, "copied"))}, nil)
	if err := r.AddApplied(map[string][]byte{second: bad}, at); err != nil {
		t.Fatal(err)
	}

	got, findings := r.ReadApplied("o/people", signers)
	var subjects []string
	for _, rec := range got {
		subjects = append(subjects, rec.Commit[:7]+" "+rec.Changes[0].Subject)
	}
	if diff := cmp.Diff([]string{first[:7] + " pat", first[:7] + " kim"}, subjects); diff != "" {
		t.Errorf("records believed (-want +got):\n%s", diff)
	}
	var kinds []string
	for _, f := range findings {
		kinds = append(kinds, f.Kind+": "+f.Detail)
		if f.Ref != AppliedRef || !strings.Contains(f.Text(), "in "+AppliedRef+" is not evidence") {
			t.Errorf("finding %q does not name %s", f.Text(), AppliedRef)
		}
	}
	want := []string{
		"unsigned: record 1: it carries no SSH signature",
		"unknown signer: record 2: signed by " + ssh.FingerprintSHA256(other.PublicKey()) + ", which policy.evidence_signers does not list",
		"replayed: record 3 is of commit " + first[:12] + ", attached to " + second[:12],
		"replayed: record 4 is of o/elsewhere, not of o/people",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
