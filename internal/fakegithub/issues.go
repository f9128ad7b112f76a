package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Issue is an issue of a repository. Issues and pull requests share one
// sequence of numbers, as on GitHub.
type Issue struct {
	ID          int64
	Number      int
	Title, Body string
	State       string // open or closed
	StateReason string // completed or not_planned when closed
	// Author opened it; nil for the account the token belongs to
	// (Server.Viewer).
	Author                       *User
	CreatedAt, UpdatedAt, Closed time.Time
}

// OpenIssues returns the open issues of a repository.
func (s *Server) OpenIssues(repo string) []Issue {
	s.Lock()
	defer s.Unlock()
	return copies(s.Issues[repo], func(is *Issue) bool { return is.State == "open" })
}

// AllIssues returns every issue of a repository, open or closed.
func (s *Server) AllIssues(repo string) []Issue {
	s.Lock()
	defer s.Unlock()
	return copies(s.Issues[repo], func(*Issue) bool { return true })
}

// AddIssue records an issue of repo, as a person opened it.
func (s *Server) AddIssue(repo string, is *Issue) *Issue {
	s.Lock()
	defer s.Unlock()
	s.nextID++
	is.ID, is.Number = s.nextID, s.nextNumber(repo)
	if is.State == "" {
		is.State = "open"
	}
	if is.CreatedAt.IsZero() {
		is.CreatedAt = time.Now()
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = is.CreatedAt
	}
	s.Issues[repo] = append(s.Issues[repo], is)
	return is
}

// NextNumber is the number the next issue or pull request of repo gets.
func (s *Server) NextNumber(repo string) int {
	s.Lock()
	defer s.Unlock()
	return s.nextNumber(repo)
}

func (s *Server) nextNumber(repo string) int { return len(s.Pulls[repo]) + len(s.Issues[repo]) + 1 }

// issues answers /repos/{owner}/{repo}/issues[/{number}]. As on GitHub,
// the list holds the pull requests too, each with a pull_request field.
func (s *Server) issues(w http.ResponseWriter, r *http.Request, repo string, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		q := r.URL.Query()
		state := q.Get("state")
		if state == "" {
			state = "open"
		}
		type listed struct {
			number int
			json   map[string]any
		}
		var all []listed
		for _, is := range s.Issues[repo] {
			if state == "all" || is.State == state {
				all = append(all, listed{is.Number, s.issueJSON(repo, is)})
			}
		}
		for _, pr := range s.Pulls[repo] {
			if state == "all" || pr.State == state {
				all = append(all, listed{pr.Number, s.pullAsIssueJSON(repo, pr)})
			}
		}
		// Sorted by creation, newest first unless asked otherwise: the
		// numbers follow the order of creation.
		slices.SortFunc(all, func(a, b listed) int { return b.number - a.number })
		if q.Get("direction") == "asc" {
			slices.Reverse(all)
		}
		s.page(w, r, len(all), func(i int) any { return all[i].json })
	case len(rest) == 0 && r.Method == http.MethodPost:
		var body struct {
			Title *string `json:"title"`
			Body  string  `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Title == nil || *body.Title == "" {
			s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: "Issue", Field: "title", Code: "missing_field"})
			return
		}
		if s.bodyTooLong(w, "Issue", &body.Body) {
			return
		}
		s.nextID++
		now := time.Now()
		is := &Issue{ID: s.nextID, Number: s.nextNumber(repo), Title: *body.Title, Body: body.Body, State: "open", Author: s.viewer(), CreatedAt: now, UpdatedAt: now}
		s.Issues[repo] = append(s.Issues[repo], is)
		w.Header().Set("Location", s.api(fmt.Sprintf("/repos/%s/issues/%d", repo, is.Number)))
		s.reply(w, r, http.StatusCreated, s.issueJSON(repo, is))
	case len(rest) == 1 && r.Method == http.MethodPatch:
		n, _ := strconv.Atoi(rest[0])
		var is *Issue
		for _, x := range s.Issues[repo] {
			if x.Number == n {
				is = x
			}
		}
		if is == nil {
			s.notFound(w)
			return
		}
		var body struct{ Title, Body, State, StateReason *string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.fail(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		if s.bodyTooLong(w, "Issue", body.Body) {
			return
		}
		if body.Title != nil {
			is.Title = *body.Title
		}
		if body.Body != nil {
			is.Body = *body.Body
		}
		if body.State != nil && *body.State != is.State {
			is.State, is.Closed, is.StateReason = *body.State, time.Time{}, "reopened"
			if is.State == "closed" {
				is.Closed, is.StateReason = time.Now(), "completed"
			}
		}
		if body.StateReason != nil && is.State == "closed" {
			is.StateReason = *body.StateReason
		}
		is.UpdatedAt = time.Now()
		s.reply(w, r, http.StatusOK, s.issueJSON(repo, is))
	default:
		s.notFound(w)
	}
}

// issueJSON is an issue as GitHub gives it.
func (s *Server) issueJSON(repo string, is *Issue) map[string]any {
	m := s.issueFields(repo, is.Number, is.ID, is.Title, is.Body, is.State, s.authorOf(is.Author), is.CreatedAt, is.UpdatedAt, is.Closed)
	m["state_reason"] = nullable(is.StateReason)
	return m
}

// pullAsIssueJSON is a pull request as GitHub lists it among issues.
func (s *Server) pullAsIssueJSON(repo string, pr *PullRequest) map[string]any {
	m := s.issueFields(repo, pr.Number, pr.ID, pr.Title, pr.Body, pr.State, s.authorOf(pr.Author), pr.CreatedAt, pr.UpdatedAt, pr.Closed)
	html := fmt.Sprintf("%s/%s/pull/%d", WebURL, repo, pr.Number)
	m["pull_request"] = map[string]any{
		"url": s.api(fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number)), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "merged_at": timestamp(pr.MergedAt),
	}
	m["draft"] = false
	return m
}

func (s *Server) issueFields(repo string, number int, id int64, title, body, state string, author *User, created, updated, closed time.Time) map[string]any {
	u := s.api(fmt.Sprintf("/repos/%s/issues/%d", repo, number))
	return map[string]any{
		"id": id, "node_id": nodeID("Issue", id), "url": u, "repository_url": s.api("/repos/" + repo),
		"labels_url": u + "/labels{/name}", "comments_url": u + "/comments", "events_url": u + "/events", "timeline_url": u + "/timeline",
		"html_url": fmt.Sprintf("%s/%s/issues/%d", WebURL, repo, number), "number": number, "state": state, "title": title, "body": body,
		"user": s.userJSON(author), "labels": []any{}, "assignee": nil, "assignees": []any{}, "milestone": nil, "locked": false,
		"active_lock_reason": nil, "comments": 0, "closed_at": timestamp(closed), "created_at": timestamp(created), "updated_at": timestamp(updated),
		"author_association": "NONE",
	}
}

// bodyTooLong refuses, as GitHub does, the body of a pull request or an
// issue (resource) longer than maxBodyChars characters, and says whether
// it did.
func (s *Server) bodyTooLong(w http.ResponseWriter, resource string, body *string) bool {
	if body == nil || utf8.RuneCountInString(*body) <= maxBodyChars {
		return false
	}
	s.fail(w, http.StatusUnprocessableEntity, "Validation Failed", fieldError{Resource: resource, Field: "body", Code: "custom",
		Message: fmt.Sprintf("body is too long (maximum is %d characters)", maxBodyChars)})
	return true
}
