package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/groq"
)

// perspectivePattern accepts the named perspectives and release stacks (comma-separated release names).
var perspectivePattern = regexp.MustCompile(`^(published|drafts|raw|[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*)$`)

var (
	_ datasource.DataSource                     = &documentsDataSource{}
	_ datasource.DataSourceWithConfigure        = &documentsDataSource{}
	_ datasource.DataSourceWithValidateConfig   = &documentsDataSource{}
	_ datasource.DataSourceWithConfigValidators = &documentsDataSource{}
)

// NewDocumentsDataSource returns data "sanityokta_documents".
func NewDocumentsDataSource() datasource.DataSource { return &documentsDataSource{} }

type documentsDataSource struct {
	data *providerData
}

func (d *documentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_documents"
}

func (d *documentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads access-controlled documents from the Sanity Content Lake with GROQ. The result is a " +
			"map keyed by `_id`, ready for `for_each`. Queries always go out with an explicit API version and " +
			"perspective, ordered by `_id` and read in pages.",
		Attributes: map[string]schema.Attribute{
			"filter": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "GROQ filter: the inside of `*[...]`, e.g. `_type == \"handbook\" && department == $dept`. " +
					"Exactly one of `filter` and `query` is required.",
				Validators: []validator.String{groqValidator{kind: groqFilter}},
			},
			"query": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A whole GROQ query returning objects with `_id`, for selections a filter cannot " +
					"express. The provider adds ordering, paging and the `active` rule around it.",
				Validators: []validator.String{groqValidator{kind: groqQuery}},
			},
			"projection": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "GROQ projection applied to each document, e.g. `{_id, title, \"slug\": slug.current}`. " +
					"It must keep `_id`. The typed attributes are read from the projected document.",
				Validators: []validator.String{groqValidator{kind: groqProjection}},
			},
			"params": schema.DynamicAttribute{
				Optional: true,
				MarkdownDescription: "An object of GROQ parameters, e.g. `{ dept = \"sales\", tiers = [\"gold\"] }`, " +
					"referenced as `$dept`, `$tiers`.",
			},
			"perspective": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Content Lake perspective: `published` (default), `drafts`, `raw`, or a " +
					"comma-separated release stack: names of releases that exist in the dataset, highest priority " +
					"first (`drafts` may be one of them). Names are case-sensitive; anything else is refused when " +
					"the data source is read, with the list of what the dataset accepts.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(perspectivePattern,
						"must be published, drafts, raw, or a comma-separated list of release names"),
				},
			},
			"include_inactive": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Keep documents whose `active` field is `false`. Defaults to `false`.",
			},
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The `_id` of every document found, sorted.",
			},
			"fields": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The attributes each element of `documents` carries. Defaults to `[\"slug\", \"title\"]`. " +
					"Ask only for what the configuration uses: Terraform reads the whole data source again for every " +
					"instance of a `for_each` over it, so every attribute costs time at a thousand documents. " +
					"Available: " + fieldList() + ".",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(documentFieldNames()...)),
					listvalidator.UniqueValues()},
			},
			"documents": schema.DynamicAttribute{
				Computed: true,
				MarkdownDescription: "The documents found: a map keyed by `_id`, ready for `for_each`, whose elements are " +
					"objects with exactly the attributes named in `fields`.",
			},
		},
	}
}

func (d *documentsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("filter"), path.MatchRoot("query")),
	}
}

// ValidateConfig checks that every parameter the GROQ references is given, once params are known.
func (d *documentsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m documentsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Params.IsUnknown() || m.Params.IsUnderlyingValueUnknown() {
		return
	}
	given := map[string]bool{}
	if !m.Params.IsNull() && !m.Params.IsUnderlyingValueNull() {
		params, err := dynamicToGo(m.Params)
		if err != nil {
			return // reported by Read with context
		}
		obj, ok := params.(map[string]any)
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("params"), "Invalid params",
				"params must be an object, e.g. { dept = \"sales\" }: each key becomes a GROQ parameter.")
			return
		}
		for k := range obj {
			given[k] = true
		}
	}
	for _, a := range []struct {
		name string
		v    types.String
	}{{"filter", m.Filter}, {"query", m.Query}, {"projection", m.Projection}} {
		if a.v.IsNull() || a.v.IsUnknown() {
			continue
		}
		q, err := groq.Parse(a.v.ValueString())
		if err != nil {
			continue // reported by the attribute validator
		}
		for _, p := range q.Params() {
			if !given[p] {
				resp.Diagnostics.AddAttributeError(path.Root(a.name), "Missing GROQ parameter",
					fmt.Sprintf("The %s references $%s, but params has no %q key. Add it to params.", a.name, p, p))
			}
		}
	}
}

func (d *documentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *documentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var m documentsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil || d.data.service == nil {
		resp.Diagnostics.AddError("Provider not configured", "The sanityokta provider was not configured before reading documents.")
		return
	}
	q := access.DocumentQuery{
		Filter:          m.Filter.ValueString(),
		GROQ:            m.Query.ValueString(),
		Projection:      m.Projection.ValueString(),
		Perspective:     m.Perspective.ValueString(),
		IncludeInactive: m.IncludeInactive.ValueBool(),
	}
	if q.Perspective == "" {
		q.Perspective = "published"
	}
	if !m.Params.IsNull() && !m.Params.IsUnderlyingValueNull() {
		params, err := dynamicToGo(m.Params)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("params"), "Invalid params", err.Error())
			return
		}
		obj, ok := params.(map[string]any)
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("params"), "Invalid params",
				"params must be an object, e.g. { dept = \"sales\" }: each key becomes a GROQ parameter.")
			return
		}
		q.Params = obj
	}
	if err := d.data.service.CheckPerspective(ctx, q.Perspective); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("perspective"), "Unknown perspective", err.Error())
		return
	}
	tflog.Debug(ctx, "querying documents", map[string]any{"filter": q.Filter, "query": q.GROQ, "perspective": q.Perspective})
	docs, err := d.data.service.Documents(ctx, q)
	if err != nil {
		var qe *access.QueryError
		if errors.As(err, &qe) {
			resp.Diagnostics.AddError("Sanity rejected the query", qe.Error())
			return
		}
		resp.Diagnostics.AddError("Cannot read documents", err.Error())
		return
	}
	fields := defaultDocumentFields
	if !m.Fields.IsNull() && !m.Fields.IsUnknown() {
		fields = nil
		resp.Diagnostics.Append(m.Fields.ElementsAs(ctx, &fields, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	attrTypes := make(map[string]attr.Type, len(fields))
	for _, f := range fields {
		attrTypes[f] = documentAttrTypes[f]
	}
	elems := make(map[string]attr.Value, len(docs))
	ids := make([]string, 0, len(docs))
	for _, doc := range docs {
		obj, diags := documentObject(doc, fields)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		elems[doc.ID] = obj
		ids = append(ids, doc.ID)
	}
	sort.Strings(ids)
	var diags diag.Diagnostics
	documents, diags := types.MapValue(types.ObjectType{AttrTypes: attrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	m.Documents = types.DynamicValue(documents)
	m.IDs, diags = types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	m.Perspective = types.StringValue(q.Perspective)
	m.IncludeInactive = types.BoolValue(q.IncludeInactive)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// defaultDocumentFields is what an element of documents carries unless fields says otherwise: what a group
// name and description are usually made of.
var defaultDocumentFields = []string{"slug", "title"}

func documentFieldNames() []string {
	names := make([]string, 0, len(documentAttrTypes))
	for n := range documentAttrTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func fieldList() string {
	var b strings.Builder
	for i, n := range documentFieldNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s` (%s)", n, documentFieldDescriptions[n])
	}
	return b.String()
}

var documentFieldDescriptions = map[string]string{
	"id":              "`_id`",
	"type":            "`_type`",
	"rev":             "`_rev`, the current revision",
	"updated_at":      "`_updatedAt`",
	"title":           "`title`",
	"slug":            "`slug.current`, or `slug` when it is a plain string",
	"description":     "`description`",
	"access_tier":     "`accessTier`",
	"department":      "`department`",
	"region":          "`region`",
	"allowed_roles":   "`allowedRoles`, a list of strings",
	"okta_group_id":   "`oktaGroupId`, the group ID the provider wrote back",
	"okta_group_name": "`oktaGroupName`",
	"active":          "`active`, `true` unless the document says `false`",
	"json":            "the whole (projected) document as JSON, for fields without an attribute: `jsondecode(each.value.json)`",
}

// documentObject maps a document to the requested typed attributes. A field of an unexpected JSON type is
// null rather than an error: editors' content varies, and json has everything.
func documentObject(doc access.Document, fields []string) (types.Object, diag.Diagnostics) {
	str := func(p string) types.String {
		if s, ok := doc.Lookup(p).(string); ok {
			return types.StringValue(s)
		}
		return types.StringNull()
	}
	slug := str("slug.current")
	if slug.IsNull() {
		slug = str("slug")
	}
	roles := types.ListNull(types.StringType)
	if arr, ok := doc.Lookup("allowedRoles").([]any); ok {
		vals := make([]attr.Value, 0, len(arr))
		for _, r := range arr {
			if s, ok := r.(string); ok {
				vals = append(vals, types.StringValue(s))
			}
		}
		roles = types.ListValueMust(types.StringType, vals)
	}
	active := true
	if b, ok := doc.Lookup("active").(bool); ok {
		active = b
	}
	all := map[string]attr.Value{
		"id":              types.StringValue(doc.ID),
		"type":            str("_type"),
		"rev":             str("_rev"),
		"updated_at":      str("_updatedAt"),
		"title":           str("title"),
		"slug":            slug,
		"description":     str("description"),
		"access_tier":     str("accessTier"),
		"department":      str("department"),
		"region":          str("region"),
		"allowed_roles":   roles,
		"okta_group_id":   str("oktaGroupId"),
		"okta_group_name": str("oktaGroupName"),
		"active":          types.BoolValue(active),
		"json":            types.StringNull(),
	}
	attrTypes := make(map[string]attr.Type, len(fields))
	vals := make(map[string]attr.Value, len(fields))
	for _, f := range fields {
		if f == "json" {
			all[f] = types.StringValue(string(doc.JSON))
		}
		attrTypes[f], vals[f] = documentAttrTypes[f], all[f]
	}
	return types.ObjectValue(attrTypes, vals)
}
