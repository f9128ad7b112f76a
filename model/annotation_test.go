package model

import "testing"

// TestAnnotation checks the workflow-command format, including the
// escaping GitHub requires: % CR LF in the message; those and : , in
// properties.
func TestAnnotation(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "people/jane-doe.yaml", Line: 12, Col: 3, Message: "github: unquoted no is read as a boolean"},
			"::error file=people/jane-doe.yaml,line=12,col=3,title=prodaccess validate::github: unquoted no is read as a boolean"},
		{Problem{File: "odd,dir:x/100%.yaml", Line: 1, Col: 1, Message: "50% done\r\nnext: line"},
			"::error file=odd%2Cdir%3Ax/100%25.yaml,line=1,col=1,title=prodaccess validate::50%25 done%0D%0Anext: line"},
	}
	for _, tt := range tests {
		if got := tt.p.Annotation(); got != tt.want {
			t.Errorf("Annotation() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}
