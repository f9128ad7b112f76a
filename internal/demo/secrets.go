package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
)

// puppetMaster names the puppet master's key among the demo keys.
const puppetMaster = "puppet-master"

// demoHieradata is the demo's file of eyaml secrets.
const demoHieradata = "puppet_aws/hieradata_aws/production_credentials.yaml"

var fingerprintLine = regexp.MustCompile(`(?m)^gpg_fingerprint: .*$`)

// demoKeys makes a key for everyone with a fingerprint, and the puppet
// master's, made a week ago.
func demoKeys(people []*model.Person) (map[string]*testkeys.Key, error) {
	keys := map[string]*testkeys.Key{}
	made := time.Now().AddDate(0, 0, -7)
	for _, p := range people {
		if p.GPGFingerprint == "" {
			continue
		}
		k, err := testkeys.New(p.ID, testkeys.Good, made)
		if err != nil {
			return nil, err
		}
		keys[p.ID] = k
	}
	k, err := testkeys.New(puppetMaster, testkeys.Good, made)
	if err != nil {
		return nil, err
	}
	keys[puppetMaster] = k
	return keys, nil
}

// demoSecrets encrypts a hieradata file of eyaml blocks and a Pass secret
// to the people who hold them now (and the puppet master for hieradata).
func demoSecrets(keys map[string]*testkeys.Key, current []*model.Person) (map[string]string, error) {
	var people []*openpgp.Entity
	for _, p := range current {
		people = append(people, keys[p.ID].Entity)
	}
	encrypt := func(value string, to []*openpgp.Entity) ([]byte, error) {
		var b bytes.Buffer
		w, err := openpgp.Encrypt(&b, to, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		w.Write([]byte(value))
		err = w.Close()
		return b.Bytes(), err
	}
	hiera := append(append([]*openpgp.Entity{}, people...), keys[puppetMaster].Entity)
	var yaml strings.Builder
	yaml.WriteString("---\n# Production credentials, encrypted with hiera-eyaml-gpg\n")
	for _, key := range []string{"govuk::apps::publisher::db_password", "govuk::apps::signon::secret_key_base"} {
		msg, err := encrypt("value of "+key, hiera)
		if err != nil {
			return nil, err
		}
		b64 := base64.StdEncoding.EncodeToString(msg)
		var lines []string
		for ; len(b64) > 64; b64 = b64[64:] {
			lines = append(lines, b64[:64])
		}
		fmt.Fprintf(&yaml, "%s: >\n    ENC[GPG,%s]\n", key, strings.Join(append(lines, b64), "\n    "))
	}
	pass, err := encrypt("the 2nd line database password\n", people)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		demoHieradata:                          yaml.String(),
		"pass/2ndline/production/database.gpg": string(pass),
	}, nil
}

// demoGnuPG is a GnuPG home holding one person's secret key, as their own
// machine would. It is short-named, for gpg-agent's socket.
func demoGnuPG(k *testkeys.Key) (string, error) {
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("gpg", "--homedir", home, "--batch", "--import")
	cmd.Stdin = bytes.NewReader(k.Secret())
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("gpg --import: %v\n%s", err, out)
	}
	return home, nil
}
