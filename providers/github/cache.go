package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Cache keeps the ETag and the body of GitHub's last successful answer to
// each read, so that the next run can ask with If-None-Match and take a
// 304 Not Modified, which GitHub does not count against the rate limit,
// as "the same as last time".
//
// An entry is keyed by the method, the whole URL and the Accept header:
// not by the token. A GitHub App's installation token lasts an hour, so a
// key with the token in it would make every hourly run start cold; and
// nothing is lost without it, since GitHub answers 304 only when what the
// request would get (with this token) has the ETag the cache holds: a
// token that may not read the page gets its 404 or 403, never a 304. The
// token never reaches the cache: only the URL, the ETag, the body and the
// Content-Type and Link headers of an answer are kept.
//
// What the cache holds is what the token could read: team members,
// invitations, pull requests. Its file belongs in the runner's cache,
// never in an artifact anyone can download.
type Cache struct {
	mu       sync.Mutex
	entries  map[string]*cacheEntry
	maxBytes int64
	now      func() time.Time
}

type cacheEntry struct {
	Key         string    `json:"key"`
	ETag        string    `json:"etag"`
	ContentType string    `json:"content_type,omitempty"`
	Link        string    `json:"link,omitempty"`
	Body        string    `json:"body"`
	Used        time.Time `json:"used"`
}

func (e *cacheEntry) size() int64 { return int64(len(e.Key) + len(e.ETag) + len(e.Link) + len(e.Body)) }

// cacheFile is the file's content.
type cacheFile struct {
	Format  string        `json:"format"`
	Entries []*cacheEntry `json:"entries"`
}

const (
	cacheFormat = "prodaccess-github-cache/1"
	// DefaultCacheBytes bounds the bodies a cache keeps; the least
	// recently used go first.
	DefaultCacheBytes = 50 << 20
	// fromCacheHeader marks an answer made from the cache after a 304,
	// as httpcache does (go-github then leaves its rate figures alone).
	fromCacheHeader = "X-From-Cache"
)

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[string]*cacheEntry{}} }

func (c *Cache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// LoadCache reads the cache file at path. A missing file is an empty
// cache. A file that cannot be read, or is not a cache, is an empty cache
// and a warning, never a failure: the cache only saves requests. An entry
// whose ETag or body is not what GitHub sends is dropped, and said so.
func LoadCache(path string) (*Cache, error) {
	c := NewCache()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("GitHub cache %s cannot be read, so every read is sent afresh: %v", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2*DefaultCacheBytes+1))
	if err != nil {
		return c, fmt.Errorf("GitHub cache %s cannot be read, so every read is sent afresh: %v", path, err)
	}
	if len(data) > 2*DefaultCacheBytes {
		return c, fmt.Errorf("GitHub cache %s is larger than %d MiB, which no cache prodaccess writes is; it is not used", path, 2*DefaultCacheBytes>>20)
	}
	var file cacheFile
	if err := json.Unmarshal(data, &file); err != nil || file.Format != cacheFormat {
		return c, fmt.Errorf("GitHub cache %s is not a prodaccess GitHub cache (%s), so every read is sent afresh; it is written anew at the end of the run", path, whyNotCache(err, file.Format))
	}
	dropped := 0
	for _, e := range file.Entries {
		if e == nil || !validEntry(e) {
			dropped++
			continue
		}
		c.entries[e.Key] = e
	}
	if dropped > 0 {
		return c, fmt.Errorf("GitHub cache %s: %d entr(ies) are not valid and were dropped; those reads are sent afresh", path, dropped)
	}
	return c, nil
}

func whyNotCache(err error, format string) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("format %q", format)
}

// validEntry checks what a stored entry must be for its body to stand for
// GitHub's answer: a GET key, a quoted ETag, and a JSON body.
func validEntry(e *cacheEntry) bool {
	return strings.HasPrefix(e.Key, http.MethodGet+" ") && validETag(e.ETag) && json.Valid([]byte(e.Body))
}

func validETag(s string) bool {
	s = strings.TrimPrefix(s, "W/")
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsAny(s[1:len(s)-1], "\"\r\n")
}

// Save writes the cache to path atomically (a file beside it, then a
// rename), readable by its owner alone, making its folder if need be. Only the most recently used
// entries are kept, DefaultCacheBytes of them at most.
func (c *Cache) Save(path string) error {
	c.mu.Lock()
	entries := make([]*cacheEntry, 0, len(c.entries))
	for _, e := range c.entries {
		entries = append(entries, e)
	}
	maxBytes := c.maxBytes
	c.mu.Unlock()
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	slices.SortFunc(entries, func(a, b *cacheEntry) int {
		if d := b.Used.Compare(a.Used); d != 0 {
			return d
		}
		return strings.Compare(a.Key, b.Key)
	})
	var total int64
	for i, e := range entries {
		if total += e.size(); total > maxBytes {
			entries = entries[:i]
			break
		}
	}
	data, err := json.Marshal(cacheFile{Format: cacheFormat, Entries: entries})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write GitHub cache %s: %w", path, err)
	}
	return nil
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// cacheKey is the key of a request that may be answered from the cache,
// or "" for one that may not: only a GET without a body, and without
// validators or a range of its own.
func cacheKey(req *http.Request) string {
	if req.Method != http.MethodGet || (req.Body != nil && req.Body != http.NoBody) || req.ContentLength > 0 {
		return ""
	}
	for _, h := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		if req.Header.Get(h) != "" {
			return ""
		}
	}
	return req.Method + " " + req.URL.String() + " " + req.Header.Get("Accept")
}

func (c *Cache) lookup(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		return nil
	}
	cp := *e
	return &cp
}

// store keeps a successful answer that carries an ETag and a JSON body;
// any other answer removes what was kept for key.
func (c *Cache) store(key string, resp *http.Response, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || !validETag(etag) || !json.Valid(body) {
		delete(c.entries, key)
		return
	}
	c.entries[key] = &cacheEntry{
		Key:         key,
		ETag:        etag,
		ContentType: resp.Header.Get("Content-Type"),
		Link:        strings.Join(resp.Header.Values("Link"), ", "),
		Body:        string(body),
		Used:        c.clock().UTC(),
	}
}

// touch marks an entry as used now.
func (c *Cache) touch(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		e.Used = c.clock().UTC()
	}
}

// answer turns a 304 into the answer it stands for: the stored body and
// headers, with what the 304 says on top (its rate figures and ETag), as
// RFC 9111 section 4.3.4 says of a validated response. A Link header in
// the 304 replaces the stored one; one it does not carry is the stored one.
func (e *cacheEntry) answer(notModified *http.Response) *http.Response {
	resp := *notModified
	resp.Header = notModified.Header.Clone()
	if e.Link != "" && resp.Header.Get("Link") == "" {
		resp.Header.Set("Link", e.Link)
	}
	if e.ContentType != "" {
		resp.Header.Set("Content-Type", e.ContentType)
	}
	if resp.Header.Get("ETag") == "" {
		resp.Header.Set("ETag", e.ETag)
	}
	resp.Header.Del("Content-Length")
	resp.Header.Set(fromCacheHeader, "1")
	resp.StatusCode = http.StatusOK
	resp.Status = "200 OK"
	resp.Body = io.NopCloser(strings.NewReader(e.Body))
	resp.ContentLength = int64(len(e.Body))
	return &resp
}
