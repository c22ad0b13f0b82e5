package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// providerModel is the provider block.
type providerModel struct {
	Sanity          *sanityBlockModel `tfsdk:"sanity"`
	Okta            *oktaBlockModel   `tfsdk:"okta"`
	GroupNamePrefix types.String      `tfsdk:"group_name_prefix"`
	DeletionLimit   types.Int64       `tfsdk:"deletion_limit"`
}

type sanityBlockModel struct {
	ProjectID  types.String `tfsdk:"project_id"`
	Dataset    types.String `tfsdk:"dataset"`
	Token      types.String `tfsdk:"token"`
	APIVersion types.String `tfsdk:"api_version"`
	APIHost    types.String `tfsdk:"api_host"`
}

type oktaBlockModel struct {
	OrgURL       types.String `tfsdk:"org_url"`
	APIToken     types.String `tfsdk:"api_token"`
	ClientID     types.String `tfsdk:"client_id"`
	PrivateKey   types.String `tfsdk:"private_key"`
	PrivateKeyID types.String `tfsdk:"private_key_id"`
	Scopes       types.List   `tfsdk:"scopes"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	MaxRetryWait types.String `tfsdk:"max_retry_wait"`
}

// documentsDataSourceModel is data "sanityokta_documents".
type documentsDataSourceModel struct {
	Filter          types.String  `tfsdk:"filter"`
	Query           types.String  `tfsdk:"query"`
	Projection      types.String  `tfsdk:"projection"`
	Params          types.Dynamic `tfsdk:"params"`
	Perspective     types.String  `tfsdk:"perspective"`
	IncludeInactive types.Bool    `tfsdk:"include_inactive"`
	Fields          types.List    `tfsdk:"fields"`
	Documents       types.Dynamic `tfsdk:"documents"`
	IDs             types.List    `tfsdk:"ids"`
}

// documentAttrTypes are the attributes an element of documents can carry (see fields).
var documentAttrTypes = map[string]attr.Type{
	"id":              types.StringType,
	"type":            types.StringType,
	"rev":             types.StringType,
	"updated_at":      types.StringType,
	"title":           types.StringType,
	"slug":            types.StringType,
	"description":     types.StringType,
	"access_tier":     types.StringType,
	"department":      types.StringType,
	"region":          types.StringType,
	"allowed_roles":   types.ListType{ElemType: types.StringType},
	"okta_group_id":   types.StringType,
	"okta_group_name": types.StringType,
	"active":          types.BoolType,
	"json":            types.StringType,
}

// documentGroupModel is resource "sanityokta_document_group".
type documentGroupModel struct {
	ID             types.String `tfsdk:"id"`
	DocumentID     types.String `tfsdk:"document_id"`
	Name           types.String `tfsdk:"name"`
	Description    types.String `tfsdk:"description"`
	DocumentField  types.String `tfsdk:"document_field"`
	OnDestroy      types.String `tfsdk:"on_destroy"`
	DocumentSynced types.Bool   `tfsdk:"document_synced"`
	Attributes     types.Map    `tfsdk:"profile_attributes"`
}

// documentLinkModel is resource "sanityokta_document_link".
type documentLinkModel struct {
	ID                types.String `tfsdk:"id"`
	DocumentID        types.String `tfsdk:"document_id"`
	GroupID           types.String `tfsdk:"group_id"`
	DocumentField     types.String `tfsdk:"document_field"`
	AllowBuiltInGroup types.String `tfsdk:"allow_built_in_group"`
	GroupName         types.String `tfsdk:"group_name"`
	DocumentSynced    types.Bool   `tfsdk:"document_synced"`
}

// groupRuleModel is resource "sanityokta_group_rule".
type groupRuleModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	GroupID              types.String `tfsdk:"group_id"`
	Match                types.Map    `tfsdk:"match"`
	Expression           types.String `tfsdk:"expression"`
	RemoveUsersOnDestroy types.Bool   `tfsdk:"remove_users_on_destroy"`
	ExpressionValue      types.String `tfsdk:"expression_value"`
	Status               types.String `tfsdk:"status"`
}
