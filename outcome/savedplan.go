package outcome

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxSavedPlanSize is the largest saved plan read.
const MaxSavedPlanSize = 32 << 20

// digestPrefix names the hash of a plan digest.
const digestPrefix = "sha256:"

// planDigest is the hash of the plan's content, without its digest.
func planDigest(p *Plan) (string, error) {
	c := *p
	c.Digest = ""
	data, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return digestPrefix + hex.EncodeToString(sum[:]), nil
}

// EncodeSavedPlan writes a plan to be saved (plan --out) and applied later
// (apply --plan), with the digest of its content inside. The digest is not
// a signature, since anyone can compute one: it only makes an edited file
// easy to tell apart from one that no longer matches the world. What
// protects a saved plan is that apply computes the plan again and refuses
// unless it is identical.
func EncodeSavedPlan(p *Plan) ([]byte, error) {
	d, err := planDigest(p)
	if err != nil {
		return nil, err
	}
	c := *p
	c.Digest = d
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ErrPlanEdited is returned by DecodeSavedPlan for a plan whose content no
// longer matches its digest.
var ErrPlanEdited = errors.New("the saved plan was edited after it was made: its content does not match its digest")

// DecodeSavedPlan reads a saved plan strictly: one JSON object with only
// the fields a plan has, no larger than MaxSavedPlanSize, whose digest
// matches its content.
func DecodeSavedPlan(data []byte) (*Plan, error) {
	if len(data) > MaxSavedPlanSize {
		return nil, fmt.Errorf("the file is larger than %d MiB, which no plan is", MaxSavedPlanSize>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a saved plan: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not a saved plan: more follows the plan object")
	}
	if p.Digest == "" {
		return nil, errors.New("the saved plan has no digest; save plans with prodaccess plan --out")
	}
	want, err := planDigest(&p)
	if err != nil {
		return nil, err
	}
	if p.Digest != want {
		return nil, ErrPlanEdited
	}
	return &p, nil
}
