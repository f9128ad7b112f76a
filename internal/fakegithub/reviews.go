package fakegithub

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What GitHub knows of how a change reached a branch: the pull request's
// commits, its reviews and who merged it, how it was merged, the files of
// the repository at any commit, and the rules that protect the branch.
// Tests make the commits in a real git repository, then tell the stand-in
// what GitHub would know of them.

// Review is a review of a pull request.
type Review struct {
	ID   int64
	User *User
	// State is APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or
	// PENDING; a PENDING review is listed only to its author, when the
	// token is theirs (Server.Viewer).
	State       string
	CommitID    string // the head commit the review was made on
	SubmittedAt time.Time
	Body        string
}

// PullCommit is one commit of a pull request.
type PullCommit struct {
	SHA string
	// Author and Committer are the GitHub accounts GitHub links the
	// commit's author and committer emails to; nil when it knows none.
	// Those emails are whatever the pusher typed: neither account proves
	// who made the commit.
	Author, Committer *User
	// SignedBy is the account one of whose registered keys made a valid
	// signature of the commit; nil when the commit is unsigned. As on
	// GitHub, the commit is verified only when that account is the
	// committer's: a valid signature by another account's key is
	// "bad_email" (the committer's email is not among the key's
	// identities), and one with no committer account is "no_user".
	SignedBy *User
	// UnknownKey marks a commit signed by a key that no account has
	// registered ("unknown_key"); SignedBy is then nil.
	UnknownKey bool
}

// verification is what GitHub concluded of the commit's signature: its
// commit.verification. The signature and payload stand in for the ones
// GitHub extracts from the commit object; the signature is not one that
// a client could verify, as GitHub's conclusion is the test's (SignedBy).
func (c PullCommit) verification(payload string) map[string]any {
	v := map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil}
	if c.SignedBy == nil && !c.UnknownKey {
		return v
	}
	signer := "unknown key"
	if c.SignedBy != nil {
		signer = c.SignedBy.Login
	}
	sum := sha256.Sum256([]byte(signer + "\n" + payload))
	v["signature"] = "-----BEGIN PGP SIGNATURE-----\n\n" + base64.StdEncoding.EncodeToString(sum[:]) + "\n-----END PGP SIGNATURE-----\n"
	v["payload"] = payload
	switch {
	case c.UnknownKey:
		v["reason"] = "unknown_key"
	case c.Committer == nil:
		v["reason"] = "no_user"
	case c.SignedBy.ID != c.Committer.ID:
		v["reason"] = "bad_email"
	default:
		v["verified"], v["reason"], v["verified_at"] = true, "valid", timestamp(since)
	}
	return v
}

// RuleInForce is one rule in force on a branch, from a ruleset.
type RuleInForce struct {
	Type       string         // such as pull_request
	RulesetID  int64          // the ruleset it comes from
	Parameters map[string]any // as GitHub gives them
}

// Ruleset is a ruleset of a repository.
type Ruleset struct {
	ID   int64
	Name string
	// BypassActors may bypass it; they are served only to a token with
	// write access to the ruleset (Server.RulesetWriter).
	BypassActors []BypassActor
}

// BypassActor may bypass a ruleset.
type BypassActor struct {
	ActorID    int64
	ActorType  string // RepositoryRole, Team, Integration, OrganizationAdmin
	BypassMode string // always or pull_request
}

// ClassicProtection is a branch's classic protection, as far as reviews go.
type ClassicProtection struct {
	PullRequests                 bool // required_pull_request_reviews is set
	RequiredApprovingReviewCount int
	RequireCodeOwnerReviews      bool
	RequireLastPushApproval      bool
	DismissStaleReviews          bool
	EnforceAdmins                bool
	BypassUsers                  []string // logins
}

// SetRepoDir tells the stand-in where the git repository of repo
// (owner/name) is, so that it can serve its files at any commit.
func (s *Server) SetRepoDir(repo, dir string) {
	s.Lock()
	defer s.Unlock()
	if s.RepoDirs == nil {
		s.RepoDirs = map[string]string{}
	}
	s.RepoDirs[repo] = dir
}

// AddPull records a pull request of repo, as a test made it.
func (s *Server) AddPull(repo string, pr *PullRequest) *PullRequest {
	s.Lock()
	defer s.Unlock()
	s.nextID++
	pr.ID = s.nextID
	pr.Number = s.nextNumber(repo)
	if pr.State == "" {
		pr.State = "open"
		if !pr.MergedAt.IsZero() {
			pr.State = "closed"
		}
	}
	if pr.CreatedAt.IsZero() {
		pr.CreatedAt = time.Now()
	}
	if pr.UpdatedAt.IsZero() {
		pr.UpdatedAt = pr.CreatedAt
	}
	if !pr.MergedAt.IsZero() && pr.Closed.IsZero() {
		pr.Closed = pr.MergedAt
	}
	s.Pulls[repo] = append(s.Pulls[repo], pr)
	return pr
}

// AddReview records a review of a pull request and returns it.
func (s *Server) AddReview(repo string, number int, r Review) *Review {
	s.Lock()
	defer s.Unlock()
	pr := s.pull(repo, number)
	s.nextID++
	r.ID = s.nextID
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = time.Now()
	}
	pr.Reviews = append(pr.Reviews, &r)
	return &r
}

// Dismiss marks a review dismissed, as dismissing it on GitHub does.
func (s *Server) Dismiss(repo string, number int, id int64) {
	s.Lock()
	defer s.Unlock()
	for _, r := range s.pull(repo, number).Reviews {
		if r.ID == id {
			r.State = "DISMISSED"
		}
	}
}

// SetRules sets the rules in force on a branch of repo, and its rulesets.
func (s *Server) SetRules(repo, branch string, rules []RuleInForce, rulesets ...Ruleset) {
	s.Lock()
	defer s.Unlock()
	if s.Rules == nil {
		s.Rules, s.Rulesets = map[string][]RuleInForce{}, map[string]Ruleset{}
	}
	s.Rules[repo+"@"+branch] = rules
	for _, rs := range rulesets {
		s.Rulesets[repo+"#"+strconv.FormatInt(rs.ID, 10)] = rs
	}
}

// SetProtection sets the classic protection of a branch of repo; nil
// removes it.
func (s *Server) SetProtection(repo, branch string, p *ClassicProtection) {
	s.Lock()
	defer s.Unlock()
	if s.Protections == nil {
		s.Protections = map[string]*ClassicProtection{}
	}
	if p == nil {
		delete(s.Protections, repo+"@"+branch)
		return
	}
	s.Protections[repo+"@"+branch] = p
}

// pull returns a pull request of repo, or nil.
func (s *Server) pull(repo string, number int) *PullRequest {
	for _, p := range s.Pulls[repo] {
		if p.Number == number {
			return p
		}
	}
	return nil
}

// headSHA is the commit at the head of a pull request.
func (pr *PullRequest) headSHA(repo string) string {
	if len(pr.Commits) > 0 {
		return pr.Commits[len(pr.Commits)-1].SHA
	}
	return fakeSHA(repo + ":" + pr.Head)
}

// contains reports whether the commit is one GitHub associates with the
// pull request: one of its commits, its merge commit, or a commit it put
// on the base branch (rebased).
func (pr *PullRequest) contains(sha string) bool {
	if sha == pr.MergeCommitSHA || slices.Contains(pr.BranchCommits, sha) {
		return true
	}
	return slices.ContainsFunc(pr.Commits, func(c PullCommit) bool { return c.SHA == sha })
}

// pullMore answers the requests about one pull request other than GET and
// PATCH of it.
func (s *Server) pullMore(w http.ResponseWriter, r *http.Request, repo string, pr *PullRequest, what string) {
	switch {
	case what == "reviews" && r.Method == http.MethodGet:
		// A pending review is not submitted: GitHub lists it to its
		// author only.
		var listed []*Review
		for _, rv := range pr.Reviews {
			if rv.State != "PENDING" || rv.User != nil && strings.EqualFold(rv.User.Login, s.viewer().Login) {
				listed = append(listed, rv)
			}
		}
		s.page(w, r, len(listed), func(i int) any { return s.reviewJSON(repo, pr, listed[i]) })
	case what == "commits" && r.Method == http.MethodGet:
		s.page(w, r, len(pr.Commits), func(i int) any { return s.commitJSON(repo, pr.Commits[i]) })
	case what == "requested_reviewers" && r.Method == http.MethodPost:
		var body struct {
			Reviewers     []string `json:"reviewers"`
			TeamReviewers []string `json:"team_reviewers"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "PullRequest", Field: "reviewers", Code: "invalid"})
			return
		}
		author := s.authorOf(pr.Author)
		for _, login := range body.Reviewers {
			u := s.Users[strings.ToLower(login)]
			switch {
			case u == nil:
				s.fail(w, http.StatusUnprocessableEntity, "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the "+repo+" repository.")
				return
			case strings.EqualFold(u.Login, author.Login):
				s.fail(w, http.StatusUnprocessableEntity, "Review cannot be requested from pull request author.")
				return
			}
		}
		for _, slug := range body.TeamReviewers {
			if s.Teams[slug] == nil {
				s.fail(w, http.StatusUnprocessableEntity, "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the "+repo+" repository.")
				return
			}
		}
		for _, login := range body.Reviewers {
			u := s.Users[strings.ToLower(login)]
			if !slices.ContainsFunc(pr.RequestedReviewers, func(l string) bool { return strings.EqualFold(l, u.Login) }) {
				pr.RequestedReviewers = append(pr.RequestedReviewers, u.Login)
			}
		}
		for _, slug := range body.TeamReviewers {
			if !slices.Contains(pr.RequestedTeams, slug) {
				pr.RequestedTeams = append(pr.RequestedTeams, slug)
			}
		}
		pr.UpdatedAt = time.Now()
		s.reply(w, r, http.StatusCreated, s.pullJSON(repo, pr, false))
	default:
		s.notFound(w)
	}
}

// pullsOfCommit answers GET /repos/{owner}/{repo}/commits/{sha}/pulls:
// the pull requests GitHub associates with the commit.
func (s *Server) pullsOfCommit(w http.ResponseWriter, r *http.Request, repo, sha string) {
	var out []any
	for _, pr := range s.Pulls[repo] {
		if pr.contains(sha) {
			out = append(out, s.pullJSON(repo, pr, false))
		}
	}
	s.page(w, r, len(out), func(i int) any { return out[i] })
}

// contents answers GET /repos/{owner}/{repo}/contents/{path}?ref=: a file
// of the repository at a commit, read from its git repository.
func (s *Server) contents(w http.ResponseWriter, r *http.Request, repo, file string) {
	dir := s.RepoDirs[repo]
	ref := r.URL.Query().Get("ref")
	if dir == "" || ref == "" {
		s.notFound(w)
		return
	}
	data, err := exec.Command("git", "-C", dir, "show", ref+":"+file).Output()
	if err != nil {
		s.notFound(w)
		return
	}
	blob, _ := exec.Command("git", "-C", dir, "rev-parse", ref+":"+file).Output()
	sha := strings.TrimSpace(string(blob))
	self := s.api("/repos/" + repo + "/contents/" + file + "?ref=" + ref)
	git := s.api("/repos/" + repo + "/git/blobs/" + sha)
	html := WebURL + "/" + repo + "/blob/" + ref + "/" + file
	name := file[strings.LastIndex(file, "/")+1:]
	s.reply(w, r, http.StatusOK, map[string]any{
		"type": "file", "encoding": "base64", "size": len(data), "name": name, "path": file,
		"content": base64.StdEncoding.EncodeToString(data), "sha": sha, "url": self, "git_url": git, "html_url": html,
		"download_url": "https://raw.github.example/" + repo + "/" + ref + "/" + file,
		"_links":       map[string]any{"self": self, "git": git, "html": html},
	})
}

// rulesForBranch answers GET /repos/{owner}/{repo}/rules/branches/{branch}.
func (s *Server) rulesForBranch(w http.ResponseWriter, r *http.Request, repo, branch string) {
	rules := s.Rules[repo+"@"+branch]
	owner, _, _ := strings.Cut(repo, "/")
	s.page(w, r, len(rules), func(i int) any {
		rule := rules[i]
		m := map[string]any{"type": rule.Type, "ruleset_id": rule.RulesetID, "ruleset_source_type": "Repository", "ruleset_source": repo}
		if owner == s.Org && rule.RulesetID < 0 {
			m["ruleset_source_type"], m["ruleset_source"] = "Organization", s.Org
		}
		if rule.Parameters != nil {
			m["parameters"] = rule.Parameters
		}
		return m
	})
}

// ruleset answers GET /repos/{owner}/{repo}/rulesets/{ruleset_id}.
func (s *Server) ruleset(w http.ResponseWriter, r *http.Request, repo, id string) {
	rs, ok := s.Rulesets[repo+"#"+id]
	if !ok {
		s.notFound(w)
		return
	}
	self := s.api("/repos/" + repo + "/rulesets/" + id)
	var rules []any
	for _, rule := range s.Rules {
		for _, ri := range rule {
			if ri.RulesetID == rs.ID {
				m := map[string]any{"type": ri.Type}
				if ri.Parameters != nil {
					m["parameters"] = ri.Parameters
				}
				rules = append(rules, m)
			}
		}
	}
	if rules == nil {
		rules = []any{}
	}
	m := map[string]any{
		"id": rs.ID, "name": rs.Name, "target": "branch", "source_type": "Repository", "source": repo, "enforcement": "active",
		"node_id": nodeID("RepositoryRuleset", rs.ID), "rules": rules,
		"conditions": map[string]any{"ref_name": map[string]any{"include": []string{"~DEFAULT_BRANCH"}, "exclude": []string{}}},
		"_links":     map[string]any{"self": map[string]any{"href": self}, "html": map[string]any{"href": WebURL + "/" + repo + "/rules/" + id}},
		"created_at": timestamp(since), "updated_at": timestamp(since),
	}
	// Only a token with write access to the ruleset sees who may bypass it.
	if s.RulesetWriter {
		actors := []any{}
		for _, a := range rs.BypassActors {
			actors = append(actors, map[string]any{"actor_id": a.ActorID, "actor_type": a.ActorType, "bypass_mode": a.BypassMode})
		}
		m["bypass_actors"] = actors
	}
	s.reply(w, r, http.StatusOK, m)
}

// protection answers GET /repos/{owner}/{repo}/branches/{branch}/protection.
func (s *Server) protection(w http.ResponseWriter, r *http.Request, repo, branch string) {
	p := s.Protections[repo+"@"+branch]
	if p == nil {
		s.fail(w, http.StatusNotFound, "Branch not protected")
		return
	}
	u := s.api("/repos/" + repo + "/branches/" + branch + "/protection")
	m := map[string]any{
		"url":            u,
		"enforce_admins": map[string]any{"url": u + "/enforce_admins", "enabled": p.EnforceAdmins},
	}
	if p.PullRequests {
		users := []any{}
		for _, login := range p.BypassUsers {
			if us := s.Users[strings.ToLower(login)]; us != nil {
				users = append(users, s.userJSON(us))
			}
		}
		m["required_pull_request_reviews"] = map[string]any{
			"url":                             u + "/required_pull_request_reviews",
			"dismiss_stale_reviews":           p.DismissStaleReviews,
			"require_code_owner_reviews":      p.RequireCodeOwnerReviews,
			"required_approving_review_count": p.RequiredApprovingReviewCount,
			"require_last_push_approval":      p.RequireLastPushApproval,
			"bypass_pull_request_allowances":  map[string]any{"users": users, "teams": []any{}, "apps": []any{}},
		}
	}
	s.reply(w, r, http.StatusOK, m)
}

// reviewJSON is a pull-request-review.
func (s *Server) reviewJSON(repo string, pr *PullRequest, rv *Review) map[string]any {
	html := fmt.Sprintf("%s/%s/pull/%d#pullrequestreview-%d", WebURL, repo, pr.Number, rv.ID)
	pull := s.api(fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number))
	m := map[string]any{
		"id": rv.ID, "node_id": nodeID("PullRequestReview", rv.ID), "user": s.userJSON(rv.User), "body": rv.Body, "state": rv.State,
		"html_url": html, "pull_request_url": pull, "commit_id": rv.CommitID, "author_association": "MEMBER",
		"_links": map[string]any{"html": map[string]any{"href": html}, "pull_request": map[string]any{"href": pull}},
	}
	if rv.State != "PENDING" {
		m["submitted_at"] = timestamp(rv.SubmittedAt)
	}
	return m
}

// commitJSON is a commit of a pull request, as GitHub lists them: the
// accounts of its author and committer, or null, and what GitHub
// concluded of its signature.
func (s *Server) commitJSON(repo string, c PullCommit) map[string]any {
	u := s.api("/repos/" + repo + "/commits/" + c.SHA)
	account := func(a *User) any {
		if a == nil {
			return nil
		}
		return s.userJSON(a)
	}
	// The name and email in the commit; GitHub links an account to the
	// email.
	person := func(a *User) map[string]any {
		if a == nil {
			return map[string]any{"name": "Someone", "email": "someone@example.gov.uk", "date": timestamp(since)}
		}
		return map[string]any{"name": a.Login, "email": a.Login + "@example.gov.uk", "date": timestamp(since)}
	}
	author, committer := person(c.Author), person(c.Committer)
	tree := fakeSHA(c.SHA + "^{tree}")
	const message = "A change"
	line := func(p map[string]any) string {
		return fmt.Sprintf("%s <%s> %d +0000", p["name"], p["email"], since.Unix())
	}
	payload := "tree " + tree + "\nauthor " + line(author) + "\ncommitter " + line(committer) + "\n\n" + message + "\n"
	return map[string]any{
		"url": u, "sha": c.SHA, "node_id": nodeID("Commit", int64(len(c.SHA))), "html_url": WebURL + "/" + repo + "/commit/" + c.SHA,
		"comments_url": u + "/comments", "author": account(c.Author), "committer": account(c.Committer), "parents": []any{},
		"commit": map[string]any{
			"author": author, "committer": committer, "message": message, "comment_count": 0, "url": s.api("/repos/" + repo + "/git/commits/" + c.SHA),
			"tree":         map[string]any{"sha": tree, "url": s.api("/repos/" + repo + "/git/trees/" + tree)},
			"verification": c.verification(payload),
		},
	}
}
