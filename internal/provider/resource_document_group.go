package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

const (
	onDestroyDelete = "delete"
	onDestroyKeep   = "keep"
)

var (
	_ resource.Resource                = &documentGroupResource{}
	_ resource.ResourceWithConfigure   = &documentGroupResource{}
	_ resource.ResourceWithImportState = &documentGroupResource{}
	_ resource.ResourceWithModifyPlan  = &documentGroupResource{}
)

// NewDocumentGroupResource returns resource "sanityokta_document_group".
func NewDocumentGroupResource() resource.Resource { return &documentGroupResource{} }

type documentGroupResource struct {
	data *providerData
}

func (r *documentGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_document_group"
}

func (r *documentGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One Okta group for one Sanity document. The group's ID is written back into the " +
			"published document, its draft and every release version, so the next publish keeps it. Creating is " +
			"idempotent: a group the document already names, or one with exactly this name, is adopted instead of " +
			"duplicated, if it passes the ownership guard.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Okta group ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"document_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Published document ID. `drafts.` and `versions.` IDs are refused: the provider " +
					"finds and writes those variants itself. Changing it replaces the resource.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{documentIDValidator()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Okta group name, 1 to 255 characters. It must start with the provider's " +
					"`group_name_prefix` (checked at plan time).",
				Validators: []validator.String{stringvalidator.UTF8LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: "Okta group description, at most 1024 characters. Defaults to `\"\"` (no description): when it is left out, plans count it among the unchanged attributes they hide.",
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(1024)},
			},
			"document_field": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(access.DefaultDocumentField),
				MarkdownDescription: "Top-level document field that receives the group ID. Defaults to `oktaGroupId`.",
				Validators:          []validator.String{fieldNameValidator()},
			},
			"on_destroy": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(onDestroyDelete),
				MarkdownDescription: "What destroy does: `delete` (default) deletes the group; `keep` leaves it in Okta. " +
					"Both clear the field in every variant that still holds the group ID.",
				Validators: []validator.String{stringvalidator.OneOf(onDestroyDelete, onDestroyKeep)},
			},
			"profile_attributes": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Custom group profile attributes to set, for example " +
					"`{ accessTier = each.value.access_tier, sanityDocumentId = each.key }`, so Okta admins and apps can " +
					"filter on them. Each must exist in the org's group profile schema; a value is converted to the " +
					"attribute's type (string, integer, number or boolean). An attribute the schema lacks, or a value " +
					"of the wrong type, fails before anything is written. Attributes not listed here are left as they " +
					"are; one removed from the map is removed from the group. The provider never changes the schema.",
			},
			"document_synced": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether every variant of the document (published, draft, release versions) holds the " +
					"group ID. A refresh that finds it lost (for example an old draft was published over it) sets it to " +
					"`false`, and the next apply writes the ID back.",
				PlanModifiers: []planmodifier.Bool{plannedSynced{}},
			},
		},
	}
}

func (r *documentGroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// claimKey is the private-state key holding the instance's plan token (see access.Service.ClaimPlan).
const claimKey = "claim"

type claimPrivate struct {
	Token string `json:"token"`
}

// ModifyPlan checks at plan time what the domain can check without writing: the name half of the
// ownership guard, one group name per document and one resource per document (across every instance
// this provider process plans), and the deletion limit.
func (r *documentGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.service == nil {
		return
	}
	svc := r.data.service
	var prior *documentGroupModel
	if !req.State.Raw.IsNull() {
		prior = &documentGroupModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if req.Plan.Raw.IsNull() {
		if prior != nil {
			if err := svc.PlanDeletion(bindingFrom(*prior), prior.OnDestroy.ValueString() == onDestroyKeep); err != nil {
				resp.Diagnostics.AddError("Too many Okta groups deleted in one run", err.Error())
			}
		}
		return
	}
	var plan documentGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.DocumentID.IsUnknown() {
		return
	}
	docID := plan.DocumentID.ValueString()
	if prior != nil && prior.DocumentID.ValueString() == docID {
		if w := svc.KeptWithoutDocument(bindingFrom(*prior)); w != nil {
			resp.Diagnostics.AddWarning(w.Summary, w.Detail)
		}
	}
	if prior != nil && prior.DocumentID.ValueString() != docID {
		// document_id forces a replacement, which destroys the old binding.
		if err := svc.PlanDeletion(bindingFrom(*prior), prior.OnDestroy.ValueString() == onDestroyKeep); err != nil {
			resp.Diagnostics.AddError("Too many Okta groups deleted in one run", err.Error())
		}
	}
	name := ""
	if !plan.Name.IsUnknown() {
		name = plan.Name.ValueString()
		if err := svc.CheckGroupName(docID, name); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Group name outside the ownership prefix", err.Error())
			return
		}
	}
	claimPlan(ctx, svc, req, resp, access.PlanClaim{DocumentID: docID, Name: name}, "group")
}

// claimPlan claims the document (and the name) for this resource instance, carrying the instance's token
// in its private state: see access.Service.ClaimPlan.
func claimPlan(ctx context.Context, svc *access.Service, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, c access.PlanClaim, what string) {
	c.Token = priorPlanToken(ctx, req)
	token, err := svc.ClaimPlan(c)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Document %q cannot have this %s", c.DocumentID, what), err.Error())
		return
	}
	keepPlanToken(ctx, resp, token)
}

// priorPlanToken is the token an earlier plan of this instance kept in its private state, or "".
func priorPlanToken(ctx context.Context, req resource.ModifyPlanRequest) string {
	var claimed claimPrivate
	if raw, diags := req.Private.GetKey(ctx, claimKey); !diags.HasError() && len(raw) > 0 {
		_ = json.Unmarshal(raw, &claimed)
	}
	return claimed.Token
}

// keepPlanToken keeps the instance's token in its planned private state.
func keepPlanToken(ctx context.Context, resp *resource.ModifyPlanResponse, token string) {
	raw, _ := json.Marshal(claimPrivate{Token: token})
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, claimKey, raw)...)
}

func (r *documentGroupResource) ready(diags *diag.Diagnostics) bool { return ready(r.data, diags) }

// ready reports whether the provider was configured before a resource was used.
func ready(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil || data.service == nil {
		diags.AddError("Provider not configured", "The sanityokta provider was not configured before this resource was used.")
		return false
	}
	return true
}

func specFrom(m documentGroupModel) access.Spec {
	return access.Spec{
		DocumentID:  m.DocumentID.ValueString(),
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		Field:       m.DocumentField.ValueString(),
		Attributes:  stringMap(m.Attributes),
	}
}

// stringMap is a map(string) attribute as a Go map; nil when null.
func stringMap(m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() {
			out[k] = s.ValueString()
		}
	}
	return out
}

// droppedAttributes are the attributes prior managed and plan no longer does.
func droppedAttributes(prior, plan documentGroupModel) []string {
	var out []string
	planned := stringMap(plan.Attributes)
	for k := range stringMap(prior.Attributes) {
		if _, ok := planned[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func bindingFrom(m documentGroupModel) access.Binding {
	return access.Binding{
		DocumentID:     m.DocumentID.ValueString(),
		GroupID:        m.ID.ValueString(),
		Name:           m.Name.ValueString(),
		Description:    m.Description.ValueString(),
		Field:          m.DocumentField.ValueString(),
		DocumentSynced: m.DocumentSynced.ValueBool(),
		Attributes:     stringMap(m.Attributes),
	}
}

// setBinding copies what the domain reports into the model, leaving configuration-only attributes alone.
func setBinding(m *documentGroupModel, b access.Binding) {
	m.ID = types.StringValue(b.GroupID)
	m.DocumentID = types.StringValue(b.DocumentID)
	m.Name = types.StringValue(b.Name)
	m.Description = types.StringValue(b.Description)
	m.DocumentField = types.StringValue(b.Field)
	m.DocumentSynced = types.BoolValue(b.DocumentSynced)
	if b.Attributes != nil {
		m.Attributes, _ = types.MapValueFrom(context.Background(), types.StringType, b.Attributes)
	} else {
		m.Attributes = types.MapNull(types.StringType)
	}
}

func addWarnings(diags *diag.Diagnostics, ws []access.Warning) {
	for _, w := range ws {
		diags.AddWarning(w.Summary, w.Detail)
	}
}

func (r *documentGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan documentGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	b, warnings, err := r.data.service.Create(ctx, specFrom(plan))
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot create the group for document %q", plan.DocumentID.ValueString()), err.Error())
		return
	}
	tflog.Info(ctx, "document group created", map[string]any{"document_id": b.DocumentID, "group_id": b.GroupID})
	setBinding(&plan, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *documentGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state documentGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	res, err := r.data.service.Read(ctx, bindingFrom(state))
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read the group for document %q", state.DocumentID.ValueString()), err.Error())
		return
	}
	addWarnings(&resp.Diagnostics, res.Warnings)
	if res.GroupGone {
		tflog.Info(ctx, "group deleted outside Terraform; removing it from state so the plan re-creates it",
			map[string]any{"document_id": state.DocumentID.ValueString(), "group_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	setBinding(&state, res.Binding)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *documentGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state documentGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	spec := specFrom(plan)
	spec.DroppedAttributes = droppedAttributes(state, plan)
	b, warnings, err := r.data.service.Update(ctx, bindingFrom(state), spec)
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot update the group for document %q", plan.DocumentID.ValueString()), err.Error())
		return
	}
	setBinding(&plan, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *documentGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state documentGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	res, err := r.data.service.Delete(ctx, bindingFrom(state), state.OnDestroy.ValueString() == onDestroyKeep)
	addWarnings(&resp.Diagnostics, res.Warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot destroy the group for document %q", state.DocumentID.ValueString()), err.Error())
	}
}

// ImportState accepts `document_id` (the group is the one the document names in oktaGroupId) or
// `document_id:group_id`.
func (r *documentGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = r.data.logContext(ctx)
	if !r.ready(&resp.Diagnostics) {
		return
	}
	docID, groupID, withGroup := strings.Cut(req.ID, ":")
	if docID == "" || strings.Count(req.ID, ":") > 1 || withGroup && groupID == "" {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("%q is not an import ID for sanityokta_document_group: use the document ID (\"handbook-sales\") "+
				"or the document ID and the Okta group ID (\"handbook-sales:00g1abcd2EFGH3ijk4l5\").", req.ID))
		return
	}
	b, warnings, err := r.data.service.Import(ctx, docID, groupID, access.DefaultDocumentField)
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot import document %q", docID), err.Error())
		return
	}
	m := documentGroupModel{OnDestroy: types.StringValue(onDestroyDelete)}
	setBinding(&m, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
