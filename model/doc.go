// Package model is the domain of prodaccess: people and their identities,
// the levels of access, days, the access rules and the policy they take,
// the decisions the rules reach and why, the entries that need evidence,
// the facts that evidence holds, and the rule that says when those facts
// prove an entry (Prove), which the access rules depend on.
//
// Nothing here reads a file, the clock or a network: the day is always an
// argument. Person files are read by personfile, the configuration by
// config; the authority of the people branch and the notes' format are in
// evidence; plans, timelines and reports as data are in outcome; what
// people read of all this is written by render. model imports nothing of
// prodaccess.
package model
