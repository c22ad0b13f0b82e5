package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/backend"
)

// The collection's plans and refreshes are served outside the framework (collectionServer). These tests
// hold that path to what the framework does with the same resource: for each request both answer, and the
// answers must be the same.

func TestCollectionServerTypeIsTheSchemas(t *testing.T) {
	ctx := context.Background()
	var resp fwresource.SchemaResponse
	NewDocumentGroupsResource().Schema(ctx, fwresource.SchemaRequest{}, &resp)
	want := resp.Schema.Type().TerraformType(ctx)
	got := newCollectionServer(nil, nil).typ
	if !got.Equal(want) {
		t.Fatalf("collectionAttributes is %s, but the schema of sanityokta_document_groups is %s: change both together", got, want)
	}
}

// bothServers returns the provider served with collectionServer and served by the framework alone, each
// configured against env's fakes.
func bothServers(t *testing.T, env *acctest.Env) (wire, framework tfprotov6.ProviderServer) {
	t.Helper()
	vars := map[string]string{
		envSanityAPIHost: env.Sanity.URL, envSanityProjectID: env.Sanity.ProjectID(), envSanityDataset: env.Sanity.Dataset(),
		envSanityToken: env.Sanity.WriteToken(), envOktaOrgURL: env.Okta.URL, envOktaAPIToken: env.Okta.Token(),
	}
	mk := func() *SanityOktaProvider {
		return &SanityOktaProvider{version: "test", getenv: func(k string) string { return vars[k] }, open: backend.Open}
	}
	wire, framework = newServer(mk()), providerserver.NewProtocol6(mk())()
	for _, s := range []tfprotov6.ProviderServer{wire, framework} {
		configure(t, s)
	}
	return wire, framework
}

// configure sends ConfigureProvider with every setting unset, so the provider reads its environment.
func configure(t *testing.T, s tfprotov6.ProviderServer) {
	t.Helper()
	ctx := context.Background()
	var sch fwprovider.SchemaResponse
	(&SanityOktaProvider{}).Schema(ctx, fwprovider.SchemaRequest{}, &sch)
	typ := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	nulls := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		nulls[name] = tftypes.NewValue(at, nil)
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nulls))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("configuring the provider: %v %s", err, diagText(resp.Diagnostics))
	}
}

func hasError(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(ds []*tfprotov6.Diagnostic) string {
	var out string
	for _, d := range ds {
		at := ""
		if d.Attribute != nil {
			at = " at " + d.Attribute.String()
		}
		out += fmt.Sprintf("\n[%s] %s: %s%s", d.Severity, d.Summary, d.Detail, at)
	}
	return out
}

// collectionValue builds a value of the collection's type; nil members of the map mean null attributes.
type member struct {
	name, description any // string, nil (null) or tftypes.UnknownValue
	groupID           any
	synced            any
}

func collectionValue(id any, docs map[string]member, field, onDestroy any, computedNull bool) tftypes.Value {
	typ := tftypes.Object{AttributeTypes: collectionAttributes}
	entries, ids, syncs := map[string]tftypes.Value{}, map[string]tftypes.Value{}, map[string]tftypes.Value{}
	for k, m := range docs {
		entries[k] = tftypes.NewValue(entryType, map[string]tftypes.Value{
			"name": tftypes.NewValue(tftypes.String, m.name), "description": tftypes.NewValue(tftypes.String, m.description),
		})
		ids[k] = tftypes.NewValue(tftypes.String, m.groupID)
		syncs[k] = tftypes.NewValue(tftypes.Bool, m.synced)
	}
	var groupIDs, synced any = ids, syncs
	if computedNull {
		groupIDs, synced = nil, nil
	}
	var documents any = entries
	if docs == nil {
		documents = tftypes.UnknownValue
	}
	return tftypes.NewValue(typ, map[string]tftypes.Value{
		"id":              tftypes.NewValue(tftypes.String, id),
		"documents":       tftypes.NewValue(collectionAttributes["documents"], documents),
		"group_ids":       tftypes.NewValue(collectionAttributes["group_ids"], groupIDs),
		"document_synced": tftypes.NewValue(collectionAttributes["document_synced"], synced),
		"document_field":  tftypes.NewValue(tftypes.String, field),
		"on_destroy":      tftypes.NewValue(tftypes.String, onDestroy),
	})
}

func dynamic(t *testing.T, v *tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := tftypes.Object{AttributeTypes: collectionAttributes}
	if v == nil {
		nv := tftypes.NewValue(typ, nil)
		v = &nv
	}
	dv, err := tfprotov6.NewDynamicValue(typ, *v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func decoded(t *testing.T, dv *tfprotov6.DynamicValue) tftypes.Value {
	t.Helper()
	if dv == nil {
		return tftypes.Value{}
	}
	v, err := dv.Unmarshal(tftypes.Object{AttributeTypes: collectionAttributes})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// privateKeysOf lists the keys of a private state, whose values (the plan token) differ per process.
func privateKeysOf(t *testing.T, private []byte) []string {
	t.Helper()
	keys, err := privateKeys(private)
	if err != nil {
		t.Fatalf("private state %q: %v", private, err)
	}
	return sortedKeys(keys)
}

func sameDiagnostics(t *testing.T, what string, wire, framework []*tfprotov6.Diagnostic) {
	t.Helper()
	if diagText(wire) != diagText(framework) {
		t.Errorf("%s: diagnostics differ\nserved outside the framework:%s\nby the framework:%s", what, diagText(wire), diagText(framework))
	}
}

func TestCollectionServerPlansAsTheFramework(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "configures the provider in the test process")
	wire, framework := bothServers(t, env)
	ctx := context.Background()
	existing := env.CreateGroup(t, "content:tfacc-wire-"+env.ID+"-kept", "Kept")

	// Each case uses its own documents: a plan claims them in its provider process.
	cases := []struct {
		name                    string
		prior, proposed, config func(doc func(string) string) *tftypes.Value
	}{
		{
			name:  "create, with defaults",
			prior: func(func(string) string) *tftypes.Value { return nil },
			config: func(doc func(string) string) *tftypes.Value {
				v := collectionValue(nil, map[string]member{
					doc("a"): {name: "content:tfacc-wire-a-" + env.ID, description: "Access to A"},
					doc("b"): {name: "content:tfacc-wire-b-" + env.ID, description: nil},
				}, nil, nil, true)
				return &v
			},
		},
		{
			name: "no change, one changed, one added, one removed, one write-back lost",
			prior: func(doc func(string) string) *tftypes.Value {
				v := collectionValue("oktaGroupId", map[string]member{
					doc("same"):    {name: "content:tfacc-wire-same-" + env.ID, description: "Same", groupID: existing.ID, synced: true},
					doc("changed"): {name: "content:tfacc-wire-changed-" + env.ID, description: "Old", groupID: "00gChanged000000001", synced: true},
					doc("removed"): {name: "content:tfacc-wire-removed-" + env.ID, description: nil, groupID: "00gRemoved000000001", synced: true},
					doc("lost"):    {name: "content:tfacc-wire-lost-" + env.ID, description: "Lost", groupID: "00gLost00000000001", synced: false},
				}, "oktaGroupId", "delete", false)
				return &v
			},
			config: func(doc func(string) string) *tftypes.Value {
				v := collectionValue(nil, map[string]member{
					doc("same"):    {name: "content:tfacc-wire-same-" + env.ID, description: "Same"},
					doc("changed"): {name: "content:tfacc-wire-changed-" + env.ID, description: "New"},
					doc("lost"):    {name: "content:tfacc-wire-lost-" + env.ID, description: "Lost"},
					doc("added"):   {name: "content:tfacc-wire-added-" + env.ID, description: "Added"},
				}, nil, "keep", true)
				return &v
			},
		},
		{
			name:  "documents not known yet, on create",
			prior: func(func(string) string) *tftypes.Value { return nil },
			config: func(func(string) string) *tftypes.Value {
				v := collectionValue(nil, nil, "accessGroupId", nil, true)
				return &v
			},
		},
		{
			name: "documents not known yet, on update",
			prior: func(doc func(string) string) *tftypes.Value {
				v := collectionValue("oktaGroupId", map[string]member{
					doc("x"): {name: "content:tfacc-wire-x-" + env.ID, description: "X", groupID: "00gX000000000000001", synced: true},
				}, "oktaGroupId", "delete", false)
				return &v
			},
			config: func(func(string) string) *tftypes.Value {
				v := collectionValue(nil, nil, nil, nil, true)
				return &v
			},
		},
		{
			name:  "invalid entries",
			prior: func(func(string) string) *tftypes.Value { return nil },
			config: func(doc func(string) string) *tftypes.Value {
				v := collectionValue(nil, map[string]member{
					doc("outside"):       {name: "marketing:" + env.ID, description: nil},
					"drafts." + doc("d"): {name: "content:tfacc-wire-draft-" + env.ID, description: nil},
					doc("name"):          {name: tftypes.UnknownValue, description: "Name not known yet"},
				}, nil, nil, true)
				return &v
			},
		},
		{
			name: "destroy",
			prior: func(doc func(string) string) *tftypes.Value {
				v := collectionValue("oktaGroupId", map[string]member{
					doc("gone"): {name: "content:tfacc-wire-gone-" + env.ID, description: "Gone", groupID: "00gGone00000000001", synced: true},
				}, "oktaGroupId", "delete", false)
				return &v
			},
			proposed: func(func(string) string) *tftypes.Value { return nil },
			config:   func(func(string) string) *tftypes.Value { return nil },
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var answers [2]*tfprotov6.PlanResourceChangeResponse
			for j, s := range []tfprotov6.ProviderServer{wire, framework} {
				doc := func(s string) string { return env.DocID(fmt.Sprintf("wire%d-%d-%s", i, j, s)) }
				prior, config := tc.prior(doc), tc.config(doc)
				proposed := config
				if tc.proposed != nil {
					proposed = tc.proposed(doc)
				} else if config != nil {
					proposed = proposedNew(t, prior, config)
				}
				resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: collectionTypeName, PriorState: dynamic(t, prior), ProposedNewState: dynamic(t, proposed),
					Config: dynamic(t, config),
				})
				if err != nil {
					t.Fatal(err)
				}
				answers[j] = resp
			}
			w, f := answers[0], answers[1]
			// The document IDs differ between the two (a plan claims its documents); put them side by side.
			sameDiagnostics(t, "plan", asFrameworks(w.Diagnostics, i), f.Diagnostics)
			if hasError(f.Diagnostics) {
				return
			}
			wv, fv := asFrameworksValue(t, decoded(t, w.PlannedState), i), decoded(t, f.PlannedState)
			if !wv.Equal(fv) {
				t.Errorf("planned states differ\nserved outside the framework: %s\nby the framework: %s", wv, fv)
			}
			if wk, fk := privateKeysOf(t, w.PlannedPrivate), privateKeysOf(t, f.PlannedPrivate); fmt.Sprint(wk) != fmt.Sprint(fk) {
				t.Errorf("planned private state holds %v, the framework's %v", wk, fk)
			}
			if len(w.RequiresReplace) != len(f.RequiresReplace) {
				t.Errorf("requires replace: %v, the framework's %v", w.RequiresReplace, f.RequiresReplace)
			}
		})
	}
}

// proposedNew is what Terraform proposes from prior state and configuration for this schema: the
// configuration, with each computed attribute the configuration leaves null taken from prior state.
func proposedNew(t *testing.T, prior, config *tftypes.Value) *tftypes.Value {
	t.Helper()
	var c map[string]tftypes.Value
	if err := config.As(&c); err != nil {
		t.Fatal(err)
	}
	if prior != nil {
		var p map[string]tftypes.Value
		if err := prior.As(&p); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"id", "group_ids", "document_synced", "document_field", "on_destroy"} {
			if c[name].IsNull() {
				c[name] = p[name]
			}
		}
	}
	v := tftypes.NewValue(config.Type(), c)
	return &v
}

// asFrameworks and asFrameworksValue rewrite the wire server's document IDs (case i, server 0) to the framework's
// (server 1).
func asFrameworks(ds []*tfprotov6.Diagnostic, i int) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, len(ds))
	for k, d := range ds {
		c := *d
		c.Summary, c.Detail = swap(c.Summary, i), swap(c.Detail, i)
		if d.Attribute != nil {
			steps := tftypes.NewAttributePath()
			for _, st := range d.Attribute.Steps() {
				switch s := st.(type) {
				case tftypes.AttributeName:
					steps = steps.WithAttributeName(string(s))
				case tftypes.ElementKeyString:
					steps = steps.WithElementKeyString(swap(string(s), i))
				default:
					steps = tftypes.NewAttributePathWithSteps(append(steps.Steps(), st))
				}
			}
			c.Attribute = steps
		}
		out[k] = &c
	}
	return out
}

func swap(s string, i int) string {
	return strings.ReplaceAll(s, fmt.Sprintf("wire%d-0-", i), fmt.Sprintf("wire%d-1-", i))
}

func asFrameworksValue(t *testing.T, v tftypes.Value, i int) tftypes.Value {
	t.Helper()
	out, err := tftypes.Transform(v, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.Type().Is(tftypes.Map{}) || !v.IsKnown() || v.IsNull() {
			return v, nil
		}
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return v, err
		}
		moved := map[string]tftypes.Value{}
		for k, e := range elems {
			moved[swap(k, i)] = e
		}
		return tftypes.NewValue(v.Type(), moved), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCollectionServerReadsAndUpgradesAsTheFramework(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "configures the provider in the test process")
	wire, framework := bothServers(t, env)
	ctx := context.Background()
	kept := env.CreateGroup(t, "content:tfacc-wire-"+env.ID+"-read", "Read")
	state := collectionValue("oktaGroupId", map[string]member{
		env.DocID("kept"): {name: kept.Name, description: nil, groupID: kept.ID, synced: true},
		env.DocID("gone"): {name: "content:tfacc-wire-gone-" + env.ID, description: "Gone", groupID: "00gGoneOutside00001", synced: true},
	}, "oktaGroupId", "keep", false)
	raw, err := tftypesJSON(state)
	if err != nil {
		t.Fatal(err)
	}

	var upgraded, read [2]tftypes.Value
	for j, s := range []tfprotov6.ProviderServer{wire, framework} {
		up, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: collectionTypeName, Version: 0, RawState: &tfprotov6.RawState{JSON: raw},
		})
		if err != nil || hasError(up.Diagnostics) {
			t.Fatalf("upgrading: %v %s", err, diagText(up.Diagnostics))
		}
		upgraded[j] = decoded(t, up.UpgradedState)
		resp, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: collectionTypeName, CurrentState: up.UpgradedState})
		if err != nil || hasError(resp.Diagnostics) {
			t.Fatalf("reading: %v %s", err, diagText(resp.Diagnostics))
		}
		read[j] = decoded(t, resp.NewState)
	}
	if !upgraded[0].Equal(upgraded[1]) || !upgraded[0].Equal(state) {
		t.Errorf("upgraded states differ\nserved outside the framework: %s\nby the framework: %s\nstored: %s", upgraded[0], upgraded[1], state)
	}
	if !read[0].Equal(read[1]) {
		t.Errorf("refreshed states differ\nserved outside the framework: %s\nby the framework: %s", read[0], read[1])
	}
	var attrs map[string]tftypes.Value
	var ids map[string]tftypes.Value
	if err := read[0].As(&attrs); err != nil || attrs["group_ids"].As(&ids) != nil {
		t.Fatalf("reading the refreshed state %s: %v", read[0], err)
	}
	if _, ok := ids[env.DocID("gone")]; ok || len(ids) != 1 {
		t.Errorf("after a refresh the state holds group IDs %v; want only %s's (the other group is gone from Okta)", ids, env.DocID("kept"))
	}
}

// tftypesJSON is a value as Terraform stores it in a state file.
func tftypesJSON(v tftypes.Value) ([]byte, error) {
	var walk func(v tftypes.Value) (any, error)
	walk = func(v tftypes.Value) (any, error) {
		if v.IsNull() {
			return nil, nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			var s string
			return s, v.As(&s)
		case v.Type().Is(tftypes.Bool):
			var b bool
			return b, v.As(&b)
		}
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, err
		}
		out := map[string]any{}
		for k, e := range elems {
			x, err := walk(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	x, err := walk(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(x)
}
