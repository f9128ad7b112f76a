package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
)

// binary is the prodaccess program built once for these tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		// A fuzzing worker runs the fuzz target alone, in this process.
		os.Exit(m.Run())
	}
	// The gits the tests and prodaccess start (a push received by a
	// stack's repository among them) do no housekeeping.
	if err := devstack.SetQuietGit(); err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "prodaccess-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "prodaccess")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("build prodaccess: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// prodaccess runs the built binary in dir, as a user would.
func prodaccess(t testing.TB, dir string, args ...string) result {
	t.Helper()
	return prodaccessEnv(t, dir, nil, args...)
}

// prodaccessEnv is prodaccess with more environment variables.
func prodaccessEnv(t testing.TB, dir string, env []string, args ...string) result {
	t.Helper()
	return prodaccessEnvCommand(t, dir, env, binary, args...)
}

// prodaccessEnvCommand runs a program in dir with more environment.
func prodaccessEnvCommand(t testing.TB, dir string, env []string, program string, args ...string) result {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

const repoRoot = "../.."

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "render/testdata/golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateExamplePeople(t *testing.T) {
	t.Parallel()
	r := prodaccess(t, repoRoot, "validate")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("validate: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// Success is said on stdout, like any other result.
	if r.stdout != "16 person file(s), their keys and the configuration are valid\n" {
		t.Errorf("stdout: %q", r.stdout)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	people := filepath.Join(dir, "people")
	if err := os.Mkdir(people, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(people, "jane-doe.yaml"), "name: Jane Doe\nemail: jane@example.gov.uk\ngithub: no\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: bpss\nshifts:\n  - {type: shadow, start: 2021-01-12, end: 2021-01-06}\n")
	write(t, filepath.Join(people, "bad-yaml.yaml"), "name: [unclosed\n")
	write(t, filepath.Join(dir, "prodaccess.yaml"), "people: people\npolicy:\n  absence_limit_days: forty-two\n")
	r := prodaccess(t, dir, "validate")
	want := strings.Join([]string{
		`prodaccess.yaml:3:23: policy.absence_limit_days: expected a whole number written in decimal digits without quotes, found "forty-two"`,
		`people/bad-yaml.yaml:1:1: YAML syntax: did not find expected ',' or ']'`,
		`people/jane-doe.yaml:3:9: github: unquoted no is read as a boolean by some YAML tools; put it in quotes ("no") if it is meant as text`,
		`people/jane-doe.yaml:9:44: shifts[0].end: 2021-01-06 is before start 2021-01-12`,
	}, "\n") + "\n"
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	// who refuses to decide anything under a broken configuration.
	r = prodaccess(t, dir, "who")
	if r.code != 1 || !strings.Contains(r.stderr, "policy.absence_limit_days") {
		t.Errorf("who with a broken config: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestWhoMatchesGolden(t *testing.T) {
	t.Parallel()
	r := prodaccess(t, repoRoot, "who", "--at", "2026-12-01")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(readGolden(t, "who.txt"), r.stdout); diff != "" {
		t.Errorf("who (-want +got):\n%s", diff)
	}
	// An RFC 3339 instant is read as the day it falls on in London.
	r = prodaccess(t, repoRoot, "who", "--at", "2026-12-01T00:30:00Z", "--format", "json")
	if diff := cmp.Diff(readGolden(t, "who.json"), r.stdout); diff != "" {
		t.Errorf("who --format json (-want +got):\n%s", diff)
	}
}

// TestWhoJSONShape checks the contract's JSON exactly: the keys, their
// order, and null for an unknown until or login.
func TestWhoJSONShape(t *testing.T) {
	t.Parallel()
	r := prodaccess(t, repoRoot, "who", "--at", "2026-12-01", "--format", "json")
	var parsed struct {
		At     string `json:"at"`
		People []map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.At != "2026-12-01" || len(parsed.People) != 16 {
		t.Fatalf("at %q, %d people", parsed.At, len(parsed.People))
	}
	for _, p := range parsed.People {
		var got []string
		for k := range p {
			got = append(got, k)
		}
		if len(got) != 5 {
			t.Errorf("%v: keys %v, want id, github, level, reasons, until", p["id"], got)
		}
	}
	if !strings.HasPrefix(r.stdout, "{\n  \"at\": \"2026-12-01\",\n  \"people\": [\n    {\n      \"id\": \"alex-lead\",\n      \"github\": \"alexlead-gds\",\n      \"level\": \"permanent\",\n      \"reasons\": [") {
		t.Errorf("keys are not in the contract's order:\n%s", r.stdout[:200])
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	r := prodaccess(t, repoRoot, "explain", "chris-contractor", "--at", "2026-12-01")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(readGolden(t, "explain/chris-contractor.txt"), r.stdout); diff != "" {
		t.Errorf("explain (-want +got):\n%s", diff)
	}
	r = prodaccess(t, repoRoot, "explain", "nobody-here")
	if r.code != 1 || r.stderr != "prodaccess: no person \"nobody-here\" in people\n" {
		t.Errorf("unknown id: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestPeopleWithoutConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "team", "sal-sre.yaml"), "name: Sal SRE\nemail: sal@example.gov.uk\nprogramme: techops\nrole: sre\nemployment: civil_servant\nclearance: sc\nshifts:\n  - {type: shadow, start: 2021-01-04, end: 2021-01-08}\n  - {type: shadow, start: 2021-02-01, end: 2021-02-05}\n")
	r := prodaccess(t, dir, "who", "--people", "team", "--at", "2021-03-01", "--format", "json")
	want := `{
  "at": "2021-03-01",
  "people": [
    {
      "id": "sal-sre",
      "github": null,
      "level": "supervised",
      "reasons": [
        "after-shadow-shifts: second shadow shift ended 2021-02-05; probation does not apply to SREs"
      ],
      "until": null
    }
  ]
}
`
	if diff := cmp.Diff(want, r.stdout); diff != "" || r.code != 0 {
		t.Errorf("exit %d; stdout (-want +got):\n%s\nstderr: %s", r.code, diff, r.stderr)
	}
	// Without --people there is nothing to go on.
	r = prodaccess(t, dir, "who")
	if r.code != 1 || !strings.Contains(r.stderr, "no prodaccess.yaml here") {
		t.Errorf("no config: exit %d, stderr %q", r.code, r.stderr)
	}
	// A config named on the command line must exist.
	r = prodaccess(t, dir, "who", "--people", "team", "--config", "missing.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "missing.yaml") {
		t.Errorf("missing --config: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"who", "--at", "tomorrow"},
		{"who", "--at", "0000-06-01"},
		{"who", "--at", "9999-12-31T23:00:00-14:00"},
		{"who", "--format", "xml"},
		{"explain"},
		{"validate", "extra"},
	} {
		r := prodaccess(t, repoRoot, args...)
		if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "prodaccess: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

func write(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDidYouMean: a mistyped person id, command or flag says what it may
// have meant.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"explain", "alex-leed", "--people", "people"}, `no person "alex-leed" in people; did you mean alex-lead?`},
		{[]string{"who", "--fomat", "json", "--people", "people"}, "unknown flag: --fomat; did you mean --format?"},
		{[]string{"whoo"}, "Did you mean this?\n\twho"},
	} {
		r := prodaccess(t, repoRoot, tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}
