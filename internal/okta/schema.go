package okta

import (
	"context"
)

// GroupAttributeTypes reads the org's group profile schema and returns each custom attribute's type
// (string, boolean, integer, number or array).
func (c *Client) GroupAttributeTypes(ctx context.Context) (map[string]string, error) {
	const op = "read the group profile schema"
	ctx, trace := withTrace(ctx)
	var schema struct {
		Definitions struct {
			Custom struct {
				Properties map[string]struct {
					Type string `json:"type"`
				} `json:"properties"`
			} `json:"custom"`
		} `json:"definitions"`
	}
	resp, err := c.do(ctx, "GET", "/api/v1/meta/schemas/group/default", nil, &schema)
	if err != nil {
		return nil, c.classify(op, "the org's group schema", resp, err, trace)
	}
	out := make(map[string]string, len(schema.Definitions.Custom.Properties))
	for name, p := range schema.Definitions.Custom.Properties {
		out[name] = p.Type
	}
	return out, nil
}
