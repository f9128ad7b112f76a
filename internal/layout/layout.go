// Package layout holds the rules of which package of prodaccess may
// import which, and checks a module's packages against them. The rules
// are a table (Rules); TestLayout checks the module, and make lint runs
// it.
//
// It imports nothing of prodaccess.
package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Package is one package as go list describes it.
type Package struct {
	ImportPath string
	Imports    []string // the packages it imports, tests left out
	Deps       []string // every package it depends on, tests left out
}

// Rule says what one set of packages may import. Packages are named by
// their path in the module and matched by pattern: a path, a path.Match
// pattern ("internal/fake*"), "x/..." for x and every package below it,
// or "..." for every package.
type Rule struct {
	Name string
	// Packages are the packages the rule is about, and Except those of
	// them it leaves out.
	Packages, Except []string
	// Only, when not nil, lists every package of the module the packages
	// may import directly.
	Only []string
	// Not lists packages of the module they may not depend on, directly
	// or through others.
	Not []string
	// Why is the reason for the rule, as a failure says it.
	Why string
}

// StandIns are the packages that stand in for the world in tests, and
// helpers only tests use.
var StandIns = []string{
	"internal/fake*", "internal/openapi", "internal/openapisubset/...", "internal/test*", "internal/golden",
	"internal/schematest", "internal/example", "internal/peoplegen", "internal/devstack", "internal/browser", "internal/demo",
}

// Rules are the rules of prodaccess's layout: imports run one way, from
// cmd through requests, reconciler and the providers to the loaders,
// render and model.
var Rules = []Rule{
	{Name: "model", Packages: []string{"model"}, Only: []string{},
		Why: "model is the domain, and depends on nothing of prodaccess"},
	{Name: "outcome", Packages: []string{"outcome"}, Only: []string{"model"},
		Why: "outcome is data about the domain, and knows nothing but model"},
	{Name: "evidence", Packages: []string{"evidence"}, Only: []string{"model"},
		Why: "the evidence rules sit beside the access rules, and know nothing but model"},
	{Name: "strictyaml", Packages: []string{"internal/strictyaml"}, Only: []string{"model"},
		Why: "the strict YAML engine knows days and problems, and nothing else"},
	{Name: "gittree", Packages: []string{"internal/gittree"}, Only: []string{"outcome"},
		Why: "reading git trees knows commits, and nothing else"},
	{Name: "gitpack", Packages: []string{"internal/gitpack"}, Only: []string{},
		Why: "reading blobs out of pack files knows git's formats, and nothing of prodaccess"},
	{Name: "gitop", Packages: []string{"internal/gitop"}, Only: []string{},
		Why: "bounding one git operation needs nothing of prodaccess"},
	{Name: "config", Packages: []string{"config"}, Only: []string{"model", "internal/strictyaml"},
		Why: "the configuration is read without the pipeline, person files, rendering or storage"},
	{Name: "personfile", Packages: []string{"personfile"}, Only: []string{"model", "evidence", "internal/strictyaml"},
		Why: "person files are read and edited without the configuration, the pipeline, rendering or storage"},
	{Name: "render", Packages: []string{"render"}, Only: []string{"model", "outcome", "evidence", "config"},
		Why: "render writes what it is given: it reads nothing, and knows no provider, pipeline or storage"},
	{Name: "secrets", Packages: []string{"secrets"}, Only: []string{"model", "outcome", "config"},
		Why: "secrets reads what it is given, and knows no provider, pipeline or storage"},
	{Name: "reconciler", Packages: []string{"reconciler"}, Only: []string{"model", "outcome", "evidence", "config", "personfile", "secrets"},
		Why: "the pipeline owns the interfaces of what it consumes, and imports no provider, storage or rendering"},
	{Name: "peoplerepo", Packages: []string{"peoplerepo"}, Only: []string{"model", "outcome", "evidence", "config", "personfile", "reconciler", "internal/gittree", "internal/gitpack", "internal/gitop"},
		Why: "the people repository is storage: it renders nothing, and knows no target or secret"},
	{Name: "adoption", Packages: []string{"adoption"}, Only: []string{"model", "outcome", "config", "personfile"},
		Why: "adoption works out who is who from what it is given: it reads, renders and stores nothing"},
	{Name: "requests", Packages: []string{"requests"}, Only: []string{"model", "outcome", "evidence", "config", "personfile", "peoplerepo", "reconciler", "render", "internal/gittree"},
		Why: "requests reach GitHub through the interface they own, never through a provider"},
	{Name: "providers", Packages: []string{"providers/..."}, Not: []string{"providers/...", "peoplerepo", "requests", "cmd/..."},
		Why: "a provider reads and changes its own targets: it never imports another provider, the people repository or the commands"},
	{Name: "cmd", Packages: []string{"..."}, Except: []string{"cmd/..."}, Not: []string{"cmd/..."},
		Why: "only the command wires the command"},
	{Name: "stand-ins", Packages: []string{"..."}, Except: []string{"internal/..."}, Not: StandIns,
		Why: "stand-ins and test helpers are for tests (and the demo), never for what ships"},
}

// Violation is one import that breaks a rule.
type Violation struct {
	Rule     string
	Package  string
	Imports  string
	Directly bool
	Why      string
}

func (v Violation) String() string {
	how := "imports"
	if !v.Directly {
		how = "depends on"
	}
	return fmt.Sprintf("%s %s %s, which rule %q forbids: %s", v.Package, how, v.Imports, v.Rule, v.Why)
}

// Match reports whether the package path p matches pattern.
func Match(pattern, p string) bool {
	switch {
	case pattern == "...":
		return true
	case strings.HasSuffix(pattern, "/..."):
		base := strings.TrimSuffix(pattern, "/...")
		return p == base || strings.HasPrefix(p, base+"/")
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pattern string) bool { return Match(pattern, p) })
}

// Check checks packages against rules. module is the module's path:
// packages outside it (the standard library, other modules) are not the
// rules' business. A package never breaks a rule by importing itself.
func Check(module string, pkgs []Package, rules []Rule) []Violation {
	inModule := func(p string) (string, bool) {
		if rel, ok := strings.CutPrefix(p, module+"/"); ok {
			return rel, true
		}
		return "", false
	}
	var out []Violation
	for _, pkg := range pkgs {
		self, ok := inModule(pkg.ImportPath)
		if !ok {
			continue
		}
		for _, r := range rules {
			if !matchAny(r.Packages, self) || matchAny(r.Except, self) {
				continue
			}
			add := func(dep string, directly bool) {
				out = append(out, Violation{Rule: r.Name, Package: self, Imports: dep, Directly: directly, Why: r.Why})
			}
			for _, imp := range pkg.Imports {
				dep, ok := inModule(imp)
				if !ok || dep == self {
					continue
				}
				if r.Only != nil && !matchAny(r.Only, dep) {
					add(dep, true)
				}
			}
			for _, d := range pkg.Deps {
				dep, ok := inModule(d)
				if !ok || dep == self || !matchAny(r.Not, dep) {
					continue
				}
				add(dep, slices.Contains(pkg.Imports, d))
			}
		}
	}
	return out
}

// Load lists the module's packages with go list, run in dir.
func Load(dir string) (module string, pkgs []Package, err error) {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out, nil
	}
	mod, err := run("list", "-m")
	if err != nil {
		return "", nil, err
	}
	module = strings.TrimSpace(string(mod))
	data, err := run("list", "-json", "./...")
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, fmt.Errorf("read go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return "", nil, errors.New("go list found no package")
	}
	// go test keeps a passing result until a file the test read changes;
	// go list reads the sources in another process, so look at each here.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(p, ".go"):
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return module, pkgs, nil
}
