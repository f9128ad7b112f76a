package reconciler

import (
	"errors"
	"runtime"
	"sync"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// The timeline reads history in three stages at once: one goroutine walks
// the history and reads the blobs each step needs (git storage is read by
// that goroutine alone), every processor parses the person files, and
// the timeline takes the steps in order as their files are parsed.

// readStep is a step of the history with what it wrote, read and parsed.
type readStep struct {
	*HistoryStep
	// people are the person in each change's new file (nil where the
	// entry is gone or is not a person file), once parsed is closed.
	people []*model.Person
	data   [][]byte // the content of the files to parse
	// config is the configuration file's content where the step changed
	// it; nil otherwise, and when there is none.
	config []byte
	err    error // a blob that could not be read
	parsed chan struct{}
}

// lookahead is how many steps are read ahead of the timeline.
const lookahead = 64

// errStopped stops a walk that the timeline no longer reads.
var errStopped = errors.New("the timeline stopped reading")

// readHistory walks h up to the last day asked for and calls take with
// each step in order, its files parsed, until take returns an error,
// which it returns. It returns when every goroutine it started is done.
func readHistory(h History, opts TimelineOptions, take func(*readStep) error) error {
	steps, work, stop := make(chan *readStep, lookahead), make(chan *readStep, lookahead), make(chan struct{})
	var walkErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(work)
		defer close(steps)
		var lastConfig ObjectID
		walkErr = h.Walk(func(st *HistoryStep) error {
			if model.DayOf(st.Commit.When, opts.Location) > opts.To {
				return errWalkDone
			}
			rs := &readStep{HistoryStep: st, people: make([]*model.Person, len(st.Changes)), data: make([][]byte, len(st.Changes)), parsed: make(chan struct{})}
			for i, ch := range st.Changes {
				if !ch.New.present() {
					continue
				}
				if p, read := personfile.PersonEntry(opts.PeopleLabel, ch.New.Name, ch.New.Mode); p != nil && read {
					if rs.data[i], rs.err = h.Blob(ch.New.Blob, personfile.MaxPersonFileSize+1); rs.err != nil {
						break
					}
				}
			}
			if st.Config != lastConfig && st.Config != (ObjectID{}) && rs.err == nil {
				rs.config, rs.err = h.Blob(st.Config, 1<<20)
			}
			lastConfig = st.Config
			for _, to := range []chan *readStep{work, steps} {
				select {
				case to <- rs:
				case <-stop:
					return errStopped
				}
			}
			return nil
		})
	})
	keep, _ := h.(ParseKeeper)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for rs := range work {
				if rs.err == nil {
					rs.parse(opts.PeopleLabel, keep)
				}
				close(rs.parsed)
			}
		})
	}
	var err error
	for rs := range steps {
		if err != nil {
			continue // drained, so that the walk can stop
		}
		<-rs.parsed
		if err = rs.err; err == nil {
			err = take(rs)
		}
		if err != nil {
			close(stop)
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if walkErr != nil && !errors.Is(walkErr, errWalkDone) {
		return walkErr
	}
	return nil
}

// parse parses the person files the step wrote, and gives keep (if not
// nil) each person parsed.
func (rs *readStep) parse(label string, keep ParseKeeper) {
	for i, ch := range rs.Changes {
		if !ch.New.present() {
			continue
		}
		p, read := personfile.PersonEntry(label, ch.New.Name, ch.New.Mode)
		if p != nil && read {
			p = personfile.ParsePerson(p, rs.data[i])
			if keep != nil {
				keep.Parsed(label, ch.New.Name, ch.New.Blob, p)
			}
		}
		rs.people[i] = p
		rs.data[i] = nil
	}
}
