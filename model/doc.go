// Package model is the pure domain of prodaccess: people, the access rules,
// the policy and configuration, and the decisions the rules reach.
//
// It owns strict loading of person files and the configuration from an
// fs.FS (a folder or a git tree), cross-file validation, the evaluation of
// the rules for a given day. Nothing here reads the clock or talks to a
// network: the day is always an argument. What people read of it is
// written by package render.
package model
