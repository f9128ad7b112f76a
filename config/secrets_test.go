package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

func TestSecretsConfig(t *testing.T) {
	cfg, err := ParseConfig("prodaccess.yaml", []byte(`targets:
  - name: hieradata
    type: file
    repo: r
    path: gpg/production.rcp
    format: gpg-recipients
    secrets:
      - {glob: "hieradata/**/*.yaml", format: eyaml-gpg}
      - {glob: "pass/*.gpg", format: openpgp}
  - name: pass
    type: file
    repo: r
    path: pass/2ndline/.gpg-id
    format: gpg-id
  - name: pass-none
    type: file
    repo: r
    path: pass/other/.gpg-id
    format: gpg-id
    secrets: []
`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]SecretGlob{
		{{Glob: "hieradata/**/*.yaml", Format: model.EYAMLGPG, Pos: model.Pos{Line: 8, Col: 9}}, {Glob: "pass/*.gpg", Format: model.OpenPGPFiles, Pos: model.Pos{Line: 9, Col: 9}}},
		{{Glob: "pass/2ndline/**/*.gpg", Format: model.OpenPGPFiles, Store: "pass/2ndline", Pos: model.Pos{Line: 10, Col: 5}}},
		{},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, cfg.Targets[i].SecretGlobs()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", cfg.Targets[i].Name, diff)
		}
	}

	for _, tt := range []struct{ secrets, want string }{
		{`[{glob: "../x/*.gpg", format: openpgp}]`, `prodaccess.yaml:2:78: targets[0].secrets[0].glob: "../x/*.gpg" must be a path inside the repository: no empty, "." or ".." parts`},
		{`[{glob: "/etc/*.gpg", format: openpgp}]`, `prodaccess.yaml:2:78: targets[0].secrets[0].glob: "/etc/*.gpg" must be a path inside the repository, not an absolute one`},
		{`[{glob: "a**/*.gpg", format: openpgp}]`, `prodaccess.yaml:2:78: targets[0].secrets[0].glob: "a**/*.gpg" uses ** inside a name; ** must be a whole part of the path, as in a/**/b.gpg`},
		{`[{glob: "[a/*.gpg", format: openpgp}]`, `prodaccess.yaml:2:78: targets[0].secrets[0].glob: "[a/*.gpg" is not a valid pattern: syntax error in pattern`},
		{`[{glob: "*.gpg"}]`, `prodaccess.yaml:2:71: targets[0].secrets[0]: missing required field "format"`},
		{`[{glob: "*.gpg", format: pgp}]`, `prodaccess.yaml:2:95: targets[0].secrets[0].format: unknown value "pgp"; expected one of openpgp, eyaml-gpg, sops`},
	} {
		_, err := ParseConfig("prodaccess.yaml", []byte("targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, secrets: "+tt.secrets+"}\n"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v\nwant %s", tt.secrets, err, tt.want)
		}
	}
	_, err = ParseConfig("prodaccess.yaml", []byte("targets:\n  - {name: r, type: file, repo: r, path: p, format: yaml-list, key: k, secrets: []}\n"))
	if want := `prodaccess.yaml:2:81: targets[0].secrets: not used by the yaml-list format: only gpg-recipients and gpg-id targets hold secrets`; err == nil || err.Error() != want {
		t.Errorf("secrets on yaml-list: %v", err)
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tt := range []struct {
		glob, name string
		want       bool
	}{
		{"**/*.gpg", "a.gpg", true},
		{"**/*.gpg", "a/b/c.gpg", true},
		{"pass/**/*.gpg", "pass/x.gpg", true},
		{"pass/**/*.gpg", "other/x.gpg", false},
		{"pass/*.gpg", "pass/a/x.gpg", false},
		{"hiera/**", "hiera/a/b.yaml", true},
		{"a/**/b/*.yaml", "a/x/y/b/c.yaml", true},
		{"a/**/b/*.yaml", "a/x/y/c.yaml", false},
	} {
		if got := MatchGlob(tt.glob, tt.name); got != tt.want {
			t.Errorf("MatchGlob(%q, %q) = %v", tt.glob, tt.name, got)
		}
	}
	if got := GlobRoot("pass/2ndline/**/*.gpg"); got != "pass/2ndline" {
		t.Errorf("GlobRoot = %q", got)
	}
}
