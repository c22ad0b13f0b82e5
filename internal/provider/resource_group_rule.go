package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

var (
	_ resource.Resource                     = &groupRuleResource{}
	_ resource.ResourceWithConfigure        = &groupRuleResource{}
	_ resource.ResourceWithImportState      = &groupRuleResource{}
	_ resource.ResourceWithModifyPlan       = &groupRuleResource{}
	_ resource.ResourceWithValidateConfig   = &groupRuleResource{}
	_ resource.ResourceWithConfigValidators = &groupRuleResource{}
)

// NewGroupRuleResource returns resource "sanityokta_group_rule".
func NewGroupRuleResource() resource.Resource { return &groupRuleResource{} }

type groupRuleResource struct {
	data *providerData
}

func (r *groupRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_rule"
}

func (r *groupRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Okta group rule that puts the users matching a document's metadata into the group this " +
			"provider keeps for the document. Okta stays the source of truth for users; the rule only connects " +
			"their profile attributes to the group.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Okta group rule ID. It changes only when the rule has to be replaced in Okta (a new `group_id`, or a rule Okta made `INVALID` because its group was deleted).",
				PlanModifiers:       []planmodifier.String{ruleIDPlan{}},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The rule's name in Okta, 1 to 50 characters.",
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, 50)},
			},
			"group_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The group the rule fills: a group this provider manages (for example " +
					"`sanityokta_document_group.content[each.key].id`); it must pass the ownership guard.",
			},
			"match": schema.MapAttribute{
				Optional:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Structured conditions, from user profile attribute to accepted values: a user matches " +
					"when every attribute equals one of its values (AND across attributes, OR within a list). The " +
					"provider builds the expression and quotes every value, so no value can change its meaning; a " +
					"value it cannot quote safely (a double quote, a backslash, a line break, over 1,024 characters) " +
					"is refused. Exactly one of `match` and `expression`.",
			},
			"expression": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "An Okta Expression Language condition written by an admin, for example " +
					"`user.department == \"Sales\" AND String.startsWith(user.countryCode, \"D\")`. Checked at " +
					"`terraform validate`, with line and column. Exactly one of `match` and `expression`.",
			},
			"remove_users_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether destroying the rule also takes the users it added out of the group. " +
					"Defaults to `false`: removing a rule from the configuration (to hand membership to an admin, " +
					"or to move to another rule) should not take access away as a side effect; when the document " +
					"goes, its group goes, and with it the membership.",
			},
			"expression_value": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The expression as sent to Okta.",
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The rule's status in Okta: `ACTIVE` after every apply; `INVALID` when Okta found its group deleted, which the next apply repairs.",
				PlanModifiers:       []planmodifier.String{plannedActive{}},
			},
		},
	}
}

// ruleIDPlan keeps the rule ID from state unless the rule will have to be replaced in Okta.
type ruleIDPlan struct{}

func (ruleIDPlan) Description(context.Context) string {
	return "keeps the rule ID unless the group changes or the rule is INVALID"
}
func (m ruleIDPlan) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (ruleIDPlan) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var planned, prior, status types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("group_id"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("group_id"), &prior)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if planned.Equal(prior) && status.ValueString() != access.RuleInvalid {
		resp.PlanValue = req.StateValue
	}
}

// plannedActive plans status ACTIVE: every apply leaves the rule active.
type plannedActive struct{}

func (plannedActive) Description(context.Context) string               { return "plans ACTIVE" }
func (m plannedActive) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }
func (plannedActive) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.Plan.Raw.IsNull() {
		resp.PlanValue = types.StringValue(access.RuleActive)
	}
}

func (r *groupRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *groupRuleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("match"), path.MatchRoot("expression")),
	}
}

// ValidateConfig checks the expression, or the values of match, offline.
func (r *groupRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m groupRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, known := ruleSpecFrom(m)
	if !known || (spec.Expression == "" && len(spec.Match) == 0) {
		return
	}
	if _, err := access.RuleExpression(spec); err != nil {
		at := path.Root("match")
		if spec.Expression != "" {
			at = path.Root("expression")
		}
		resp.Diagnostics.AddAttributeError(at, "Invalid group rule condition", err.Error())
		return
	}
	if w := access.CascadeWarning(spec); w != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("expression"), w.Summary, w.Detail)
	}
}

// ruleSpecFrom reads the spec from a model; known is false while any part of it is unknown.
func ruleSpecFrom(m groupRuleModel) (spec access.RuleSpec, known bool) {
	if m.Name.IsUnknown() || m.GroupID.IsUnknown() || m.Expression.IsUnknown() || m.Match.IsUnknown() {
		return spec, false
	}
	spec = access.RuleSpec{Name: m.Name.ValueString(), GroupID: m.GroupID.ValueString(), Expression: m.Expression.ValueString()}
	if !m.Match.IsNull() {
		spec.Match = map[string][]string{}
		for attr, v := range m.Match.Elements() {
			list, ok := v.(types.List)
			if !ok || list.IsUnknown() {
				return spec, false
			}
			var values []string
			for _, e := range list.Elements() {
				s, ok := e.(types.String)
				if !ok || s.IsUnknown() {
					return spec, false
				}
				if s.IsNull() {
					// A document without the field: refused by RuleExpression as an empty value would be.
					continue
				}
				values = append(values, s.ValueString())
			}
			spec.Match[attr] = values
		}
	}
	return spec, true
}

// ModifyPlan plans the expression that will be sent, so a changed document field shows in the plan.
func (r *groupRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan groupRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, known := ruleSpecFrom(plan)
	if !known {
		return
	}
	expr, err := access.RuleExpression(spec)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Invalid conditions for group rule %q", spec.Name), err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("expression_value"), expr)...)
}

func setRule(m *groupRuleModel, b access.RuleBinding) {
	m.ID = types.StringValue(b.ID)
	m.Name = types.StringValue(b.Name)
	m.GroupID = types.StringValue(b.GroupID)
	m.ExpressionValue = types.StringValue(b.Expression)
	m.Status = types.StringValue(b.Status)
}

func ruleBindingFrom(m groupRuleModel) access.RuleBinding {
	return access.RuleBinding{ID: m.ID.ValueString(), Name: m.Name.ValueString(), GroupID: m.GroupID.ValueString(),
		Expression: m.ExpressionValue.ValueString(), Status: m.Status.ValueString()}
}

func (r *groupRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan groupRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	spec, _ := ruleSpecFrom(plan)
	b, warnings, err := r.data.service.CreateRule(ctx, spec)
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot create group rule %q", spec.Name), err.Error())
		return
	}
	setRule(&plan, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state groupRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	b, err := r.data.service.ReadRule(ctx, ruleBindingFrom(state))
	if errors.Is(err, access.ErrRuleNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read group rule %q", state.Name.ValueString()), err.Error())
		return
	}
	setRule(&state, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *groupRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state groupRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	spec, _ := ruleSpecFrom(plan)
	b, warnings, err := r.data.service.UpdateRule(ctx, ruleBindingFrom(state), spec)
	addWarnings(&resp.Diagnostics, warnings)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot update group rule %q", spec.Name), err.Error())
		return
	}
	setRule(&plan, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state groupRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !ready(r.data, &resp.Diagnostics) {
		return
	}
	if err := r.data.service.DeleteRule(ctx, ruleBindingFrom(state), state.RemoveUsersOnDestroy.ValueBool()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot delete group rule %q", state.Name.ValueString()), err.Error())
	}
}

// ImportState takes the rule ID. The imported rule's condition becomes `expression`.
func (r *groupRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = r.data.logContext(ctx)
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	b, err := r.data.service.ImportRule(ctx, req.ID)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot import group rule %q", req.ID), err.Error())
		return
	}
	m := groupRuleModel{
		Match:                types.MapNull(types.ListType{ElemType: types.StringType}),
		Expression:           types.StringValue(b.Expression),
		RemoveUsersOnDestroy: types.BoolValue(false),
	}
	setRule(&m, b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
