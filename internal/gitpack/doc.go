// Package gitpack reads blobs straight out of a repository's pack files,
// for the one read that a plan waits on: every person file at one commit.
// go-git reads an object through a general machine (an object cache, a
// scanner that reads a byte at a time, a copy into a growing buffer, a
// second copy out); this package looks each blob up in the pack indexes
// once, reads the blobs in the order they are stored, inflates each from
// the mapped pack, applies deltas against bases it keeps only while a
// later blob still needs them, and checks every blob against its name
// (the SHA-1 of its content) before giving it out.
//
// It reads pack index version 2 and pack versions 2 and 3 with SHA-1
// names, as git writes them. Anything else is left to go-git: a blob that
// is loose, stored as a delta against an object in no pack, or in a pack
// this package does not read is returned as not found, and the caller
// reads it as before. Corruption is never passed over: a blob whose
// content does not match its name, a delta that reaches outside its base,
// or a pack that disagrees with its index is an error.
//
// It imports nothing of prodaccess.
package gitpack
