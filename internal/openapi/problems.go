package openapi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Problems collects what is wrong with one exchange, each problem saying
// where in the request or the answer it is.
type Problems struct {
	List []string
}

// Addf adds a problem.
func (p *Problems) Addf(format string, args ...any) {
	p.List = append(p.List, fmt.Sprintf(format, args...))
}

// mostSchemaErrors is how many errors of one validation are said.
const mostSchemaErrors = 8

// AddSchema adds the errors of a failed validation of what, each with the
// JSON pointer of the value at fault.
func (p *Problems) AddSchema(what string, err error) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		p.Addf("%s: %v", what, err)
		return
	}
	// The same error can come from more than one way through the schema
	// (a discriminator's choice and oneOf's): each is said once.
	var msgs []string
	for _, l := range leafErrors(ve, nil) {
		if m := fmt.Sprintf("%s at %q: %s", what, Pointer(l.InstanceLocation), l.BasicOutput().Error); !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	for i, m := range msgs {
		if i == mostSchemaErrors {
			p.Addf("%s: and %d more", what, len(msgs)-mostSchemaErrors)
			break
		}
		p.Addf("%s", m)
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
