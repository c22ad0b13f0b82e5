package provider

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Invariant: the provider process does not grow with the number of RPCs it has served.
//
// terraform-plugin-framework v1.19.0 keeps a cancel function for every RPC (internal/proto6server/serve.go:
// registerContext appends each one to Server.contextCancels) and drops them only in StopProvider, which
// Terraform sends on interrupt, not in a normal run. Each holds its RPC's context, loggers and fields
// included: a plan over 10,000 resources makes some 40,000 RPCs. releasingServer calls the framework's
// StopProvider every releaseEvery RPCs, at a moment when no RPC is in flight; by then gRPC has cancelled
// the contexts of the finished RPCs, so only the memory is affected.

// releaseEvery is how many RPCs may finish between two releases.
const releaseEvery = 1000

// NewProtocol6Server returns the provider's protocol 6 server factory for tf6server.Serve.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p, _ := New(version)().(*SanityOktaProvider)
		return newServer(p)
	}
}

// newServer serves p: the framework, with the collection's hot RPCs taken out of it (collectionServer),
// behind releasingServer.
func newServer(p *SanityOktaProvider) tfprotov6.ProviderServer {
	return newReleasingServer(newCollectionServer(providerserver.NewProtocol6(p)(), p), releaseEvery)
}

type releasingServer struct {
	tfprotov6.ProviderServer

	// gate is held shared by every RPC and exclusively by a release.
	gate  sync.RWMutex
	every int

	mu       sync.Mutex
	finished int
}

// rpcsServed is the number of RPCs served by this process's provider servers.
var rpcsServed atomic.Int64

// RPCsServed returns how many RPCs this process has served (make bench reports it).
func RPCsServed() int64 { return rpcsServed.Load() }

func newReleasingServer(inner tfprotov6.ProviderServer, every int) *releasingServer {
	return &releasingServer{ProviderServer: inner, every: every}
}

// enter admits an RPC; the returned function ends it.
func (s *releasingServer) enter() func() {
	s.gate.RLock()
	rpcsServed.Add(1)
	return func() {
		s.gate.RUnlock()
		s.mu.Lock()
		s.finished++
		due := s.finished >= s.every
		if due {
			s.finished = 0
		}
		s.mu.Unlock()
		if due {
			go s.release()
		}
	}
}

func (s *releasingServer) release() {
	s.gate.Lock()
	defer s.gate.Unlock()
	_, _ = s.ProviderServer.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{})
}

func (s *releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	defer s.enter()()
	return s.ProviderServer.GetMetadata(ctx, req)
}

func (s *releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	defer s.enter()()
	return s.ProviderServer.GetProviderSchema(ctx, req)
}

func (s *releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	defer s.enter()()
	return s.ProviderServer.GetResourceIdentitySchemas(ctx, req)
}

func (s *releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ValidateProviderConfig(ctx, req)
}

func (s *releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ConfigureProvider(ctx, req)
}

func (s *releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

func (s *releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	defer s.enter()()
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

func (s *releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	defer s.enter()()
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

func (s *releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

func (s *releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ImportResourceState(ctx, req)
}

func (s *releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	defer s.enter()()
	return s.ProviderServer.MoveResourceState(ctx, req)
}

func (s *releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	defer s.enter()()
	return s.ProviderServer.UpgradeResourceIdentity(ctx, req)
}

func (s *releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	defer s.enter()()
	return s.ProviderServer.GenerateResourceConfig(ctx, req)
}

func (s *releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ValidateDataResourceConfig(ctx, req)
}

func (s *releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ReadDataSource(ctx, req)
}

func (s *releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	defer s.enter()()
	return s.ProviderServer.CallFunction(ctx, req)
}

func (s *releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	defer s.enter()()
	return s.ProviderServer.GetFunctions(ctx, req)
}

func (s *releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	defer s.enter()()
	return s.ProviderServer.ValidateEphemeralResourceConfig(ctx, req)
}

func (s *releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	defer s.enter()()
	return s.ProviderServer.OpenEphemeralResource(ctx, req)
}

func (s *releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	defer s.enter()()
	return s.ProviderServer.RenewEphemeralResource(ctx, req)
}

func (s *releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	defer s.enter()()
	return s.ProviderServer.CloseEphemeralResource(ctx, req)
}
