package config

import (
	"path"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// SubjectKey is how the target compares subjects: GitHub logins without regard
// to case, fingerprints without spaces in upper case, the rest exactly.
func (t *Target) SubjectKey(subject string) string {
	switch {
	case t.Type == model.GitHubTeam:
		return strings.ToLower(subject)
	case t.Type == model.Manual:
		return strings.ToLower(subject)
	case t.Format == GPGRecipients || t.Format == GPGID:
		return strings.ToUpper(strings.ReplaceAll(subject, " ", ""))
	}
	return subject
}

// Kept reports whether subject is one of the target's keep entries.
func (t *Target) Kept(subject string) bool {
	k := t.SubjectKey(subject)
	for _, keep := range t.Keep {
		if t.SubjectKey(keep) == k {
			return true
		}
	}
	return false
}

// SecretGlob is one entry of a GPG target's secrets: the files in the
// target's repository that match Glob ("**" matches any number of folders),
// stored as Format.
type SecretGlob struct {
	Glob   string
	Format model.SecretFormat
	// Store is set for the default of a gpg-id target: the folder of its
	// .gpg-id, whose sub-folders with a .gpg-id of their own are other
	// stores and are left out, as pass does.
	Store string
	Pos   model.Pos
}

// SecretGlobs are the secrets a target holds: its secrets field, or for a
// gpg-id target without one every *.gpg file of its password store.
func (t *Target) SecretGlobs() []SecretGlob {
	if t.Type != model.FileTarget || (t.Format != GPGRecipients && t.Format != GPGID) {
		return nil
	}
	if t.Secrets != nil || t.Format != GPGID {
		return t.Secrets
	}
	dir := path.Dir(t.Path)
	glob := "**/*.gpg"
	if dir != "." {
		glob = dir + "/" + glob
	}
	return []SecretGlob{{Glob: glob, Format: model.OpenPGPFiles, Store: dir, Pos: t.Pos}}
}

// GitHubRepoOf returns owner/name when url is a github.com repository
// address (https, ssh or scp-like, with or without .git), and "" when it
// is not.
func GitHubRepoOf(url string) string {
	if m := githubURL().FindStringSubmatch(url); m != nil {
		return m[1]
	}
	return ""
}
