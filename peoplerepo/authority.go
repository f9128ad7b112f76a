package peoplerepo

import (
	"fmt"
	"io"
	"maps"
	"path"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
)

// approverRoles are the words a person file that gives an approving role
// holds; a file without either cannot make its person an approver, and is
// not read for the authority.
var approverRoles = [][]byte{[]byte(model.LeadDeveloper), []byte(model.HeadOfTechnology)}

// Authority walks the first-parent line of tip once and returns it (oldest
// first) and each commit that may change the authority: the commit that
// adopted prodaccess (the first to hold the configuration file; the first
// commit when the tip has none), whose files are taken at their word since
// nothing before it governed access, and every later one that changes the
// policy or someone's standing as an approver, with the commit that wrote each entry of the authority in its
// current form. Only person files that name an approving role, or belonged
// to an approver, are parsed. A configuration that does not parse at a
// commit leaves the policy as it was; a person file that does not parse
// takes its person's approving standing away.
//
// What it returns is kept for the run, so that a command may read it early,
// beside other work, and its evidence read take it again without reading
// the history twice; callers share the slices and must not change them.
func (r *Repo) Authority(tip, peopleDir, label, configPath string) ([]string, []reconciler.AuthorityStep, error) {
	key := authorityKey{tip, peopleDir, label, configPath}
	r.mu.Lock()
	a, ok := r.authorities[key]
	r.mu.Unlock()
	if ok {
		return a.line, a.steps, nil
	}
	line, steps, err := r.authority(tip, peopleDir, label, configPath)
	if err != nil {
		return nil, nil, err // not kept: a later call reads again
	}
	r.mu.Lock()
	if r.authorities == nil {
		r.authorities = map[authorityKey]authorityRead{}
	}
	r.authorities[key] = authorityRead{line, steps}
	r.mu.Unlock()
	return line, steps, nil
}

// authorityKey is what Authority is asked; authorityRead what it answered.
type authorityKey struct{ tip, peopleDir, label, configPath string }

type authorityRead struct {
	line  []string
	steps []reconciler.AuthorityStep
}

// authority is Authority, not kept.
func (r *Repo) authority(tip, peopleDir, label, configPath string) ([]string, []reconciler.AuthorityStep, error) {
	walked, err := r.walk(plumbing.NewHash(tip), peopleDir, configPath)
	if err != nil {
		return nil, nil, err
	}
	shas := make([]string, len(walked.steps))
	for i := range walked.steps {
		shas[i] = walked.steps[i].Commit.Hash.String()
	}
	w := &walker{s: r.repo.Storer}
	tipConfig, err := w.find(walked.steps[len(walked.steps)-1].Commit.Tree, configPath, false)
	if err != nil {
		return nil, nil, r.historyError(err)
	}
	adopted := tipConfig.IsZero() // else: from the first commit with the configuration
	var steps []reconciler.AuthorityStep
	policy := model.DefaultPolicy()
	policyIntro := ""
	approvers := map[string]*model.Person{} // by file name
	intro := map[string]string{}            // by entry key
	namesRole, err := r.namesRole(walked.steps)
	if err != nil {
		return nil, nil, r.historyError(fmt.Errorf("read the history of %s and %s: %w", label, path.Base(configPath), err))
	}
	visit := func(st *Step) error {
		sha := st.Commit.Hash.String()
		changed := false
		if !adopted && !st.Config.IsZero() {
			adopted = true
		}
		if st.ConfigChanged {
			next := model.DefaultPolicy()
			if !st.Config.IsZero() {
				data, err := r.blob(st.Config, 1<<20)
				if err != nil {
					return err
				}
				if c, err := config.ParseConfig(configPath, data); err == nil {
					next = c.Policy
				} else {
					next = policy
				}
			}
			if e := evidence.PolicyEntryOf(next); e.Key() != evidence.PolicyEntryOf(policy).Key() || policyIntro == "" {
				policy, policyIntro, changed = next, sha, true
			}
		}
		for _, f := range filesOf(st.Entries) {
			_, was := approvers[f.Name]
			if f.New.IsZero() {
				if was {
					delete(approvers, f.Name)
					changed = true
				}
				continue
			}
			if !was && !namesRole[f.New] {
				continue
			}
			p, err := r.approverFile(label, f)
			if err != nil {
				return err
			}
			var old model.EntryRef
			if was {
				old, _ = evidence.ApproverEntryOf(approvers[f.Name])
			}
			e, ok := model.EntryRef{}, false
			if p != nil {
				e, ok = evidence.ApproverEntryOf(p)
			}
			switch {
			case ok:
				approvers[f.Name] = p
				if !was || e.Key() != old.Key() {
					intro[e.Key()] = sha
					changed = true
				}
			case was:
				delete(approvers, f.Name)
				changed = true
			}
		}
		if !adopted || !changed && len(steps) > 0 {
			return nil
		}
		s := reconciler.AuthorityStep{Commit: sha, Policy: policy, Intro: map[string]string{evidence.PolicyEntryOf(policy).Key(): policyIntro}}
		for _, name := range sortedKeys(approvers) {
			p := approvers[name]
			s.People = append(s.People, p)
			e, _ := evidence.ApproverEntryOf(p)
			s.Intro[e.Key()] = intro[e.Key()]
		}
		steps = append(steps, s)
		return nil
	}
	for i := range walked.steps {
		if err := visit(&walked.steps[i]); err != nil {
			return nil, nil, r.historyError(fmt.Errorf("read the history of %s and %s: %w", label, path.Base(configPath), err))
		}
	}
	return shas, steps, nil
}

// namesRole tells, of each person file the steps wrote, whether it names
// an approving role. It reads the files a name at a time, the newest
// first: git stores a file's older versions as deltas of its newer ones,
// so each is made from one just read, which the object cache still holds
// however many files there are (read in the order the commits wrote them,
// each would be made again from the start of its chain).
func (r *Repo) namesRole(steps []Step) (map[plumbing.Hash]bool, error) {
	byName := map[string][]plumbing.Hash{}
	for i := range steps {
		for _, f := range filesOf(steps[i].Entries) {
			if !f.New.IsZero() {
				byName[f.Name] = append(byName[f.Name], f.New)
			}
		}
	}
	r.mu.Lock()
	out := maps.Clone(r.roles) // the blobs People read
	r.mu.Unlock()
	if out == nil {
		out = map[plumbing.Hash]bool{}
	}
	for _, name := range sortedKeys(byName) {
		blobs := byName[name]
		for i := len(blobs) - 1; i >= 0; i-- {
			if _, ok := out[blobs[i]]; ok {
				continue
			}
			data, err := r.blob(blobs[i], personfile.MaxPersonFileSize+1)
			if err != nil {
				return nil, err
			}
			out[blobs[i]] = namesApprovingRole(data)
		}
	}
	return out, nil
}

// approverFile is the person a file written by a step makes, parsed as
// the authority reads it (nil when its name is not a person file's): as
// People parsed it, when People read the same blob for the same file.
func (r *Repo) approverFile(label string, f FileChange) (*model.Person, error) {
	entry, read := personfile.PersonEntry(label, f.Name, 0)
	if p := r.parsedAt(label, f.Name, f.New); p != nil && entry != nil && read {
		return p, nil
	}
	data, err := r.blob(f.New, personfile.MaxPersonFileSize+1)
	if err != nil {
		return nil, err
	}
	if entry == nil || !read {
		return nil, nil
	}
	return personfile.ParsePerson(entry, data), nil
}

// blob reads at most limit bytes of a blob.
func (r *Repo) blob(h plumbing.Hash, limit int64) ([]byte, error) {
	b, err := r.repo.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, limit))
}
