package hardening

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	if err != nil || len(files) < 4 {
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

// TestReleaseWorkflow checks what the release workflow may do: it runs
// for version tags only, its one job holds the only write permissions of
// any workflow that publish (contents, packages, id-token,
// attestations), Go's cache is off so that nothing a pull request left
// there enters a release, and every archive and checksums.txt is attested.
func TestReleaseWorkflow(t *testing.T) {
	const file = "release.yml"
	root := load(t, "../../.github/workflows/"+file)
	on := get(root, "on")
	if on.Kind != yaml.MappingNode || len(on.Content) != 2 || on.Content[0].Value != "push" {
		t.Errorf("%s: must run on push alone (of version tags)", file)
	}
	push := get(on, "push")
	if tags := get(push, "tags"); tags == nil || len(tags.Content) != 1 || tags.Content[0].Value != "v*" || len(push.Content) != 2 {
		t.Errorf("%s: must run for tags v* only", file)
	}
	jobs := get(root, "jobs")
	if len(jobs.Content) != 2 {
		t.Fatalf("%s: want the one job release", file)
	}
	job := jobs.Content[1]
	got := map[string]string{}
	perms := get(job, "permissions")
	for i := 0; i+1 < len(perms.Content); i += 2 {
		got[perms.Content[i].Value] = perms.Content[i+1].Value
	}
	want := map[string]string{"contents": "write", "packages": "write", "id-token": "write", "attestations": "write"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("%s: permissions (-got +want):\n%s", file, diff)
	}
	var attested []string
	for _, step := range get(job, "steps").Content {
		uses := get(step, "uses")
		switch {
		case uses == nil:
		case strings.HasPrefix(uses.Value, "actions/setup-go@"):
			if c := get(get(step, "with"), "cache"); c == nil || c.Value != "false" {
				t.Errorf("%s:%d: setup-go must say cache: false", file, uses.Line)
			}
		case strings.HasPrefix(uses.Value, "actions/attest-build-provenance@"):
			if p := get(get(step, "with"), "subject-path"); p != nil {
				attested = append(attested, strings.Fields(p.Value)...)
			}
		}
	}
	if diff := cmp.Diff(attested, []string{"dist/*.tar.gz", "dist/checksums.txt"}); diff != "" {
		t.Errorf("%s: attested files (-got +want):\n%s", file, diff)
	}
}

// TestPublishingPermissions checks that no workflow but the release's
// may write contents or packages, or sign and store attestations.
func TestPublishingPermissions(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "release.yml" {
			continue
		}
		jobs := get(load(t, f), "jobs")
		for i := 0; i+1 < len(jobs.Content); i += 2 {
			perms := get(jobs.Content[i+1], "permissions")
			for _, p := range []string{"contents", "packages", "id-token", "attestations"} {
				if v := get(perms, p); v != nil && v.Value == "write" {
					t.Errorf("%s: job %s has %s: write; only release.yml publishes", filepath.Base(f), jobs.Content[i].Value, p)
				}
			}
		}
	}
}

// TestActionInstallsTheRelease checks the action's release path: its
// first step runs scripts/install-release.sh (the script the tests of
// internal/release run) with the action's own ref, and Go is set up and
// prodaccess built only when that step installed nothing.
func TestActionInstallsTheRelease(t *testing.T) {
	steps := get(get(load(t, "../../action.yml"), "runs"), "steps").Content
	install := steps[0]
	if id := get(install, "id"); id == nil || id.Value != "install" {
		t.Fatal("action.yml: the first step must be the install step, id: install")
	}
	if run := get(install, "run"); run == nil || run.Value != `"$GITHUB_ACTION_PATH/scripts/install-release.sh"` {
		t.Errorf("action.yml:%d: the install step must run scripts/install-release.sh", install.Line)
	}
	if ref := get(get(install, "env"), "PRODACCESS_REF"); ref == nil || ref.Value != "${{ github.action_ref }}" {
		t.Errorf("action.yml:%d: the install step must get the action's ref as PRODACCESS_REF", install.Line)
	}
	const notInstalled = "steps.install.outputs.installed != 'true'"
	for _, step := range steps[1:] {
		uses, run := get(step, "uses"), get(step, "run")
		builds := uses != nil && strings.HasPrefix(uses.Value, "actions/setup-go@") ||
			run != nil && strings.Contains(run.Value, "go build")
		if cond := get(step, "if"); builds && (cond == nil || cond.Value != notInstalled) {
			t.Errorf("action.yml:%d: setting up Go and building must be only for a commit that is no release (if: %s)", step.Line, notInstalled)
		}
	}
}

// TestShellcheck runs shellcheck on every script of the action (actionlint
// checks the workflows' scripts, but reads no action.yml) and on scripts/.
func TestShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck is not installed (Debian: apt-get install shellcheck); .ci/run installs it")
	}
	for _, step := range get(get(load(t, "../../action.yml"), "runs"), "steps").Content {
		run := get(step, "run")
		if run == nil {
			continue
		}
		cmd := exec.Command("shellcheck", "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(run.Value)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("action.yml:%d: shellcheck: %v\n%s", run.Line, err, out)
		}
	}
	scripts, err := filepath.Glob("../../scripts/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("scripts/*.sh: %v %v", scripts, err)
	}
	for _, s := range scripts {
		if out, err := exec.Command("shellcheck", s).CombinedOutput(); err != nil {
			t.Errorf("%s: shellcheck: %v\n%s", s, err, out)
		}
	}
}
