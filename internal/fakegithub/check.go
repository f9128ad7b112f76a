package fakegithub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The checker matches every request to an operation of GitHub's REST
// description and checks the request's parameters and body, and the
// answer's status, body and headers, against it. docs/testing.md says what
// it checks and why.

// exchange is one request and the answer the stand-in wrote.
type exchange struct {
	r        *http.Request
	reqBody  []byte
	status   int
	header   http.Header // as it was when the status was written
	body     bytes.Buffer
	injected bool // a Fault or the Gate answered: the test chose the answer
	// A Fault that holds its answer stands for a server that does not answer in
	// time: the client gives up before it reads the status.
	late bool
	// A Fault marked Hostile: an answer GitHub would not send, so only
	// the request is checked.
	hostile bool
}

// capture is the ResponseWriter the stand-in writes to while checked.
type capture struct {
	http.ResponseWriter
	x *exchange
}

func (c *capture) WriteHeader(code int) {
	if c.x.status == 0 {
		c.x.status = code
		c.x.header = c.ResponseWriter.Header().Clone()
	}
	c.ResponseWriter.WriteHeader(code)
}

// Unwrap lets an http.ResponseController reach the connection, to flush
// a trickling answer.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *capture) Write(b []byte) (int, error) {
	if c.x.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	c.x.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// checker checks exchanges one at a time, off the requests' path, so
// that checking takes no time from the answers and a client's timeouts
// are as they would be without it.
type checker struct {
	queue chan *exchange
	done  chan struct{}
}

func (d *description) newChecker(report func(string)) *checker {
	c := &checker{queue: make(chan *exchange, 64), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for x := range c.queue {
			if msg := d.problems(x); msg != "" {
				report(msg)
			}
		}
	}()
	return c
}

// wrap returns next with every exchange queued for checking.
func (c *checker) wrap(next func(http.ResponseWriter, *http.Request, *exchange)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A copy: the request is read after the handler has returned.
		x := &exchange{r: r.Clone(context.Background())}
		if r.Body != nil {
			x.reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(x.reqBody))
		}
		next(&capture{ResponseWriter: w, x: x}, r, x)
		if x.status == 0 {
			x.status, x.header = http.StatusOK, w.Header().Clone()
		}
		c.queue <- x
	}
}

// stop waits until every exchange queued is checked. Nothing may be
// queued after it: call it once the server has stopped.
func (c *checker) stop() {
	close(c.queue)
	<-c.done
}

// problems describes what is wrong with an exchange, or returns "".
func (d *description) problems(x *exchange) string {
	op, list := d.check(x)
	if len(list) == 0 {
		return ""
	}
	what := ""
	if op != nil {
		what = " for " + op.String()
	}
	return fmt.Sprintf("the GitHub stand-in answered %s %s with %d, which GitHub's REST description (%s) does not allow%s:\n\t%s",
		x.r.Method, x.r.URL.RequestURI(), x.status, d.source, what, strings.Join(list, "\n\t"))
}

// check matches an exchange to its operation and returns what is wrong
// with it, each problem saying where in the request or answer it is.
func (d *description) check(x *exchange) (*operation, []string) {
	r := x.r
	if !strings.HasPrefix(r.URL.Path, Prefix+"/") {
		return nil, []string{"the path is outside " + Prefix + ", where GitHub Enterprise serves the API"}
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	op, methods := d.match(r.Method, path)
	if op == nil {
		if len(methods) > 0 {
			return nil, []string{fmt.Sprintf("%s is not documented on %s (documented: %s)", r.Method, path, strings.Join(methods, ", "))}
		}
		return nil, []string{"no operation in the description matches " + r.Method + " " + path + " (add it to openapi-operations.txt if GitHub has it)"}
	}
	var p problems
	d.checkRequest(&p, op, x)
	if x.late || x.hostile {
		return op, p.list
	}
	resp, generic := op.responses[x.status], false
	if resp == nil {
		generic = d.genericStatus(x)
		if !generic {
			p.addf("status %d is not documented (documented: %s)", x.status, op.statuses())
			return op, p.list
		}
	}
	if x.injected {
		// The test chose the answer: only its status and the headers the
		// client relies on are held to GitHub's description.
		checkRateLimitTypes(&p, x.header)
		return op, p.list
	}
	checkRateLimit(&p, x.header)
	if generic {
		d.checkGenericBody(&p, x)
	} else {
		checkBody(&p, op, x, resp)
		checkHeaders(&p, x, resp)
	}
	checkETag(&p, x)
	return op, p.list
}

// problems collects what is wrong with one exchange.
type problems struct {
	list []string
}

func (p *problems) addf(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// addSchema adds the errors of a failed validation, each with the JSON
// pointer of the value at fault in what.
func (p *problems) addSchema(what string, err error) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		p.addf("%s: %v", what, err)
		return
	}
	// The same error can come from more than one way through the schema
	// (a discriminator's choice and oneOf's): each is said once.
	var msgs []string
	for _, l := range leafErrors(ve, nil) {
		if m := fmt.Sprintf("%s at %q: %s", what, pointer(l.InstanceLocation), l.BasicOutput().Error); !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	const most = 8
	for i, m := range msgs {
		if i == most {
			p.addf("%s: and %d more", what, len(msgs)-most)
			break
		}
		p.addf("%s", m)
	}
}

func leafErrors(e *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(acc, e)
	}
	for _, c := range e.Causes {
		acc = leafErrors(c, acc)
	}
	return acc
}

func (o *operation) statuses() string {
	var codes []int
	for c := range o.responses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var s []string
	for _, c := range codes {
		s = append(s, strconv.Itoa(c))
	}
	return strings.Join(s, ", ")
}

// match finds the operation for a request: the method, and a path whose
// segments equal the template's, a parameter matching any segment its
// schema allows. Where two templates match, the one with a literal
// segment before the other's parameter wins, as GitHub routes. If none
// matches, methods lists those documented on the path.
func (d *description) match(method, path string) (*operation, []string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *operation
	var methods []string
	for _, op := range d.operations {
		if !op.matches(segs) {
			continue
		}
		if op.method != method {
			methods = append(methods, op.method)
			continue
		}
		if best == nil || moreLiteral(op, best) {
			best = op
		}
	}
	return best, methods
}

func (o *operation) matches(segs []string) bool {
	// A file path ({path}, last, as in the contents API) spans the
	// segments left; GitHub takes it with its slashes.
	if n := len(o.segments); n > 0 && o.segments[n-1] == "{path}" && len(segs) > n {
		segs = append(segs[:n-1:n-1], strings.Join(segs[n-1:], "/"))
	}
	if len(segs) != len(o.segments) {
		return false
	}
	for i, t := range o.segments {
		name, ok := paramName(t)
		if !ok {
			if segs[i] != t {
				return false
			}
			continue
		}
		p := o.pathParams[name]
		v, ok := typed(p.typ, segs[i])
		if segs[i] == "" || !ok || p.schema.Validate(v) != nil {
			return false
		}
	}
	return true
}

func moreLiteral(a, b *operation) bool {
	for i := range a.segments {
		_, pa := paramName(a.segments[i])
		_, pb := paramName(b.segments[i])
		if pa != pb {
			return pb
		}
	}
	return false
}

// typed reads a parameter's value as its schema's type.
func typed(typ, s string) (any, bool) {
	switch typ {
	case "integer", "number":
		var n json.Number
		if json.Unmarshal([]byte(s), &n) != nil {
			return nil, false
		}
		return n, true
	case "boolean":
		b, err := strconv.ParseBool(s)
		return b, err == nil && (s == "true" || s == "false")
	}
	return s, true
}

// checkRequest checks the query parameters and the JSON body the client
// sent.
func (d *description) checkRequest(p *problems, op *operation, x *exchange) {
	q := x.r.URL.Query()
	for _, name := range sortedKeys(q) {
		qp := op.queryParams[name]
		if qp == nil {
			p.addf("the request's query parameter %q is not documented", name)
			continue
		}
		for _, s := range q[name] {
			v, ok := typed(qp.typ, s)
			if !ok {
				p.addf("the request's query parameter %s=%q is not a %s", name, s, qp.typ)
				continue
			}
			if err := qp.schema.Validate(v); err != nil {
				p.addSchema(fmt.Sprintf("the request's query parameter %s=%q", name, s), err)
			}
		}
	}
	if op.request == nil {
		return
	}
	if len(bytes.TrimSpace(x.reqBody)) == 0 {
		if op.requestRequired {
			p.addf("the request has no body; it needs a JSON one")
		}
		return
	}
	if mt, _, _ := mime.ParseMediaType(x.r.Header.Get("Content-Type")); mt != "application/json" {
		p.addf("the request's Content-Type is %q, not application/json", x.r.Header.Get("Content-Type"))
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(x.reqBody))
	if err != nil {
		p.addf("the request body is not JSON: %v", err)
		return
	}
	if err := op.request.Validate(v); err != nil {
		p.addSchema("request body", err)
	}
	checkProse(p, op, true, v)
}

// genericStatus reports whether the status is one GitHub gives on any
// operation, whatever each documents: 304 to a conditional GET, 401 for
// missing or bad credentials, 404 for what does not exist or the token
// cannot see, and 500, 502, 503 and 504 when it fails; and, as a Fault
// only, the 403 and 429 of its rate limits.
func (d *description) genericStatus(x *exchange) bool {
	switch x.status {
	case http.StatusNotModified:
		return x.r.Method == http.MethodGet && (x.r.Header.Get("If-None-Match") != "" || x.r.Header.Get("If-Modified-Since") != "")
	case http.StatusUnauthorized, http.StatusNotFound,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusForbidden, http.StatusTooManyRequests:
		return x.injected
	}
	return false
}

// checkGenericBody checks the body of an answer with a generic status: none
// for a 304, else GitHub's basic error.
func (d *description) checkGenericBody(p *problems, x *exchange) {
	if x.status == http.StatusNotModified {
		if x.body.Len() > 0 {
			p.addf("a 304 has a body")
		}
		return
	}
	if v, ok := jsonBody(p, x, "application/json"); ok {
		if err := d.basicError.Validate(v); err != nil {
			p.addSchema("response body", err)
		}
	}
}

// checkBody checks the body against the documented response: its schema
// if it has one, and the values GitHub documents in prose; else no body,
// or, for an error, at most a JSON one.
func checkBody(p *problems, op *operation, x *exchange, resp *response) {
	if resp.media == "" {
		if x.body.Len() > 0 && (x.status < 400 || !json.Valid(x.body.Bytes())) {
			p.addf("the answer has a body, and the description documents none")
		}
		return
	}
	v, ok := jsonBody(p, x, resp.media)
	if ok && resp.schema != nil {
		if err := resp.schema.Validate(v); err != nil {
			p.addSchema("response body", err)
		}
	}
	if ok {
		checkProse(p, op, false, v)
	}
}

// jsonBody reads the body, checking its Content-Type.
func jsonBody(p *problems, x *exchange, media string) (any, bool) {
	ct := x.header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != media {
		p.addf("Content-Type is %q, not %s", ct, media)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(x.body.Bytes()))
	if err != nil {
		p.addf("the body is not JSON: %v", err)
		return nil, false
	}
	return v, true
}

// checkHeaders checks the documented headers: Link, where present, is a
// page link as GitHub writes them; the others (Location) must be present.
// Link on an answer that documents none is a problem too: the client would
// page through a list GitHub does not paginate.
func checkHeaders(p *problems, x *exchange, resp *response) {
	for _, name := range sortedKeys(resp.headers) {
		h := resp.headers[name]
		v := x.header.Get(name)
		if v == "" {
			if name != "Link" {
				p.addf("header %s is missing", name)
			}
			continue
		}
		tv, ok := typed(h.typ, v)
		if !ok {
			p.addf("header %s: %q is not a %s", name, v, h.typ)
			continue
		}
		if err := h.schema.Validate(tv); err != nil {
			p.addSchema("header "+name, err)
		}
	}
	if link := x.header.Get("Link"); link != "" {
		if resp.headers["Link"] == nil {
			p.addf("header Link on an answer that is not paginated")
			return
		}
		checkLink(p, x.r, link)
	}
}

var linkPart = regexp.MustCompile(`^<([^<>]+)>; rel="(first|prev|next|last)"$`)

// checkLink checks a Link header: comma-separated <URL>; rel="…" parts,
// each URL absolute and the request's own with only page changed, each
// rel once, next with last, prev with first, and page numbers in order.
func checkLink(p *problems, r *http.Request, link string) {
	page := 1
	if s := r.URL.Query().Get("page"); s != "" {
		page, _ = strconv.Atoi(s)
	}
	pages := map[string]int{}
	for part := range strings.SplitSeq(link, ", ") {
		m := linkPart.FindStringSubmatch(part)
		if m == nil {
			p.addf("header Link: %q is not <URL>; rel=\"first|prev|next|last\"", part)
			continue
		}
		rel := m[2]
		if _, dup := pages[rel]; dup {
			p.addf("header Link: rel=%q twice", rel)
		}
		u, err := url.Parse(m[1])
		if err != nil || !u.IsAbs() || u.Host != r.Host || u.Path != r.URL.Path {
			p.addf("header Link: rel=%q: %q is not an absolute URL of %s on this server", rel, m[1], r.URL.Path)
			continue
		}
		q := u.Query()
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 {
			p.addf("header Link: rel=%q: page %q is not a page number", rel, q.Get("page"))
			continue
		}
		pages[rel] = n
		q.Del("page")
		want := r.URL.Query()
		want.Del("page")
		if q.Encode() != want.Encode() {
			p.addf("header Link: rel=%q: the query %q is not the request's %q with another page", rel, q.Encode(), want.Encode())
		}
	}
	wantPage := func(rel string, n int) {
		if got, ok := pages[rel]; ok && got != n {
			p.addf("header Link: rel=%q is page %d, not %d", rel, got, n)
		}
	}
	if _, ok := pages["next"]; ok {
		wantPage("next", page+1)
		if pages["last"] < page+1 {
			p.addf("header Link: rel=\"next\" without a rel=\"last\" after it")
		}
	}
	if _, ok := pages["prev"]; ok || page > 1 {
		wantPage("prev", page-1)
		wantPage("first", 1)
		if _, ok := pages["first"]; !ok && page > 1 {
			p.addf("header Link: page %d has no rel=\"first\"", page)
		}
	}
}

// The rate-limit headers GitHub sends on every answer; go-github reads
// limit, remaining, used and reset as integers.
var rateLimitHeaders = []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Used", "X-Ratelimit-Reset", "X-Ratelimit-Resource"}

// checkRateLimit checks that all the rate-limit headers are there, of
// their types, and that used and remaining add up to the limit.
func checkRateLimit(p *problems, h http.Header) {
	for _, name := range rateLimitHeaders {
		if h.Get(name) == "" {
			p.addf("header %s is missing", name)
		}
	}
	if n := checkRateLimitTypes(p, h); len(n) == 3 && n[0]+n[1] != n[2] {
		p.addf("headers X-Ratelimit-Used (%d) and X-Ratelimit-Remaining (%d) do not add up to X-Ratelimit-Limit (%d)", n[0], n[1], n[2])
	}
}

var resourceName = regexp.MustCompile(`^[a-z_]+$`)

// checkRateLimitTypes checks the types of the rate-limit headers (and of
// Retry-After) that are present, and returns used, remaining and limit
// when all three are.
func checkRateLimitTypes(p *problems, h http.Header) []int64 {
	var n []int64
	for _, name := range []string{"X-Ratelimit-Used", "X-Ratelimit-Remaining", "X-Ratelimit-Limit", "X-Ratelimit-Reset", "Retry-After"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		i, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || i < 0:
			p.addf("header %s: %q is not a whole number of at least 0", name, v)
		case name == "X-Ratelimit-Reset" && i < 1e9:
			p.addf("header X-Ratelimit-Reset: %q is not a time in Unix seconds", v)
		case name != "X-Ratelimit-Reset" && name != "Retry-After":
			n = append(n, i)
		}
	}
	if v := h.Get("X-Ratelimit-Resource"); v != "" && !resourceName.MatchString(v) {
		p.addf("header X-Ratelimit-Resource: %q is not a resource name such as core", v)
	}
	return n
}

var etagValue = regexp.MustCompile(`^(W/)?"[^"]*"$`)

// checkETag: GitHub sends an ETag with every successful read and every
// 304, and a 304 answers only the ETag the client sent.
func checkETag(p *problems, x *exchange) {
	if x.r.Method != http.MethodGet || (x.status != http.StatusOK && x.status != http.StatusNotModified) {
		return
	}
	etag := x.header.Get("ETag")
	switch {
	case etag == "":
		p.addf("header ETag is missing")
	case !etagValue.MatchString(etag):
		p.addf("header ETag: %q is not a quoted entity tag", etag)
	case x.status == http.StatusNotModified && x.r.Header.Get("If-None-Match") != "" && !slices.Contains(strings.Split(x.r.Header.Get("If-None-Match"), ", "), etag):
		p.addf("a 304 with ETag %s, which the request's If-None-Match %s does not name", etag, x.r.Header.Get("If-None-Match"))
	}
}
