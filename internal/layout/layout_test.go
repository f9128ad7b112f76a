package layout

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLayout checks every package of the module against the rules.
func TestLayout(t *testing.T) {
	module, pkgs, err := Load(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Check(module, pkgs, Rules) {
		t.Error(v)
	}
	// The rules name packages that must exist: a rule about a package
	// that was renamed away checks nothing.
	for _, r := range Rules {
		for _, p := range r.Packages {
			if !slices.ContainsFunc(pkgs, func(pkg Package) bool { return Match(p, strings.TrimPrefix(pkg.ImportPath, module+"/")) }) {
				t.Errorf("rule %q is about %s, and the module has no such package", r.Name, p)
			}
		}
	}
}

const module = "example.com/m"

// graph makes packages of a made-up module from "pkg: import import"
// lines; a dependency reached through others is written "~dep".
func graph(lines ...string) []Package {
	var out []Package
	for _, l := range lines {
		name, deps, _ := strings.Cut(l, ":")
		p := Package{ImportPath: module + "/" + strings.TrimSpace(name)}
		for _, d := range strings.Fields(deps) {
			indirect := strings.HasPrefix(d, "~")
			d = module + "/" + strings.TrimPrefix(d, "~")
			if !indirect {
				p.Imports = append(p.Imports, d)
			}
			p.Deps = append(p.Deps, d)
		}
		out = append(out, p)
	}
	return out
}

// sound is the module as it is laid out, with every import the rules
// allow.
var sound = []string{
	"model:",
	"outcome: model",
	"evidence: model",
	"internal/strictyaml: model",
	"internal/gittree: outcome",
	"internal/gitop:",
	"internal/gitpack:",
	"config: model internal/strictyaml",
	"personfile: model evidence internal/strictyaml",
	"render: model outcome evidence config ~internal/strictyaml",
	"secrets: model outcome config",
	"reconciler: model outcome evidence config personfile secrets",
	"peoplerepo: model outcome evidence config personfile reconciler internal/gittree internal/gitpack internal/gitop",
	"adoption: model outcome config personfile",
	"requests: model outcome evidence config personfile peoplerepo reconciler render internal/gittree",
	"providers/github: model config personfile reconciler",
	"providers/gitfile: model config reconciler render secrets internal/gittree internal/gitop",
	"providers/manual: model config reconciler",
	"cmd/prodaccess: model outcome evidence config personfile render reconciler requests peoplerepo secrets adoption providers/github providers/gitfile providers/manual",
	"internal/devstack: internal/fakegithub internal/peoplegen",
	"internal/demo: internal/devstack internal/fakegithub internal/testkeys model",
}

func TestCheckPassesTheSoundLayout(t *testing.T) {
	if got := Check(module, graph(sound...), Rules); len(got) > 0 {
		t.Errorf("violations of a sound layout: %v", got)
	}
}

// TestCheckFindsEachRuleBroken breaks each rule in a made-up module and
// checks that Check finds it, and only where it is broken.
func TestCheckFindsEachRuleBroken(t *testing.T) {
	tests := []struct {
		rule  string
		graph string // a package added to the sound layout
		want  []string
	}{
		{"model", "model: config", []string{"model imports config"}},
		{"model", "model: internal/golden", []string{"model imports internal/golden"}},
		{"outcome", "outcome: model evidence", []string{"outcome imports evidence"}},
		{"outcome", "outcome: model render", []string{"outcome imports render"}},
		{"evidence", "evidence: model outcome", []string{"evidence imports outcome"}},
		{"evidence", "evidence: model personfile", []string{"evidence imports personfile"}},
		{"strictyaml", "internal/strictyaml: model config", []string{"internal/strictyaml imports config"}},
		{"gittree", "internal/gittree: outcome peoplerepo", []string{"internal/gittree imports peoplerepo"}},
		{"gitop", "internal/gitop: model", []string{"internal/gitop imports model"}},
		{"gitpack", "internal/gitpack: model", []string{"internal/gitpack imports model"}},
		{"config", "config: model reconciler", []string{"config imports reconciler"}},
		{"config", "config: model personfile", []string{"config imports personfile"}},
		{"personfile", "personfile: model internal/strictyaml reconciler", []string{"personfile imports reconciler"}},
		{"render", "render: model providers/gitfile", []string{"render imports providers/gitfile"}},
		{"render", "render: model config reconciler", []string{"render imports reconciler"}},
		{"secrets", "secrets: model providers/gitfile", []string{"secrets imports providers/gitfile"}},
		{"reconciler", "reconciler: model providers/github", []string{"reconciler imports providers/github"}},
		{"reconciler", "reconciler: model render", []string{"reconciler imports render"}},
		{"peoplerepo", "peoplerepo: model render", []string{"peoplerepo imports render"}},
		{"requests", "requests: model providers/github", []string{"requests imports providers/github"}},
		{"adoption", "adoption: model config peoplerepo", []string{"adoption imports peoplerepo"}},
		{"providers", "providers/gitfile: model providers/github", []string{"providers/gitfile imports providers/github"}},
		{"providers", "providers/pagerduty: model ~providers/github", []string{"providers/pagerduty depends on providers/github"}},
		{"providers", "providers/manual: model requests", []string{"providers/manual imports requests"}},
		{"cmd", "internal/browser: cmd/prodaccess", []string{"internal/browser imports cmd/prodaccess"}},
		{"stand-ins", "cmd/prodaccess: model internal/fakegithub", []string{"cmd/prodaccess imports internal/fakegithub"}},
		{"stand-ins", "providers/github: model ~internal/fakepagerduty", []string{"providers/github depends on internal/fakepagerduty"}},
		{"stand-ins", "reconciler: model ~internal/testkeys", []string{"reconciler depends on internal/testkeys"}},
		{"stand-ins", "providers/pagerduty: internal/openapi", []string{"providers/pagerduty imports internal/openapi"}},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.rule] = true
		name, _, _ := strings.Cut(tt.graph, ":")
		var lines []string
		for _, l := range sound {
			if n, _, _ := strings.Cut(l, ":"); n != name {
				lines = append(lines, l)
			}
		}
		var got []string
		for _, v := range Check(module, graph(append(lines, tt.graph)...), Rules) {
			if v.Rule == tt.rule {
				how := " imports "
				if !v.Directly {
					how = " depends on "
				}
				got = append(got, v.Package+how+v.Imports)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: violations of rule %q (-want +got):\n%s", tt.graph, tt.rule, diff)
		}
	}
	for _, r := range Rules {
		if !tested[r.Name] {
			t.Errorf("rule %q is never shown to catch anything", r.Name)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"model", "model", true},
		{"model", "models", false},
		{"providers/...", "providers", true},
		{"providers/...", "providers/github", true},
		{"providers/...", "providersx", false},
		{"...", "anything/at/all", true},
		{"internal/fake*", "internal/fakegithub", true},
		{"internal/fake*", "internal/fakegithub/internal/openapisubset", false},
	} {
		if got := Match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
