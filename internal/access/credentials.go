package access

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// accessChecker is a Directory or ContentLake that can prove its credentials with one small request.
type accessChecker interface {
	CheckAccess(ctx context.Context) error
}

// CheckAccess makes one small read of the org: see okta.Client.CheckAccess.
func (d OktaDirectory) CheckAccess(ctx context.Context) error { return d.Client.CheckAccess(ctx) }

// credentialCheckID is a document ID no dataset holds: reading it reads nothing but needs a token the
// project accepts and a dataset that exists.
const credentialCheckID = "sanityokta.credential-check"

// CheckAccess reads one document that does not exist from the doc endpoint, which answers without
// running a query.
func (c SanityContentLake) CheckAccess(ctx context.Context) error {
	_, err := c.Client.Document(ctx, credentialCheckID)
	return err
}

// CheckCredentials makes one small read from each service, at the same time, so that a wrong token, org
// URL or dataset fails once, before any document is read or any group is planned. sanityErr and oktaErr
// are nil when that service answered.
func (s *Service) CheckCredentials(ctx context.Context) (sanityErr, oktaErr error) {
	// Each branch gets its own logger fields: a logger's fields are one map, which logging from two
	// goroutines with the same context would read and mask at the same time.
	sanityCtx := tflog.SetField(ctx, "credential_check", "sanity")
	oktaCtx := tflog.SetField(ctx, "credential_check", "okta")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx := sanityCtx
		var err error
		if c, ok := s.content.(accessChecker); ok {
			err = c.CheckAccess(ctx)
		} else {
			_, err = s.content.Query(ctx, Query{GROQ: `count(*[_id == $id])`, Params: map[string]any{"id": credentialCheckID}, Perspective: "published"})
		}
		if err != nil {
			sanityErr = fmt.Errorf("the Content Lake refused a one-document read with the configured project, "+
				"dataset and token: %w", err)
		}
	}()
	if c, ok := s.groups.(accessChecker); ok {
		if err := c.CheckAccess(oktaCtx); err != nil {
			oktaErr = fmt.Errorf("the Okta org refused a one-group read with the configured org URL and credentials: %w", err)
		}
	}
	wg.Wait()
	return sanityErr, oktaErr
}
