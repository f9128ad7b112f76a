package model

// TargetType says how a target is read and changed.
type TargetType string

// Target types.
const (
	GitHubTeam TargetType = "github-team"
	FileTarget TargetType = "file"
	Manual     TargetType = "manual"
)

// SecretFormat is how a target's encrypted secrets are stored.
type SecretFormat string

// Secret formats.
const (
	OpenPGPFiles SecretFormat = "openpgp"   // whole files that are OpenPGP messages (pass's *.gpg)
	EYAMLGPG     SecretFormat = "eyaml-gpg" // YAML values holding ENC[GPG,<base64>] blocks
	SOPS         SecretFormat = "sops"      // sops files, whose data key is encrypted once per recipient
)
