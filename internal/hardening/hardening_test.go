package hardening

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var (
	pinned  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$`)
	version = regexp.MustCompile(`^# v\d+(\.\d+)*$`)
)

func load(t *testing.T, path string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Content[0]
}

func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// checkSteps checks every step: actions pinned to a full commit SHA with
// the version in a comment, and checkouts that keep no credentials.
func checkSteps(t *testing.T, file string, steps *yaml.Node) {
	t.Helper()
	if steps == nil {
		return
	}
	for _, step := range steps.Content {
		uses := get(step, "uses")
		if uses == nil {
			continue
		}
		if strings.HasPrefix(uses.Value, "./") {
			continue
		}
		if !pinned.MatchString(uses.Value) {
			t.Errorf("%s:%d: %s is not pinned to a full commit SHA", file, uses.Line, uses.Value)
		}
		if !version.MatchString(strings.TrimSpace(uses.LineComment)) {
			t.Errorf("%s:%d: %s has no version comment such as # v4.2.2 (got %q)", file, uses.Line, uses.Value, uses.LineComment)
		}
		if strings.HasPrefix(uses.Value, "actions/checkout@") {
			if pc := get(get(step, "with"), "persist-credentials"); pc == nil || pc.Value != "false" {
				t.Errorf("%s:%d: checkout must set persist-credentials: false", file, uses.Line)
			}
		}
	}
}

func TestWorkflows(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(files) < 3 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	for _, f := range files {
		root := load(t, f)
		name := filepath.Base(f)
		if p := get(root, "permissions"); p == nil || p.Kind != yaml.MappingNode || len(p.Content) != 0 {
			t.Errorf("%s: the top must say permissions: {}", name)
		}
		if on := get(root, "on"); get(on, "pull_request_target") != nil || strings.Contains(on.Value, "pull_request_target") {
			t.Errorf("%s: pull_request_target runs pull-request code with secrets; never use it", name)
		}
		jobs := get(root, "jobs")
		for i := 0; i+1 < len(jobs.Content); i += 2 {
			job := jobs.Content[i+1]
			if get(job, "permissions") == nil {
				t.Errorf("%s: job %s must declare its own permissions", name, jobs.Content[i].Value)
			}
			checkSteps(t, name, get(job, "steps"))
		}
	}
	rec := load(t, "../../.github/workflows/reconcile.yml")
	c := get(rec, "concurrency")
	if get(c, "cancel-in-progress") == nil || get(c, "cancel-in-progress").Value != "false" || get(c, "group") == nil {
		t.Error("reconcile.yml: concurrency must have a group and cancel-in-progress: false, so that two applies never race")
	}
}

func TestAction(t *testing.T) {
	root := load(t, "../../action.yml")
	runs := get(root, "runs")
	if get(runs, "using").Value != "composite" {
		t.Error("action.yml must be a composite action")
	}
	checkSteps(t, "action.yml", get(runs, "steps"))
	for _, step := range get(runs, "steps").Content {
		if run := get(step, "run"); run != nil && strings.Contains(run.Value, "${{ inputs.") {
			t.Errorf("action.yml:%d: inputs must reach scripts through env, not be pasted into them", run.Line)
		}
	}
}
