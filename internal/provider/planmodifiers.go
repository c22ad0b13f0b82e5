package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// plannedSynced plans document_synced as true whenever the resource exists after apply. When a refresh
// found a variant without the group ID (false in state), the plan therefore shows false -> true, an
// in-place update that writes the ID back.
type plannedSynced struct{}

func (plannedSynced) Description(context.Context) string {
	return "plans true: every apply leaves the group ID in every variant of the document"
}
func (m plannedSynced) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (plannedSynced) PlanModifyBool(_ context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	resp.PlanValue = types.BoolValue(true)
}
