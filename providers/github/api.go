package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
)

// apiPath joins path segments, each escaped, so that no value read from a
// file or from GitHub can change which endpoint a request reaches. A
// segment that is empty, "." or ".." is refused: a URL resolver would
// drop it or climb a level, even escaped.
func apiPath(segments ...string) (string, error) {
	out := make([]string, len(segments))
	for i, s := range segments {
		if s == "" || s == "." || s == ".." {
			return "", fmt.Errorf("%q cannot be part of a GitHub API path", s)
		}
		out[i] = url.PathEscape(s)
	}
	return strings.Join(out, "/"), nil
}

// do sends one request to the API and, if out is not nil, reads the
// answer into it, which must be one JSON object.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) (*github.Response, error) {
	data, resp, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return resp, err
	}
	if out != nil {
		if err := decodeObject(data, out); err != nil {
			return resp, fmt.Errorf("%s /%s: %w", method, path, err)
		}
	}
	return resp, nil
}

// send sends one request and returns the body of a successful answer.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any) ([]byte, *github.Response, error) {
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	req, err := c.gh.NewRequest(method, path, body)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.gh.BareDo(ctx, req)
	if err != nil {
		return nil, resp, err
	}
	defer resp.Body.Close()
	data, err := readBody(resp.Body, resp.ContentLength, maxBody)
	if err != nil {
		return nil, resp, fmt.Errorf("%s /%s: read the answer: %w", method, path, err)
	}
	if len(data) > maxBody {
		return nil, resp, fmt.Errorf("%s /%s: the answer is larger than %d MiB", method, path, maxBody>>20)
	}
	return data, resp, nil
}

// scratch holds the buffers answers of unknown length are read into, up
// to maxScratch bytes each.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxScratch = 1 << 20

// memBody is a body read whole into memory: it reads as the body did, and
// readBody takes its bytes without copying them.
type memBody struct {
	*bytes.Reader
	data []byte
}

func newMemBody(data []byte) *memBody { return &memBody{Reader: bytes.NewReader(data), data: data} }

// Close closes nothing: the body is in memory.
func (*memBody) Close() error { return nil }

// readBody reads an answer's body to its end, and at most limit+1 bytes
// of it (which tells that it is larger than limit), as
// io.ReadAll(io.LimitReader(r, limit+1)) does. When the body's length is
// known (size not negative), it reads into a buffer of that size at once,
// rather than one grown from 512 bytes a little at a time, each step
// cleared and copied: a page of 100 members is about 100 KB.
//
// A body try read whole is taken as it is, without another copy. One of
// unknown length (as GitHub's chunked answers are) is read into a buffer
// kept for the next answer and then copied out at its length, so that an
// answer costs its own size in fresh memory, not the 256 KB of doublings
// that a 100 KB page took.
func readBody(r io.Reader, size int64, limit int64) ([]byte, error) {
	if mb, ok := r.(*memBody); ok && mb.Len() == len(mb.data) && int64(len(mb.data)) <= limit+1 {
		mb.Reset(nil) // read: nothing more comes from it
		return mb.data, nil
	}
	if size < 0 || size > limit {
		bp := scratch.Get().(*[]byte)
		defer scratch.Put(bp)
		b := bytes.NewBuffer((*bp)[:0])
		_, err := b.ReadFrom(io.LimitReader(r, limit+1))
		if b.Cap() <= maxScratch {
			*bp = b.Bytes() // grown: kept, grown, for the next answer
		}
		return bytes.Clone(b.Bytes()), err
	}
	buf := make([]byte, 0, size+1) // one more, to read the end without growing
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF: // as io.ReadAll: only EOF itself ends the body well
			return buf, nil
		case err != nil:
			return buf, err
		case len(buf) == cap(buf):
			// Longer than it said: read the rest as for an unknown length.
			rest, err := readBody(r, -1, limit-int64(len(buf)))
			return append(buf, rest...), err
		}
	}
}

// decodeObject reads data, which must be exactly one JSON object, into out.
func decodeObject(data []byte, out any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("GitHub's answer is %s, not a JSON object", describeJSON(data))
	}
	return decodeOne(data, out)
}

// decodeList reads data, which must be exactly one JSON list. An empty
// answer or null is not a list: taking either for an empty team would
// keep a leaver in it.
func decodeList[T any](data []byte) ([]T, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		return nil, fmt.Errorf("GitHub's answer is %s, not a JSON list", describeJSON(data))
	}
	var items []T
	if err := decodeOne(data, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// decodeOne reads data, which must be exactly one JSON value, into out.
// data holds the whole answer, so it is decoded in place (a Decoder would
// copy it into a buffer grown from 512 bytes, for pages of 100 KB); only
// an answer that does not decode is read again, by a Decoder into a value
// of its own, to say exactly what is wrong with it. data has no space
// around it (see decodeObject and decodeList), so Unmarshal, which allows
// space after the value, accepts exactly what the Decoder accepts.
func decodeOne(data []byte, out any) error {
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
		out = reflect.New(v.Type().Elem()).Interface()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("GitHub's answer is not valid JSON: %w", err)
	}
	if dec.InputOffset() != int64(len(data)) {
		return errors.New("GitHub's answer has more after its JSON value")
	}
	return fmt.Errorf("GitHub's answer is not valid JSON: %w", err)
}

func describeJSON(data []byte) string {
	switch {
	case len(data) == 0:
		return "empty"
	case bytes.Equal(data, []byte("null")):
		return "null"
	case data[0] == '{':
		return "a JSON object"
	case data[0] == '"':
		return "a JSON string"
	case data[0] == '[':
		return "a JSON list"
	}
	return fmt.Sprintf("something else (starting %q)", preview(string(data)))
}

// preview shortens text from GitHub for a message.
func preview(s string) string {
	const n = 40
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Paging limits. A list is read 100 entries a page; a team has at most a
// few thousand members, so a list that claims more than 1,000 pages is
// refused rather than read.
const (
	perPage            = 100
	maxPages           = 1000
	maxConcurrentPages = 8
)

// pageLinks is what a Link header says of the next and the last page; 0
// when it names none.
type pageLinks struct{ next, last int }

// parseLinks reads the rel="next" and rel="last" page numbers from a Link
// header. A number that is not a page from 1 to maxPages, or a link that
// cannot be read, is an error: the list is not read rather than read in
// part.
func parseLinks(header string) (pageLinks, error) {
	var pl pageLinks
	if strings.TrimSpace(header) == "" {
		return pl, nil
	}
	for _, link := range strings.Split(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
		target = strings.TrimSpace(target)
		if !ok || len(target) < 2 || target[0] != '<' || target[len(target)-1] != '>' {
			return pageLinks{}, fmt.Errorf("cannot read the Link header entry %q", preview(link))
		}
		rel := ""
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "rel") {
				rel = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
		if rel != "next" && rel != "last" {
			continue
		}
		u, err := url.Parse(target[1 : len(target)-1])
		if err != nil {
			return pageLinks{}, fmt.Errorf("cannot read the %s link of the Link header", rel)
		}
		s := u.Query().Get("page")
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || strings.Trim(s, "0123456789") != "" {
			return pageLinks{}, fmt.Errorf("the Link header's %s link names page %q, which is not a page number", rel, preview(s))
		}
		if n > maxPages {
			return pageLinks{}, fmt.Errorf("the Link header names page %d as the %s page; prodaccess reads at most %d pages of %d (a list that long is not a team)", n, rel, maxPages, perPage)
		}
		if rel == "next" {
			pl.next = n
		} else {
			pl.last = n
		}
	}
	return pl, nil
}

// fetchPage reads one page of a list at path; cached says it was
// answered from the cache after a 304.
func fetchPage[T any](ctx context.Context, c *Client, path string, query url.Values, page int) (items []T, links pageLinks, cached bool, err error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("page", strconv.Itoa(page))
	data, resp, err := c.send(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return nil, pageLinks{}, false, err
	}
	items, err = decodeList[T](data)
	if err != nil {
		return nil, pageLinks{}, false, fmt.Errorf("GET /%s page %d: %w", path, page, err)
	}
	links, err = parseLinks(strings.Join(resp.Header.Values("Link"), ","))
	if err != nil {
		return nil, pageLinks{}, false, fmt.Errorf("GET /%s page %d: %w", path, page, err)
	}
	return items, links, fromCache(resp.Header), nil
}

// fetchPageSafely is fetchPage in a goroutine of its own: a panic is an
// error, not the end of the process.
func fetchPageSafely[T any](ctx context.Context, c *Client, path string, query url.Values, page int) (items []T, links pageLinks, cached bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("GET /%s page %d: internal error (a bug; please report it): %v", path, page, r)
		}
	}()
	return fetchPage[T](ctx, c, path, query, page)
}

// checkPage checks that page of a list of last pages is what the Link
// headers promise: every page but the last full, the last not empty (unless
// it is the only one), and links that agree. A list that changes while it
// is read fails these, and is read again by the next run rather than
// read wrong by this one.
func checkPage(path string, page, last, n int, links pageLinks) error {
	bad := func(format string, args ...any) error {
		return &pagesDisagree{fmt.Errorf("GET /%s page %d: %s; the list is not read", path, page, fmt.Sprintf(format, args...))}
	}
	switch {
	case n > perPage:
		return bad("%d entries on a page of at most %d", n, perPage)
	case page == 1 && last == 1:
		if links.next != 0 || links.last != 0 {
			return bad("the Link header names a page %d and a last page %d of a one-page list", links.next, links.last)
		}
	case page < last:
		if n != perPage || links.next != page+1 || links.last != last {
			return bad("the list changed while it was read, or its pages disagree (%d entries; next page %d, last page %d, where the first page said %d pages)", n, links.next, links.last, last)
		}
	default: // the last page
		if n == 0 || links.next != 0 {
			return bad("the list changed while it was read, or its pages disagree (%d entries on the last page, next page %d)", n, links.next)
		}
	}
	return nil
}

// pagesDisagree is a list whose pages do not agree with each other.
type pagesDisagree struct{ error }

func (e *pagesDisagree) Unwrap() error { return e.error }

// listAll reads every page of the list at path: the first page, then,
// once its Link header names the last page, all the others (at most eight
// at a time). Each entry is checked with check. Any failed page, entry or
// check fails the whole list.
//
// A page answered from the cache (a 304) may carry the Link header of its
// last answer, and the list may have grown or shrunk since without that
// page changing. So when pages answered from the cache disagree with the
// others, or the last page is full and came from the cache (the list may
// have grown by a page that none of the cached pages shows), the list is
// read again, or the page after the last looked at: the cache saves
// requests and never hides a change.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values, check func(T) error) ([]T, error) {
	pages, cached, err := listPages[T](ctx, c, path, query)
	switch {
	case err != nil && cached && errors.As(err, new(*pagesDisagree)):
		pages, _, err = listPages[T](withoutCache(ctx), c, path, query)
	case err == nil && cached && len(pages[len(pages)-1]) == perPage:
		// Is there a page after the last? GitHub answers [] if not.
		more, _, _, probeErr := fetchPage[T](ctx, c, path, query, len(pages))
		if probeErr != nil {
			return nil, probeErr
		}
		if len(more) > 0 {
			pages, _, err = listPages[T](withoutCache(ctx), c, path, query)
		}
	}
	if err != nil {
		return nil, err
	}
	var all []T
	for _, p := range pages {
		for _, item := range p {
			if err := check(item); err != nil {
				return nil, fmt.Errorf("GET /%s: %w; the list is not read", path, err)
			}
			all = append(all, item)
		}
	}
	return all, nil
}

// listPages reads the pages of the list at path (pages[0] is empty);
// cached says some page, or the last, was answered from the cache: for a
// list whose pages disagree, any; for a list that was read, the last.
func listPages[T any](ctx context.Context, c *Client, path string, query url.Values) (pages [][]T, cached bool, err error) {
	first, links, firstCached, err := fetchPage[T](ctx, c, path, query, 1)
	if err != nil {
		return nil, false, err
	}
	last := 1
	switch {
	case links.next == 0 && links.last == 0:
	case links.next == 2 && links.last >= 2:
		last = links.last
	default:
		return nil, firstCached, &pagesDisagree{fmt.Errorf("GET /%s: the first page's Link header names next page %d and last page %d; the list is not read", path, links.next, links.last)}
	}
	if err := checkPage(path, 1, last, len(first), links); err != nil {
		return nil, firstCached, err
	}
	pages = make([][]T, last+1) // last is at most maxPages
	pages[1] = first
	if last == 1 {
		return pages, firstCached, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		firstErr  error // the first page to fail, not the pages stopped after it
		anyCached = firstCached
		lastCache bool
	)
	for range min(maxConcurrentPages, last-1) {
		wg.Go(func() {
			for p := range work {
				items, links, cached, err := fetchPageSafely[T](ctx, c, path, query, p)
				if err == nil {
					err = checkPage(path, p, last, len(items), links)
				}
				mu.Lock()
				anyCached = anyCached || cached
				if p == last {
					lastCache = cached
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if err != nil {
					cancel()
					continue
				}
				pages[p] = items
			}
		})
	}
feed:
	for p := 2; p <= last; p++ {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, anyCached, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return pages, lastCache, nil
}

// concurrently runs the functions at once and returns their errors, in
// the order of the functions, each run safely.
func concurrently(fs ...func() error) []error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { errs[i] = safely(f) })
	}
	wg.Wait()
	return errs
}

// safely runs f in a goroutine of prodaccess's own: a panic is its error,
// not the end of the process, since a recover at the top of a command
// cannot catch a panic in another goroutine.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (a bug; please report it): %v", r)
		}
	}()
	return f()
}
