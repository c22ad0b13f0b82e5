package devstack

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// quickstartUsers is a copy of examples/quickstart/users.ndjson, the people of the quickstart's fake
// org; TestQuickstartCopyIsCurrent checks it and `go generate` refreshes it.
//
//go:generate cp ../../examples/quickstart/users.ndjson quickstart_users.ndjson
//go:embed quickstart_users.ndjson
var quickstartUsers []byte

// QuickstartUsers returns the quickstart's Okta users: a sales employee in EMEA, an HR employee in
// AMER and a contractor, one oktatest.User as JSON per line. Pass it as Options.Users via
// bytes.NewReader.
func QuickstartUsers() []byte { return append([]byte(nil), quickstartUsers...) }

func readUsers(opts Options) ([]byte, error) {
	switch {
	case opts.Users != nil && opts.UsersFile != "":
		return nil, errors.New("devstack: Options.Users and Options.UsersFile are both set; set one")
	case opts.Users != nil:
		b, err := io.ReadAll(opts.Users)
		if err != nil {
			return nil, fmt.Errorf("devstack: reading the users: %w", err)
		}
		return b, nil
	case opts.UsersFile != "":
		b, err := os.ReadFile(opts.UsersFile)
		if err != nil {
			return nil, fmt.Errorf("devstack: reading the users file: %w", err)
		}
		return b, nil
	}
	return nil, nil
}

// seedUsers adds one user per non-empty line (the JSON of oktatest.User, as POST /__admin/users takes
// it) to the fake org; it returns how many.
func seedUsers(org *oktatest.Server, users []byte, name string) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(users))
	sc.Buffer(nil, 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var u oktatest.User
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&u); err != nil {
			return n, fmt.Errorf("devstack: %s line %d: %w; want one user per line like {\"profile\":{\"login\":\"a@example.com\",...}}", name, line, err)
		}
		if _, err := org.AddUser(u); err != nil {
			return n, fmt.Errorf("devstack: %s line %d: %w", name, line, err)
		}
		n++
	}
	return n, sc.Err()
}
