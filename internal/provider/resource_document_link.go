package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

var (
	_ resource.Resource                = &documentLinkResource{}
	_ resource.ResourceWithConfigure   = &documentLinkResource{}
	_ resource.ResourceWithImportState = &documentLinkResource{}
	_ resource.ResourceWithModifyPlan  = &documentLinkResource{}
)

// NewDocumentLinkResource returns resource "sanityokta_document_link".
func NewDocumentLinkResource() resource.Resource { return &documentLinkResource{} }

type documentLinkResource struct {
	data *providerData
}

func (r *documentLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_document_link"
}

func (r *documentLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Links a Sanity document to an Okta group that already exists (an access tier's group, " +
			"say): the group's ID is written into the published document, its draft and every release version. The " +
			"group is never created, renamed, changed or deleted; destroy only clears the field.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The document ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"document_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Published document ID. `drafts.` and `versions.` IDs are refused. Changing it " +
					"replaces the resource.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{documentIDValidator()},
			},
			"group_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the existing Okta group to link to. It comes from the configuration, never " +
					"from the document, so an editor cannot redirect the link; a field holding another ID is repaired. " +
					"A group that does not exist is refused, and so is one whose name starts with the provider's " +
					"`group_name_prefix` (that is a group the provider owns for a document).",
			},
			"document_field": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(access.DefaultDocumentField),
				MarkdownDescription: "Top-level document field that receives the group ID. Defaults to `oktaGroupId`.",
				Validators:          []validator.String{fieldNameValidator()},
			},
			"allow_built_in_group": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of a `BUILT_IN` group (`Everyone`) this link may point to. Without it such " +
					"groups are refused: linking documents to every user of the org is almost always a mistake.",
			},
			"group_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The linked group's name in Okta.",
				PlanModifiers:       []planmodifier.String{sameGroupKeepsName{}},
			},
			"document_synced": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether every variant of the document holds the group ID. A refresh that finds it " +
					"lost, or replaced by another ID, sets it to `false`, and the next apply writes it back.",
				PlanModifiers: []planmodifier.Bool{plannedSynced{}},
			},
		},
	}
}

// sameGroupKeepsName plans group_name from state while group_id stays the same.
type sameGroupKeepsName struct{}

func (sameGroupKeepsName) Description(context.Context) string {
	return "keeps the group name while the group ID is unchanged"
}
func (m sameGroupKeepsName) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameGroupKeepsName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var planned, prior types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("group_id"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("group_id"), &prior)...)
	if planned.Equal(prior) {
		resp.PlanValue = req.StateValue
	}
}

func (r *documentLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan claims the document, so that a link and a group (or two links) on one document fail at plan
// time.
func (r *documentLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.service == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan documentLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.DocumentID.IsUnknown() {
		return
	}
	claimPlan(ctx, r.data.service, req, resp, access.PlanClaim{DocumentID: plan.DocumentID.ValueString()}, "link")
}

func linkSpecFrom(m documentLinkModel) access.LinkSpec {
	return access.LinkSpec{
		DocumentID:   m.DocumentID.ValueString(),
		GroupID:      m.GroupID.ValueString(),
		Field:        m.DocumentField.ValueString(),
		AllowBuiltIn: m.AllowBuiltInGroup.ValueString(),
	}
}

func linkFrom(m documentLinkModel) access.Link {
	return access.Link{
		DocumentID:     m.DocumentID.ValueString(),
		GroupID:        m.GroupID.ValueString(),
		GroupName:      m.GroupName.ValueString(),
		Field:          m.DocumentField.ValueString(),
		DocumentSynced: m.DocumentSynced.ValueBool(),
	}
}

func setLink(m *documentLinkModel, l access.Link) {
	m.ID = types.StringValue(l.DocumentID)
	m.DocumentID = types.StringValue(l.DocumentID)
	m.GroupID = types.StringValue(l.GroupID)
	m.GroupName = types.StringValue(l.GroupName)
	m.DocumentField = types.StringValue(l.Field)
	m.DocumentSynced = types.BoolValue(l.DocumentSynced)
}

func (r *documentLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan documentLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	l, warnings, err := r.data.service.CreateLink(ctx, linkSpecFrom(plan))
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot link document %q", plan.DocumentID.ValueString()), err.Error())
		return
	}
	setLink(&plan, l)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *documentLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state documentLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	l, gone, err := r.data.service.ReadLink(ctx, linkFrom(state))
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read the link of document %q", state.DocumentID.ValueString()), err.Error())
		return
	}
	if gone {
		resp.Diagnostics.AddWarning("Linked Okta group no longer exists",
			fmt.Sprintf("The Okta group %q that document %q is linked to was deleted. The link leaves the state, and the "+
				"next apply fails until the configuration names a group that exists.", state.GroupID.ValueString(), state.DocumentID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	setLink(&state, l)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *documentLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state documentLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	l, warnings, err := r.data.service.UpdateLink(ctx, linkFrom(state), linkSpecFrom(plan))
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot update the link of document %q", plan.DocumentID.ValueString()), err.Error())
		return
	}
	setLink(&plan, l)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *documentLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state documentLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	if err := r.data.service.DeleteLink(ctx, linkFrom(state)); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot remove the link of document %q", state.DocumentID.ValueString()), err.Error())
	}
}

// ImportState takes the document ID; the group is the one the document's oktaGroupId names.
func (r *documentLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = r.data.logContext(ctx)
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	l, err := r.data.service.ImportLink(ctx, req.ID, access.DefaultDocumentField)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot import the link of document %q", req.ID), err.Error())
		return
	}
	m := documentLinkModel{AllowBuiltInGroup: types.StringNull()}
	setLink(&m, l)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
