package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

// collectionServer serves the RPCs of every plan and apply of a sanityokta_document_groups
// (UpgradeResourceState, ReadResource, PlanResourceChange and ApplyResourceChange) from the protocol's
// values, and hands every other RPC, and these for any other resource, to the framework.
//
// Why: the framework walks each value of a resource's state several times per RPC (to nullify blocks, to
// run plan modifiers, for semantic equality, converting paths at every step), and with 10,000 documents
// (50,000 values) that cost about 10 s of CPU in a plan with nothing to do, against well under a second for
// the same work on the decoded values. What the framework would do for this schema besides calling Read
// and ModifyPlan is small, and is done here: defaults for document_field and on_destroy, and unknown
// computed values on create. The decisions themselves are the resource's (readCollection,
// planCollection, createCollection, applyMembers, deleteCollection); imports and validation stay in the
// framework.
type collectionServer struct {
	tfprotov6.ProviderServer
	provider *SanityOktaProvider
	typ      tftypes.Object // the resource's state
}

const collectionTypeName = "sanityokta_document_groups"

var (
	entryType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String, "description": tftypes.String}}
	// collectionAttributes are the attributes of the resource's state, which collectionState mirrors.
	collectionAttributes = map[string]tftypes.Type{
		"id":              tftypes.String,
		"documents":       tftypes.Map{ElementType: entryType},
		"group_ids":       tftypes.Map{ElementType: tftypes.String},
		"document_synced": tftypes.Map{ElementType: tftypes.Bool},
		"document_field":  tftypes.String,
		"on_destroy":      tftypes.String,
	}
)

// collectionAttributes mirrors the schema of documentGroupsResource, which Terraform and the docs see;
// TestCollectionServerTypeIsTheSchemas keeps the two together.

func newCollectionServer(inner tfprotov6.ProviderServer, p *SanityOktaProvider) *collectionServer {
	return &collectionServer{ProviderServer: inner, provider: p, typ: tftypes.Object{AttributeTypes: collectionAttributes}}
}

// service is the configured provider's data, or nil when the framework should serve the RPC.
func (s *collectionServer) service(typeName string) *providerData {
	if typeName != collectionTypeName || s.provider == nil {
		return nil
	}
	if d := s.provider.configured.Load(); d != nil && d.service != nil {
		return d
	}
	return nil
}

func (s *collectionServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName != collectionTypeName || req.Version != 0 || req.RawState == nil || req.RawState.JSON == nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	// The schema has only ever had version 0: the stored JSON is this schema's, minus attributes removed
	// since, which the framework ignores too.
	v, err := req.RawState.UnmarshalWithOpts(s.typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	dv, err := tfprotov6.NewDynamicValue(s.typ, v)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (s *collectionServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	data := s.service(req.TypeName)
	if data == nil || req.CurrentState == nil || importedBeforeRead(req.Private) {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	state, err := s.decode(req.CurrentState)
	if err != nil || state.null {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	ctx = data.logContext(ctx)
	var diags diag.Diagnostics
	got := readCollection(ctx, data.service, state.members, state.field(), &diags)
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}
	if !diags.HasError() {
		state.members = got
		resp.NewState, err = s.encode(state)
		if err != nil {
			return nil, err
		}
	}
	resp.Diagnostics = protoDiagnostics(diags)
	return resp, nil
}

func (s *collectionServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	data := s.service(req.TypeName)
	if data == nil {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	prior, err := s.decode(req.PriorState)
	if err != nil {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	proposed, err := s.decode(req.ProposedNewState)
	if err != nil {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	config, err := s.decode(req.Config)
	if err != nil {
		return s.ProviderServer.PlanResourceChange(ctx, req)
	}
	var diags diag.Diagnostics
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}
	var priorColl *priorCollection
	if !prior.null {
		priorColl = &priorCollection{members: prior.members, field: prior.field(), keep: prior.onDestroy.ValueString() == onDestroyKeep}
	}
	if proposed.null {
		planCollection(data.service, priorColl, nil, "", "", &diags)
		resp.Diagnostics = protoDiagnostics(diags)
		return resp, nil
	}

	planned := proposed
	// The schema's defaults, as the framework sets them: from the configuration, not from prior state.
	if config.documentField.IsNull() {
		planned.documentField = types.StringValue(access.DefaultDocumentField)
	}
	if config.onDestroy.IsNull() {
		planned.onDestroy = types.StringValue(onDestroyDelete)
	}
	if planned.documentsUnknown {
		// Nothing to plan per member before the documents are known: what depends on them is unknown.
		planned.groupIDsUnknown, planned.syncedUnknown = true, true
		if prior.null {
			planned.id = types.StringUnknown()
		} else {
			planned.id = prior.id
		}
	} else {
		token := planTokenFrom(req.PriorPrivate)
		planned.members, token = planCollection(data.service, priorColl, planned.members, planned.field(), token, &diags)
		planned.id = types.StringValue(planned.field())
		if !diags.HasError() {
			resp.PlannedPrivate, err = withPlanToken(req.PriorPrivate, token)
			if err != nil {
				return nil, err
			}
		}
	}
	if !diags.HasError() {
		if resp.PlannedState, err = s.encode(planned); err != nil {
			return nil, err
		}
	}
	resp.Diagnostics = protoDiagnostics(diags)
	return resp, nil
}

func (s *collectionServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	data := s.service(req.TypeName)
	if data == nil {
		return s.ProviderServer.ApplyResourceChange(ctx, req)
	}
	prior, err := s.decode(req.PriorState)
	if err != nil {
		return s.ProviderServer.ApplyResourceChange(ctx, req)
	}
	planned, err := s.decode(req.PlannedState)
	if err != nil || planned.documentsUnknown {
		return s.ProviderServer.ApplyResourceChange(ctx, req)
	}
	ctx = data.logContext(ctx)
	svc := data.service
	var diags diag.Diagnostics
	resp := &tfprotov6.ApplyResourceChangeResponse{Private: req.PlannedPrivate}
	var state *collectionState
	switch {
	case planned.null:
		resp.Private = nil
		if left := deleteCollection(ctx, svc, prior.members, prior.id.ValueString(), prior.field(),
			prior.onDestroy.ValueString() == onDestroyKeep, &diags); left != nil {
			prior.members = left
			state = &prior
		}
	case prior.null:
		var id string
		planned.members, id = createCollection(ctx, svc, planned.members, planned.field(),
			planned.onDestroy.ValueString() == onDestroyKeep, &diags)
		planned.id = types.StringValue(id)
		state = &planned
	default:
		planned.members = applyMembers(ctx, svc, prior.members, planned.members, prior.field(), planned.field(),
			planned.onDestroy.ValueString() == onDestroyKeep, &diags)
		planned.id = types.StringValue(planned.field())
		state = &planned
	}
	if state == nil {
		null := tftypes.NewValue(s.typ, nil)
		dv, err := tfprotov6.NewDynamicValue(s.typ, null)
		if err != nil {
			return nil, err
		}
		resp.NewState = &dv
	} else if resp.NewState, err = s.encode(*state); err != nil {
		return nil, err
	}
	resp.Diagnostics = protoDiagnostics(diags)
	return resp, nil
}

// collectionState is a sanityokta_document_groups value as the protocol carries it.
type collectionState struct {
	null             bool
	id               types.String
	members          map[string]memberModel // the elements of documents, group_ids and document_synced
	documentsUnknown bool
	groupIDsUnknown  bool
	syncedUnknown    bool
	documentField    types.String
	onDestroy        types.String
}

func (c collectionState) field() string { return fieldOr(c.documentField) }

func (s *collectionServer) decode(dv *tfprotov6.DynamicValue) (collectionState, error) {
	if dv == nil {
		return collectionState{null: true}, nil
	}
	v, err := dv.Unmarshal(s.typ)
	if err != nil {
		return collectionState{}, err
	}
	if v.IsNull() {
		return collectionState{null: true}, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return collectionState{}, err
	}
	c := collectionState{members: map[string]memberModel{}}
	if c.id, err = stringOf(attrs["id"]); err != nil {
		return c, err
	}
	if c.documentField, err = stringOf(attrs["document_field"]); err != nil {
		return c, err
	}
	if c.onDestroy, err = stringOf(attrs["on_destroy"]); err != nil {
		return c, err
	}
	docs := attrs["documents"]
	if !docs.IsKnown() {
		c.documentsUnknown = true
		return c, nil
	}
	var entries, groupIDs, synced map[string]tftypes.Value
	if err := docs.As(&entries); err != nil {
		return c, err
	}
	if c.groupIDsUnknown = !attrs["group_ids"].IsKnown(); !c.groupIDsUnknown {
		if err := attrs["group_ids"].As(&groupIDs); err != nil {
			return c, err
		}
	}
	if c.syncedUnknown = !attrs["document_synced"].IsKnown(); !c.syncedUnknown {
		if err := attrs["document_synced"].As(&synced); err != nil {
			return c, err
		}
	}
	for id, e := range entries {
		mm := memberModel{Name: types.StringUnknown(), Description: types.StringUnknown(),
			GroupID: types.StringNull(), DocumentSynced: types.BoolNull()}
		if e.IsKnown() && !e.IsNull() {
			var fields map[string]tftypes.Value
			if err := e.As(&fields); err != nil {
				return c, err
			}
			if mm.Name, err = stringOf(fields["name"]); err != nil {
				return c, err
			}
			if mm.Description, err = stringOf(fields["description"]); err != nil {
				return c, err
			}
		}
		if g, ok := groupIDs[id]; ok {
			if mm.GroupID, err = stringOf(g); err != nil {
				return c, err
			}
		}
		if b, ok := synced[id]; ok {
			if mm.DocumentSynced, err = boolOf(b); err != nil {
				return c, err
			}
		}
		c.members[id] = mm
	}
	return c, nil
}

func (s *collectionServer) encode(c collectionState) (*tfprotov6.DynamicValue, error) {
	docs := tftypes.NewValue(collectionAttributes["documents"], tftypes.UnknownValue)
	groupIDs := tftypes.NewValue(collectionAttributes["group_ids"], tftypes.UnknownValue)
	synced := tftypes.NewValue(collectionAttributes["document_synced"], tftypes.UnknownValue)
	if !c.documentsUnknown {
		entries := make(map[string]tftypes.Value, len(c.members))
		ids := make(map[string]tftypes.Value, len(c.members))
		syncs := make(map[string]tftypes.Value, len(c.members))
		for id, mm := range c.members {
			entries[id] = tftypes.NewValue(entryType, map[string]tftypes.Value{
				"name": stringValue(mm.Name), "description": stringValue(mm.Description),
			})
			ids[id], syncs[id] = stringValue(mm.GroupID), boolValue(mm.DocumentSynced)
		}
		docs = tftypes.NewValue(collectionAttributes["documents"], entries)
		if !c.groupIDsUnknown {
			groupIDs = tftypes.NewValue(collectionAttributes["group_ids"], ids)
		}
		if !c.syncedUnknown {
			synced = tftypes.NewValue(collectionAttributes["document_synced"], syncs)
		}
	}
	v := tftypes.NewValue(s.typ, map[string]tftypes.Value{
		"id": stringValue(c.id), "documents": docs, "group_ids": groupIDs, "document_synced": synced,
		"document_field": stringValue(c.documentField), "on_destroy": stringValue(c.onDestroy),
	})
	dv, err := tfprotov6.NewDynamicValue(s.typ, v)
	if err != nil {
		return nil, fmt.Errorf("encoding the state of %s: %w", collectionTypeName, err)
	}
	return &dv, nil
}

func stringOf(v tftypes.Value) (types.String, error) {
	switch {
	case !v.IsKnown():
		return types.StringUnknown(), nil
	case v.IsNull():
		return types.StringNull(), nil
	}
	var s string
	err := v.As(&s)
	return types.StringValue(s), err
}

func boolOf(v tftypes.Value) (types.Bool, error) {
	switch {
	case !v.IsKnown():
		return types.BoolUnknown(), nil
	case v.IsNull():
		return types.BoolNull(), nil
	}
	var b bool
	err := v.As(&b)
	return types.BoolValue(b), err
}

func stringValue(s types.String) tftypes.Value {
	switch {
	case s.IsUnknown():
		return tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	case s.IsNull():
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, s.ValueString())
}

func boolValue(b types.Bool) tftypes.Value {
	switch {
	case b.IsUnknown():
		return tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
	case b.IsNull():
		return tftypes.NewValue(tftypes.Bool, nil)
	}
	return tftypes.NewValue(tftypes.Bool, b.ValueBool())
}

// The framework keeps private state as a JSON object of base64-encoded JSON values, the provider's keys
// beside its own (which start with a dot); these read and write the plan token in that form.

func privateKeys(private []byte) (map[string][]byte, error) {
	keys := map[string][]byte{}
	if len(private) == 0 {
		return keys, nil
	}
	err := json.Unmarshal(private, &keys)
	return keys, err
}

// importedBeforeRead reports the framework's mark on a resource just imported, which its own read
// handles.
func importedBeforeRead(private []byte) bool {
	keys, err := privateKeys(private)
	if err != nil {
		return true
	}
	_, ok := keys[".import_before_read"]
	return ok
}

func planTokenFrom(private []byte) string {
	keys, err := privateKeys(private)
	if err != nil {
		return ""
	}
	var claimed claimPrivate
	_ = json.Unmarshal(keys[claimKey], &claimed)
	return claimed.Token
}

func withPlanToken(private []byte, token string) ([]byte, error) {
	keys, err := privateKeys(private)
	if err != nil {
		keys = map[string][]byte{}
	}
	if keys[claimKey], err = json.Marshal(claimPrivate{Token: token}); err != nil {
		return nil, err
	}
	return json.Marshal(keys)
}

// protoDiagnostics converts the resource's diagnostics for the protocol.
func protoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: d.Summary(), Detail: d.Detail()}
		if d.Severity() == diag.SeverityError {
			pd.Severity = tfprotov6.DiagnosticSeverityError
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = attributePath(wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// attributePath converts the paths the resource reports (attributes and map keys).
func attributePath(p path.Path) *tftypes.AttributePath {
	ap := tftypes.NewAttributePath()
	for _, step := range p.Steps() {
		switch st := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(st))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(st))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(st))
		}
	}
	return ap
}
