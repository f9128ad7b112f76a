package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The JSON the stand-in answers with, in the shapes of GitHub's REST
// description: every property it requires, with null where GitHub has
// nothing to say and [] for an empty list. What the stand-in does not
// model (counts of comments, commits and lines, licences, labels) is zero,
// empty or null.

// WebURL is the web host of the stand-in's html_url links.
const WebURL = "https://github.example"

// since is when the stand-in's accounts and repositories were made.
var since = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// appBot is the account the token belongs to unless a test says
// otherwise (Server.Viewer): the GitHub App prodaccess runs as.
var appBot = &User{Login: "prodaccess[bot]", ID: 41898282}

// viewer is the account the token belongs to.
func (s *Server) viewer() *User {
	if s.Viewer != nil {
		return s.Viewer
	}
	return appBot
}

// authorOf is the account that made something the test recorded with
// author (nil: the account the token belongs to).
func (s *Server) authorOf(author *User) *User {
	if author != nil {
		return author
	}
	return s.viewer()
}

// user finds an account by login, the token's own included.
func (s *Server) user(login string) *User {
	if u := s.Users[strings.ToLower(login)]; u != nil {
		return u
	}
	if v := s.viewer(); strings.EqualFold(v.Login, login) {
		return v
	}
	return nil
}

// isBot reports whether an account is a GitHub App's, as its login says.
func isBot(u *User) bool { return strings.HasSuffix(u.Login, "[bot]") }

// api is the API URL of path.
func (s *Server) api(path string) string { return s.srv.URL + Prefix + path }

// nodeID makes a global node id as GitHub's first scheme did: base64 of
// "0", the length of the type's name, ":", the name and the database id.
func nodeID(typ string, id int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "0%d:%s%d", len(typ), typ, id))
}

func timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// account is a simple-user: a user, a bot or an organisation. (A struct,
// not a map, as lists of them are long: it marshals faster.)
type account struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	UserViewType      string `json:"user_view_type"`
	SiteAdmin         bool   `json:"site_admin"`
}

func (s *Server) account(login string, id int64, typ string) *account {
	u := s.api("/users/" + login)
	return &account{
		Login:             login,
		ID:                id,
		NodeID:            nodeID(typ, id),
		AvatarURL:         "https://avatars.github.example/u/" + strconv.FormatInt(id, 10) + "?v=4",
		URL:               u,
		HTMLURL:           WebURL + "/" + login,
		FollowersURL:      u + "/followers",
		FollowingURL:      u + "/following{/other_user}",
		GistsURL:          u + "/gists{/gist_id}",
		StarredURL:        u + "/starred{/owner}{/repo}",
		SubscriptionsURL:  u + "/subscriptions",
		OrganizationsURL:  u + "/orgs",
		ReposURL:          u + "/repos",
		EventsURL:         u + "/events{/privacy}",
		ReceivedEventsURL: u + "/received_events",
		Type:              typ,
		UserViewType:      "public",
	}
}

func (s *Server) userJSON(u *User) *account { return s.account(u.Login, u.ID, userType(u)) }

// userType is a user's account type: Bot or User.
func userType(u *User) string {
	if isBot(u) {
		return "Bot"
	}
	return "User"
}

// orgID is the organisation's id; an account and a team never share one.
const orgID = 900

func (s *Server) orgJSON(login string) *account {
	return s.account(login, orgID, "Organization")
}

// publicUser is a user as GET /users/{username} gives them to anyone but
// themselves.
type publicUser struct {
	*account
	Name            *string `json:"name"`
	Company         *string `json:"company"`
	Blog            string  `json:"blog"`
	Location        *string `json:"location"`
	Email           *string `json:"email"`
	Hireable        *bool   `json:"hireable"`
	Bio             *string `json:"bio"`
	TwitterUsername *string `json:"twitter_username"`
	PublicRepos     int     `json:"public_repos"`
	PublicGists     int     `json:"public_gists"`
	Followers       int     `json:"followers"`
	Following       int     `json:"following"`
	CreatedAt       any     `json:"created_at"`
	UpdatedAt       any     `json:"updated_at"`
}

func (s *Server) publicUserJSON(u *User) *publicUser {
	p := &publicUser{account: s.userJSON(u), CreatedAt: timestamp(since), UpdatedAt: timestamp(since)}
	if u.Name != "" {
		p.Name = &u.Name
	}
	if u.Email != "" {
		p.Email = &u.Email
	}
	return p
}

func (s *Server) teamURL(t *Team) string {
	return s.api(fmt.Sprintf("/organizations/%d/team/%d", orgID, t.ID))
}

// teamSimple is a team without its parent.
func (s *Server) teamSimple(t *Team) map[string]any {
	u := s.teamURL(t)
	return map[string]any{
		"id":                   t.ID,
		"node_id":              nodeID("Team", t.ID),
		"url":                  u,
		"html_url":             WebURL + "/orgs/" + s.Org + "/teams/" + t.Slug,
		"name":                 t.Slug,
		"slug":                 t.Slug,
		"description":          nil,
		"privacy":              "closed",
		"notification_setting": "notifications_enabled",
		"permission":           "pull",
		"members_url":          u + "/members{/member}",
		"repositories_url":     u + "/repos",
		"type":                 "organization",
		"organization_id":      orgID,
	}
}

func (s *Server) teamJSON(t *Team) map[string]any {
	m := s.teamSimple(t)
	m["parent"] = nil
	if p := s.Teams[t.Parent]; p != nil {
		m["parent"] = s.teamSimple(p)
	}
	return m
}

func (s *Server) membershipJSON(t *Team, u *User, role, state string) map[string]any {
	return map[string]any{
		"url":   s.teamURL(t) + "/memberships/" + u.Login,
		"role":  role,
		"state": state,
	}
}

func (s *Server) invitationJSON(inv *Invitation) map[string]any {
	return map[string]any{
		"id":                   inv.ID,
		"node_id":              nodeID("OrganizationInvitation", inv.ID),
		"login":                inv.Login,
		"email":                nil,
		"role":                 "direct_member",
		"created_at":           timestamp(inv.CreatedAt),
		"failed_at":            nil,
		"failed_reason":        nil,
		"inviter":              s.userJSON(s.viewer()),
		"team_count":           len(inv.Teams),
		"invitation_teams_url": s.api(fmt.Sprintf("/organizations/%d/invitations/%d/teams", orgID, inv.ID)),
		"invitation_source":    "member",
	}
}

// repoID gives each repository the stand-in has seen an id.
func (s *Server) repoID(repo string) int64 {
	if s.repoIDs == nil {
		s.repoIDs = map[string]int64{}
	}
	if id, ok := s.repoIDs[repo]; ok {
		return id
	}
	s.nextID++
	s.repoIDs[repo] = s.nextID
	return s.nextID
}

// repositoryJSON is a repository of the organisation, private, with main
// as its default branch.
func (s *Server) repositoryJSON(repo string) map[string]any {
	owner, name, _ := strings.Cut(repo, "/")
	id := s.repoID(repo)
	u := s.api("/repos/" + repo)
	m := map[string]any{
		"id":                id,
		"node_id":           nodeID("Repository", id),
		"name":              name,
		"full_name":         repo,
		"owner":             s.orgJSON(owner),
		"private":           true,
		"visibility":        "private",
		"html_url":          WebURL + "/" + repo,
		"description":       nil,
		"fork":              false,
		"url":               u,
		"git_url":           "git://github.example/" + repo + ".git",
		"ssh_url":           "git@github.example:" + repo + ".git",
		"clone_url":         WebURL + "/" + repo + ".git",
		"svn_url":           WebURL + "/" + repo,
		"mirror_url":        nil,
		"homepage":          nil,
		"language":          nil,
		"license":           nil,
		"default_branch":    "main",
		"size":              0,
		"forks":             0,
		"forks_count":       0,
		"open_issues":       0,
		"open_issues_count": 0,
		"stargazers_count":  0,
		"watchers":          0,
		"watchers_count":    0,
		"has_issues":        true,
		"has_projects":      false,
		"has_wiki":          false,
		"has_pages":         false,
		"has_downloads":     false,
		"archived":          false,
		"disabled":          false,
		"pushed_at":         timestamp(since),
		"created_at":        timestamp(since),
		"updated_at":        timestamp(since),
	}
	for _, k := range []string{"forks", "hooks", "events", "tags", "teams", "languages", "stargazers", "contributors", "subscribers", "subscription", "merges", "downloads", "deployments"} {
		m[k+"_url"] = u + "/" + k
	}
	for k, tail := range map[string]string{
		"archive": "/{archive_format}{/ref}", "assignees": "/assignees{/user}", "blobs": "/git/blobs{/sha}",
		"branches": "/branches{/branch}", "collaborators": "/collaborators{/collaborator}", "comments": "/comments{/number}",
		"commits": "/commits{/sha}", "compare": "/compare/{base}...{head}", "contents": "/contents/{+path}",
		"git_commits": "/git/commits{/sha}", "git_refs": "/git/refs{/sha}", "git_tags": "/git/tags{/sha}",
		"issue_comment": "/issues/comments{/number}", "issue_events": "/issues/events{/number}", "issues": "/issues{/number}",
		"keys": "/keys{/key_id}", "labels": "/labels{/name}", "milestones": "/milestones{/number}",
		"notifications": "/notifications{?since,all,participating}", "pulls": "/pulls{/number}", "releases": "/releases{/id}",
		"statuses": "/statuses/{sha}", "trees": "/git/trees{/sha}",
	} {
		m[k+"_url"] = u + tail
	}
	return m
}

// pullJSON is a pull request: full (as GET, POST and PATCH of one give
// it) or simple (as the list gives it).
func (s *Server) pullJSON(repo string, pr *PullRequest, full bool) map[string]any {
	owner, _, _ := strings.Cut(repo, "/")
	u := s.api(fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number))
	issue := s.api(fmt.Sprintf("/repos/%s/issues/%d", repo, pr.Number))
	html := fmt.Sprintf("%s/%s/pull/%d", WebURL, repo, pr.Number)
	head, base := s.branchJSON(repo, owner, pr.Head), s.branchJSON(repo, owner, pr.Base)
	head["sha"] = pr.headSHA(repo)
	statuses := s.api("/repos/" + repo + "/statuses/" + head["sha"].(string))
	link := func(href string) map[string]any { return map[string]any{"href": href} }
	m := map[string]any{
		"url":                 u,
		"id":                  pr.ID,
		"node_id":             nodeID("PullRequest", pr.ID),
		"html_url":            html,
		"diff_url":            html + ".diff",
		"patch_url":           html + ".patch",
		"issue_url":           issue,
		"commits_url":         u + "/commits",
		"review_comments_url": u + "/comments",
		"review_comment_url":  s.api("/repos/" + repo + "/pulls/comments{/number}"),
		"comments_url":        issue + "/comments",
		"statuses_url":        statuses,
		"number":              pr.Number,
		"state":               pr.State,
		"locked":              false,
		"title":               pr.Title,
		"user":                s.userJSON(s.authorOf(pr.Author)),
		"body":                pr.Body,
		"labels":              []any{},
		"milestone":           nil,
		"active_lock_reason":  nil,
		"created_at":          timestamp(pr.CreatedAt),
		"updated_at":          timestamp(pr.UpdatedAt),
		"closed_at":           timestamp(pr.Closed),
		"merged_at":           timestamp(pr.MergedAt),
		"merge_commit_sha":    nullable(pr.MergeCommitSHA),
		"assignee":            nil,
		"assignees":           []any{},
		"requested_reviewers": s.requestedUsers(pr),
		"requested_teams":     s.requestedTeams(pr),
		"head":                head,
		"base":                base,
		"_links": map[string]any{
			"self": link(u), "html": link(html), "issue": link(issue), "comments": link(issue + "/comments"),
			"review_comments": link(u + "/comments"), "review_comment": link(s.api("/repos/" + repo + "/pulls/comments{/number}")),
			"commits": link(u + "/commits"), "statuses": link(statuses),
		},
		"author_association": "NONE",
		"auto_merge":         nil,
		"draft":              false,
	}
	if full {
		var mergedBy any
		if pr.MergedBy != nil {
			mergedBy = s.userJSON(pr.MergedBy)
		}
		for k, v := range map[string]any{
			"merged": !pr.MergedAt.IsZero(), "mergeable": nil, "rebaseable": nil, "mergeable_state": "unknown", "merged_by": mergedBy,
			"comments": 0, "review_comments": 0, "maintainer_can_modify": false,
			"commits": len(pr.Commits), "additions": 0, "deletions": 0, "changed_files": 0,
		} {
			m[k] = v
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// fakeSHA makes a commit id from a name, for what the stand-in does not
// know the commit of.
func fakeSHA(name string) string { return fmt.Sprintf("%x", sha1.Sum([]byte(name))) }

func (s *Server) requestedUsers(pr *PullRequest) []any {
	out := []any{}
	for _, login := range pr.RequestedReviewers {
		if u := s.Users[strings.ToLower(login)]; u != nil {
			out = append(out, s.userJSON(u))
		}
	}
	return out
}

func (s *Server) requestedTeams(pr *PullRequest) []any {
	out := []any{}
	for _, slug := range pr.RequestedTeams {
		if t := s.Teams[slug]; t != nil {
			out = append(out, s.teamJSON(t))
		}
	}
	return out
}

// branchJSON is the head or base of a pull request. The stand-in does not
// know the branch's commit, so its sha is made from the branch's name.
func (s *Server) branchJSON(repo, owner, ref string) map[string]any {
	return map[string]any{
		"label": owner + ":" + ref,
		"ref":   ref,
		"sha":   fakeSHA(repo + ":" + ref),
		"user":  s.orgJSON(owner),
		"repo":  s.repositoryJSON(repo),
	}
}
