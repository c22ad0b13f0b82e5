package main

// The protocol driver. Terraform core's own time grows faster than linearly with the number of
// instances: on a 2-core machine, Terraform 1.11.4 applied 1,000, 2,000 and 4,000 terraform_data
// instances in 29 s, 119 s and 590 s, and planned them in 12 s, 55 s and 296 s, so at 10,000 the
// Terraform phases would take hours, almost all of it outside the provider. The driver measures what the provider process does at that size by playing Terraform
// 1.11's part of the conversation itself: it starts the built provider binary with go-plugin's
// handshake, one process per graph walk as Terraform does, and makes the tfplugin6 RPCs Terraform makes
// for each phase (as seen in Terraform 1.11.4's trace log), ten instances at a time. What it leaves out
// is Terraform core: graph building, expression evaluation, state files. The figures are the provider's:
// its requests to Okta and the Content Lake, its peak RSS, and the wall time of its processes and RPCs.
//
// Without Terraform's time between RPCs, applies reach the provider closer together than under
// Terraform, so whatever the provider batches by arrival time (the first write-backs of creates) merges
// more: the create phase sends fewer Content Lake mutations than the same create under Terraform. Okta
// requests, and everything in the other two phases, come out the same.
//
// Per command, as Terraform runs it:
//   - a process that only answers GetProviderSchema (Terraform then caches the schema for the command);
//   - the validate walk: ValidateDataResourceConfig and ValidateResourceConfig once each, for_each
//     values unknown;
//   - the plan walk: ValidateProviderConfig, ConfigureProvider, ValidateDataResourceConfig,
//     ReadDataSource, then per instance UpgradeResourceState and ReadResource when it has a prior state,
//     ValidateResourceConfig and PlanResourceChange;
//   - for apply, the apply walk, over the instances the plan changes only: ValidateProviderConfig,
//     ConfigureProvider, then per instance UpgradeResourceState (when it has a prior state),
//     ValidateResourceConfig, PlanResourceChange (which must match the plan walk's) and
//     ApplyResourceChange. The data source is not read again: its plan-time result has no change.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	sanityoktaprovider "github.com/sanityokta/terraform-provider-sanityokta/internal/provider"
)

const (
	documentsType = "sanityokta_documents"
	groupType     = "sanityokta_document_group"
	// terraformParallelism is Terraform's default -parallelism: how many instances it walks at once.
	terraformParallelism = 10
	// terraformVersion is what ConfigureProvider is told; the sequence is Terraform 1.11's.
	terraformVersion = "1.11.4"
)

// DriverResult is one phase at one size. The first keys are summary.json's; there is no floor without
// Terraform, so floor_wall_s is always null.
type DriverResult struct {
	Result
	ProviderProcesses int                             `json:"provider_processes"`
	OktaByBucket      map[string]oktatest.BucketStats `json:"okta_by_bucket"`
}

// driverSchemas are the value types of what the driver sends, from the provider's own schema.
type driverSchemas struct {
	provider, documents, group tftypes.Object
	// groupComputed names the resource's computed attributes, which Terraform proposes from the prior
	// state (or as unknown) when the configuration leaves them out.
	groupComputed map[string]bool
}

func loadDriverSchemas(ctx context.Context) (driverSchemas, error) {
	server := providerserver.NewProtocol6(sanityoktaprovider.New("bench")())()
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return driverSchemas{}, fmt.Errorf("reading the provider's schema in-process: %w", err)
	}
	dataSource, resource := resp.DataSourceSchemas[documentsType], resp.ResourceSchemas[groupType]
	if resp.Provider == nil || dataSource == nil || resource == nil {
		return driverSchemas{}, fmt.Errorf("the provider's schema lacks %s or %s: update the driver", documentsType, groupType)
	}
	s := driverSchemas{groupComputed: map[string]bool{}}
	var ok [3]bool
	s.provider, ok[0] = resp.Provider.ValueType().(tftypes.Object)
	s.documents, ok[1] = dataSource.ValueType().(tftypes.Object)
	s.group, ok[2] = resource.ValueType().(tftypes.Object)
	if ok != [3]bool{true, true, true} {
		return driverSchemas{}, errors.New("a schema's value type is not an object: update the driver")
	}
	for _, a := range resource.Block.Attributes {
		s.groupComputed[a.Name] = a.Computed
	}
	if len(resource.Block.BlockTypes) > 0 {
		return driverSchemas{}, fmt.Errorf("%s has nested blocks, which the driver's proposed new state does not handle: extend proposedNew", groupType)
	}
	return s, nil
}

// objectValue is an object of type t with the given attributes and every other attribute null, as
// Terraform evaluates a block that leaves them out.
func objectValue(t tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	attrs := make(map[string]tftypes.Value, len(t.AttributeTypes))
	for name, at := range t.AttributeTypes {
		if v, ok := set[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(t, attrs)
}

func encode(t tftypes.Type, v tftypes.Value) (dynamicValue, error) {
	dv, err := tfprotov6.NewDynamicValue(t, v)
	if err != nil {
		return dynamicValue{}, fmt.Errorf("encoding a %s value: %w", t, err)
	}
	return dynamicValue{Msgpack: dv.MsgPack}, nil
}

func decode(t tftypes.Type, dv dynamicValue) (tftypes.Value, error) {
	if len(dv.Msgpack) == 0 {
		return tftypes.Value{}, errors.New("the provider returned no value (msgpack empty)")
	}
	return (&tfprotov6.DynamicValue{MsgPack: dv.Msgpack}).Unmarshal(t)
}

// proposedNew is Terraform's proposed new state for a resource with only top-level attributes: what
// the configuration sets, and for computed attributes it leaves out the prior value, or unknown when
// there is none.
func (s driverSchemas) proposedNew(prior, config tftypes.Value) (tftypes.Value, error) {
	var configAttrs, priorAttrs map[string]tftypes.Value
	if err := config.As(&configAttrs); err != nil {
		return tftypes.Value{}, err
	}
	if !prior.IsNull() {
		if err := prior.As(&priorAttrs); err != nil {
			return tftypes.Value{}, err
		}
	}
	out := make(map[string]tftypes.Value, len(configAttrs))
	for name, v := range configAttrs {
		switch {
		case !v.IsNull() || !s.groupComputed[name]:
			out[name] = v
		case priorAttrs != nil:
			out[name] = priorAttrs[name]
		default:
			out[name] = tftypes.NewValue(v.Type(), tftypes.UnknownValue)
		}
	}
	return tftypes.NewValue(s.group, out), nil
}

// stateJSON is an instance's attributes as Terraform's state file holds them, which is what
// UpgradeResourceState receives.
func stateJSON(v tftypes.Value) ([]byte, error) {
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, fmt.Errorf("reading a state as an object: %w", err)
	}
	out := make(map[string]any, len(attrs))
	for name, a := range attrs {
		var err error
		switch {
		case a.IsNull():
			out[name] = nil
		case a.Type().Is(tftypes.String):
			var s string
			err = a.As(&s)
			out[name] = s
		case a.Type().Is(tftypes.Bool):
			var b bool
			err = a.As(&b)
			out[name] = b
		default:
			err = fmt.Errorf("attribute %s is a %s; the driver writes only strings and bools to state JSON: extend stateJSON", name, a.Type())
		}
		if err != nil {
			return nil, err
		}
	}
	return json.Marshal(out)
}

// gatedDocument is what the resource's configuration takes from the data source.
type gatedDocument struct{ slug, title string }

func decodeDocuments(t tftypes.Object, dv dynamicValue) (map[string]gatedDocument, error) {
	state, err := decode(t, dv)
	if err != nil {
		return nil, fmt.Errorf("decoding the data source's state: %w", err)
	}
	var attrs, docs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		return nil, err
	}
	if err := attrs["documents"].As(&docs); err != nil {
		return nil, fmt.Errorf("reading the data source's documents: %w", err)
	}
	out := make(map[string]gatedDocument, len(docs))
	for key, doc := range docs {
		var fields map[string]tftypes.Value
		var slug, title string
		if err := doc.As(&fields); err != nil {
			return nil, err
		}
		if err := fields["slug"].As(&slug); err != nil {
			return nil, fmt.Errorf("document %s's slug: %w", key, err)
		}
		if err := fields["title"].As(&title); err != nil {
			return nil, fmt.Errorf("document %s's title: %w", key, err)
		}
		out[key] = gatedDocument{slug: slug, title: title}
	}
	return out, nil
}

// groupConfig is the bench configuration's resource block for one document (see writeProviderConfig).
func (s driverSchemas) groupConfig(key string, doc gatedDocument) tftypes.Value {
	return objectValue(s.group, map[string]tftypes.Value{
		"document_id": tftypes.NewValue(tftypes.String, key),
		"name":        tftypes.NewValue(tftypes.String, "content:"+doc.slug),
		"description": tftypes.NewValue(tftypes.String, "Access to "+doc.title),
	})
}

// instanceState is what Terraform's state file keeps of one instance.
type instanceState struct {
	value   tftypes.Value
	private []byte
}

// plannedChange is the plan walk's outcome for one instance that is not a no-op.
type plannedChange struct {
	prior          instanceState // refreshed; a null value for a create
	config         tftypes.Value
	planned        tftypes.Value
	plannedPrivate []byte
}

// commandStats adds up the provider processes of one Terraform command.
type commandStats struct {
	rpcs      int64
	processes int
	peakRSS   int64
}

// protocolDriver plays Terraform against one stack; state carries over from command to command.
type protocolDriver struct {
	binary  string
	env     []string
	schemas driverSchemas
	state   map[string]instanceState
	stats   commandStats
}

func (d *protocolDriver) start() (*providerProcess, error) {
	return startProvider(d.binary, d.env)
}

func (d *protocolDriver) stop(p *providerProcess) {
	rss := p.stop()
	d.stats.rpcs += p.rpcs.Load()
	d.stats.processes++
	d.stats.peakRSS = max(d.stats.peakRSS, rss)
}

// command runs terraform plan (apply false) or terraform apply and returns the instances whose plan was
// not a no-op.
func (d *protocolDriver) command(ctx context.Context, apply bool) (map[string]plannedChange, error) {
	d.stats = commandStats{}
	s := d.schemas
	providerConfig, err := encode(s.provider, objectValue(s.provider, nil))
	if err != nil {
		return nil, err
	}
	dataConfig, err := encode(s.documents, objectValue(s.documents, map[string]tftypes.Value{
		"filter": tftypes.NewValue(tftypes.String, `_type == "benchDocument"`),
	}))
	if err != nil {
		return nil, err
	}
	// The validate walk sees the resource block once, before for_each is expanded.
	unexpanded, err := encode(s.group, objectValue(s.group, map[string]tftypes.Value{
		"document_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"name":        tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"description": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	}))
	if err != nil {
		return nil, err
	}

	if err := d.walk(func(p *providerProcess) error { return p.getProviderSchema(ctx) }); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	err = d.walk(func(p *providerProcess) error {
		if err := p.validateDataResourceConfig(ctx, typedConfig{TypeName: documentsType, Config: dataConfig}); err != nil {
			return err
		}
		return p.validateResourceConfig(ctx, typedConfig{TypeName: groupType, Config: unexpanded})
	})
	if err != nil {
		return nil, fmt.Errorf("validate walk: %w", err)
	}

	var changes map[string]plannedChange
	err = d.walk(func(p *providerProcess) error {
		if err := configure(ctx, p, providerConfig); err != nil {
			return err
		}
		if err := p.validateDataResourceConfig(ctx, typedConfig{TypeName: documentsType, Config: dataConfig}); err != nil {
			return err
		}
		read, err := p.readDataSource(ctx, typedConfig{TypeName: documentsType, Config: dataConfig})
		if err != nil {
			return err
		}
		docs, err := decodeDocuments(s.documents, read.State)
		if err != nil {
			return err
		}
		for key := range d.state {
			if _, ok := docs[key]; !ok {
				return fmt.Errorf("instance %s has no document any more and would be destroyed; the bench never removes one", key)
			}
		}
		changes, err = d.plan(ctx, p, docs, apply)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plan walk: %w", err)
	}
	if !apply {
		return changes, nil
	}

	err = d.walk(func(p *providerProcess) error {
		if err := configure(ctx, p, providerConfig); err != nil {
			return err
		}
		return d.apply(ctx, p, changes)
	})
	if err != nil {
		return nil, fmt.Errorf("apply walk: %w", err)
	}
	return changes, nil
}

// walk runs one graph walk in a fresh provider process.
func (d *protocolDriver) walk(fn func(*providerProcess) error) error {
	p, err := d.start()
	if err != nil {
		return err
	}
	defer d.stop(p)
	return fn(p)
}

func configure(ctx context.Context, p *providerProcess, config dynamicValue) error {
	if err := p.validateProviderConfig(ctx, config); err != nil {
		return err
	}
	return p.configureProvider(ctx, configureRequest{TerraformVersion: terraformVersion, Config: config})
}

// plan refreshes and plans every document's instance. When keepRefreshed is set (terraform apply), the
// refreshed states become the state, as Terraform writes them at the end of an apply.
func (d *protocolDriver) plan(ctx context.Context, p *providerProcess, docs map[string]gatedDocument, keepRefreshed bool) (map[string]plannedChange, error) {
	s := d.schemas
	var (
		mu        sync.Mutex
		changes   = map[string]plannedChange{}
		refreshed = map[string]instanceState{}
	)
	err := inParallel(ctx, slices.Sorted(maps.Keys(docs)), func(key string) error {
		config := s.groupConfig(key, docs[key])
		prior := instanceState{value: tftypes.NewValue(s.group, nil)}
		if old, ok := d.state[key]; ok {
			current, err := upgrade(ctx, p, s.group, old.value)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			encoded, err := encode(s.group, current)
			if err != nil {
				return err
			}
			read, err := p.readResource(ctx, readRequest{TypeName: groupType, CurrentState: encoded, Private: old.private})
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if prior.value, err = decode(s.group, read.NewState); err != nil {
				return fmt.Errorf("%s: decoding ReadResource's new state: %w", key, err)
			}
			prior.private = read.Private
		}
		planned, err := planInstance(ctx, p, s, prior, config)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !prior.value.IsNull() {
			refreshed[key] = prior
			if planned.planned.Equal(prior.value) {
				return nil
			}
		}
		changes[key] = planned
		return nil
	})
	if err != nil {
		return nil, err
	}
	if keepRefreshed {
		d.state = refreshed
	}
	return changes, nil
}

// upgrade is UpgradeResourceState on the instance's state as the state file would hold it.
func upgrade(ctx context.Context, p *providerProcess, t tftypes.Object, v tftypes.Value) (tftypes.Value, error) {
	raw, err := stateJSON(v)
	if err != nil {
		return tftypes.Value{}, err
	}
	resp, err := p.upgradeResourceState(ctx, upgradeRequest{TypeName: groupType, RawState: rawState{JSON: raw}})
	if err != nil {
		return tftypes.Value{}, err
	}
	return decode(t, resp.UpgradedState)
}

// planInstance is ValidateResourceConfig and PlanResourceChange for one instance.
func planInstance(ctx context.Context, p *providerProcess, s driverSchemas, prior instanceState, config tftypes.Value) (plannedChange, error) {
	proposed, err := s.proposedNew(prior.value, config)
	if err != nil {
		return plannedChange{}, fmt.Errorf("proposing a new state: %w", err)
	}
	var enc [3]dynamicValue
	for i, v := range []tftypes.Value{prior.value, proposed, config} {
		if enc[i], err = encode(s.group, v); err != nil {
			return plannedChange{}, err
		}
	}
	if err := p.validateResourceConfig(ctx, typedConfig{TypeName: groupType, Config: enc[2]}); err != nil {
		return plannedChange{}, err
	}
	resp, err := p.planResourceChange(ctx, planRequest{TypeName: groupType, PriorState: enc[0], ProposedNewState: enc[1],
		Config: enc[2], PriorPrivate: prior.private})
	if err != nil {
		return plannedChange{}, err
	}
	if len(resp.RequiresReplace) > 0 {
		return plannedChange{}, fmt.Errorf("the plan replaces the instance (%v); the bench never changes a document ID", resp.RequiresReplace)
	}
	planned, err := decode(s.group, resp.PlannedState)
	if err != nil {
		return plannedChange{}, fmt.Errorf("decoding the planned state: %w", err)
	}
	return plannedChange{prior: prior, config: config, planned: planned, plannedPrivate: resp.PlannedPrivate}, nil
}

// apply re-plans and applies each planned change, as Terraform's apply walk does.
func (d *protocolDriver) apply(ctx context.Context, p *providerProcess, changes map[string]plannedChange) error {
	s := d.schemas
	var mu sync.Mutex
	return inParallel(ctx, slices.Sorted(maps.Keys(changes)), func(key string) error {
		change := changes[key]
		prior := instanceState{value: tftypes.NewValue(s.group, nil)}
		if !change.prior.value.IsNull() {
			prior.private = change.prior.private
			var err error
			if prior.value, err = upgrade(ctx, p, s.group, change.prior.value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		final, err := planInstance(ctx, p, s, prior, change.config)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if !final.planned.Equal(change.planned) {
			return fmt.Errorf("%s: inconsistent final plan: planned %s, now %s", key, change.planned, final.planned)
		}
		var enc [3]dynamicValue
		for i, v := range []tftypes.Value{prior.value, final.planned, change.config} {
			if enc[i], err = encode(s.group, v); err != nil {
				return err
			}
		}
		resp, err := p.applyResourceChange(ctx, applyRequest{TypeName: groupType, PriorState: enc[0], PlannedState: enc[1],
			Config: enc[2], PlannedPrivate: final.plannedPrivate})
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		applied, err := decode(s.group, resp.NewState)
		if err != nil {
			return fmt.Errorf("%s: decoding the new state: %w", key, err)
		}
		if applied.IsNull() || !applied.IsFullyKnown() {
			return fmt.Errorf("%s: the applied state is null or has unknown values: %s", key, applied)
		}
		mu.Lock()
		d.state[key] = instanceState{value: applied, private: resp.Private}
		mu.Unlock()
		return nil
	})
}

// inParallel calls fn for every key, terraformParallelism at a time, and returns the first error; after
// one, the keys not started are skipped.
func inParallel(ctx context.Context, keys []string, fn func(string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range terraformParallelism {
		wg.Go(func() {
			for key := range jobs {
				if err := fn(key); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, key := range keys {
		select {
		case jobs <- key:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return context.Cause(ctx)
}

// driveProtocol measures the three phases at size n against a fresh stack seeded as run seeds it.
func (b *bench) driveProtocol(ctx context.Context, n int) ([]DriverResult, error) {
	schemas, err := loadDriverSchemas(ctx)
	if err != nil {
		return nil, err
	}
	ids, seed := benchSeed(n)
	stack, err := devstack.Start(ctx, devstack.Options{
		Seed: seed, SeedName: fmt.Sprintf("%d generated documents", n),
		OktaRateLimit: devstack.DeveloperOrg, OktaRateWindow: b.window,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the local stack: %w", err)
	}
	defer stack.Close()
	d := &protocolDriver{
		binary:  filepath.Join(b.providerDir, "terraform-provider-sanityokta"),
		env:     devstack.TerraformEnviron(os.Environ(), stack.Environ(), ""),
		schemas: schemas,
		state:   map[string]instanceState{},
	}
	changed := ids[n/2]

	var out []DriverResult
	for _, phase := range phases {
		if phase == "one_change" {
			if err := retitle(stack, changed); err != nil {
				return out, err
			}
		}
		stack.Okta.ResetRequests()
		sanityBefore := len(stack.Sanity.Requests())
		mutationsBefore := stack.Sanity.CountRequests("POST", "/v*/data/mutate/*")
		fmt.Printf("n=%d %s: protocol driver ...\n", n, phase)
		start := time.Now()
		changes, err := d.command(ctx, phase != "noop_plan")
		wall := time.Since(start)
		if err != nil {
			return out, fmt.Errorf("n=%d %s: %w", n, phase, err)
		}
		if err := checkChanges(phase, n, changed, changes); err != nil {
			return out, fmt.Errorf("n=%d %s: %w", n, phase, err)
		}
		r := DriverResult{
			Result: Result{
				Shape: shapeForEach, N: n, Phase: phase, WallS: round(wall.Seconds(), 2), MeasuredBy: "protocol_driver",
				SanityRequests:    len(stack.Sanity.Requests()) - sanityBefore,
				ProviderPeakRSSMB: round(float64(d.stats.peakRSS)/(1<<20), 1),
				RPCs:              d.stats.rpcs, OktaRateLimit: "developer_org",
				SanityMutations: stack.Sanity.CountRequests("POST", "/v*/data/mutate/*") - mutationsBefore,
			},
			ProviderProcesses: d.stats.processes,
			OktaByBucket:      stack.Okta.Buckets(),
		}
		for _, st := range r.OktaByBucket {
			r.OktaRequests += st.Requests
			r.Okta429 += st.RateLimited + st.ConcurrencyLimited
		}
		out = append(out, r)
		fmt.Printf("n=%d %s: %.2fs, %d RPCs over %d provider processes, okta %d requests (%d 429), sanity %d requests, provider peak RSS %.1f MB\n",
			n, phase, r.WallS, r.RPCs, r.ProviderProcesses, r.OktaRequests, r.Okta429, r.SanityRequests, r.ProviderPeakRSSMB)
	}
	return out, nil
}

// checkChanges fails a phase whose plan is not what the bench's story implies: every instance created,
// then nothing to do, then one update.
func checkChanges(phase string, n int, changed string, changes map[string]plannedChange) error {
	_, changedPlanned := changes[changed]
	updates := 0
	for _, c := range changes {
		if !c.prior.value.IsNull() {
			updates++
		}
	}
	switch {
	case phase == "create" && (len(changes) != n || updates != 0):
		return fmt.Errorf("the first plan has %d changes (%d updates), want %d creates", len(changes), updates, n)
	case phase == "noop_plan" && len(changes) != 0:
		return fmt.Errorf("the plan after the first apply is not empty: %d changes, e.g. %s", len(changes), someKeys(changes))
	case phase == "one_change" && (len(changes) != 1 || updates != 1 || !changedPlanned):
		return fmt.Errorf("want exactly one update, of %s; the plan has %d changes (%d updates): %s", changed, len(changes), updates, someKeys(changes))
	}
	return nil
}

func someKeys(changes map[string]plannedChange) string {
	keys := slices.Sorted(maps.Keys(changes))
	if len(keys) > 5 {
		keys = append(keys[:5], "...")
	}
	return strings.Join(keys, ", ")
}

func printDriverTable(rs []DriverResult, window time.Duration) {
	fmt.Printf("\nProtocol driver (the provider binary driven over tfplugin6 as Terraform 1.11 drives it, without Terraform core)\n"+
		"Okta: developer-org limits (%d/bucket/window, %d concurrent), window %s instead of 1m\n",
		devstack.DeveloperOrg.Requests, devstack.DeveloperOrg.Concurrent, window)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n\tphase\twall s\trpcs\tprocesses\tokta req\tokta 429\tsanity req\tmutations\trss MB\tokta by bucket\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%s\t\n", r.N, r.Phase, r.WallS, r.RPCs, r.ProviderProcesses,
			r.OktaRequests, r.Okta429, r.SanityRequests, r.SanityMutations, r.ProviderPeakRSSMB, strings.Join(bucketCounts(r.OktaByBucket), " "))
	}
	_ = tw.Flush()
}

func writeDriverResults(path string, rs []DriverResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if rs == nil {
		rs = []DriverResult{}
	}
	raw, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
