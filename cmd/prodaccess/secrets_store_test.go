package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// storeStack is a people repository and a secrets repository holding a
// password store written by the real pass and gpg, pass/, whose .gpg-id
// lists alice, bob, dave and carol, who left on 2020-12-31. Everyone has
// a key and their own GnuPG home; so has an outsider, who has no person
// file. The GitHub team still has carol in it.
type storeStack struct {
	t               *testing.T
	people, secrets string
	gh              *fakegithub.Server
	keys            map[string]*testkeys.Key
	homes           map[string]*testgpg.GnuPG
	sender          *testgpg.GnuPG
}

var storePeople = []string{"alice", "bob", "carol", "dave"}

func newStoreStack(t *testing.T, subStores string) *storeStack {
	t.Helper()
	if _, err := exec.LookPath("pass"); err != nil {
		t.Skip("pass is not installed (Debian package pass)")
	}
	dir := t.TempDir()
	s := &storeStack{t: t, people: filepath.Join(dir, "people-repo"), secrets: filepath.Join(dir, "secrets")}
	s.gh = fakegithub.New(t, "alphagov")
	t.Cleanup(s.gh.Close)
	s.gh.Token = testToken
	s.gh.AddTeam("gov-uk-production", "")
	s.keys, s.homes = personKeys(t, append(slices.Clone(storePeople), "outsider")...)
	for i, name := range storePeople {
		s.gh.AddUser(name+"-gh", int64(i+1), true)
		s.gh.SetMember("gov-uk-production", name+"-gh", "member")
	}
	s.sender = testgpg.New(t)
	for _, k := range s.keys {
		s.sender.ImportPublic(k)
	}
	if err := devstack.NewRepo(s.secrets, map[string]string{"pass/.gpg-id": s.fingerprints(storePeople...)}); err != nil {
		t.Fatal(err)
	}
	people := map[string]string{
		"prodaccess.yaml": fmt.Sprintf(`people: people
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
  - name: pass-store
    type: file
    repo: %s
    github_repo: alphagov/govuk-secrets
    path: pass/.gpg-id
    format: gpg-id
%s`, s.secrets, subStores),
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, s.keys["alice"].Fingerprint, "alice", ""),
		"people/bob.yaml":   permanentFile("Bob Brown", "bob-gh", 0, s.keys["bob"].Fingerprint, "bob", ""),
		"people/carol.yaml": permanentFile("Carol Gone", "carol-gh", 0, s.keys["carol"].Fingerprint, "carol", "last_day: 2020-12-31\n"),
		"people/dave.yaml":  permanentFile("Dave Deputy", "dave-gh", 0, s.keys["dave"].Fingerprint, "dave", ""),
	}
	for _, name := range storePeople {
		people["keys/"+name+".asc"] = string(s.keys[name].Public())
	}
	if err := devstack.NewRepo(s.people, nil); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(s.people, people, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return s
}

// personKeys makes a key for each name, three days old (so that a review
// of any day since finds it valid), and a GnuPG home holding it.
func personKeys(t *testing.T, names ...string) (map[string]*testkeys.Key, map[string]*testgpg.GnuPG) {
	t.Helper()
	keys, homes := map[string]*testkeys.Key{}, map[string]*testgpg.GnuPG{}
	for _, name := range names {
		k, err := testkeys.New(name, testkeys.Good, time.Now().Add(-72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
		homes[name] = testgpg.New(t)
		homes[name].Import(k)
	}
	return keys, homes
}

func (s *storeStack) fingerprints(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(s.keys[n].Fingerprint + "\n")
	}
	return b.String()
}

func (s *storeStack) keysOf(names ...string) []*testkeys.Key {
	var out []*testkeys.Key
	for _, n := range names {
		out = append(out, s.keys[n])
	}
	return out
}

// insert stores a value with the real pass, which encrypts it to the
// nearest .gpg-id above it.
func (s *storeStack) insert(name, value string) {
	s.t.Helper()
	cmd := exec.Command("pass", "insert", "--multiline", "--force", name)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+s.sender.Home, "PASSWORD_STORE_DIR="+filepath.Join(s.secrets, "pass"), "PASSWORD_STORE_GPG_OPTS=--trust-model=always")
	cmd.Stdin = strings.NewReader(value)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("pass insert %s: %v\n%s", name, err, out)
	}
}

// commit commits the secrets repository's working tree, with files
// written first.
func (s *storeStack) commit(files map[string]string, message string) {
	s.t.Helper()
	if err := devstack.Commit(s.secrets, files, message); err != nil {
		s.t.Fatal(err)
	}
}

// run runs the built binary in the people repository as person, with
// their GnuPG home.
func (s *storeStack) run(person string, args ...string) result {
	s.t.Helper()
	r := prodaccessEnv(s.t, s.people, []string{"GITHUB_API_URL=" + s.gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv, "GNUPGHOME=" + s.homes[person].Home}, args...)
	if strings.Contains(r.stdout+r.stderr, testToken) {
		s.t.Fatalf("the token appears in the output of %v", args)
	}
	return r
}

func (s *storeStack) merge(branch string) {
	s.t.Helper()
	if out, err := devstack.Git(s.secrets, "merge", "-q", "--no-edit", branch); err != nil {
		s.t.Fatalf("merge %s: %v\n%s", branch, err, out)
	}
}

// secretFiles lists the *.gpg files of the tree at rev.
func (s *storeStack) secretFiles(rev string) []string {
	s.t.Helper()
	out, err := devstack.Git(s.secrets, "ls-tree", "-r", "-z", "--name-only", rev)
	if err != nil {
		s.t.Fatal(err)
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if strings.HasSuffix(f, ".gpg") {
			files = append(files, f)
		}
	}
	return files
}

// decrypts lists the files of the tree at rev that person's own GnuPG
// home decrypts.
func (s *storeStack) decrypts(person, rev string, files ...string) []string {
	s.t.Helper()
	var out []string
	for _, f := range files {
		msg := show(s.t, s.secrets, rev, f)
		if _, ok := s.homes[person].Open([]byte(msg)); ok {
			out = append(out, f)
		}
	}
	return out
}

// contains fails the test for each of wants that text lacks.
func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// TestSubStoreLeaver: a sub-store with its own .gpg-id keeps a leaver in
// it. Status judges each file against the nearest .gpg-id above it, plan
// and the pull request remove the leaver from the sub-store too (and add
// no one), re-encryption encrypts each file to its own store's holders,
// and afterwards the leaver's own keyring decrypts no file of the tree.
func TestSubStoreLeaver(t *testing.T) {
	s := newStoreStack(t, "")
	s.commit(map[string]string{"pass/ops/.gpg-id": s.fingerprints("alice", "carol")}, "A sub-store for ops")
	s.insert("web/db-password", "db\n")
	s.insert("ops/vpn", "vpn\n")
	s.insert("ops/deep/router", "router\n")
	s.commit(nil, "Secrets")

	status := s.run("alice", "secrets", "status")
	must(t, status, 2, "secrets status")
	contains(t, "status", squash(status.stdout),
		"should read those of the sub-store pass/ops: alice",
		"stale pass/ops/vpn.gpg:1 readable by carol, not entitled",
		"stale pass/ops/deep/router.gpg:1 readable by carol, not entitled",
		"stale pass/web/db-password.gpg:1 readable by carol, not entitled")

	plan := s.run("alice", "plan")
	must(t, plan, 2, "plan")
	contains(t, "plan", squash(plan.stdout), "- "+s.keys["carol"].Fingerprint+" in pass/ops/.gpg-id carol", "the sub-store pass/ops/.gpg-id is not listed under sub_stores")
	if strings.Contains(plan.stdout, "pass/ops/.gpg-id bob") || strings.Contains(plan.stdout, "pass/ops/.gpg-id dave") {
		t.Errorf("the plan adds to the sub-store:\n%s", plan.stdout)
	}
	must(t, s.run("alice", "apply"), 0, "apply")
	if slices.Contains(s.gh.Members("gov-uk-production"), "carol-gh") {
		t.Error("carol is still in the team")
	}
	if got := show(t, s.secrets, "prodaccess/sync", "pass/ops/.gpg-id"); got != s.fingerprints("alice") {
		t.Errorf("the sync branch's pass/ops/.gpg-id:\n%s", got)
	}
	prs := s.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || !strings.Contains(prs[0].Body, "in `pass/ops/.gpg-id`") {
		t.Errorf("pull requests: %+v", prs)
	}

	r := s.run("alice", "secrets", "reencrypt", "--target", "pass-store", "--push")
	must(t, r, 0, "reencrypt")
	s.merge("prodaccess/sync")
	s.merge("prodaccess/reencrypt-pass-store")

	files := s.secretFiles("main")
	if diff := cmp.Diff([]string{"pass/ops/deep/router.gpg", "pass/ops/vpn.gpg", "pass/web/db-password.gpg"}, files); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	if got := s.decrypts("carol", "main", files...); len(got) > 0 {
		t.Errorf("carol's own keyring decrypts %v of the current tree", got)
	}
	if got := s.decrypts("alice", "main", files...); !slices.Equal(got, files) {
		t.Errorf("alice decrypts %v", got)
	}
	for _, who := range []string{"bob", "dave"} {
		if got := s.decrypts(who, "main", files...); !slices.Equal(got, []string{"pass/web/db-password.gpg"}) {
			t.Errorf("%s decrypts %v, want the target's own file only", who, got)
		}
	}
	after := s.run("alice", "secrets", "status")
	must(t, after, 2, "secrets status after")
	contains(t, "status after", after.stdout, "pass-store: 3 secrets: 3 current, 0 stale, 0 missing, 0 unknown, 0 unreadable; 3 to rotate")
}

// TestUnknownReaderIsDropped: a secret that a key no known public key has
// can read is stale, not left alone as unknown: re-encryption drops the
// key, says so, and lists the value to rotate.
func TestUnknownReaderIsDropped(t *testing.T) {
	s := newStoreStack(t, "")
	s.commit(map[string]string{
		"pass/.gpg-id":     s.fingerprints("alice", "bob", "dave"),
		"pass/shared.gpg":  string(s.sender.Encrypt("shared\n", s.keysOf("alice", "bob", "dave", "outsider"))),
		"pass/current.gpg": string(s.sender.Encrypt("current\n", s.keysOf("alice", "bob", "dave"))),
	}, "Secrets, one readable by an outsider")
	outsider := fmt.Sprintf("key id %016X (no known public key has it)", s.keys["outsider"].Entity.Subkeys[0].PublicKey.KeyId)

	status := s.run("bob", "secrets", "status")
	must(t, status, 2, "secrets status")
	contains(t, "status", squash(status.stdout), "stale pass/shared.gpg:1 readable by "+outsider+", not entitled", "1 current, 1 stale")

	r := s.run("bob", "secrets", "reencrypt", "--target", "pass-store")
	must(t, r, 0, "reencrypt")
	contains(t, "reencrypt", r.stdout, "Re-encrypted 1 secret(s) of pass-store", "pass/shared.gpg, which was readable by "+outsider, "Rotate these values", "  - pass/shared.gpg (line 1): "+outsider)
	if got := s.decrypts("outsider", "prodaccess/reencrypt-pass-store", "pass/shared.gpg"); len(got) > 0 {
		t.Error("the outsider still decrypts it")
	}
	contains(t, "the ledger", show(t, s.secrets, "prodaccess/reencrypt-pass-store", ".prodaccess/secrets/pass-store.yaml"), "file: pass/shared.gpg", outsider)
}

// withoutSubkeys is a copy of a key holding only the subkeys keep says.
func withoutSubkeys(k *testkeys.Key, keep func(i int) bool) *testkeys.Key {
	e := *k.Entity
	e.Subkeys = nil
	for i, sk := range k.Entity.Subkeys {
		if keep(i) {
			e.Subkeys = append(e.Subkeys, sk)
		}
	}
	return &testkeys.Key{Entity: &e, Fingerprint: k.Fingerprint}
}

// secretKey is a key's armored secret, written as it is (no new
// signatures).
func secretKey(t *testing.T, k *testkeys.Key) []byte {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Entity.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

// TestRevokedSubkeyIsNotCurrent: alice's laptop was stolen and she revoked
// its encryption subkey; the secrets encrypted to it are stale, not
// current, and re-encryption moves them to her new subkey, so that the
// stolen key opens none of them.
func TestRevokedSubkeyIsNotCurrent(t *testing.T) {
	s := newStoreStack(t, "")
	s.commit(map[string]string{"pass/.gpg-id": s.fingerprints("alice", "bob", "dave")}, "Without carol")
	for i := range 8 {
		s.insert(fmt.Sprintf("app/secret%d", i), fmt.Sprintf("value %d\n", i))
	}
	s.commit(nil, "Eight secrets")

	alice := s.keys["alice"]
	stolen := withoutSubkeys(alice, func(i int) bool { return i == 0 })
	now := time.Now()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return now.Add(-time.Hour) }}
	if err := alice.Entity.AddEncryptionSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	if err := alice.Entity.RevokeSubkey(&alice.Entity.Subkeys[0], packet.KeyCompromised, "laptop stolen", cfg); err != nil {
		t.Fatal(err)
	}
	if err := devstack.Commit(s.people, map[string]string{"keys/alice.asc": string(alice.Public())}, "Alice revokes the subkey of her stolen laptop"); err != nil {
		t.Fatal(err)
	}
	revoked := fmt.Sprintf("alice's revoked key %016X", stolen.Entity.Subkeys[0].PublicKey.KeyId)

	status := s.run("bob", "secrets", "status")
	must(t, status, 2, "secrets status")
	contains(t, "status", squash(status.stdout), "pass-store: 8 secrets: 0 current, 8 stale, 0 missing", "stale pass/app/secret0.gpg:1 readable by "+revoked+", not entitled")

	r := s.run("bob", "secrets", "reencrypt", "--target", "pass-store")
	must(t, r, 0, "reencrypt")
	contains(t, "reencrypt", r.stdout, "Re-encrypted 8 secret(s)", "  - pass/app/secret7.gpg (line 1): "+revoked)
	s.merge("prodaccess/reencrypt-pass-store")

	laptop, fresh := testgpg.New(t), testgpg.New(t)
	if _, stderr, err := laptop.Run(secretKey(t, stolen), "--import"); err != nil {
		t.Fatal(stderr)
	}
	if _, stderr, err := fresh.Run(secretKey(t, withoutSubkeys(alice, func(i int) bool { return i == 1 })), "--import"); err != nil {
		t.Fatal(stderr)
	}
	files := s.secretFiles("main")
	s.homes["laptop"], s.homes["fresh"] = laptop, fresh
	if got := s.decrypts("laptop", "main", files...); len(got) > 0 {
		t.Errorf("the stolen subkey decrypts %v", got)
	}
	if got := s.decrypts("fresh", "main", files...); len(got) != 8 {
		t.Errorf("alice's new subkey decrypts %v", got)
	}
	after := s.run("bob", "secrets", "status")
	contains(t, "status after", after.stdout, "8 secrets: 8 current")
}

// packetKeyIDs lists the key ids that the session key packets of an
// OpenPGP message name.
func packetKeyIDs(t *testing.T, msg []byte) []string {
	t.Helper()
	r := packet.NewReader(bytes.NewReader(msg))
	var ids []string
	for {
		p, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		ek, ok := p.(*packet.EncryptedKey)
		if !ok {
			return ids
		}
		ids = append(ids, fmt.Sprintf("%016X", ek.KeyId))
	}
}

// TestHiddenRecipientIsRotated: a secret with hidden recipients, the
// leaver among them, is stale until prodaccess accounts for them; it is
// re-encrypted only when named (who gains cannot be told), keeps its
// recipients hidden, and its value is listed to rotate.
func TestHiddenRecipientIsRotated(t *testing.T) {
	s := newStoreStack(t, "")
	s.commit(map[string]string{
		"pass/.gpg-id":     s.fingerprints("alice", "bob", "dave"),
		"pass/hidden.gpg":  string(s.sender.Encrypt("hidden\n", s.keysOf(storePeople...), "--throw-keyids")),
		"pass/visible.gpg": string(s.sender.Encrypt("visible\n", s.keysOf("alice", "bob", "dave"))),
	}, "A secret with hidden recipients")

	status := s.run("alice", "secrets", "status")
	must(t, status, 2, "secrets status")
	contains(t, "status", squash(status.stdout), "stale,unknown pass/hidden.gpg:1 readable by 4 hidden recipient(s) not accounted for, not entitled")

	refused := s.run("alice", "secrets", "reencrypt", "--target", "pass-store")
	must(t, refused, 1, "reencrypt without --widen")
	contains(t, "refusal", refused.stdout, "pass/hidden.gpg: re-encrypting it to its store's recipients could widen who can read it: its recipients are hidden", "--widen pass/hidden.gpg")

	r := s.run("alice", "secrets", "reencrypt", "--target", "pass-store", "--widen", "pass/hidden.gpg")
	must(t, r, 0, "reencrypt --widen")
	contains(t, "reencrypt", r.stdout, "Rotate these values", "  - pass/hidden.gpg (line 1): 4 hidden recipient(s) not accounted for")
	msg := []byte(show(t, s.secrets, "prodaccess/reencrypt-pass-store", "pass/hidden.gpg"))
	if diff := cmp.Diff([]string{"0000000000000000", "0000000000000000", "0000000000000000"}, packetKeyIDs(t, msg)); diff != "" {
		t.Errorf("the new message names (-want +got):\n%s", diff)
	}
	s.merge("prodaccess/reencrypt-pass-store")
	if got := s.decrypts("carol", "main", "pass/hidden.gpg"); len(got) > 0 {
		t.Error("carol still decrypts it")
	}
	for _, who := range []string{"alice", "bob", "dave"} {
		if got := s.decrypts(who, "main", "pass/hidden.gpg"); len(got) != 1 {
			t.Errorf("%s cannot decrypt it", who)
		}
	}
	after := s.run("alice", "secrets", "status")
	must(t, after, 2, "status after")
	contains(t, "status after", after.stdout, "pass-store: 2 secrets: 2 current, 0 stale, 0 missing, 0 unknown, 0 unreadable; 1 to rotate")
}

// TestOldVersionsAndRotation: re-encryption says that old versions remain
// in git history (and the leaver's key does open them there); the ledger
// keeps the values to rotate after the merge; secrets rotation lists
// exactly those the leaver could read that have not changed, drops each
// when its value changes, and records it; the access review flags what
// is left.
func TestOldVersionsAndRotation(t *testing.T) {
	s := newStoreStack(t, "")
	s.insert("web/db-password", "db-1\n")
	s.insert("web/api-token", "api-1\n")
	s.commit(map[string]string{"pass/.gpg-id": s.fingerprints("alice", "bob", "dave")}, "Two secrets; carol leaves the .gpg-id")
	s.insert("web/after", "after\n") // never readable by carol
	s.commit(nil, "A secret after carol left")
	before, err := devstack.Git(s.secrets, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	before = strings.TrimSpace(before)

	r := s.run("alice", "secrets", "reencrypt", "--target", "pass-store", "--push")
	must(t, r, 0, "reencrypt")
	const history = "Old versions remain in git history, and anyone who could read a value can still read it there, from any clone, with their key: only a new value ends what they know."
	contains(t, "reencrypt", r.stdout, history)
	prs := s.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 {
		t.Fatalf("pull requests %+v", prs)
	}
	contains(t, "the pull request", prs[0].Body, "### Old versions remain in git history", history, "`.prodaccess/secrets/pass-store.yaml`")
	s.merge("prodaccess/reencrypt-pass-store")

	// It is true: carol's key opens the old version from the history.
	if got := s.decrypts("carol", before, "pass/web/db-password.gpg"); len(got) != 1 {
		t.Error("carol cannot decrypt the old version: the test does not show what it claims")
	}
	if got := s.decrypts("carol", "main", "pass/web/db-password.gpg"); len(got) != 0 {
		t.Error("carol decrypts the current version")
	}

	status := s.run("alice", "secrets", "status")
	must(t, status, 2, "status after the merge")
	contains(t, "status", status.stdout, "3 current, 0 stale, 0 missing, 0 unknown, 0 unreadable; 2 to rotate", "pass/web/db-password.gpg: readable by carol at commit "+before[:12]+"; due since 2021-01-01")

	rot := s.run("alice", "secrets", "rotation", "--person", "carol")
	must(t, rot, 2, "rotation")
	contains(t, "rotation", squash(rot.stdout), "pass-store: 2 values to rotate, 0 found rotated", "to rotate pass/web/api-token.gpg: readable by carol", "to rotate pass/web/db-password.gpg: readable by carol")
	if strings.Contains(rot.stdout, "after.gpg") {
		t.Errorf("rotation lists a value carol never read:\n%s", rot.stdout)
	}
	must(t, s.run("alice", "secrets", "rotation", "--person", "alice"), 0, "rotation for alice")

	// A new value for the database password, stored by pass.
	s.insert("web/db-password", "db-2\n")
	s.commit(nil, "Rotate the database password")
	rot = s.run("alice", "secrets", "rotation", "--person", "carol")
	must(t, rot, 2, "rotation after one change")
	contains(t, "rotation", squash(rot.stdout), "pass-store: 1 value to rotate, 1 found rotated", "to rotate pass/web/api-token.gpg", "rotated pass/web/db-password.gpg: readable by carol")

	rec := s.run("alice", "secrets", "rotation", "--target", "pass-store", "--record", "--push")
	must(t, rec, 2, "rotation --record")
	ledger := show(t, s.secrets, "prodaccess/rotation-pass-store", ".prodaccess/secrets/pass-store.yaml")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "the ledger", ledger, `rotated: "`+time.Now().In(london).Format("2006-01-02")+`"`)
	s.merge("prodaccess/rotation-pass-store")
	status = s.run("alice", "secrets", "status")
	contains(t, "status", status.stdout, "; 1 to rotate")
	if strings.Contains(status.stdout, "db-password.gpg: readable by carol") {
		t.Errorf("status still lists the rotated value:\n%s", status.stdout)
	}
	review := s.run("alice", "audit", "review", "--secrets")
	contains(t, "review", review.stdout, "could read values not yet rotated more than 7 days after they became due (1 in pass-store, due since 2021-01-01)")

	s.insert("web/api-token", "api-2\n")
	s.commit(nil, "Rotate the API token")
	must(t, s.run("alice", "secrets", "rotation", "--person", "carol"), 0, "rotation when everything changed")
}

// gpgWrapper writes a gpg program that logs each run to log and runs the
// real gpg; on the run given by interruptAt (counting --decrypt runs), it
// interrupts prodaccess, which runs it, and waits to be stopped.
func gpgWrapper(t *testing.T, log string, interruptAt int) string {
	real, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg is not installed")
	}
	script := fmt.Sprintf(`#!/bin/sh
case " $* " in *" --decrypt "*)
  echo decrypt >> %[1]q
  if [ "$(grep -c decrypt %[1]q)" = %[2]q ]; then kill -INT $PPID; exec sleep 600; fi;;
esac
exec %[3]q "$@"
`, log, strconv.Itoa(interruptAt), real)
	p := filepath.Join(t.TempDir(), "gpg")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func decryptRuns(t *testing.T, log string) int {
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "decrypt")
}

// TestReencryptOnceAndResume: each secret is decrypted by gpg once (the
// result is checked without gpg), the work is committed in batches, and a
// run that is interrupted goes on from where it stopped; nothing is shown
// on a standard error that is not a terminal.
func TestReencryptOnceAndResume(t *testing.T) {
	s := newStoreStack(t, "")
	for i := range 6 {
		s.insert(fmt.Sprintf("app/secret%d", i), fmt.Sprintf("value %d\n", i))
	}
	s.commit(map[string]string{"pass/.gpg-id": s.fingerprints("alice", "bob", "dave")}, "Six secrets carol could read")

	first := filepath.Join(t.TempDir(), "first.log")
	r := s.run("alice", "secrets", "reencrypt", "--target", "pass-store", "--batch", "1", "--jobs", "1", "--gpg", gpgWrapper(t, first, 3))
	if r.code == 0 {
		t.Fatalf("the interrupted run succeeded:\n%s", r.stdout)
	}
	contains(t, "the interrupted run", r.stderr, "stopped after 2 commit(s) on prodaccess/reencrypt-pass-store, holding 2 re-encrypted secret(s); run the same command again to go on from there")
	if n, err := devstack.Git(s.secrets, "rev-list", "--count", "main..prodaccess/reencrypt-pass-store"); err != nil || strings.TrimSpace(n) != "2" {
		t.Errorf("commits on the branch: %q %v", n, err)
	}

	second := filepath.Join(t.TempDir(), "second.log")
	r = s.run("alice", "secrets", "reencrypt", "--target", "pass-store", "--batch", "1", "--push", "--gpg", gpgWrapper(t, second, 0))
	must(t, r, 0, "the second run")
	prs := s.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || strings.Count(prs[0].Body, "- [ ] `pass/app/secret") != 6 || !strings.Contains(prs[0].Body, "goes on from an interrupted run") {
		t.Errorf("the pull request does not list the six values to rotate: %+v", prs)
	}
	contains(t, "the second run", r.stderr, "going on from prodaccess/reencrypt-pass-store")
	contains(t, "the second run", r.stdout, "Re-encrypted 4 secret(s) of pass-store")
	if n := decryptRuns(t, second); n != 4 {
		t.Errorf("the second run decrypted %d times; 4 secrets were left, each to decrypt once", n)
	}
	if strings.Contains(r.stderr, "1/4") {
		t.Errorf("progress on a standard error that is not a terminal:\n%s", r.stderr)
	}
	s.merge("prodaccess/reencrypt-pass-store")
	files := s.secretFiles("main")
	if got := s.decrypts("carol", "main", files...); len(got) > 0 {
		t.Errorf("carol decrypts %v", got)
	}
	ledger := show(t, s.secrets, "main", ".prodaccess/secrets/pass-store.yaml")
	if n := strings.Count(ledger, "- file: pass/app/secret"); n != 6 {
		t.Errorf("the ledger lists %d values to rotate, want 6:\n%s", n, ledger)
	}
	must(t, s.run("alice", "secrets", "reencrypt", "--target", "pass-store"), 0, "a third run")
}

// TestProgressOnATerminal shows n/N and each file, escaped, on one line
// rewritten as it goes.
func TestProgressOnATerminal(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b}
	p.file(1, 2, "pass/a.gpg")
	p.file(2, 2, "pass/ci\ttoken\x1b.gpg")
	p.end()
	if want := "\r\x1b[K1/2 pass/a.gpg\r\x1b[K2/2 pass/ci\\ttoken\\x1b.gpg\n"; b.String() != want {
		t.Errorf("progress %q, want %q", b.String(), want)
	}
	var quiet bytes.Buffer
	q := &progressLine{}
	q.file(1, 1, "x")
	q.end()
	if quiet.Len() != 0 {
		t.Error("a silent progress wrote")
	}
}

// TestCopiedSecretIsNotWidened: someone who can write to the shared store
// copies a secret that only bob may read into it; when bob re-encrypts,
// the copy is refused, named, and left as it was on the pushed branch,
// so nobody else can read it before review; named with --widen, it is
// re-encrypted to the store.
func TestCopiedSecretIsNotWidened(t *testing.T) {
	s := newStoreStack(t, "")
	breakGlass := string(s.sender.Encrypt("break glass\n", s.keysOf("bob")))
	s.commit(map[string]string{
		"pass/team-only/.gpg-id":          s.fingerprints("bob"),
		"pass/team-only/break-glass.gpg":  breakGlass,
		"pass/ci-token.gpg":               breakGlass,
		"pass/web/leaver-could-read.gpg":  string(s.sender.Encrypt("x\n", s.keysOf(storePeople...))),
		"pass/web/also-encrypted-bob.gpg": string(s.sender.Encrypt("only bob\n", s.keysOf("bob"))),
	}, "A copy of bob's break-glass token in the shared store")

	status := s.run("bob", "secrets", "status")
	contains(t, "status", squash(status.stdout), "missing pass/ci-token.gpg:1 not readable by alice, dave")

	r := s.run("bob", "secrets", "reencrypt", "--target", "pass-store", "--push")
	must(t, r, 1, "reencrypt")
	contains(t, "refusal", r.stdout,
		"pass/ci-token.gpg: its encrypted message is the same as one in pass/team-only/break-glass.gpg: it is a copy",
		"pass/web/also-encrypted-bob.gpg: re-encrypting it to its store's recipients could widen who can read it: alice, dave cannot read it now")
	branch := "prodaccess/reencrypt-pass-store"
	if got := show(t, s.secrets, branch, "pass/ci-token.gpg"); got != breakGlass {
		t.Error("the copy changed on the pushed branch")
	}
	if got := s.decrypts("alice", branch, "pass/ci-token.gpg", "pass/web/also-encrypted-bob.gpg", "pass/web/leaver-could-read.gpg"); !slices.Equal(got, []string{"pass/web/leaver-could-read.gpg"}) {
		t.Errorf("alice decrypts %v on the pushed branch", got)
	}

	r = s.run("bob", "secrets", "reencrypt", "--target", "pass-store", "--widen", "pass/ci-token.gpg", "--widen", "pass/web/also-encrypted-bob.gpg")
	must(t, r, 0, "reencrypt --widen")
	if got := s.decrypts("alice", branch, "pass/ci-token.gpg"); len(got) != 1 {
		t.Error("named with --widen, the copy was not re-encrypted to the store")
	}
	if r := s.run("bob", "secrets", "reencrypt", "--target", "pass-store", "--widen", "pass/no-such.gpg"); r.code != 1 || !strings.Contains(r.stderr, "--widen pass/no-such.gpg: no secrets file of the target has that path") {
		t.Errorf("--widen of a file that does not exist: %d\n%s", r.code, r.stderr)
	}
}

// TestDecompressionBombIsRefused: a small message that expands to far
// more than secrets.max_plaintext_bytes is refused and named, and nothing
// of it is committed.
func TestDecompressionBombIsRefused(t *testing.T) {
	s := newStoreStack(t, "")
	bomb, err := testgpg.Bomb(s.keysOf(storePeople...), 64)
	if err != nil {
		t.Fatal(err)
	}
	s.commit(map[string]string{
		"pass/.gpg-id":   s.fingerprints("alice", "bob", "dave"),
		"pass/bomb.gpg":  string(bomb),
		"pass/other.gpg": string(s.sender.Encrypt("other\n", s.keysOf(storePeople...))),
	}, "A decompression bomb")
	r := s.run("alice", "secrets", "reencrypt", "--target", "pass-store")
	must(t, r, 1, "reencrypt")
	contains(t, "refusal", r.stdout, "pass/bomb.gpg: it decrypts to more than 4 MiB, the most secrets.max_plaintext_bytes allows; gpg was stopped and nothing of it kept")
	if got := show(t, s.secrets, "prodaccess/reencrypt-pass-store", "pass/bomb.gpg"); got != string(bomb) {
		t.Error("the bomb changed on the branch")
	}
	out, err := devstack.Git(s.secrets, "diff", "--stat", "main", "prodaccess/reencrypt-pass-store")
	if err != nil || strings.Contains(out, "bomb") {
		t.Errorf("the branch changes the bomb: %v\n%s", err, out)
	}
}

// TestOneBadSecretDoesNotStopApply: an oddly named or oversized secret is
// one unreadable secret, named with escapes; the leaver is still removed
// from the GitHub team in the same run, and the run fails.
func TestOneBadSecretDoesNotStopApply(t *testing.T) {
	s := newStoreStack(t, "")
	s.insert("web/good", "good\n")
	s.commit(map[string]string{
		"pass/ci\ttoken.gpg":     "x",
		"pass/line\nbreak.gpg":   "x",
		"pass/esc\x1b[2J.gpg":    "x",
		"pass/big.gpg":           strings.Repeat("x", 17<<20),
		"pass/web/truncated.gpg": "\x85\x01",
	}, "Odd files")
	r := s.run("alice", "apply")
	if r.code != 1 {
		t.Errorf("apply: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if slices.Contains(s.gh.Members("gov-uk-production"), "carol-gh") {
		t.Errorf("carol is still in the team:\n%s\n%s", r.stdout, r.stderr)
	}
	out := r.stdout + r.stderr
	for _, raw := range []string{"\x1b[2J", "line\nbreak", "ci\ttoken"} {
		if strings.Contains(out, raw) {
			t.Errorf("the output holds the raw name %q", raw)
		}
	}
	contains(t, "apply", squash(out),
		`the secret pass/ci\ttoken.gpg cannot be read (its name holds the control character U+0009`,
		`the secret pass/line\nbreak.gpg cannot be read`,
		`the secret pass/esc\x1b[2J.gpg cannot be read`,
		"the secret pass/big.gpg cannot be read (it is 17825792 bytes, larger than the 16 MiB read, so it is not read)",
		"the secret pass/web/truncated.gpg cannot be read",
		"rotate pass/web/good.gpg: carol can read it")
	status := s.run("alice", "secrets", "status")
	must(t, status, 1, "secrets status")
	contains(t, "status", status.stdout, "5 unreadable")
}

// TestReviewKeyMadeToday: a key made earlier today is usable in today's
// access review, as validate says it is.
func TestReviewKeyMadeToday(t *testing.T) {
	k, err := testkeys.New("alice", testkeys.Good, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	people := filepath.Join(dir, "people-repo")
	if err := devstack.NewRepo(people, map[string]string{
		"prodaccess.yaml":   "people: people\n",
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, k.Fingerprint, "alice", ""),
		"keys/alice.asc":    string(k.Public()),
	}); err != nil {
		t.Fatal(err)
	}
	must(t, prodaccess(t, people, "validate"), 0, "validate")
	review := prodaccess(t, people, "audit", "review")
	must(t, review, 0, "audit review")
	if strings.Contains(review.stdout, "no usable encryption key") || !strings.Contains(review.stdout, "| alice (Alice Able) | permanent |") {
		t.Errorf("review:\n%s", review.stdout)
	}
}

// TestBrokenLedgerIsKept: a ledger that cannot be read fails status and
// rotation, and re-encryption refuses to write over it.
func TestBrokenLedgerIsKept(t *testing.T) {
	s := newStoreStack(t, "")
	s.insert("web/db-password", "db\n")
	broken := "rotate:\n  - file: pass/web/db-password.gpg\n    readers: [carol]\n    due: someday\n    readable_at: main\n"
	s.commit(map[string]string{".prodaccess/secrets/pass-store.yaml": broken}, "A broken ledger")
	want := `.prodaccess/secrets/pass-store.yaml:2: rotate[0]: due: "someday" is not a day (YYYY-MM-DD)`
	for _, args := range [][]string{{"secrets", "status"}, {"secrets", "rotation"}, {"secrets", "reencrypt", "--target", "pass-store"}} {
		r := s.run("alice", args...)
		if r.code != 1 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := devstack.Git(s.secrets, "rev-parse", "--verify", "-q", "refs/heads/prodaccess/reencrypt-pass-store"); err == nil {
		t.Error("a re-encryption was committed over a broken ledger")
	}
}
