package fakegithub

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBodyLimit: as GitHub does, the stand-in refuses the body of a pull
// request or an issue longer than 65,536 characters, counted as Unicode
// code points (65,536 three-byte characters pass), with GitHub's 422; and
// the checker reports every request that sends one, even one a Fault
// answered, as prodaccess must keep its bodies within the limit.
func TestBodyLimit(t *testing.T) {
	rec := &recorder{TB: t}
	gh := New(rec, "alphagov")
	most, over := strings.Repeat("€", maxBodyChars), strings.Repeat("é", maxBodyChars+1)
	send := func(method, path string, body map[string]any) string {
		t.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(method, gh.URL()+path, strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusUnprocessableEntity {
			return string(answer)
		}
		return resp.Status
	}
	refused := func(resource string) string {
		return `{"message":"Validation Failed","errors":[{"resource":"` + resource + `","field":"body","code":"custom","message":"body is too long (maximum is 65536 characters)"}],"documentation_url":"https://docs.github.com/rest","status":"422"}` + "\n"
	}
	got := []string{
		send("POST", "/repos/alphagov/people/pulls", map[string]any{"title": "t", "head": "h", "base": "main", "body": most}),
		send("POST", "/repos/alphagov/people/pulls", map[string]any{"title": "t", "head": "h2", "base": "main", "body": over}),
		send("PATCH", "/repos/alphagov/people/pulls/1", map[string]any{"body": over}),
		send("POST", "/repos/alphagov/people/issues", map[string]any{"title": "t", "body": most}),
		send("POST", "/repos/alphagov/people/issues", map[string]any{"title": "t", "body": over}),
		send("PATCH", "/repos/alphagov/people/issues/2", map[string]any{"body": over}),
	}
	gh.SetFaults(&Fault{Method: "PATCH", PathPrefix: "/repos/alphagov/people/issues/2", Status: http.StatusInternalServerError})
	got = append(got, send("PATCH", "/repos/alphagov/people/issues/2", map[string]any{"body": over}))
	want := []string{"201 Created", refused("PullRequest"), refused("PullRequest"), "201 Created", refused("Issue"), refused("Issue"), "500 Internal Server Error"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("answers (-got +want):\n%s", diff)
	}
	if pr, is := gh.OpenPulls("alphagov/people")[0], gh.OpenIssues("alphagov/people")[0]; pr.Body != most || is.Body != most {
		t.Error("a refused body replaced the one before")
	}
	gh.Close()
	rec.end()
	var reported []string
	for _, e := range rec.errors {
		first, _, _ := strings.Cut(e, " with ")
		_, problems, _ := strings.Cut(e, ":\n\t")
		reported = append(reported, first+": "+problems)
	}
	const long = `request body at "/body": 65537 characters, more than the 65536 GitHub takes (it answers 422, "too long")`
	wantReported := []string{
		"the GitHub stand-in answered POST /api/v3/repos/alphagov/people/pulls: " + long,
		"the GitHub stand-in answered PATCH /api/v3/repos/alphagov/people/pulls/1: " + long,
		"the GitHub stand-in answered POST /api/v3/repos/alphagov/people/issues: " + long,
		"the GitHub stand-in answered PATCH /api/v3/repos/alphagov/people/issues/2: " + long,
		"the GitHub stand-in answered PATCH /api/v3/repos/alphagov/people/issues/2: " + long,
	}
	if diff := cmp.Diff(reported, wantReported); diff != "" {
		t.Errorf("reports (-got +want):\n%s", diff)
	}
}
