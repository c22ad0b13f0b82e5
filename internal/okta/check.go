package okta

import (
	"context"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// CheckAccess makes the smallest read the provider depends on (one group of the org) to prove that the
// org URL and the credentials work, and, for a service app, that its access token carries a groups scope.
// Bad credentials then fail once, when the provider is configured, instead of once per resource.
func (c *Client) CheckAccess(ctx context.Context) error {
	const op = "check the credentials by reading"
	ctx, trace := withTrace(ctx)
	var gs []*sdk.Group
	resp, err := c.do(ctx, "GET", "/api/v1/groups?limit=1", nil, &gs)
	if err != nil {
		return c.classify(op, "one group of "+c.orgURL, resp, err, trace)
	}
	return nil
}
