// Package gittree reads git trees with go-git: a tree as a read-only
// fs.FS, a file of a tree, and a commit as an audit shows it. The people
// repository and the target repositories both read through it.
//
// It may import outcome (for commits) and nothing else of prodaccess.
package gittree
