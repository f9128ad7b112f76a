package fakegithub

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// The checker matches every request to an operation of GitHub's REST
// description and checks the request's parameters and body, and the
// answer's status, body and headers, against it. docs/testing.md says what
// it checks and why.

// problems describes what is wrong with an exchange, or returns "".
func (d *description) problems(x *openapi.Exchange) string {
	op, list := d.check(x)
	return openapi.Report(x, op, list, "GitHub", "GitHub's REST description ("+d.source+")")
}

// check matches an exchange to its operation and returns what is wrong
// with it, each problem saying where in the request or answer it is.
func (d *description) check(x *openapi.Exchange) (*openapi.Operation, []string) {
	r := x.Request
	if !strings.HasPrefix(r.URL.Path, Prefix+"/") {
		return nil, []string{"the path is outside " + Prefix + ", where GitHub Enterprise serves the API"}
	}
	op, unmatched := d.Find(r.Method, strings.TrimPrefix(r.URL.Path, Prefix), "GitHub")
	if op == nil {
		return nil, []string{unmatched}
	}
	var p openapi.Problems
	op.CheckQuery(&p, r.URL.Query())
	if v, ok := op.CheckRequestBody(&p, x); ok {
		checkProse(&p, op, true, v)
	}
	if x.Late || x.Hostile {
		return op, p.List
	}
	resp, generic := op.Responses[x.Status], false
	if resp == nil {
		generic = d.genericStatus(x)
		if !generic {
			p.Addf("status %d is not documented (documented: %s)", x.Status, op.Statuses())
			return op, p.List
		}
	}
	if x.Injected {
		// The test chose the answer: only its status and the headers the
		// client relies on are held to GitHub's description.
		checkRateLimitTypes(&p, x.Header)
		return op, p.List
	}
	checkRateLimit(&p, x.Header)
	if generic {
		d.checkGenericBody(&p, x)
	} else {
		d.verdicts.checkBody(&p, op, x, resp)
		checkHeaders(&p, x, resp)
	}
	checkETag(&p, x)
	return op, p.List
}

// genericStatus reports whether the status is one GitHub gives on any
// operation, whatever each documents: 304 to a conditional GET, 401 for
// missing or bad credentials, 404 for what does not exist or the token
// cannot see, and 500, 502, 503 and 504 when it fails; and, as a Fault
// only, the 403 and 429 of its rate limits.
func (d *description) genericStatus(x *openapi.Exchange) bool {
	switch x.Status {
	case http.StatusNotModified:
		return x.Request.Method == http.MethodGet && (x.Request.Header.Get("If-None-Match") != "" || x.Request.Header.Get("If-Modified-Since") != "")
	case http.StatusUnauthorized, http.StatusNotFound,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusForbidden, http.StatusTooManyRequests:
		return x.Injected
	}
	return false
}

// checkGenericBody checks the body of an answer with a generic status: none
// for a 304, else GitHub's basic error.
func (d *description) checkGenericBody(p *openapi.Problems, x *openapi.Exchange) {
	if x.Status == http.StatusNotModified {
		if x.Body.Len() > 0 {
			p.Addf("a 304 has a body")
		}
		return
	}
	if v, ok := openapi.JSONBody(p, x, "application/json"); ok {
		if err := d.basicError.Validate(v); err != nil {
			p.AddSchema("response body", err)
		}
	}
}

// checkBody checks the body against the documented response: its schema
// if it has one, and the values GitHub documents in prose; else no body,
// or, for an error, at most a JSON one.
func (vs *verdicts) checkBody(p *openapi.Problems, op *openapi.Operation, x *openapi.Exchange, resp *openapi.Response) {
	if resp.Media == "" {
		if x.Body.Len() > 0 && (x.Status < 400 || !json.Valid(x.Body.Bytes())) {
			p.Addf("the answer has a body, and the description documents none")
		}
		return
	}
	key := verdictKey{op: op, resp: resp, status: x.Status, contentType: x.Header.Get("Content-Type"), body: sha256.Sum256(x.Body.Bytes())}
	if found, ok := vs.get(key); ok {
		p.List = append(p.List, found...)
		return
	}
	before := len(p.List)
	defer func() { vs.put(key, p.List[before:]) }()
	v, ok := openapi.JSONBody(p, x, resp.Media)
	if ok && resp.Schema != nil {
		if err := resp.Schema.Validate(v); err != nil {
			p.AddSchema("response body", err)
		}
	}
	if ok {
		checkProse(p, op, false, v)
	}
}

// checkHeaders checks the documented headers: each is of its type, and
// each but Link, which a list of one page goes without, is there
// (Location on a 201). Link, where present, is a page link as GitHub
// writes them; on an answer that documents none it is a problem too: the
// client would page through a list GitHub does not paginate.
func checkHeaders(p *openapi.Problems, x *openapi.Exchange, resp *openapi.Response) {
	resp.CheckHeaders(p, x.Header, func(name string) bool { return name != "Link" })
	if link := x.Header.Get("Link"); link != "" {
		if resp.Headers["Link"] == nil {
			p.Addf("header Link on an answer that is not paginated")
			return
		}
		checkLink(p, x.Request, link)
	}
}

var linkPart = regexp.MustCompile(`^<([^<>]+)>; rel="(first|prev|next|last)"$`)

// checkLink checks a Link header: comma-separated <URL>; rel="…" parts,
// each URL absolute and the request's own with only page changed, each
// rel once, next with last, prev with first, and page numbers in order.
func checkLink(p *openapi.Problems, r *http.Request, link string) {
	page := 1
	if s := r.URL.Query().Get("page"); s != "" {
		page, _ = strconv.Atoi(s)
	}
	pages := map[string]int{}
	for part := range strings.SplitSeq(link, ", ") {
		m := linkPart.FindStringSubmatch(part)
		if m == nil {
			p.Addf("header Link: %q is not <URL>; rel=\"first|prev|next|last\"", part)
			continue
		}
		rel := m[2]
		if _, dup := pages[rel]; dup {
			p.Addf("header Link: rel=%q twice", rel)
		}
		u, err := url.Parse(m[1])
		if err != nil || !u.IsAbs() || u.Host != r.Host || u.Path != r.URL.Path {
			p.Addf("header Link: rel=%q: %q is not an absolute URL of %s on this server", rel, m[1], r.URL.Path)
			continue
		}
		q := u.Query()
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 {
			p.Addf("header Link: rel=%q: page %q is not a page number", rel, q.Get("page"))
			continue
		}
		pages[rel] = n
		q.Del("page")
		want := r.URL.Query()
		want.Del("page")
		if q.Encode() != want.Encode() {
			p.Addf("header Link: rel=%q: the query %q is not the request's %q with another page", rel, q.Encode(), want.Encode())
		}
	}
	wantPage := func(rel string, n int) {
		if got, ok := pages[rel]; ok && got != n {
			p.Addf("header Link: rel=%q is page %d, not %d", rel, got, n)
		}
	}
	if _, ok := pages["next"]; ok {
		wantPage("next", page+1)
		if pages["last"] < page+1 {
			p.Addf("header Link: rel=\"next\" without a rel=\"last\" after it")
		}
	}
	if _, ok := pages["prev"]; ok || page > 1 {
		wantPage("prev", page-1)
		wantPage("first", 1)
		if _, ok := pages["first"]; !ok && page > 1 {
			p.Addf("header Link: page %d has no rel=\"first\"", page)
		}
	}
}

// The rate-limit headers GitHub sends on every answer; go-github reads
// limit, remaining, used and reset as integers.
var rateLimitHeaders = []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Used", "X-Ratelimit-Reset", "X-Ratelimit-Resource"}

// checkRateLimit checks that all the rate-limit headers are there, of
// their types, and that used and remaining add up to the limit.
func checkRateLimit(p *openapi.Problems, h http.Header) {
	for _, name := range rateLimitHeaders {
		if h.Get(name) == "" {
			p.Addf("header %s is missing", name)
		}
	}
	if n := checkRateLimitTypes(p, h); len(n) == 3 && n[0]+n[1] != n[2] {
		p.Addf("headers X-Ratelimit-Used (%d) and X-Ratelimit-Remaining (%d) do not add up to X-Ratelimit-Limit (%d)", n[0], n[1], n[2])
	}
}

var resourceName = regexp.MustCompile(`^[a-z_]+$`)

// checkRateLimitTypes checks the types of the rate-limit headers (and of
// Retry-After) that are present, and returns used, remaining and limit
// when all three are.
func checkRateLimitTypes(p *openapi.Problems, h http.Header) []int64 {
	var n []int64
	for _, name := range []string{"X-Ratelimit-Used", "X-Ratelimit-Remaining", "X-Ratelimit-Limit", "X-Ratelimit-Reset", "Retry-After"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		i, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || i < 0:
			p.Addf("header %s: %q is not a whole number of at least 0", name, v)
		case name == "X-Ratelimit-Reset" && i < 1e9:
			p.Addf("header X-Ratelimit-Reset: %q is not a time in Unix seconds", v)
		case name != "X-Ratelimit-Reset" && name != "Retry-After":
			n = append(n, i)
		}
	}
	if v := h.Get("X-Ratelimit-Resource"); v != "" && !resourceName.MatchString(v) {
		p.Addf("header X-Ratelimit-Resource: %q is not a resource name such as core", v)
	}
	return n
}

var etagValue = regexp.MustCompile(`^(W/)?"[^"]*"$`)

// checkETag: GitHub sends an ETag with every successful read and every
// 304, and a 304 answers only the ETag the client sent.
func checkETag(p *openapi.Problems, x *openapi.Exchange) {
	if x.Request.Method != http.MethodGet || (x.Status != http.StatusOK && x.Status != http.StatusNotModified) {
		return
	}
	etag := x.Header.Get("ETag")
	switch {
	case etag == "":
		p.Addf("header ETag is missing")
	case !etagValue.MatchString(etag):
		p.Addf("header ETag: %q is not a quoted entity tag", etag)
	case x.Status == http.StatusNotModified && x.Request.Header.Get("If-None-Match") != "" && !matchesETag(x.Request.Header.Get("If-None-Match"), etag):
		p.Addf("a 304 with ETag %s, which the request's If-None-Match %s does not name", etag, x.Request.Header.Get("If-None-Match"))
	}
}

// verdicts remembers the problems checkBody found in each answer body it
// checked, by everything the check depends on: the operation and the
// response it was checked against, its status, its Content-Type and the
// SHA-256 of its bytes. An answer identical to one checked before gets the
// same verdict without validating it again: the pages a benchmark asks for
// on every run are validated once, where validating each again cost about
// 75 ms of processor time a no-op plan, on the two processors that
// prodaccess runs on too. Every answer is still checked.
type verdicts struct {
	mu   sync.Mutex
	seen map[verdictKey][]string
}

type verdictKey struct {
	op          *openapi.Operation
	resp        *openapi.Response
	status      int
	contentType string
	body        [sha256.Size]byte
}

// mostVerdicts bounds what is remembered: once full, the memory starts
// again, so a long test binary's thousands of distinct answers cannot grow
// it without end.
const mostVerdicts = 1 << 14

func (vs *verdicts) get(k verdictKey) ([]string, bool) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	found, ok := vs.seen[k]
	return found, ok
}

func (vs *verdicts) put(k verdictKey, found []string) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if vs.seen == nil || len(vs.seen) >= mostVerdicts {
		vs.seen = make(map[verdictKey][]string)
	}
	vs.seen[k] = slices.Clone(found)
}
