package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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

var (
	_ resource.Resource                = &documentGroupsResource{}
	_ resource.ResourceWithConfigure   = &documentGroupsResource{}
	_ resource.ResourceWithImportState = &documentGroupsResource{}
	_ resource.ResourceWithModifyPlan  = &documentGroupsResource{}
)

// NewDocumentGroupsResource returns resource "sanityokta_document_groups".
func NewDocumentGroupsResource() resource.Resource { return &documentGroupsResource{} }

type documentGroupsResource struct {
	data *providerData
}

// documentGroupsModel is resource "sanityokta_document_groups".
//
// documents is a map of objects rather than a map of nested attributes: the framework walks a nested
// attribute's elements by path, once per attribute of each element, and each walk copies the map, so at
// 10,000 documents validating and planning a nested map took minutes. The computed parts of each member
// live in group_ids and document_synced, keyed the same way.
type documentGroupsModel struct {
	ID             types.String `tfsdk:"id"`
	Documents      types.Map    `tfsdk:"documents"`
	GroupIDs       types.Map    `tfsdk:"group_ids"`
	DocumentSynced types.Map    `tfsdk:"document_synced"`
	DocumentField  types.String `tfsdk:"document_field"`
	OnDestroy      types.String `tfsdk:"on_destroy"`
}

// memberModel is one member: its element of documents, group_ids and document_synced.
type memberModel struct {
	Name           types.String
	Description    types.String
	GroupID        types.String
	DocumentSynced types.Bool
}

// entryAttrTypes is the object type of one element of documents.
var entryAttrTypes = map[string]attr.Type{
	"name":        types.StringType,
	"description": types.StringType,
}

// incompletePrefix marks the id of a collection whose first apply did not finish (see Create and Delete).
// Terraform keeps the state a failed create returns, but not its private state, so the mark is in the id.
const incompletePrefix = "incomplete:"

// diagnosticsPerKind bounds how many members one diagnostic names in full.
const diagnosticsPerKind = 5

func (r *documentGroupsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_document_groups"
}

func (r *documentGroupsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Okta groups of a whole collection of Sanity documents, in one resource instance: one " +
			"group per entry of `documents`, each with exactly the behaviour of `sanityokta_document_group` " +
			"(adoption, the ownership guard, one group per document, write-back to every variant, drift repair, " +
			"`on_destroy`, the deletion limit). The provider works on the entries in parallel, so thousands of " +
			"documents cost Terraform one resource, and a change to one document shows in the plan as one changed " +
			"entry. A document is managed by this resource or by a `sanityokta_document_group`, never both.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The document field the collection writes back, which identifies it; `incomplete:` " +
					"and the field while its first apply has not finished.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"documents": schema.MapAttribute{
				Required:    true,
				ElementType: types.ObjectType{AttrTypes: entryAttrTypes},
				MarkdownDescription: "The documents and their groups, keyed by published document ID (`drafts.` and " +
					"`versions.` IDs are refused), each an object with `name` (the Okta group name, 1 to 255 characters, " +
					"starting with the provider's `group_name_prefix`) and `description` (at most 1024 characters; " +
					"`null` or `\"\"` for none). Build it with a `for` expression over `sanityokta_documents`.",
			},
			"group_ids": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The Okta group ID of each document, keyed like `documents`.",
			},
			"document_synced": schema.MapAttribute{
				Computed:    true,
				ElementType: types.BoolType,
				MarkdownDescription: "Per document, whether every variant (published, draft, release versions) holds the " +
					"group ID. A refresh that finds it lost sets `false`, and the next apply writes it back.",
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
				MarkdownDescription: "What happens to the group of a document that leaves `documents`, or of every " +
					"document on destroy: `delete` (default) deletes it; `keep` leaves it in Okta. Both clear the " +
					"field in every variant that still holds the group ID.",
				Validators: []validator.String{stringvalidator.OneOf(onDestroyDelete, onDestroyKeep)},
			},
		},
	}
}

func (r *documentGroupsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *documentGroupsResource) ready(diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.service == nil {
		diags.AddError("Provider not configured", "The sanityokta provider was not configured before this resource was used.")
		return false
	}
	return true
}

// members decodes the members of m; unknown documents are left out.
func members(ctx context.Context, m documentGroupsModel, diags *diag.Diagnostics) map[string]memberModel {
	out := map[string]memberModel{}
	if m.Documents.IsNull() || m.Documents.IsUnknown() {
		return out
	}
	entries := map[string]types.Object{}
	diags.Append(m.Documents.ElementsAs(ctx, &entries, false)...)
	groupIDs, synced := map[string]attr.Value{}, map[string]attr.Value{}
	if !m.GroupIDs.IsNull() && !m.GroupIDs.IsUnknown() {
		groupIDs = m.GroupIDs.Elements()
	}
	if !m.DocumentSynced.IsNull() && !m.DocumentSynced.IsUnknown() {
		synced = m.DocumentSynced.Elements()
	}
	for id, e := range entries {
		mm := memberModel{Name: types.StringUnknown(), Description: types.StringUnknown(),
			GroupID: types.StringNull(), DocumentSynced: types.BoolNull()}
		if !e.IsUnknown() && !e.IsNull() {
			attrs := e.Attributes()
			if v, ok := attrs["name"].(types.String); ok {
				mm.Name = v
			}
			if v, ok := attrs["description"].(types.String); ok {
				mm.Description = v
			}
		}
		if v, ok := groupIDs[id].(types.String); ok {
			mm.GroupID = v
		}
		if v, ok := synced[id].(types.Bool); ok {
			mm.DocumentSynced = v
		}
		out[id] = mm
	}
	return out
}

// setMembers sets the documents, group_ids and document_synced of m from ms.
func setMembers(m *documentGroupsModel, ms map[string]memberModel, diags *diag.Diagnostics) {
	entries := make(map[string]attr.Value, len(ms))
	groupIDs := make(map[string]attr.Value, len(ms))
	synced := make(map[string]attr.Value, len(ms))
	for id, mm := range ms {
		obj, d := types.ObjectValue(entryAttrTypes, map[string]attr.Value{"name": mm.Name, "description": mm.Description})
		diags.Append(d...)
		entries[id], groupIDs[id], synced[id] = obj, mm.GroupID, mm.DocumentSynced
	}
	var d diag.Diagnostics
	m.Documents, d = types.MapValue(types.ObjectType{AttrTypes: entryAttrTypes}, entries)
	diags.Append(d...)
	m.GroupIDs, d = types.MapValue(types.StringType, groupIDs)
	diags.Append(d...)
	m.DocumentSynced, d = types.MapValue(types.BoolType, synced)
	diags.Append(d...)
}

func memberSpec(id string, mm memberModel, field string) access.Spec {
	return access.Spec{DocumentID: id, Name: mm.Name.ValueString(), Description: mm.Description.ValueString(), Field: field}
}

func memberBinding(id string, mm memberModel, field string) access.Binding {
	return access.Binding{
		DocumentID: id, GroupID: mm.GroupID.ValueString(), Name: mm.Name.ValueString(),
		Description: mm.Description.ValueString(), Field: field, DocumentSynced: mm.DocumentSynced.ValueBool(),
	}
}

// memberFrom is the state of a member as the domain reports it. An empty description stays as the
// configuration wrote it (unset or ""), so that it shows no difference.
func memberFrom(b access.Binding, like memberModel) memberModel {
	desc := types.StringValue(b.Description)
	if b.Description == "" && like.Description.IsNull() {
		desc = types.StringNull()
	}
	return memberModel{
		Name: types.StringValue(b.Name), Description: desc,
		GroupID: types.StringValue(b.GroupID), DocumentSynced: types.BoolValue(b.DocumentSynced),
	}
}

func fieldOf(m documentGroupsModel) string { return fieldOr(m.DocumentField) }

// fieldOr is the document field a collection writes: the configured one, else the default.
func fieldOr(f types.String) string {
	if v := f.ValueString(); v != "" {
		return v
	}
	return access.DefaultDocumentField
}

// ModifyPlan plans the collection with planCollection.
func (r *documentGroupsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.service == nil {
		return
	}
	var prior *priorCollection
	if !req.State.Raw.IsNull() {
		var state documentGroupsModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		prior = &priorCollection{members: members(ctx, state, &resp.Diagnostics), field: fieldOf(state),
			keep: state.OnDestroy.ValueString() == onDestroyKeep}
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if req.Plan.Raw.IsNull() {
		planCollection(r.data.service, prior, nil, "", "", &resp.Diagnostics)
		return
	}
	var plan documentGroupsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Documents.IsUnknown() {
		// Nothing to plan per member before the documents are known: what depends on them is unknown.
		plan.GroupIDs, plan.DocumentSynced = types.MapUnknown(types.StringType), types.MapUnknown(types.BoolType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	planned := members(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	planned, token := planCollection(r.data.service, prior, planned, fieldOf(plan), priorPlanToken(ctx, req), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	setMembers(&plan, planned, &resp.Diagnostics)
	plan.ID = types.StringValue(fieldOf(plan))
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	keepPlanToken(ctx, resp, token)
}

// priorCollection is what planning needs of a collection's state.
type priorCollection struct {
	members map[string]memberModel
	field   string
	keep    bool // on_destroy = "keep"
}

// planCollection plans each member as the single resource would: an unchanged member keeps its group ID
// and shows no difference, a new one gets its group ID after apply, and a lost write-back plans
// document_synced back to true. It claims every document and name (one group per document, one resource
// per document, across this resource and every sanityokta_document_group), checks the ownership prefix,
// and counts the groups the plan deletes against the deletion limit. prior is nil on create and planned
// nil on destroy; token is the instance's plan token from its prior private state. It returns the planned
// members and the token to keep.
func planCollection(svc *access.Service, prior *priorCollection, planned map[string]memberModel, field, token string,
	diags *diag.Diagnostics) (map[string]memberModel, string) {
	priorMembers := map[string]memberModel{}
	if prior != nil {
		priorMembers = prior.members
		planDeletions(svc, *prior, planned, diags)
	}
	if planned == nil {
		return nil, token
	}
	var errs, gone []string
	var bad []diagItem
	for _, id := range sortedKeys(planned) {
		mm := planned[id]
		if err := access.CheckDocumentID(id); err != nil {
			bad = append(bad, diagItem{id, err.Error()})
			continue
		}
		if err := checkEntry(mm); err != nil {
			bad = append(bad, diagItem{id, err.Error()})
			continue
		}
		name := ""
		if !mm.Name.IsUnknown() {
			name = mm.Name.ValueString()
			if err := svc.CheckGroupName(id, name); err != nil {
				bad = append(bad, diagItem{id, err.Error()})
				continue
			}
		}
		t, err := svc.ClaimPlan(access.PlanClaim{DocumentID: id, Name: name, Token: token})
		token = t
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if p, ok := priorMembers[id]; ok {
			mm.GroupID = p.GroupID
			if w := svc.KeptWithoutDocument(memberBinding(id, p, field)); w != nil {
				gone = append(gone, w.Detail)
			}
		} else {
			mm.GroupID = types.StringUnknown()
		}
		mm.DocumentSynced = types.BoolValue(true)
		planned[id] = mm
	}
	for _, b := range bad {
		diags.AddAttributeError(path.Root("documents").AtMapKey(b.id), fmt.Sprintf("Invalid entry for document %q", b.id), b.detail)
	}
	addSummarized(diags, true, "Documents cannot have these groups", errs)
	addSummarized(diags, false, "Documents no longer exist", gone)
	return planned, token
}

type diagItem struct{ id, detail string }

// checkEntry checks what the schema of a map of objects cannot: the lengths of name and description.
func checkEntry(mm memberModel) error {
	if !mm.Name.IsUnknown() {
		if n := utf8.RuneCountInString(mm.Name.ValueString()); n < 1 || n > 255 {
			return fmt.Errorf("name must be 1 to 255 characters long, not %d", n)
		}
	}
	if !mm.Description.IsUnknown() {
		if n := utf8.RuneCountInString(mm.Description.ValueString()); n > 1024 {
			return fmt.Errorf("description must be at most 1024 characters long, not %d", n)
		}
	}
	return nil
}

// planDeletions counts, against the deletion limit, every prior member that planned (nil on destroy)
// no longer has.
func planDeletions(svc *access.Service, prior priorCollection, planned map[string]memberModel, diags *diag.Diagnostics) {
	for _, id := range sortedKeys(prior.members) {
		if _, kept := planned[id]; kept {
			continue
		}
		if err := svc.PlanDeletion(memberBinding(id, prior.members[id], prior.field), prior.keep); err != nil {
			diags.AddError("Too many Okta groups deleted in one run", err.Error())
			return
		}
	}
}

// addSummarized adds one diagnostic per message, up to diagnosticsPerKind, and one more that counts the
// rest.
func addSummarized(diags *diag.Diagnostics, isErr bool, summary string, msgs []string) {
	add := diags.AddWarning
	if isErr {
		add = diags.AddError
	}
	for i, m := range msgs {
		if i == diagnosticsPerKind && len(msgs) > diagnosticsPerKind+1 {
			add(summary, fmt.Sprintf("... and %d more documents like the ones above.", len(msgs)-diagnosticsPerKind))
			return
		}
		add(summary, m)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// apply runs the changes from prior to planned members and returns the members state should hold: the
// planned one where a change succeeded, the prior one where it failed (none for a failed create).
func applyMembers(ctx context.Context, svc *access.Service, prior, planned map[string]memberModel, priorField, field string,
	keep bool, diags *diag.Diagnostics) map[string]memberModel {
	var changes []access.MemberChange
	for _, id := range sortedKeys(planned) {
		c := access.MemberChange{DocumentID: id}
		spec := memberSpec(id, planned[id], field)
		c.Spec = &spec
		if p, ok := prior[id]; ok {
			b := memberBinding(id, p, priorField)
			c.Prior = &b
		}
		changes = append(changes, c)
	}
	for _, id := range sortedKeys(prior) {
		if _, ok := planned[id]; !ok {
			b := memberBinding(id, prior[id], priorField)
			changes = append(changes, access.MemberChange{DocumentID: id, Prior: &b, KeepGroup: keep})
		}
	}
	outcomes := svc.ApplyCollection(ctx, changes)
	return collect(outcomes, planned, prior, diags, "apply")
}

// collect turns outcomes into state members and diagnostics.
func collect(outcomes []access.MemberOutcome, planned, prior map[string]memberModel, diags *diag.Diagnostics, what string) map[string]memberModel {
	out := map[string]memberModel{}
	var warnings []access.Warning
	var errs []string
	done := 0
	for _, o := range outcomes {
		warnings = append(warnings, o.Warnings...)
		if o.Err != nil {
			errs = append(errs, fmt.Sprintf("Document %q: %v", o.DocumentID, o.Err))
		} else {
			done++
		}
		if o.Binding == nil {
			continue
		}
		like, ok := planned[o.DocumentID]
		if o.Err != nil || !ok {
			like = prior[o.DocumentID]
		}
		out[o.DocumentID] = memberFrom(*o.Binding, like)
	}
	addWarnings(diags, access.SummarizeWarnings(warnings, 3))
	if len(errs) > 0 {
		summary := fmt.Sprintf("%d of %d documents failed in this %s", len(errs), len(outcomes), what)
		lead := fmt.Sprintf("The other %d documents succeeded, and state holds them; run apply again to finish the "+
			"rest after fixing the cause below.\n\n", done)
		for i, e := range errs {
			if i == diagnosticsPerKind && len(errs) > diagnosticsPerKind+1 {
				diags.AddError(summary, fmt.Sprintf("... and %d more failed documents: %s", len(errs)-i, joinIDs(outcomes, i)))
				break
			}
			diags.AddError(summary, lead+e)
		}
	}
	return out
}

// joinIDs lists the IDs of the failed documents from the skip-th failure on, abbreviated.
func joinIDs(outcomes []access.MemberOutcome, skip int) string {
	var ids []string
	n := 0
	for _, o := range outcomes {
		if o.Err == nil {
			continue
		}
		if n >= skip {
			ids = append(ids, o.DocumentID)
		}
		n++
	}
	if len(ids) > 50 {
		return strings.Join(ids[:50], ", ") + fmt.Sprintf(" and %d more", len(ids)-50)
	}
	return strings.Join(ids, ", ")
}

func (r *documentGroupsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan documentGroupsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	planned := members(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got, id := createCollection(ctx, r.data.service, planned, fieldOf(plan), plan.OnDestroy.ValueString() == onDestroyKeep, &resp.Diagnostics)
	setMembers(&plan, got, &resp.Diagnostics)
	plan.ID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// createCollection makes the groups of a new collection and returns the members state holds and its id,
// marked incomplete when some failed.
func createCollection(ctx context.Context, svc *access.Service, planned map[string]memberModel, field string, keep bool,
	diags *diag.Diagnostics) (map[string]memberModel, string) {
	got := applyMembers(ctx, svc, nil, planned, field, field, keep, diags)
	tflog.Info(ctx, "document groups created", map[string]any{"documents": len(got), "planned": len(planned)})
	if !diags.HasError() {
		return got, field
	}
	// Terraform marks a create that failed as tainted and replaces it on the next apply; the mark tells
	// Delete that this is a collection still being built, not one to tear down.
	diags.AddError("The collection is incomplete",
		"Terraform marks this resource as tainted because its first apply did not finish, and plans to replace "+
			"it. The replacement keeps every group already made and adopts it again (the documents hold their "+
			"IDs), so no group is deleted or duplicated: run apply again.")
	return got, incompletePrefix + field
}

func (r *documentGroupsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state documentGroupsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	prior := members(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got := readCollection(ctx, r.data.service, prior, fieldOf(state), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	setMembers(&state, got, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readCollection refreshes the members of a collection whose documents receive field: a member whose
// group is gone leaves state, so the plan re-creates it.
func readCollection(ctx context.Context, svc *access.Service, prior map[string]memberModel, field string, diags *diag.Diagnostics) map[string]memberModel {
	ids := sortedKeys(prior)
	bindings := make([]access.Binding, len(ids))
	for i, id := range ids {
		bindings[i] = memberBinding(id, prior[id], field)
	}
	outcomes := svc.ReadCollection(ctx, bindings)
	for _, o := range outcomes {
		if o.Binding == nil && o.Err == nil {
			tflog.Info(ctx, "group deleted outside Terraform; removing it from state so the plan re-creates it",
				map[string]any{"document_id": o.DocumentID})
		}
	}
	return collect(outcomes, prior, prior, diags, "refresh")
}

func (r *documentGroupsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state documentGroupsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	planned := members(ctx, plan, &resp.Diagnostics)
	prior := members(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got := applyMembers(ctx, r.data.service, prior, planned, fieldOf(state), fieldOf(plan), plan.OnDestroy.ValueString() == onDestroyKeep, &resp.Diagnostics)
	setMembers(&plan, got, &resp.Diagnostics)
	plan.ID = types.StringValue(fieldOf(plan))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *documentGroupsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state documentGroupsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ready(&resp.Diagnostics) {
		return
	}
	prior := members(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	left := deleteCollection(ctx, r.data.service, prior, state.ID.ValueString(), fieldOf(state),
		state.OnDestroy.ValueString() == onDestroyKeep, &resp.Diagnostics)
	if left != nil {
		setMembers(&state, left, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

// deleteCollection destroys a collection: on_destroy for every member, except that a collection whose
// first apply never finished keeps them all. It returns the members state must keep, nil when none.
func deleteCollection(ctx context.Context, svc *access.Service, prior map[string]memberModel, id, field string, keep bool,
	diags *diag.Diagnostics) map[string]memberModel {
	if strings.HasPrefix(id, incompletePrefix) {
		// A tainted first apply being replaced: keep every group and every written-back ID, so the
		// replacement adopts them.
		diags.AddWarning("Groups kept: the collection's first apply had not finished",
			fmt.Sprintf("This collection never finished its first apply, so the %d groups it made are kept in Okta, with "+
				"their IDs in the documents: a replacement adopts them again. If you are destroying it, run apply first "+
				"(it finishes the collection) and destroy after that to delete the groups.", len(prior)))
		return nil
	}
	got := applyMembers(ctx, svc, prior, nil, field, field, keep, diags)
	if diags.HasError() {
		// Keep what could not be destroyed in state, so a later destroy finishes.
		return got
	}
	return nil
}

// ImportState accepts `*` (every document whose published version holds a group ID in oktaGroupId), `*:field`
// for another field, or a comma-separated list of `document_id` and `document_id:group_id`.
func (r *documentGroupsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = r.data.logContext(ctx)
	if !r.ready(&resp.Diagnostics) {
		return
	}
	svc := r.data.service
	field := access.DefaultDocumentField
	var refs []access.ImportRef
	invalid := func(why string) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("%q is not an import ID for sanityokta_document_groups (%s): use \"*\" for every document that holds "+
				"a group ID in oktaGroupId, \"*:fieldName\" for another field, or a comma-separated list of document IDs, "+
				"each optionally with its Okta group ID (\"handbook-sales,pricing-emea:00g1abcd2EFGH3ijk4l5\").", req.ID, why))
	}
	if rest, ok := strings.CutPrefix(req.ID, "*"); ok {
		if rest != "" {
			f, ok := strings.CutPrefix(rest, ":")
			if !ok || f == "" {
				invalid("a field name must follow \"*:\"")
				return
			}
			field = f
		}
		ids, err := svc.DocumentsHoldingField(ctx, field)
		if err != nil {
			resp.Diagnostics.AddError("Cannot list the documents to import", err.Error())
			return
		}
		for _, id := range ids {
			refs = append(refs, access.ImportRef{DocumentID: id})
		}
	} else {
		for _, part := range strings.Split(req.ID, ",") {
			part = strings.TrimSpace(part)
			docID, groupID, withGroup := strings.Cut(part, ":")
			if docID == "" || strings.Count(part, ":") > 1 || withGroup && groupID == "" {
				invalid(fmt.Sprintf("entry %q", part))
				return
			}
			refs = append(refs, access.ImportRef{DocumentID: docID, GroupID: groupID})
		}
	}
	outcomes := svc.ImportCollection(ctx, refs, field)
	var errs []string
	var warnings []access.Warning
	got := map[string]memberModel{}
	for _, o := range outcomes {
		warnings = append(warnings, o.Warnings...)
		if o.Err != nil {
			errs = append(errs, o.Err.Error())
			continue
		}
		got[o.DocumentID] = memberFrom(*o.Binding, memberModel{Description: types.StringNull()})
	}
	addWarnings(&resp.Diagnostics, access.SummarizeWarnings(warnings, 3))
	addSummarized(&resp.Diagnostics, true, "Cannot import the collection", errs)
	if resp.Diagnostics.HasError() {
		return
	}
	m := documentGroupsModel{ID: types.StringValue(field), DocumentField: types.StringValue(field), OnDestroy: types.StringValue(onDestroyDelete)}
	setMembers(&m, got, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
