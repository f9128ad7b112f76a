package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/model"
)

// Profile is what GitHub's public profile of an account says: GET
// /users/{username} gives the name and the email its owner chose to make
// public (either may be missing), and whether it is a bot.
type Profile struct {
	Login string
	ID    int64
	Name  string
	Email string
	// Type is User, Bot or Organization.
	Type string
	// Problems say which values were left out, and why: a name with
	// characters that hide what it says is not used.
	Problems []string
}

// apiProfile is the part of GET /users/{username} a profile reads.
type apiProfile struct {
	Login string  `json:"login"`
	ID    int64   `json:"id"`
	Type  string  `json:"type"`
	Name  *string `json:"name"`
	Email *string `json:"email"`
}

// Profiles reads the public profile of every login, eight at a time. A
// login GitHub answers with an error fails the read: a profile left out
// would be a person matched on less than was there to see.
func (c *Client) Profiles(ctx context.Context, logins []string) (map[string]Profile, error) {
	out := make(map[string]Profile, len(logins))
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, maxConcurrentLookups)
	var wg sync.WaitGroup
	for _, login := range slices.Compact(slices.Sorted(slices.Values(logins))) {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var p Profile
			err := safely(func() (err error) { p, err = c.profile(ctx, login); return err })
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("read the profile of %s: %w", login, c.clean(err)))
				return
			}
			out[strings.ToLower(login)] = p
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func (c *Client) profile(ctx context.Context, login string) (Profile, error) {
	path, err := apiPath("users", login)
	if err != nil {
		return Profile{}, err
	}
	var u apiProfile
	if _, err := c.do(ctx, http.MethodGet, path, nil, nil, &u); err != nil {
		return Profile{}, err
	}
	if err := checkUser(apiUser{Login: u.Login, ID: u.ID}); err != nil {
		return Profile{}, err
	}
	if !strings.EqualFold(u.Login, login) {
		return Profile{}, fmt.Errorf("GitHub answered for %q with the profile of %q", preview(login), preview(u.Login))
	}
	p := Profile{Login: u.Login, ID: u.ID, Type: u.Type}
	for _, f := range []struct {
		v   *string
		dst *string
		why string
	}{{u.Name, &p.Name, "name"}, {u.Email, &p.Email, "email"}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if msg := model.CheckFreeText(v); msg != "" && v != "" {
			p.Problems = append(p.Problems, fmt.Sprintf("the %s in the profile of %s %s, so it is not used", f.why, u.Login, msg))
			continue
		}
		*f.dst = v
	}
	return p, nil
}
