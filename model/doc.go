// Package model is the domain of prodaccess: people and their identities,
// the levels of access, days, the access rules and the policy they take,
// the decisions the rules reach and why, the evidence that proves an
// approval (and the rule that says when it does), and plans, changes,
// timelines and reports as data.
//
// Nothing here reads a file, the clock or a network: the day is always an
// argument. Person files are read by personfile, the configuration by
// config, and what people read of all this is written by render. model
// imports nothing of prodaccess.
package model
