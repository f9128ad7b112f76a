package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
)

func newSecrets(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Who can read the GPG targets' encrypted secrets, re-encryption, and rotation",
		Long: `Removing someone from a GPG recipients file or a .gpg-id changes who future
secrets are encrypted to; every secret already in the repository stays
readable by them until it is re-encrypted, and every old version stays
readable in git history for good. secrets status shows who can read each
secret, from its packet headers alone; secrets reencrypt re-encrypts the
current files; secrets rotation lists the values that must get a new value,
until they have one.`,
	}
	cmd.AddCommand(newSecretsStatus(o), newSecretsReencrypt(o), newSecretsRotation(o))
	return cmd
}

// secretsKeyRing reads the public keys that tell who can read secrets, when
// a target holds any, judged at now.
func secretsKeyRing(keys fs.FS, label string, roster *model.Roster, cfg *config.Config, now time.Time) (*secrets.KeyRing, []string, error) {
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
	return secrets.LoadKeyRing(keys, label, roster.People, keep, now)
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
func (o *options) readSecrets(ctx context.Context, w *world, targets []*config.Target, opts gitfile.Options) ([]*gitfile.Repo, map[string]outcome.TargetState, *outcome.SecretsStatus, error) {
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
	states := map[string]outcome.TargetState{}
	for _, s := range read {
		states[s.Target] = s
	}
	status := &outcome.SecretsStatus{}
	for _, t := range targets {
		status.Targets = append(status.Targets, reconciler.Secrets(w.cfg, t, states[t.Name], w.decisions, w.keys, w.ring))
	}
	return repos, states, status, nil
}

// repoOf is the provider of a target's repository.
func repoOf(repos []*gitfile.Repo, target string) *gitfile.Repo {
	for _, r := range repos {
		if slices.Contains(r.Targets(), target) {
			return r
		}
	}
	return nil
}

func newSecretsStatus(o *options) *cobra.Command {
	var target, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Which secrets each person can still read, compared with who should",
		Long: `Read the public-key encrypted session key packets of every secret of the GPG
targets (nothing is decrypted), map their key ids to people and keep entries
through the public keys in the keys folder, and compare with who should read
each: the holders of the secret's store (a gpg-id target's own .gpg-id, or
the sub-store's nearest above the file). A secret is current when its
readers are exactly the usable encryption keys of its store's holders;
stale when anything else can read it (someone not entitled, a key no known
public key has, a revoked key, hidden recipients not accounted for, a
passphrase) or an expired key of a holder does; missing when a holder
cannot; unknown when that cannot be told. The values in each target's
rotation ledger not yet rotated are counted too. Exits 0 when every secret
is current and nothing is to rotate, 2 when something is stale, missing,
unknown or to rotate, and 1 on an error or a secret that cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown", "json"); err != nil {
				return err
			}
			ctx, cancel := o.signalContext()
			defer cancel()
			w, _, err := o.loadDecisions()
			if err != nil {
				return err
			}
			targets, err := o.secretTargets(w.cfg, target)
			if err != nil {
				return err
			}
			_, states, status, err := o.readSecrets(ctx, w, targets, gitfile.Options{Token: o.getenv("GITHUB_TOKEN"), Now: o.now})
			if err != nil {
				return err
			}
			ledgers := 0
			for _, st := range states {
				if st.Secrets != nil {
					ledgers += len(st.Secrets.Problems)
				}
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
			case ledgers > 0:
				return &exitError{code: 1, err: fmt.Errorf("a rotation ledger cannot be read (%d problem(s)); see the warnings above", ledgers)}
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

// rotationBranch is the branch that secrets rotation --record commits on.
func rotationBranch(target string) string { return "prodaccess/rotation-" + target }

// secretsTarget is the one target a re-encryption or a rotation works on,
// with the local clone it commits in, checked.
func (o *options) secretsTarget(w *world, target, repoDir string, push bool) (*config.Target, error) {
	if target == "" {
		return nil, errors.New("--target is required: one target at a time")
	}
	targets, err := o.secretTargets(w.cfg, target)
	if err != nil {
		return nil, err
	}
	t := targets[0]
	if repoDir != "" {
		if t.Repo, err = filepath.Abs(repoDir); err != nil {
			return nil, err
		}
	}
	if !push && remote(t.Repo) {
		return nil, fmt.Errorf("target %s is in %s: give --repo with a local clone to commit there, or --push to push a branch and open a pull request", t.Name, t.Repo)
	}
	return t, nil
}

// pushOptions are the repository options of a command that may open a
// pull request.
func (o *options) pushOptions(t *config.Target, push bool) (gitfile.Options, error) {
	opts := gitfile.Options{Token: o.getenv("GITHUB_TOKEN"), Now: o.now}
	if push && opts.Token != "" && t.GitHubRepo != "" {
		client, err := github.NewClient(o.getenv("GITHUB_API_URL"), opts.Token, github.ClientOptions{Transport: o.transport()})
		if err != nil {
			return opts, err
		}
		opts.PullRequests, opts.Author = github.NewPullRequests(client), o.githubLogin(client)
	} else if push && t.GitHubRepo != "" {
		fmt.Fprintln(o.stderr, "prodaccess: GITHUB_TOKEN is not set: the branch is pushed but no pull request is opened")
	}
	return opts, nil
}

// defaultBatchFiles is how many files a commit of secrets reencrypt holds.
const defaultBatchFiles = 200

func newSecretsReencrypt(o *options) *cobra.Command {
	var target, repoDir, gpgProgram string
	var widen []string
	var push, quiet bool
	var jobs, batch int
	cmd := &cobra.Command{
		Use:   "reencrypt --target T",
		Short: "Re-encrypt a target's secrets to exactly their stores' recipients, never to more",
		Long: `Run by a person who can decrypt the target's secrets, on their own machine.
For every secret that is not current, decrypt it once with the local gpg
(gpg --batch --decrypt, through gpg-agent: smartcards and passphrases work
as always), at most secrets.max_plaintext_bytes of it, and encrypt it again
to exactly the holders of its store (the target's, or the sub-store's
nearest .gpg-id above the file), from their public keys in the keys folder,
keeping hidden recipients hidden. Each result is checked without a second
decryption by gpg: its recipients must be exactly those, and it must
decrypt, with the session key just made for it, to the same value.
Plaintext stays in memory. eyaml files change only inside the ENC[GPG,...]
blocks re-encrypted. It never widens who can read a secret: a file that a
holder cannot read now, whose recipients are hidden and not accounted for,
or that holds a copy of another file's message or value, is refused unless
--widen names it. A file holding anything the runner cannot decrypt, or
larger than the limit, is left exactly as it was, and named.

The result is a commit every --batch files on the branch
prodaccess/reencrypt-TARGET, each pushed to the local clone given by --repo
(or the target's repo when it is a local path), or with --push to the
target's repository, where a pull request lists what each secret dropped and
the values to rotate; a run that is stopped goes on from where it stopped
when run again. The values to rotate are added to the target's ledger,
.prodaccess/secrets/TARGET.yaml. Old versions stay in git history:
re-encryption does not end what anyone knew; only a new value does. Shows
n/N and each file on standard error when that is a terminal (not with
--quiet). Exits 0 when everything needed was re-encrypted (or nothing was
needed), 1 when anything was refused.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ctx, cancel := o.signalContext()
			defer cancel()
			w, _, err := o.loadDecisions()
			if err != nil {
				return err
			}
			t, err := o.secretsTarget(w, target, repoDir, push)
			if err != nil {
				return err
			}
			opts, err := o.pushOptions(t, push)
			if err != nil {
				return err
			}
			repos, states, status, err := o.readSecrets(ctx, w, []*config.Target{t}, opts)
			if err != nil {
				return err
			}
			repo, st, report := repos[0], states[t.Name], status.Targets[0]
			if err := ledgerReadable(st.Secrets); err != nil {
				return err
			}
			holders := reconciler.Holders(t, w.decisions, w.keys)
			for _, warn := range targetDrift(t, st, holders, w.roster) {
				fmt.Fprintf(o.stderr, "warning: %s\n", warn)
			}
			stores := reconciler.StoreHolders(w.cfg, t, st.SubStores, w.decisions, w.keys)
			branch := reencryptBranch(t.Name)

			// Go on from an interrupted run: its branch holds what it did.
			files, err := repo.Files()
			if err != nil {
				return err
			}
			scan := st.Secrets
			resumedFS, resumedAt, err := repo.Resume(ctx, branch)
			if err != nil {
				return err
			}
			resumed := resumedFS != nil
			if resumed {
				fmt.Fprintf(o.stderr, "prodaccess: going on from %s, which an earlier run left at %s\n", branch, model.ShortSHA(resumedAt))
				if scan, err = secrets.ScanSecrets(resumedFS, t); err != nil {
					return err
				}
				if err := ledgerReadable(scan); err != nil {
					return err
				}
				onBranch := st
				onBranch.Secrets = scan
				report = reconciler.Secrets(w.cfg, t, onBranch, w.decisions, w.keys, w.ring)
				files = resumedFS
			}
			widened, err := widenSet(widen, scan)
			if err != nil {
				return err
			}
			todo := report.Reencrypt()
			if len(todo) == 0 {
				if resumed {
					where, err := repo.OpenPullRequest(ctx, branch, reencryptTitle(t, 0), render.ReencryptBody(t, nil, nil, stores, true, rotationsAt(scan.Ledger, repo.BaseCommit())), push)
					if err != nil {
						return err
					}
					fmt.Fprintf(o.stdout, "%s: nothing left to re-encrypt; the earlier run's work is in %s.\n%s\n", t.Name, where, render.HistoryNote)
					return nil
				}
				fmt.Fprintf(o.stdout, "%s: nothing to re-encrypt (%s).\n", t.Name, render.SecretCountsText(report.Counts))
				return nil
			}
			recipients, err := o.storeRecipients(w, stores, todo)
			if err != nil {
				return err
			}
			dec := secrets.GPG{Program: gpgProgram, MaxPlaintext: w.cfg.Secrets.MaxPlaintextBytes}
			if err := runnerIsHolder(ctx, dec, w, stores); err != nil {
				return &exitError{code: 1, err: err}
			}
			copies := map[string][]string{}
			for _, s := range scan.Secrets {
				if s.Digest != "" && !slices.Contains(copies[s.Digest], s.File) {
					copies[s.Digest] = append(copies[s.Digest], s.File)
				}
			}
			ledger := secrets.CloneLedger(scan.Ledger)
			base := repo.BaseCommit()
			due := dueDay(w)
			batches, committed := 0, 0
			limit := w.cfg.Secrets.MaxPlaintextBytes
			progress := o.progress(quiet)
			res, runErr := secrets.Reencrypt(ctx, files, todo, secrets.Options{
				Decrypter:    dec,
				Now:          o.now(),
				MaxPlaintext: limit,
				Jobs:         jobs,
				Recipients:   recipients,
				Widen:        widened,
				Copies:       copies,
				BatchFiles:   batch,
				Progress:     progress.file,
				Commit: func(b *secrets.Batch) error {
					batches++
					secrets.AddRotations(ledger, b.Done, base, due)
					for _, h := range b.Hidden {
						secrets.SetHidden(ledger, h.File, h.Key, h.SHA256, h.KeyIDs)
					}
					data, err := secrets.MarshalLedger(t.Name, ledger)
					if err != nil {
						return err
					}
					b.Files[secrets.LedgerPath(t.Name)] = data
					if err := repo.CommitBatch(ctx, branch, b.Files, render.ReencryptMessage(t, b.Done, batches)); err != nil {
						return err
					}
					committed += len(b.Done)
					return nil
				},
			})
			progress.end()
			if runErr != nil {
				if batches > 0 {
					return fmt.Errorf("stopped after %d commit(s) on %s, holding %d re-encrypted secret(s); run the same command again to go on from there: %w", batches, branch, committed, runErr)
				}
				return runErr
			}
			if batches > 0 || resumed {
				title := reencryptTitle(t, len(res.Done))
				body := render.FitBody(render.ReencryptBody(t, res.Done, refusals(res.Refused), stores, resumed, rotationsAt(ledger, base)),
					fmt.Sprintf("This pull request re-encrypts %d secret(s) of %s.", len(res.Done), t.Name),
					"The whole list is in the messages of the commits on this pull request's branch.")
				where, err := repo.OpenPullRequest(ctx, branch, title, body, push)
				if err != nil {
					return err
				}
				fmt.Fprintf(o.stdout, "Re-encrypted %d secret(s) of %s, in %s.\n", len(res.Done), t.Name, where)
				for _, c := range res.Done {
					if line := render.SecretLine(&c); line != "" {
						fmt.Fprintf(o.stdout, "  - %s, which was %s\n", c.Name(), line)
					}
				}
				if rotate := outcome.SelectSecrets(res.Done, (*outcome.SecretCheck).Rotate); len(rotate) > 0 {
					fmt.Fprintf(o.stdout, "Rotate these values: readers who may no longer read them could read them, and may have kept them; they stay in %s until prodaccess secrets rotation --record finds each changed:\n", secrets.LedgerPath(t.Name))
					for _, c := range rotate {
						fmt.Fprintf(o.stdout, "  - %s (line %d): %s\n", c.Name(), c.Line, strings.Join(c.Stale, ", "))
					}
				}
				fmt.Fprintln(o.stdout, render.HistoryNote)
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
	cmd.Flags().StringSliceVar(&widen, "widen", nil, "re-encrypt this file to its store's recipients even if that lets someone read it who cannot now, or it copies another (repeat, or separate with commas)")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "show no progress on standard error")
	cmd.Flags().IntVar(&jobs, "jobs", 2, "how many secrets gpg decrypts at once")
	cmd.Flags().IntVar(&batch, "batch", defaultBatchFiles, "how many files each commit holds")
	return cmd
}

func reencryptTitle(t *config.Target, n int) string {
	if n == 0 {
		return fmt.Sprintf("prodaccess: re-encrypt the secrets of %s", t.Name)
	}
	return fmt.Sprintf("prodaccess: re-encrypt %d secret(s) of %s", n, t.Name)
}

// storeRecipients are the keys of each store's holders that the secrets to
// re-encrypt need, or an error naming every holder without a usable
// public key: nothing is re-encrypted then.
func (o *options) storeRecipients(w *world, stores map[string][]outcome.Holder, todo []outcome.SecretCheck) (map[string]*secrets.Recipients, error) {
	need := map[string]bool{}
	for _, c := range todo {
		need[c.Store] = true
	}
	out := map[string]*secrets.Recipients{}
	var lacking []string
	for _, dir := range slices.Sorted(maps.Keys(need)) {
		var to []*secrets.PublicKey
		for _, h := range stores[dir] {
			if k := w.ring.ByFingerprint(h.Fingerprint); k != nil {
				to = append(to, k)
			} else if !slices.Contains(lacking, fmt.Sprintf("%s (%s)", h.Name, h.Fingerprint)) {
				lacking = append(lacking, fmt.Sprintf("%s (%s)", h.Name, h.Fingerprint))
			}
		}
		if len(lacking) > 0 || len(to) == 0 {
			continue // a store with no holders: its files are refused, naming it
		}
		r, err := secrets.NewRecipients(to, o.now())
		if err != nil {
			return nil, err
		}
		out[dir] = r
	}
	if len(lacking) > 0 {
		slices.Sort(lacking)
		return nil, fmt.Errorf("no public key in %s for %s: nothing can be encrypted to them, so nothing was re-encrypted; commit keys/<id>.asc for people and keys/keep/<FINGERPRINT>.asc for keep entries",
			o.keysFolder(w.cfg), strings.Join(lacking, ", "))
	}
	return out, nil
}

// runnerIsHolder checks that the person running a re-encryption is one of
// the people (or keep entries) who should read the target's secrets: their
// gpg must hold the secret of one of those keys. A leaver could decrypt
// what they still read, but must not be the one to re-encrypt it.
func runnerIsHolder(ctx context.Context, dec secrets.GPG, w *world, stores map[string][]outcome.Holder) error {
	have, err := dec.SecretKeys(ctx)
	if err != nil {
		return err
	}
	var keys []*secrets.PublicKey
	for _, hs := range stores {
		for _, h := range hs {
			if k := w.ring.ByFingerprint(h.Fingerprint); k != nil {
				keys = append(keys, k)
			}
		}
	}
	if !secrets.HoldsAny(keys, have) {
		return errors.New("the gpg of the person running this holds the secret key of none of the people and keep entries who should read these secrets: only a current recipient may re-encrypt them, so nothing was re-encrypted")
	}
	return nil
}

// rotationsAt are the ledger's values to rotate that were readable at the
// commit: those a re-encryption based on it added.
func rotationsAt(l *outcome.SecretsLedger, commit string) []outcome.RotationEntry {
	var out []outcome.RotationEntry
	for _, e := range l.Open() {
		if e.ReadableAt == commit {
			out = append(out, e)
		}
	}
	return out
}

// ledgerReadable refuses to write a target's ledger when the one in the
// repository cannot be read: writing would lose what it holds.
func ledgerReadable(scan *outcome.SecretScan) error {
	if len(scan.Problems) == 0 {
		return nil
	}
	return fmt.Errorf("the ledger cannot be read, and nothing is written to it or decided from it until it is fixed in a reviewed pull request:\n  %s", strings.Join(scan.Problems, "\n  "))
}

// widenSet checks that every file --widen names is a secrets file of the
// target: a name that matches none is a mistake, never ignored.
func widenSet(names []string, scan *outcome.SecretScan) (map[string]bool, error) {
	files := map[string]bool{}
	for _, s := range scan.Secrets {
		files[s.File] = true
	}
	out := map[string]bool{}
	for _, n := range names {
		n = strings.TrimPrefix(filepath.ToSlash(n), "./")
		if !files[n] {
			return nil, fmt.Errorf("--widen %s: no secrets file of the target has that path (give it as secrets status names it)", n)
		}
		out[n] = true
	}
	return out, nil
}

// dueDay is the day a value became due for rotation for one of its
// readers: the day a person lost access, and otherwise today.
func dueDay(w *world) func(reader string) model.Day {
	return func(reader string) model.Day {
		if i := strings.Index(reader, "'s "); i > 0 {
			reader = reader[:i]
		}
		p := w.roster.Person(reader)
		if p == nil {
			return w.day
		}
		if dc := w.roster.Decide(p, w.day); dc.Level == model.None {
			if since := w.roster.Since(p, w.day); since != nil {
				return *since
			}
		}
		return w.day
	}
}

// progressLine shows re-encryption's progress on standard error when it is
// a terminal: n/N and the file, on one line rewritten as it goes.
type progressLine struct {
	w     io.Writer
	shown bool
}

// progress returns the progress display: silent unless standard error is
// a terminal and quiet is not set.
func (o *options) progress(quiet bool) *progressLine {
	p := &progressLine{}
	if f, ok := o.stderr.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		p.w = f
	}
	return p
}

func (p *progressLine) file(done, total int, file string) {
	if p.w == nil {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%d/%d %s", done, total, model.Printable(secrets.EscapeName(file)))
}

func (p *progressLine) end() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

func newSecretsRotation(o *options) *cobra.Command {
	var target, person, repoDir, gpgProgram, format string
	var record, push bool
	cmd := &cobra.Command{
		Use:   "rotation",
		Short: "The values that people who lost access could read and that have not changed since",
		Long: `Read each target's rotation ledger (.prodaccess/secrets/TARGET.yaml in its
repository, which secrets reencrypt keeps) and, for every value not yet
recorded as rotated, decrypt with the local gpg the version its readers could
last read and the current one, and compare the SHA-256 digests of the two in
memory: nothing about either value is written anywhere. Lists the values
that have not changed, with the day each became due (--person: only those a
person could read), and those that have. With --record, the values found
changed are recorded as rotated in the ledger: a commit on the branch
prodaccess/rotation-TARGET (--target required), pushed to the local clone
given by --repo, or with --push to the target's repository with a pull
request. Old versions remain in git history: only a new value ends what a
reader knew. Exits 0 when nothing is left to rotate, 2 when values remain,
1 on an error.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx, cancel := o.signalContext()
			defer cancel()
			w, _, err := o.loadDecisions()
			if err != nil {
				return err
			}
			var targets []*config.Target
			opts := gitfile.Options{Token: o.getenv("GITHUB_TOKEN"), Now: o.now}
			if record {
				t, err := o.secretsTarget(w, target, repoDir, push)
				if err != nil {
					return err
				}
				if opts, err = o.pushOptions(t, push); err != nil {
					return err
				}
				targets = []*config.Target{t}
			} else if targets, err = o.secretTargets(w.cfg, target); err != nil {
				return err
			}
			if person != "" && w.roster.Person(person) == nil {
				return fmt.Errorf("--person %s: no person file has that id", person)
			}
			repos, states, _, err := o.readSecrets(ctx, w, targets, opts)
			if err != nil {
				return err
			}
			dec := secrets.GPG{Program: gpgProgram, MaxPlaintext: w.cfg.Secrets.MaxPlaintextBytes}
			var reports []outcome.RotationReport
			remaining := 0
			for _, t := range targets {
				repo := repoOf(repos, t.Name)
				scan := states[t.Name].Secrets
				if err := ledgerReadable(scan); err != nil {
					return fmt.Errorf("target %s: %w", t.Name, err)
				}
				var open []outcome.RotationEntry
				for _, e := range scan.Ledger.Open() {
					if person == "" || e.ReadBy(person) {
						open = append(open, e)
					}
				}
				now, err := repo.Files()
				if err != nil {
					return err
				}
				rep := outcome.RotationReport{Target: t.Name, Remaining: []outcome.RotationStatus{}, Rotated: []outcome.RotationEntry{}}
				today := w.day
				for _, c := range secrets.CheckRotation(ctx, open, now, repo.FilesAt, dec) {
					switch {
					case c.Changed:
						e := c.Entry
						e.Rotated, e.RotatedAt = &today, repo.BaseCommit()
						rep.Rotated = append(rep.Rotated, e)
					case c.Err != nil:
						rep.Remaining = append(rep.Remaining, outcome.RotationStatus{Entry: c.Entry, Problem: c.Err.Error()})
					default:
						rep.Remaining = append(rep.Remaining, outcome.RotationStatus{Entry: c.Entry})
					}
				}
				remaining += len(rep.Remaining)
				reports = append(reports, rep)
				if record && len(rep.Rotated) > 0 {
					where, err := recordRotation(ctx, repo, t, scan.Ledger, rep, push)
					if err != nil {
						return err
					}
					fmt.Fprintf(o.stderr, "prodaccess: recorded %d rotated value(s) of %s in %s\n", len(rep.Rotated), t.Name, where)
				}
			}
			if isData(format) {
				err = render.WriteData(o.stdout, format, reports)
			} else {
				err = render.WriteRotation(o.stdout, reports, w.day)
			}
			if err != nil {
				return err
			}
			if remaining > 0 {
				return &exitError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "only this target (default every target that holds secrets)")
	cmd.Flags().StringVar(&person, "person", "", "only the values this person could read")
	cmd.Flags().BoolVar(&record, "record", false, "record the values found changed as rotated in the target's ledger, on a branch")
	cmd.Flags().StringVar(&repoDir, "repo", "", "with --record: a local clone of the target's repository to commit in")
	cmd.Flags().BoolVar(&push, "push", false, "with --record: push the branch to the target's repository and open a pull request")
	cmd.Flags().StringVar(&gpgProgram, "gpg", "gpg", "the gpg program that decrypts")
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}

// recordRotation commits the ledger with the values found rotated marked
// so, on the branch of rotation records.
func recordRotation(ctx context.Context, repo *gitfile.Repo, t *config.Target, was *outcome.SecretsLedger, rep outcome.RotationReport, push bool) (string, error) {
	ledger := secrets.CloneLedger(was)
	for _, r := range rep.Rotated {
		for i, e := range ledger.Rotate {
			if e.Rotated == nil && e.File == r.File && e.Key == r.Key && e.ReadableAt == r.ReadableAt {
				ledger.Rotate[i] = r
			}
		}
	}
	data, err := secrets.MarshalLedger(t.Name, ledger)
	if err != nil {
		return "", err
	}
	branch := rotationBranch(t.Name)
	if err := repo.CommitBatch(ctx, branch, map[string][]byte{secrets.LedgerPath(t.Name): data}, render.RotationMessage(t, rep.Rotated)); err != nil {
		return "", err
	}
	var left []outcome.RotationEntry
	for _, r := range rep.Remaining {
		left = append(left, r.Entry)
	}
	return repo.OpenPullRequest(ctx, branch, fmt.Sprintf("prodaccess: record %d rotated value(s) of %s", len(rep.Rotated), t.Name), render.RotationBody(t, rep.Rotated, left), push)
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
func targetDrift(t *config.Target, st outcome.TargetState, holders []outcome.Holder, roster *model.Roster) []string {
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
func (a *auditOptions) secretReports(s *source, commit *outcome.Commit, roster *model.Roster, d model.Day, keys map[string]model.KeyCheck) ([]*outcome.SecretsReport, error) {
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
		if w.ring, warnings, err = secretsKeyRing(sub, dir, roster, cfg, s.keyTime(a.now(), d)); err != nil {
			return nil, err
		}
		for _, warn := range warnings {
			fmt.Fprintf(a.stderr, "warning: %s\n", warn)
		}
	}
	ctx, cancel := a.signalContext()
	defer cancel()
	_, _, status, err := a.readSecrets(ctx, w, targets, gitfile.Options{Token: a.getenv("GITHUB_TOKEN"), Now: a.now})
	if err != nil {
		return nil, err
	}
	return status.Targets, nil
}
