// Package secrets knows who can decrypt a target's secrets: it reads
// which keys each secret is encrypted to, without decrypting anything, in
// the formats targets hold (whole OpenPGP files as pass keeps them, eyaml's
// ENC[GPG,...] blocks, sops files); it checks the people's public keys
// (CheckKey, LoadKeys) and indexes them by every key id they answer to
// (KeyRing); it compares who can read each secret with who should
// (CheckSecrets); and it re-encrypts secrets to exactly the people who
// should read them, through the gpg of the person running it (GPG is the
// only thing that sees a private key).
//
// It reads an fs.FS (a folder or a git tree) and writes nothing; the
// repositories and pull requests that carry a re-encryption are
// providers/gitfile's. It may import model, outcome and config; it must not import
// render, reconciler, peoplerepo, requests, a provider or cmd.
package secrets
