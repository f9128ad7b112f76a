// Package hardening holds only a test: that the repository's workflows and
// its reusable action keep the rules in docs/setup.md.
package hardening
