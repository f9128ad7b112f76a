package secrets

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestCheckSecrets compares who can read secrets, by key id, with who
// should, without gpg: key ids come from real generated keys.
func TestCheckSecrets(t *testing.T) {
	now := time.Now()
	keys := map[string]*testkeys.Key{}
	var ring []*PublicKey
	for _, name := range []string{"alice", "bob", "carol", "puppet"} {
		k, err := testkeys.New(name, testkeys.Good, now)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
		ring = append(ring, &PublicKey{Holder: name, Keep: name == "puppet", Fingerprint: k.Fingerprint, Entity: k.Entity})
	}
	ring[3].Holder = keys["puppet"].Fingerprint
	sub := func(name string) string { return fmt.Sprintf("%016X", keys[name].Entity.Subkeys[0].PublicKey.KeyId) }
	primary := func(name string) string { return fmt.Sprintf("%016X", keys[name].Entity.PrimaryKey.KeyId) }
	puppet := "keep " + keys["puppet"].Fingerprint
	dave := strings.Repeat("D", 40) // entitled, with no public key
	desired := []outcome.Holder{{Name: "alice", Fingerprint: keys["alice"].Fingerprint}, {Name: "bob", Fingerprint: keys["bob"].Fingerprint}, {Name: puppet, Fingerprint: keys["puppet"].Fingerprint}}

	tests := []struct {
		name    string
		secret  outcome.Secret
		desired []outcome.Holder
		want    outcome.SecretCheck
	}{
		{"current", outcome.Secret{KeyIDs: []string{sub("alice"), sub("bob"), sub("puppet")}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}}},
		{"a leaver can read it", outcome.Secret{KeyIDs: []string{sub("alice"), sub("bob"), sub("carol"), sub("puppet")}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", "carol", puppet}, Stale: []string{"carol"}}},
		{"a primary key id that cannot encrypt is its holder's, and not current", outcome.Secret{KeyIDs: []string{sub("alice"), primary("bob"), sub("puppet")}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}, Retired: []string{"bob's sign-only key " + primary("bob")}}},
		{"a joiner cannot read it", outcome.Secret{KeyIDs: []string{sub("alice"), sub("puppet")}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", puppet}, Missing: []string{"bob"}}},
		{"an unknown key id is stale", outcome.Secret{KeyIDs: []string{sub("alice"), sub("bob"), sub("puppet"), "0123456789ABCDEF"}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}, Stale: []string{"key id 0123456789ABCDEF (no known public key has it)"}}},
		{"hidden recipients not accounted for are stale, and who else reads it unknown", outcome.Secret{KeyIDs: []string{HiddenKeyID, HiddenKeyID, sub("alice")}}, desired,
			outcome.SecretCheck{Readers: []string{"alice"}, Stale: []string{"2 hidden recipient(s) not accounted for"},
				Unknown: []string{"whether bob can read it (its recipients are hidden)", "whether " + puppet + " can read it (its recipients are hidden)"}}},
		{"hidden recipients the ledger accounts for", outcome.Secret{File: "x.gpg", Digest: "d1", KeyIDs: []string{HiddenKeyID, HiddenKeyID, HiddenKeyID}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}}},
		{"hidden recipients of another message", outcome.Secret{File: "x.gpg", Digest: "d2", KeyIDs: []string{HiddenKeyID, HiddenKeyID, HiddenKeyID}}, desired,
			outcome.SecretCheck{Stale: []string{"3 hidden recipient(s) not accounted for"},
				Unknown: []string{"whether alice can read it (its recipients are hidden)", "whether bob can read it (its recipients are hidden)", "whether " + puppet + " can read it (its recipients are hidden)"}}},
		{"a passphrase is stale", outcome.Secret{KeyIDs: []string{sub("alice"), sub("bob"), sub("puppet")}, Symmetric: 1}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}, Stale: []string{"a passphrase (symmetric session key)"}}},
		{"a v6 fingerprint", outcome.Secret{KeyIDs: []string{sub("alice"), sub("puppet")}, Fingerprints: []string{fmt.Sprintf("%X", keys["bob"].Entity.Subkeys[0].PublicKey.Fingerprint)}}, desired,
			outcome.SecretCheck{Readers: []string{"alice", "bob", puppet}}},
		{"an entitled person without a public key", outcome.Secret{KeyIDs: []string{sub("alice")}}, []outcome.Holder{{Name: "alice", Fingerprint: keys["alice"].Fingerprint}, {Name: "dave", Fingerprint: dave}},
			outcome.SecretCheck{Readers: []string{"alice"}, Unknown: []string{"whether dave can read it (no public key)"}}},
		{"unreadable", outcome.Secret{Problem: "truncated"}, desired, outcome.SecretCheck{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.secret.File = "x.gpg"
			ledger := &outcome.SecretsLedger{Hidden: []outcome.HiddenRecipients{{File: "x.gpg", SHA256: "d1", KeyIDs: []string{sub("alice"), sub("bob"), sub("puppet")}}}}
			rep := CheckSecrets("pass", []outcome.Secret{tt.secret}, map[string][]outcome.Holder{"": tt.desired}, NewKeyRing(ring, now), ledger)
			got := outcome.SecretCheck{}
			if len(rep.Secrets) == 1 {
				got = rep.Secrets[0]
			}
			for _, s := range []*[]string{&tt.want.Readers, &tt.want.Stale, &tt.want.Retired, &tt.want.Missing, &tt.want.Unknown} {
				if *s == nil {
					*s = []string{}
				}
			}
			tt.want.Secret = tt.secret
			if tt.want.Current() {
				if rep.Counts != (outcome.SecretCounts{Total: 1, Current: 1}) {
					t.Errorf("counts %+v, want current", rep.Counts)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadKeyRing(t *testing.T) {
	now := time.Now()
	alice, _ := testkeys.New("alice", testkeys.Good, now)
	expired, _ := testkeys.New("erin", testkeys.Expired, now)
	puppet, _ := testkeys.New("puppet", testkeys.Good, now)
	other, _ := testkeys.New("other", testkeys.Good, now)
	fsys := fstest.MapFS{
		"alice.asc":                           {Data: alice.Public()},
		"erin.asc":                            {Data: expired.Public()},
		"wrong.asc":                           {Data: other.Public()},
		"keep/" + puppet.Fingerprint + ".asc": {Data: puppet.Public()},
		"secret.asc":                          {Data: alice.Secret()},
	}
	people := []*model.Person{
		{ID: "alice", GPGFingerprint: alice.Fingerprint},
		{ID: "erin", GPGFingerprint: expired.Fingerprint},
		{ID: "wrong", GPGFingerprint: alice.Fingerprint},
		{ID: "secret", GPGFingerprint: alice.Fingerprint},
		{ID: "nokey", GPGFingerprint: other.Fingerprint},
	}
	ring, warnings, err := LoadKeyRing(fsys, "keys", people, []string{puppet.Fingerprint, strings.Repeat("F00D", 10)}, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range ring.Keys {
		got = append(got, k.Name())
	}
	// An expired key still opens what was encrypted to it.
	if diff := cmp.Diff([]string{"alice", "erin", "keep " + puppet.Fingerprint}, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	want := []string{
		"keys/wrong.asc: its fingerprint is " + other.Fingerprint + ", not " + alice.Fingerprint + ", so it is not used to tell who can read secrets",
		"keys/secret.asc: holds a secret key, which must never be committed, so it is not used to tell who can read secrets",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
