// Package browser drives headless Chromium through the DevTools protocol
// over a pipe, so that tests can look at a page as a person would: load
// it, read its DOM, take a screenshot, and see every console message,
// script error, dialog and network request it caused. Nothing in it is
// part of prodaccess itself.
package browser

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Find returns the path of a Chromium or Chrome program, or "" when there
// is none. $CHROMIUM names one explicitly.
func Find() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless browser process.
type Browser struct {
	cmd *exec.Cmd
	in  io.WriteCloser // commands to the browser (its fd 3)
	out io.ReadCloser  // replies and events from it (its fd 4)

	wmu    sync.Mutex // one message at a time on in
	mu     sync.Mutex
	next   int
	wait   map[int]chan reply
	pages  map[string]*Page // by session
	done   chan struct{}
	err    error // why the reader stopped
	stderr *limited
}

type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    any             `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

type incoming struct {
	ID        int             `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
	Result    json.RawMessage `json:"result"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error"`
}

type reply struct {
	result json.RawMessage
	err    error
}

// limited keeps the first 64 KiB written to it, for error messages.
type limited struct {
	mu  sync.Mutex
	buf []byte
}

func (l *limited) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := 64<<10 - len(l.buf); n > 0 {
		l.buf = append(l.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (l *limited) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// Start runs the browser at path headless, with its profile in
// profileDir, which must be an empty folder that the caller removes. The
// browser makes no requests of its own (no updates, sync or metrics).
func Start(path, profileDir string) (*Browser, error) {
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
		"--user-data-dir="+profileDir, "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--mute-audio",
		"--hide-scrollbars", "--force-color-profile=srgb", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, evW} // fd 3 and fd 4
	b := &Browser{cmd: cmd, in: cmdW, out: evR, wait: map[int]chan reply{}, pages: map[string]*Page{}, done: make(chan struct{}), stderr: &limited{}}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		cmdR.Close()
		cmdW.Close()
		evR.Close()
		evW.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	cmdR.Close()
	evW.Close()
	go b.read()
	return b, nil
}

// Close asks the browser to close, kills it if it has not exited ten
// seconds later, and waits for it.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil) // it may be gone already
	b.in.Close()
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-ctx.Done():
		b.cmd.Process.Kill()
		err = <-exited
	}
	b.out.Close()
	<-b.done
	return err
}

// read dispatches every message the browser sends until the pipe closes.
func (b *Browser) read() {
	defer close(b.done)
	r := bufio.NewReaderSize(b.out, 1<<20)
	for {
		data, err := r.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.err = fmt.Errorf("the browser closed its pipe: %v\n%s", err, b.stderr)
			for id, ch := range b.wait {
				ch <- reply{err: b.err}
				delete(b.wait, id)
			}
			b.mu.Unlock()
			return
		}
		var m incoming
		if err := json.Unmarshal(data[:len(data)-1], &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.wait[m.ID]; ok {
				delete(b.wait, m.ID)
				rp := reply{result: m.Result}
				if m.Error != nil {
					rp.err = errors.New(m.Error.Message)
				}
				ch <- rp
			}
		} else if p := b.pages[m.SessionID]; p != nil {
			p.event(m.Method, m.Params)
		}
		b.mu.Unlock()
	}
}

// call sends one command, in a session or to the browser, and decodes its
// result into out (which may be nil).
func (b *Browser) call(ctx context.Context, session, method string, params, out any) error {
	ch := make(chan reply, 1)
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return b.err
	}
	b.next++
	id := b.next
	b.wait[id] = ch
	b.mu.Unlock()
	data, err := json.Marshal(message{ID: id, Method: method, Params: params, SessionID: session})
	if err != nil {
		return err
	}
	b.wmu.Lock()
	_, err = b.in.Write(append(data, 0))
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case rp := <-ch:
		if rp.err != nil {
			return fmt.Errorf("%s: %w", method, rp.err)
		}
		if out != nil {
			return json.Unmarshal(rp.result, out)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.wait, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// Page is one tab.
type Page struct {
	b       *Browser
	session string

	mu       sync.Mutex
	loads    chan string // the loader id of every document that finishes loading
	problems []string
	requests []string
}

// Open makes a tab with a viewport of width by height CSS pixels, loads
// url in it and waits for its load event.
func (b *Browser) Open(ctx context.Context, url string, width, height int) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: att.SessionID, loads: make(chan string, 64)}
	b.mu.Lock()
	b.pages[p.session] = p
	b.mu.Unlock()
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		if err := p.call(ctx, m, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := p.call(ctx, "Page.setLifecycleEventsEnabled", map[string]any{"enabled": true}, nil); err != nil {
		return nil, err
	}
	if err := p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	var nav struct {
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("load %s: %s", url, nav.ErrorText)
	}
	for {
		select {
		case id := <-p.loads:
			if id == nav.LoaderID {
				return p, nil
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("load %s: %w", url, ctx.Err())
		}
	}
}

func (p *Page) call(ctx context.Context, method string, params, out any) error {
	return p.b.call(ctx, p.session, method, params, out)
}

// event records what a page did; it runs on the reader with b.mu held, so
// it must not wait for a reply.
func (p *Page) event(method string, params json.RawMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch method {
	case "Page.lifecycleEvent":
		var e struct {
			LoaderID string `json:"loaderId"`
			Name     string `json:"name"`
		}
		if json.Unmarshal(params, &e) == nil && e.Name == "load" {
			select {
			case p.loads <- e.LoaderID:
			default: // nobody is waiting for so many loads
			}
		}
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		_ = json.Unmarshal(params, &e) // a message we cannot read is still reported
		text := ""
		for _, a := range e.Args {
			text += fmt.Sprint(a.Value) + a.Description + " "
		}
		p.problems = append(p.problems, fmt.Sprintf("console.%s: %s", e.Type, text))
	case "Runtime.exceptionThrown":
		p.problems = append(p.problems, "script error: "+string(params))
	case "Log.entryAdded":
		var e struct {
			Entry struct {
				Level, Source, Text, URL string
			} `json:"entry"`
		}
		_ = json.Unmarshal(params, &e) // a message we cannot read is still reported
		p.problems = append(p.problems, fmt.Sprintf("%s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL))
	case "Page.javascriptDialogOpening":
		var e struct {
			Type, Message string
		}
		_ = json.Unmarshal(params, &e) // a message we cannot read is still reported
		p.problems = append(p.problems, fmt.Sprintf("a script opened a dialog (%s): %q", e.Type, e.Message))
		go func() {
			_ = p.call(context.Background(), "Page.handleJavaScriptDialog", map[string]any{"accept": false}, nil)
		}()
	case "Network.requestWillBeSent":
		var e struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(params, &e) == nil {
			p.requests = append(p.requests, e.Request.URL)
		}
	}
}

// Problems returns every console message, log entry, script error and
// dialog the page has caused so far. A page that works has none.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Requests returns the address of every request the page has made so
// far, the page itself first.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Evaluate runs a JavaScript expression in the page and decodes its value,
// which must be JSON, into out.
func (p *Page) Evaluate(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
		return err
	}
	if d := r.ExceptionDetails; d != nil {
		// The text is only "Uncaught"; the exception says what.
		why := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			why += ": " + d.Exception.Description
		}
		return fmt.Errorf("evaluate %q: %s", expr, why)
	}
	return json.Unmarshal(r.Result.Value, out)
}

// Screenshot returns a PNG of the whole page, beyond the viewport.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var m struct {
		CSSContentSize struct {
			Width, Height float64
		} `json:"cssContentSize"`
	}
	if err := p.call(ctx, "Page.getLayoutMetrics", nil, &m); err != nil {
		return nil, err
	}
	clip := map[string]any{"x": 0, "y": 0, "width": math.Ceil(m.CSSContentSize.Width), "height": math.Ceil(m.CSSContentSize.Height), "scale": 1}
	var shot struct {
		Data string `json:"data"`
	}
	if err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "clip": clip, "captureBeyondViewport": true}, &shot); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(shot.Data)
}
