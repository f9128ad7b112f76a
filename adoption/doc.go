// Package adoption works out who is who across the targets an
// organisation already grants access through, and writes the person file
// of each person it finds: what prodaccess adopt does.
//
// It reads nothing itself. It is given what each target holds (logins
// with their GitHub profiles, fingerprints with their comments and their
// keys' user ids, usernames, ARNs, the emails of records) and the person
// files as they are, and links entries by what they share: an email or an
// identity for certain, a full name or a username as likely, and a first
// name or a username that looks like a name as likeness only, each link
// with its reason. Entries that two people's evidence claims are
// conflicts; entries that look like a machine's are proposed as keep
// entries; entries nothing tells the owner of are left to the first plan.
//
// It imports model, outcome, config and personfile, and nothing that reads or
// writes: the command gives it what the providers read, and proposes
// what it writes.
package adoption
