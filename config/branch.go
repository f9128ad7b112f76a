package config

import (
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// MaxBranchLength is the most characters a branch name prodaccess takes
// may hold. git sets no limit, but each folder of refs/heads is a file
// name on disk.
const MaxBranchLength = 200

// CheckBranchName returns why name cannot be the name of a branch that
// prodaccess reads, pushes or opens a pull request from, or nil: it
// must be a branch name by git's own rules (those of git check-ref-format
// --branch), not HEAD or @, which git reads as the current commit, not
// start with refs/, which would make refs/heads/refs/..., hold no
// character that free text may not (control, invisible or
// direction-changing characters), and be at most MaxBranchLength
// characters.
func CheckBranchName(name string) error {
	switch {
	case model.CheckLength(name, MaxBranchLength) != "":
		return fmt.Errorf("the branch name %s", model.CheckLength(name, MaxBranchLength))
	case name == "HEAD" || name == "@":
		return fmt.Errorf("%q is not a branch name: git reads it as the commit checked out", name)
	case strings.HasPrefix(name, "refs/"):
		return fmt.Errorf("%q is not a branch name: give the name without refs/ or refs/heads/", name)
	}
	if msg := model.CheckFreeText(name); msg != "" {
		return fmt.Errorf("the branch name %q %s", name, msg)
	}
	if why := gitBranchRule(name); why != "" {
		return fmt.Errorf("%q is not a branch name: %s", name, why)
	}
	return nil
}

// gitBranchRule returns the rule of git check-ref-format --branch that
// name breaks, or "" when git takes it as a branch's name: refs/heads/name
// is a well-formed ref (git's check_refname_format), and name does not
// start with a hyphen.
func gitBranchRule(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case name == "HEAD":
		return "HEAD is not a branch"
	case strings.HasPrefix(name, "-"):
		return "it starts with -"
	case strings.Contains(name, ".."):
		return "it holds .."
	case strings.Contains(name, "@{"):
		return "it holds @{"
	case strings.HasSuffix(name, "."):
		return "it ends with ."
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return fmt.Sprintf("it holds %q, which git does not allow in a ref", r)
		}
	}
	for _, part := range strings.Split(name, "/") {
		switch {
		case part == "":
			return "it starts or ends with /, or holds //"
		case strings.HasPrefix(part, "."):
			return "a part of it starts with ."
		case strings.HasSuffix(part, ".lock"):
			return "a part of it ends with .lock"
		}
	}
	return ""
}
