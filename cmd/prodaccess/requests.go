package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/requests"
	"github.com/prodaccess/prodaccess/secrets"
	"github.com/spf13/cobra"
)

// The commands that write a person file for people, so that nobody
// types YAML to ask for access: each reads its flags, and package
// requests checks, writes and proposes the change.

const requestHelp = `
Before writing anything it loads every person file with the change made
and refuses, in the words of the rules, what they would not honour. Then it
prints what the change does to access, in the words of prodaccess changes,
and writes the file in the working tree; it commits nothing, so commit as
you like. The edit adds or changes only the lines it must, in the file's
own style.

With --dry-run it prints the change as a diff and writes nothing. With --pr
it commits the change on a new branch (access/<id>-<day>), pushes it to
origin and opens a pull request through GitHub's API (GITHUB_TOKEN), with
the rule's conditions in its description; the working tree is left alone.`

func dayFlag(flag, v string) (model.Day, error) {
	d, err := model.ParseDay(v)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", flag, err)
	}
	return d, nil
}

// stringFlag is a flag holding text of at most max characters; a
// required one must be given.
type stringFlag struct {
	p           *string
	name, usage string
	required    bool
	max         int
}

func addFlags(cmd *cobra.Command, flags ...stringFlag) {
	for _, f := range flags {
		cmd.Flags().StringVar(f.p, f.name, "", f.usage)
		limitFlag(cmd, f.name, f.max)
		if f.required {
			if err := cmd.MarkFlagRequired(f.name); err != nil {
				panic(err)
			}
		}
	}
}

func newGrant(o *options) *cobra.Command {
	var f requestFlags
	var from, to, approver, supervisor, reason, as string
	cmd := &cobra.Command{
		Use:   "grant ID --from DAY --to DAY --approver ID --supervisor ID --reason TEXT",
		Short: "Ask for temporary supervised access: add a temporary_access entry",
		Long: `Add a temporary_access entry to the person file of ID: the exception for
people who do not meet the shift rules, for at most the policy's days,
approved by a lead developer or the head of technology and supervised by
someone with permanent access on each day.

agreed is written true only when ID is the person running the command
(--as ID, or git config user.email is the email in ID's file); for anyone
else it is false, and the entry grants nothing until ID sets it to true in
a commit of their own. With --pr the approver's GitHub login is asked to
review the pull request: their approving review is the approval.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			end, err := dayFlag("to", to)
			if err != nil {
				return err
			}
			return o.propose(requests.Grant(id, start, end, approver, supervisor, reason, as), &f)
		},
	}
	addFlags(cmd,
		stringFlag{&from, "from", "the first day of access, YYYY-MM-DD", true, maxDayLength},
		stringFlag{&to, "to", "the last day of access, YYYY-MM-DD", true, maxDayLength},
		stringFlag{&approver, "approver", "the id of the lead developer or head of technology who approves it", true, model.MaxIDLength},
		stringFlag{&supervisor, "supervisor", "the id of the person with permanent access who supervises it", true, model.MaxIDLength},
		stringFlag{&reason, "reason", "why the access is needed, on one line", true, model.MaxReasonLength},
		stringFlag{&as, "as", "the id of the person running this (default: the person whose email is git config user.email)", false, model.MaxIDLength})
	f.register(cmd, o)
	return cmd
}

func newShift(o *options) *cobra.Command {
	var f requestFlags
	var typ, from, to string
	cmd := &cobra.Command{
		Use:   "shift ID --type shadow|primary|secondary --from DAY --to DAY",
		Short: "Record a 2nd line shift: add an entry to shifts",
		Long: `Add a 2nd line shift to the person file of ID. A shift that shares a day
with another of theirs is refused.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			switch typ {
			case string(model.Shadow), string(model.Primary), string(model.Secondary):
			default:
				return fmt.Errorf("--type: %q is not a kind of shift; use shadow, primary or secondary", typ)
			}
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			end, err := dayFlag("to", to)
			if err != nil {
				return err
			}
			return o.propose(requests.Shift(id, typ, start, end), &f)
		},
	}
	addFlags(cmd,
		stringFlag{&typ, "type", "shadow, primary or secondary", true, maxWordLength},
		stringFlag{&from, "from", "the shift's first day, YYYY-MM-DD", true, maxDayLength},
		stringFlag{&to, "to", "the shift's last day, YYYY-MM-DD", true, maxDayLength})
	f.register(cmd, o)
	return cmd
}

func newAbsence(o *options) *cobra.Command {
	var f requestFlags
	var from, to, end string
	cmd := &cobra.Command{
		Use:   "absence ID --from DAY [--to DAY] | --end DAY",
		Short: "Record an absence, or the end of the one under way",
		Long: `With --from (and --to, if its end is known), add an absence to the person
file of ID; one that overlaps another of theirs, or starts while another
has no end, is refused. With --end, record the last day of the absence
that has no end yet. An absence of more than the policy's days revokes
access until a reinstatement (prodaccess reinstate).
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			switch {
			case end != "" && (from != "" || to != ""):
				return fmt.Errorf("--end ends the absence under way and is given alone; --from (and --to) record a new absence")
			case end != "":
				last, err := dayFlag("end", end)
				if err != nil {
					return err
				}
				return o.propose(requests.EndAbsence(id, last), &f)
			case from == "":
				return fmt.Errorf("give --from DAY (and --to DAY) for a new absence, or --end DAY to end the one under way")
			}
			start, err := dayFlag("from", from)
			if err != nil {
				return err
			}
			var stop *model.Day
			if to != "" {
				d, err := dayFlag("to", to)
				if err != nil {
					return err
				}
				stop = &d
			}
			return o.propose(requests.Absence(id, start, stop), &f)
		},
	}
	addFlags(cmd,
		stringFlag{&from, "from", "the first day of the absence, YYYY-MM-DD", false, maxDayLength},
		stringFlag{&to, "to", "the last day of the absence, if known, YYYY-MM-DD", false, maxDayLength},
		stringFlag{&end, "end", "the last day of the absence under way, YYYY-MM-DD", false, maxDayLength})
	f.register(cmd, o)
	return cmd
}

func newReinstate(o *options) *cobra.Command {
	var f requestFlags
	var on, approver string
	cmd := &cobra.Command{
		Use:   "reinstate ID --on DAY --approver ID",
		Short: "Reinstate access revoked by a long absence: add a reinstated entry",
		Long: `Add a reinstated entry to the person file of ID, approved by a lead
developer or the head of technology, dated on or after the end of the long
absence that revoked their access. With --pr the approver's GitHub login
is asked to review the pull request: their approving review is the
approval.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			date, err := dayFlag("on", on)
			if err != nil {
				return err
			}
			return o.propose(requests.Reinstate(id, date, approver), &f)
		},
	}
	addFlags(cmd,
		stringFlag{&on, "on", "the day access is reinstated, YYYY-MM-DD", true, maxDayLength},
		stringFlag{&approver, "approver", "the id of the lead developer or head of technology who approves it", true, model.MaxIDLength})
	f.register(cmd, o)
	return cmd
}

func newLeave(o *options) *cobra.Command {
	var f requestFlags
	var lastDay string
	cmd := &cobra.Command{
		Use:   "leave ID --last-day DAY",
		Short: "Record a person's last working day: set last_day",
		Long: `Set last_day in the person file of ID: they have no access after it. What
they approve or supervise stops counting too, and the change says so.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			d, err := dayFlag("last-day", lastDay)
			if err != nil {
				return err
			}
			return o.propose(requests.Leave(id, d), &f)
		},
	}
	addFlags(cmd, stringFlag{&lastDay, "last-day", "the last working day, YYYY-MM-DD", true, maxDayLength})
	f.register(cmd, o)
	return cmd
}

func newPerson(o *options) *cobra.Command {
	person := &cobra.Command{
		Use:   "person",
		Short: "Start a person file (person new)",
		Args:  cobra.NoArgs,
	}
	var f requestFlags
	var name, email, login, programme, role, employment, clearance, start, githubID, fingerprint, ssh, arn, keyFile string
	var noKey bool
	cmd := &cobra.Command{
		Use:   "new ID --name NAME --email EMAIL --github LOGIN --programme P --role R --employment E --clearance C [--start DAY]",
		Short: "Write a new person file",
		Long: `Write people/ID.yaml for a new person, in the shape of the example files.
A login, email, fingerprint, username or ARN that another file already
claims is refused.

--key-file gives the person's armored public key: it is checked as
validate checks keys (one v4 key, not revoked or expired, able to encrypt,
strong enough, with the fingerprint given, if one is), written beside the
person file in the keys folder (keys/ID.asc), and committed with it under
--pr; its fingerprint fills gpg_fingerprint. A fingerprint without its key
is refused, unless --no-key says the key comes later.
` + requestHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			np := requests.Person{Name: name, Email: email, GitHub: login, Programme: programme, Role: role, Employment: employment, Clearance: clearance,
				GitHubID: githubID, Fingerprint: fingerprint, SSHUsername: ssh, AWSUserARN: arn}
			if start != "" {
				d, err := dayFlag("start", start)
				if err != nil {
					return err
				}
				np.Start = &d
			}
			if githubID != "" {
				if _, err := strconv.ParseUint(githubID, 10, 63); err != nil {
					return fmt.Errorf("--github-id: %q is not a whole number", githubID)
				}
			}
			switch {
			case keyFile != "" && noKey:
				return fmt.Errorf("--no-key says the key comes later, and --key-file gives it now: give one of them")
			case keyFile != "":
				key, fp, err := o.newPersonKey(id, keyFile, fingerprint)
				if err != nil {
					return err
				}
				np.Key, np.Fingerprint = key, fp
			case fingerprint != "" && !noKey:
				return fmt.Errorf("--gpg-fingerprint without its key: give the public key with --key-file PATH, so that the fingerprint is checked against it as validate checks keys, or add --no-key if the key comes later")
			}
			return o.propose(requests.NewPerson(id, np), &f)
		},
	}
	addFlags(cmd,
		stringFlag{&name, "name", "the person's name", true, model.MaxNameLength},
		stringFlag{&email, "email", "their email address", true, model.MaxEmailLength},
		stringFlag{&login, "github", "their GitHub login", true, model.MaxLoginLength},
		stringFlag{&programme, "programme", "govuk, techops or other", true, maxWordLength},
		stringFlag{&role, "role", "developer, lead_developer, sre, head_of_technology or other", true, maxWordLength},
		stringFlag{&employment, "employment", "civil_servant or contractor", true, maxWordLength},
		stringFlag{&clearance, "clearance", "none, bpss, ctc, sc or dv", true, maxWordLength},
		stringFlag{&start, "start", "their first day, YYYY-MM-DD: no access before it", false, maxDayLength},
		stringFlag{&githubID, "github-id", "their numeric GitHub user id", false, maxGitHubIDLength},
		stringFlag{&fingerprint, "gpg-fingerprint", "the full 40-hex fingerprint of their GPG key", false, maxFingerprintLength},
		stringFlag{&ssh, "ssh-username", "their username on the servers", false, maxSSHUsernameLength},
		stringFlag{&arn, "aws-user-arn", "the ARN of their AWS IAM user", false, maxARNLength},
		stringFlag{&keyFile, "key-file", "their armored public key, checked and written to keys/ID.asc; its fingerprint fills --gpg-fingerprint", false, maxFlagLength})
	cmd.Flags().BoolVar(&noKey, "no-key", false, "with --gpg-fingerprint: the public key comes later, so the fingerprint is not checked now")
	f.register(cmd, o)
	person.AddCommand(cmd)
	return person
}

// newPersonKey reads and checks the public key of a new person, as
// validate checks keys, and returns it with its fingerprint. fingerprint,
// if given, must be the key's.
func (o *options) newPersonKey(id, file, fingerprint string) ([]byte, string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, "", fmt.Errorf("--key-file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, secrets.MaxKeyFileSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("--key-file: read %s: %w", file, err)
	}
	if len(data) > secrets.MaxKeyFileSize {
		return nil, "", fmt.Errorf("--key-file %s: the file is larger than %d KiB", file, secrets.MaxKeyFileSize>>10)
	}
	fp := secrets.Fingerprint(data)
	if fingerprint != "" {
		if fp, err = model.NormalizeFingerprint(fingerprint); err != nil {
			return nil, "", fmt.Errorf("--gpg-fingerprint: %w", err)
		}
	}
	now := o.now()
	k := secrets.CheckKey(id, file, data, fp, now)
	if !k.OK() {
		return nil, "", fmt.Errorf("--key-file %s: the key %s; nothing is written", file, strings.ReplaceAll(k.Reason(), "the person file says", "--gpg-fingerprint says"))
	}
	if k.ExpiresSoon(now) {
		fmt.Fprintf(o.stderr, "warning: the key in %s expires on %s, within %d days\n", file, k.Expires.Format("2006-01-02"), model.KeyWarningDays)
	}
	return data, fp, nil
}

// requestFlags are the flags every command that writes a person file has.
type requestFlags struct{ requests.Flags }

func (f *requestFlags) register(cmd *cobra.Command, o *options) {
	fl := cmd.Flags()
	fl.BoolVar(&f.DryRun, "dry-run", false, "check the change and print it as a diff; write nothing")
	fl.BoolVar(&f.PR, "pr", false, "commit the change on a new branch, push it to origin and open a pull request (needs GITHUB_TOKEN)")
	fl.StringVar(&f.Repo, "repo", "", "with --pr: the people repository on GitHub, as owner/name (default: the configuration's people_repo, else origin's, else GITHUB_REPOSITORY)")
	fl.StringVar(&f.Base, "base", "", "with --pr: the branch the pull request goes into (default: the configuration's people_branch)")
	fl.StringVar(&f.Branch, "branch", "", "with --pr: the new branch (default: access/<id>-<day>)")
	fl.StringSliceVar(&f.Reviewers, "reviewer", nil, "with --pr: more GitHub logins to ask for a review")
	fl.StringVar(&o.at, "at", "", "show what the change does to access on this day, YYYY-MM-DD (default: the days it takes effect)")
	o.timeoutFlag(cmd)
	for name, max := range map[string]int{"repo": maxOwnerNameLength, "base": config.MaxBranchLength, "branch": config.MaxBranchLength,
		"reviewer": model.MaxLoginLength, "at": maxDayLength} {
		limitFlag(cmd, name, max)
	}
}

// propose carries out a request with what the command line and the
// environment give it.
func (o *options) propose(req *requests.Request, f *requestFlags) error {
	f.At = o.at
	return requests.Propose(o.requestEnv(), req, &f.Flags)
}

// programName is how to run prodaccess again from here: the path it was
// run by when that is relative (bin/prodaccess), else its name, as found
// on PATH.
func programName() string {
	p := filepath.ToSlash(os.Args[0])
	if strings.Contains(p, "/") && !filepath.IsAbs(os.Args[0]) {
		return p
	}
	return "prodaccess"
}

// requestEnv is what the commands that write person files need from the
// command line and the environment.
func (o *options) requestEnv() *requests.Env {
	return &requests.Env{
		Stdout: o.stdout, Stderr: o.stderr, Getenv: o.getenv, Now: o.now,
		ConfigPath: o.configPath, Anchor: o.anchor(),
		Command: append([]string{programName()}, o.args...),
		Roster:  o.roster,
		RosterAt: func(repo *peoplerepo.Repo, rev string) (*config.Config, *model.Roster, error) {
			side, err := o.sideAt(repo, rev)
			if err != nil {
				return nil, nil, err
			}
			return side.Config, side.roster, nil
		},
		PeopleFolder: o.peopleFolder,
		KeysFolder:   o.keysFolder,
		WarnInvalid:  o.warnInvalid,
		Context:      o.runContext,
		GitHubRepo:   o.peopleGitHubRepo,
		PullRequests: func(cfg *config.Config) (requests.PullRequests, error) {
			client, err := o.githubClient(cfg)
			if err != nil {
				return nil, err
			}
			return github.NewPullRequests(client), nil
		},
	}
}
