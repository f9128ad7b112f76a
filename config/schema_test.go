package config

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/golden"
	"github.com/prodaccess/prodaccess/internal/schematest"
)

var update = flag.Bool("update", false, "rewrite golden files with what the code produces")

// TestSchemaFiles checks that the shipped schema is the one the loader's
// tables give; go test ./config -update rewrites it.
func TestSchemaFiles(t *testing.T) {
	got, err := ConfigSchema()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "schema", "config.schema.json"), got, *update)
}

func TestSchemaAcceptsExamples(t *testing.T) {
	s := schematest.Compile(t, ConfigSchema)
	if errs, err := schematest.Errors(t, s, "../prodaccess.yaml"); err != nil || len(errs) > 0 {
		t.Errorf("prodaccess.yaml: %v %s", err, strings.Join(errs, "\n"))
	}
}

// TestConfigSchemaTargets checks the per-type rules of the configuration
// schema against the loader: each configuration here is accepted by both,
// or refused by both.
func TestConfigSchemaTargets(t *testing.T) {
	s := schematest.Compile(t, ConfigSchema)
	for _, tc := range []struct {
		name, targets string
		ok            bool
	}{
		{"github team", "{name: t, type: github-team, org: alphagov, team: prod, keep: [bot]}", true},
		{"gpg file", "{name: t, type: file, repo: r, path: p, format: gpg-id, levels: [permanent]}", true},
		{"list file", "{name: t, type: file, repo: r, path: p, format: tfvars-list, key: arns}", true},
		{"manual", "{name: t, type: manual, instructions: Do it}", true},
		{"child teams", "{name: t, type: github-team, org: alphagov, team: prod, child_teams: [{team: bots, reason: Deploys}]}", true},
		{"child team without a reason", "{name: t, type: github-team, org: alphagov, team: prod, child_teams: [{team: bots}]}", false},
		{"child teams of a file", "{name: t, type: file, repo: r, path: p, format: gpg-id, child_teams: [{team: bots, reason: Deploys}]}", false},
		{"secrets of a list", "{name: t, type: file, repo: r, path: p, format: yaml-list, key: k, secrets: [{glob: a/*.gpg, format: openpgp}]}", false},
		{"secrets of a gpg file", "{name: t, type: file, repo: r, path: p, format: gpg-id, secrets: [{glob: a/*.gpg, format: openpgp}]}", true},
		{"team without a team", "{name: t, type: github-team, org: alphagov}", false},
		{"team with a repo", "{name: t, type: github-team, org: alphagov, team: prod, repo: r}", false},
		{"list without a key", "{name: t, type: file, repo: r, path: p, format: yaml-list}", false},
		{"gpg file with a key", "{name: t, type: file, repo: r, path: p, format: gpg-id, key: k}", false},
		{"manual with a path", "{name: t, type: manual, instructions: Do it, path: p}", false},
		{"unknown type", "{name: t, type: ldap-group}", false},
		{"bad name", "{name: Team_1, type: manual, instructions: Do it}", false},
		{"bad slug", "{name: t, type: github-team, org: -alphagov, team: prod}", false},
		{"no levels", "{name: t, type: manual, instructions: Do it, levels: []}", false},
		{"a level twice", "{name: t, type: manual, instructions: Do it, levels: [permanent, permanent]}", false},
		{"level none", "{name: t, type: manual, instructions: Do it, levels: [none]}", false},
	} {
		data := "people: people\ntargets:\n  - " + tc.targets + "\n"
		_, loadErr := ParseConfig("prodaccess.yaml", []byte(data))
		docs, err := schematest.Documents([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		schemaErr := s.Validate(docs[0])
		if (loadErr == nil) != tc.ok || (schemaErr == nil) != tc.ok {
			t.Errorf("%s: the loader says %v, the schema says %v; want both to %s", tc.name, loadErr, schemaErr, map[bool]string{true: "accept it", false: "refuse it"}[tc.ok])
		}
	}
	for _, policy := range []string{"shadow_shifts_required: 11", "absence_limit_days: 0", "max_temporary_days: \"90\"", "evidence: maybe"} {
		data := "policy:\n  " + policy + "\n"
		docs, _ := schematest.Documents([]byte(data))
		if _, err := ParseConfig("prodaccess.yaml", []byte(data)); err == nil || s.Validate(docs[0]) == nil {
			t.Errorf("%s: both the loader and the schema must refuse it", policy)
		}
	}
	if docs, _ := schematest.Documents([]byte("safety:\n  max_removal_fraction: 1.5\n")); s.Validate(docs[0]) == nil {
		t.Error("the schema accepts a removal fraction above 1")
	}
}
