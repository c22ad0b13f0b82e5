package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	// The generated tfplugin6 code is internal to terraform-plugin-go; importing its server registers the
	// service's descriptor, from which requests and responses are built.
	_ "github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// The handshake Terraform uses for protocol 6 providers; a provider refuses to serve without the cookie.
var terraformHandshake = plugin.HandshakeConfig{
	ProtocolVersion:  6,
	MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
}

const tfplugin6Service = "tfplugin6.Provider"

// providerProcess is one provider process started the way Terraform starts it, with a client for the
// few tfplugin6 RPCs the driver makes. Messages cross the wire as dynamicpb messages built from the
// registered descriptor; the driver's side of each is a plain struct converted through protojson, which
// keeps this file free of generated code.
type providerProcess struct {
	client  *plugin.Client
	grpc    *plugin.GRPCClient
	pid     int
	service protoreflect.ServiceDescriptor
	rpcs    atomic.Int64
}

// startProvider starts the provider binary with exactly env as its environment.
func startProvider(binary string, env []string) (*providerProcess, error) {
	desc, err := protoregistry.GlobalFiles.FindDescriptorByName(tfplugin6Service)
	if err != nil {
		return nil, fmt.Errorf("finding the %s descriptor (terraform-plugin-go no longer registers it?): %w", tfplugin6Service, err)
	}
	service, ok := desc.(protoreflect.ServiceDescriptor)
	if !ok {
		return nil, fmt.Errorf("%s is a %T, not a service", tfplugin6Service, desc)
	}
	cmd := exec.Command(binary)
	cmd.Env = env
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: terraformHandshake,
		// go-plugin needs a plugin set to negotiate the protocol version; the driver never dispenses
		// the plugin and sends its RPCs on the connection itself.
		VersionedPlugins: map[int]plugin.PluginSet{6: {"provider": plugin.NetRPCUnsupportedPlugin{}}},
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.NewNullLogger(),
		Stderr:           io.Discard,
		SyncStdout:       io.Discard,
		SyncStderr:       io.Discard,
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("starting %s as a plugin: %w", binary, err)
	}
	grpcClient, ok := rpcClient.(*plugin.GRPCClient)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("%s answered with %T, want a gRPC plugin", binary, rpcClient)
	}
	return &providerProcess{client: client, grpc: grpcClient, pid: cmd.Process.Pid,
		service: service}, nil
}

// stop reads the process's peak resident set size in bytes, then ends it as Terraform does at the end
// of a graph walk.
func (p *providerProcess) stop() (peakRSS int64) {
	_, peakRSS = procStatus(p.pid)
	p.client.Kill()
	return peakRSS
}

// call sends one RPC: req and resp are structs whose JSON matches the protobuf messages' JSON mapping.
func (p *providerProcess) call(ctx context.Context, method string, req, resp any) error {
	desc := p.service.Methods().ByName(protoreflect.Name(method))
	if desc == nil {
		return fmt.Errorf("%s has no method %s in this terraform-plugin-go", tfplugin6Service, method)
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encoding the %s request: %w", method, err)
	}
	in, out := dynamicpb.NewMessage(desc.Input()), dynamicpb.NewMessage(desc.Output())
	if err := protojson.Unmarshal(raw, in); err != nil {
		return fmt.Errorf("building the %s request (a field name that is not in tfplugin6?): %w", method, err)
	}
	p.rpcs.Add(1)
	if err := p.grpc.Conn.Invoke(ctx, "/"+tfplugin6Service+"/"+method, in, out); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if raw, err = protojson.Marshal(out); err != nil {
		return fmt.Errorf("reading the %s response: %w", method, err)
	}
	if err := json.Unmarshal(raw, resp); err != nil {
		return fmt.Errorf("decoding the %s response: %w", method, err)
	}
	if diags, ok := resp.(interface{ errorDiagnostics() error }); ok {
		if err := diags.errorDiagnostics(); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
	}
	return nil
}

type dynamicValue struct {
	Msgpack []byte `json:"msgpack,omitempty"`
}

type rawState struct {
	JSON []byte `json:"json,omitempty"`
}

type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
}

// withDiagnostics is embedded in every response.
type withDiagnostics struct {
	Diagnostics []diagnostic `json:"diagnostics"`
}

func (w withDiagnostics) errorDiagnostics() error {
	var msgs []string
	for _, d := range w.Diagnostics {
		if d.Severity == "ERROR" {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

type typedConfig struct {
	TypeName string       `json:"typeName,omitempty"`
	Config   dynamicValue `json:"config"`
}

type configureRequest struct {
	TerraformVersion string       `json:"terraformVersion"`
	Config           dynamicValue `json:"config"`
}

type readDataSourceResponse struct {
	withDiagnostics
	State dynamicValue `json:"state"`
}

type upgradeRequest struct {
	TypeName string   `json:"typeName"`
	Version  int64    `json:"version"`
	RawState rawState `json:"rawState"`
}

type upgradeResponse struct {
	withDiagnostics
	UpgradedState dynamicValue `json:"upgradedState"`
}

type readRequest struct {
	TypeName     string       `json:"typeName"`
	CurrentState dynamicValue `json:"currentState"`
	Private      []byte       `json:"private,omitempty"`
}

type readResponse struct {
	withDiagnostics
	NewState dynamicValue `json:"newState"`
	Private  []byte       `json:"private"`
}

type planRequest struct {
	TypeName         string       `json:"typeName"`
	PriorState       dynamicValue `json:"priorState"`
	ProposedNewState dynamicValue `json:"proposedNewState"`
	Config           dynamicValue `json:"config"`
	PriorPrivate     []byte       `json:"priorPrivate,omitempty"`
}

type planResponse struct {
	withDiagnostics
	PlannedState    dynamicValue `json:"plannedState"`
	RequiresReplace []any        `json:"requiresReplace"`
	PlannedPrivate  []byte       `json:"plannedPrivate"`
}

type applyRequest struct {
	TypeName       string       `json:"typeName"`
	PriorState     dynamicValue `json:"priorState"`
	PlannedState   dynamicValue `json:"plannedState"`
	Config         dynamicValue `json:"config"`
	PlannedPrivate []byte       `json:"plannedPrivate,omitempty"`
}

type applyResponse struct {
	withDiagnostics
	NewState dynamicValue `json:"newState"`
	Private  []byte       `json:"private"`
}

func (p *providerProcess) getProviderSchema(ctx context.Context) error {
	return p.call(ctx, "GetProviderSchema", struct{}{}, &withDiagnostics{})
}

func (p *providerProcess) validateProviderConfig(ctx context.Context, config dynamicValue) error {
	return p.call(ctx, "ValidateProviderConfig", typedConfig{Config: config}, &withDiagnostics{})
}

func (p *providerProcess) configureProvider(ctx context.Context, req configureRequest) error {
	return p.call(ctx, "ConfigureProvider", req, &withDiagnostics{})
}

func (p *providerProcess) validateDataResourceConfig(ctx context.Context, req typedConfig) error {
	return p.call(ctx, "ValidateDataResourceConfig", req, &withDiagnostics{})
}

func (p *providerProcess) readDataSource(ctx context.Context, req typedConfig) (readDataSourceResponse, error) {
	var resp readDataSourceResponse
	return resp, p.call(ctx, "ReadDataSource", req, &resp)
}

func (p *providerProcess) validateResourceConfig(ctx context.Context, req typedConfig) error {
	return p.call(ctx, "ValidateResourceConfig", req, &withDiagnostics{})
}

func (p *providerProcess) upgradeResourceState(ctx context.Context, req upgradeRequest) (upgradeResponse, error) {
	var resp upgradeResponse
	return resp, p.call(ctx, "UpgradeResourceState", req, &resp)
}

func (p *providerProcess) readResource(ctx context.Context, req readRequest) (readResponse, error) {
	var resp readResponse
	return resp, p.call(ctx, "ReadResource", req, &resp)
}

func (p *providerProcess) planResourceChange(ctx context.Context, req planRequest) (planResponse, error) {
	var resp planResponse
	return resp, p.call(ctx, "PlanResourceChange", req, &resp)
}

func (p *providerProcess) applyResourceChange(ctx context.Context, req applyRequest) (applyResponse, error) {
	var resp applyResponse
	return resp, p.call(ctx, "ApplyResourceChange", req, &resp)
}
