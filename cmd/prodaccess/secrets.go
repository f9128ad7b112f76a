package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
	"github.com/spf13/cobra"
)

func newSecrets(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Who can read the GPG targets' encrypted secrets, and re-encryption",
		Long: `Removing someone from a GPG recipients file or a .gpg-id changes who future
secrets are encrypted to; every secret already in the repository stays
readable by them until it is re-encrypted. secrets status shows who can read
each secret, from its packet headers alone; secrets reencrypt fixes it.`,
	}
	cmd.AddCommand(newSecretsStatus(o), newSecretsReencrypt(o))
	return cmd
}

// secretsKeyRing reads the public keys that tell who can read secrets, when
// a target holds any.
func secretsKeyRing(keys fs.FS, label string, roster *model.Roster, cfg *config.Config) (*secrets.KeyRing, []string, error) {
	var keep []string
	holds := false
	for i := range cfg.Targets {
		t := &cfg.Targets[i]
		if len(t.SecretGlobs()) > 0 {
			holds = true
			keep = append(keep, t.Keep...)
		}
	}
	if !holds {
		return nil, nil, nil
	}
	return secrets.LoadKeyRing(keys, label, roster.People, keep)
}

// secretTargets are the targets named (all that hold secrets when name is
// empty), as copies with their repositories resolved.
func (o *options) secretTargets(cfg *config.Config, name string) ([]*config.Target, error) {
	var out []*config.Target
	for i := range cfg.Targets {
		t := cfg.Targets[i]
		if name != "" && t.Name != name {
			continue
		}
		if len(t.SecretGlobs()) == 0 {
			if name != "" {
				return nil, fmt.Errorf("target %s holds no secrets: only gpg-recipients and gpg-id targets do, listed under secrets: in %s", name, cfg.File)
			}
			continue
		}
		t.Repo = o.resolveRepo(t.Repo)
		out = append(out, &t)
	}
	switch {
	case name != "" && len(out) == 0:
		return nil, fmt.Errorf("no target %q in %s", name, cfg.File)
	case len(out) == 0:
		return nil, fmt.Errorf("no target holds secrets: list them under secrets: of a gpg-recipients or gpg-id target in %s", cfg.File)
	}
	return out, nil
}

// readSecrets reads every target's repository and compares who can read
// each secret with who should.
func (o *options) readSecrets(ctx context.Context, w *world, targets []*config.Target, opts gitfile.Options) ([]*gitfile.Repo, map[string]model.TargetState, *model.SecretsStatus, error) {
	repos, err := gitfile.NewRepos(targets, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	providers := make([]reconciler.Provider, len(repos))
	for i, r := range repos {
		providers[i] = r
	}
	read, err := reconciler.ReadAll(ctx, providers)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("nothing was checked, because a read failed:\n%w", err)
	}
	states := map[string]model.TargetState{}
	for _, s := range read {
		states[s.Target] = s
	}
	status := &model.SecretsStatus{}
	for _, t := range targets {
		status.Targets = append(status.Targets, reconciler.Secrets(t, states[t.Name].Secrets, w.decisions, w.keys, w.ring))
	}
	return repos, states, status, nil
}

func newSecretsStatus(o *options) *cobra.Command {
	var target, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Which secrets each person can still read, compared with who should",
		Long: `Read the public-key encrypted session key packets of every secret of the GPG
targets (nothing is decrypted), map their key ids to people and keep entries
through the public keys in the keys folder, and compare with who the rules
entitle today. A secret is stale when someone not entitled can read it,
missing when someone entitled cannot, and unknown when a key id maps to no
known key, a recipient is hidden or a passphrase opens it. Exits 0 when
every secret is current, 2 when something is stale, missing or unknown, and
1 on an error or a secret that cannot be read at all.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown", "json"); err != nil {
				return err
			}
			ctx, cancel := signalContext()
			defer cancel()
			w, _, err := o.loadDecisions()
			if err != nil {
				return err
			}
			targets, err := o.secretTargets(w.cfg, target)
			if err != nil {
				return err
			}
			_, _, status, err := o.readSecrets(ctx, w, targets, gitfile.Options{Token: o.getenv("GITHUB_TOKEN"), Now: o.now})
			if err != nil {
				return err
			}
			for _, warn := range w.warnings {
				fmt.Fprintf(o.stderr, "warning: %s\n", warn)
			}
			if isData(format) {
				err = render.WriteData(o.stdout, format, status)
			} else {
				err = render.WriteSecretsStatus(o.stdout, status, format == "markdown")
			}
			switch {
			case err != nil:
				return err
			case status.Unreadable() > 0:
				return &exitError{code: 1, err: fmt.Errorf("%d secret(s) cannot be read; see above", status.Unreadable())}
			case status.NeedsAttention():
				return &exitError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "only this target (default every target that holds secrets)")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json or yaml")
	return cmd
}

// ReencryptBranch is the branch that secrets reencrypt commits on.
func reencryptBranch(target string) string { return "prodaccess/reencrypt-" + target }

func newSecretsReencrypt(o *options) *cobra.Command {
	var target, repoDir, gpgProgram string
	var push bool
	cmd := &cobra.Command{
		Use:   "reencrypt --target T",
		Short: "Re-encrypt a target's stale and missing secrets to exactly who should read them",
		Long: `Run by a person who can decrypt the target's secrets, on their own machine.
For every secret that someone not entitled can read, or someone entitled
cannot, decrypt it with the local gpg (gpg --batch --decrypt, through
gpg-agent: smartcards and passphrases work as always) and encrypt it again
to exactly the people the rules entitle and the keep entries, from their
public keys in the keys folder. Every result is read back: its recipients
must be exactly those, and gpg must decrypt it to the same value. Plaintext
stays in memory. eyaml files change only inside the ENC[GPG,...] blocks
re-encrypted. A file holding anything the runner cannot decrypt is left
exactly as it was, and named.

The result is one commit on the branch prodaccess/reencrypt-TARGET, pushed
to the local clone given by --repo (or the target's repo when it is a local
path); with --push, to the target's repository, with a pull request that
lists the values to rotate. Exits 0 when everything needed was
re-encrypted (or nothing was needed), 1 when anything was refused.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ctx, cancel := signalContext()
			defer cancel()
			w, _, err := o.loadDecisions()
			if err != nil {
				return err
			}
			if target == "" {
				return errors.New("--target is required: re-encrypt one target at a time")
			}
			targets, err := o.secretTargets(w.cfg, target)
			if err != nil {
				return err
			}
			t := targets[0]
			if repoDir != "" {
				if t.Repo, err = filepath.Abs(repoDir); err != nil {
					return err
				}
			}
			if !push && remote(t.Repo) {
				return fmt.Errorf("target %s is in %s: give --repo with a local clone to commit there, or --push to push a branch and open a pull request", t.Name, t.Repo)
			}

			// Who to encrypt to, each with a usable public key.
			holders := reconciler.Holders(t, w.decisions, w.keys)
			var to []*secrets.PublicKey
			var lacking []string
			for _, h := range holders {
				if k := w.ring.ByFingerprint(h.Fingerprint); k != nil {
					to = append(to, k)
				} else {
					lacking = append(lacking, fmt.Sprintf("%s (%s)", h.Name, h.Fingerprint))
				}
			}
			if len(lacking) > 0 {
				slices.Sort(lacking)
				return fmt.Errorf("no public key in %s for %s: nothing can be encrypted to them, so nothing was re-encrypted; commit keys/<id>.asc for people and keys/keep/<FINGERPRINT>.asc for keep entries",
					o.keysFolder(w.cfg), strings.Join(lacking, ", "))
			}

			opts := gitfile.Options{Token: o.getenv("GITHUB_TOKEN"), Now: o.now}
			if push && opts.Token != "" && t.GitHubRepo != "" {
				client, err := github.NewClient(o.getenv("GITHUB_API_URL"), opts.Token, github.ClientOptions{Transport: o.transport()})
				if err != nil {
					return err
				}
				opts.PullRequests = github.NewPullRequests(client)
			} else if push && t.GitHubRepo != "" {
				fmt.Fprintln(o.stderr, "prodaccess: GITHUB_TOKEN is not set: the branch is pushed but no pull request is opened")
			}
			repos, states, status, err := o.readSecrets(ctx, w, targets, opts)
			if err != nil {
				return err
			}
			report := status.Targets[0]
			for _, warn := range targetDrift(t, states[t.Name], holders, w.roster) {
				fmt.Fprintf(o.stderr, "warning: %s\n", warn)
			}
			todo := report.Reencrypt()
			if len(todo) == 0 {
				fmt.Fprintf(o.stdout, "%s: nothing to re-encrypt (%s).\n", t.Name, render.SecretCountsText(report.Counts))
				return nil
			}
			files, err := repos[0].Files()
			if err != nil {
				return err
			}
			res, err := secrets.Reencrypt(ctx, files, todo, to, secrets.GPG{Program: gpgProgram}, o.now())
			if err != nil {
				return err
			}
			if len(res.Files) > 0 {
				msg := render.ReencryptMessage(t, res.Done, holders)
				title := fmt.Sprintf("prodaccess: re-encrypt %d secret(s) of %s", len(res.Done), t.Name)
				body := render.ReencryptBody(t, res.Done, refusals(res.Refused), holders)
				where, err := repos[0].Propose(ctx, reencryptBranch(t.Name), res.Files, msg, title, body, push)
				if err != nil {
					return err
				}
				fmt.Fprintf(o.stdout, "Re-encrypted %d secret(s) in %d file(s) of %s, in %s.\n", len(res.Done), len(res.Files), t.Name, where)
				if rotate := model.SelectSecrets(res.Done, (*model.SecretCheck).Rotate); len(rotate) > 0 {
					fmt.Fprintln(o.stdout, "Rotate these values: people no longer entitled could read them, and may have kept them:")
					for _, c := range rotate {
						fmt.Fprintf(o.stdout, "  - %s (line %d): %s\n", c.Name(), c.Line, strings.Join(c.Stale, ", "))
					}
				}
			}
			if len(res.Refused) > 0 {
				fmt.Fprintln(o.stdout, "Left exactly as they were:")
				for _, r := range res.Refused {
					fmt.Fprintf(o.stdout, "  - %s\n", r)
				}
				return &exitError{code: 1, err: fmt.Errorf("%d file(s) could not be re-encrypted; see above", len(res.Refused))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "the target whose secrets to re-encrypt")
	cmd.Flags().StringVar(&repoDir, "repo", "", "a local clone of the target's repository to read and commit in")
	cmd.Flags().BoolVar(&push, "push", false, "push the branch to the target's repository and open a pull request")
	cmd.Flags().StringVar(&gpgProgram, "gpg", "gpg", "the gpg program that decrypts")
	return cmd
}

func remote(repo string) bool {
	if strings.Contains(repo, "://") {
		return !strings.HasPrefix(repo, "file://")
	}
	at, colon := strings.Index(repo, "@"), strings.Index(repo, ":")
	return at >= 0 && colon > at
}

func refusals(rs []secrets.Refusal) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// targetDrift says how the target's file differs from who the secrets are
// now encrypted to, when the pull request that changes it is not merged.
func targetDrift(t *config.Target, st model.TargetState, holders []model.Holder, roster *model.Roster) []string {
	in := map[string]bool{}
	for _, e := range st.Entries {
		in[t.SubjectKey(e.Subject)] = true
	}
	var out []string
	for _, h := range holders {
		if !in[h.Fingerprint] {
			out = append(out, fmt.Sprintf("%s does not list %s yet; merge the pull request that adds them too", t.Path, h.Name))
		}
		delete(in, h.Fingerprint)
	}
	for fp := range in {
		who := fp
		for _, p := range roster.People {
			if p.GPGFingerprint == fp {
				who = fmt.Sprintf("%s (%s)", p.ID, fp)
			}
		}
		out = append(out, fmt.Sprintf("%s still lists %s, who is not entitled; merge the pull request that removes them too", t.Path, who))
	}
	slices.Sort(out)
	return out
}

// secretReports reads the secrets of the targets that hold any, as their
// repositories are now, and compares them with who is entitled on day d
// from the person files and keys at commit. Without such targets it reads
// nothing.
func (a *auditOptions) secretReports(s *source, commit *model.Commit, roster *model.Roster, d model.Day, keys map[string]model.KeyCheck) ([]*model.SecretsReport, error) {
	cfg := s.tipConfig
	var targets []*config.Target
	for i := range cfg.Targets {
		t := cfg.Targets[i]
		if len(t.SecretGlobs()) == 0 {
			continue
		}
		if !remote(t.Repo) && !filepath.IsAbs(t.Repo) && !strings.Contains(t.Repo, "://") {
			t.Repo = filepath.Join(a.repo, filepath.FromSlash(path.Dir(s.configPath)), t.Repo)
		}
		targets = append(targets, &t)
	}
	if len(targets) == 0 {
		return nil, nil
	}
	rev, err := s.history.Revision(commit.SHA)
	if err != nil {
		return nil, err
	}
	dir := path.Clean(path.Join(path.Dir(s.configPath), cfg.Keys))
	w := &world{cfg: cfg, decisions: roster.Evaluate(d), keys: keys}
	if sub, err := fs.Sub(rev.FS, dir); err == nil {
		var warnings []string
		if w.ring, warnings, err = secretsKeyRing(sub, dir, roster, cfg); err != nil {
			return nil, err
		}
		for _, warn := range warnings {
			fmt.Fprintf(a.stderr, "warning: %s\n", warn)
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	_, _, status, err := a.readSecrets(ctx, w, targets, gitfile.Options{Token: a.getenv("GITHUB_TOKEN"), Now: a.now})
	if err != nil {
		return nil, err
	}
	return status.Targets, nil
}
