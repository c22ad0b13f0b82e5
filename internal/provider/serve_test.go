package provider

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// recordingServer stands in for the framework: StopProvider would cancel every RPC in flight.
type recordingServer struct {
	tfprotov6.ProviderServer
	inFlight atomic.Int32
	stops    atomic.Int32
	badStops atomic.Int32
	readGate chan struct{}
}

func (r *recordingServer) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return &tfprotov6.GetMetadataResponse{}, nil
}

func (r *recordingServer) ReadResource(context.Context, *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	<-r.readGate
	return &tfprotov6.ReadResourceResponse{}, nil
}

func (r *recordingServer) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	if r.inFlight.Load() > 0 {
		r.badStops.Add(1)
	}
	r.stops.Add(1)
	return &tfprotov6.StopProviderResponse{}, nil
}

func TestReleasingServerReleasesContextsOnlyBetweenRPCs(t *testing.T) {
	inner := &recordingServer{readGate: make(chan struct{})}
	s := newReleasingServer(inner, 3)
	ctx := context.Background()

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		_, _ = s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{})
	}()
	for inner.inFlight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Three RPCs finish while the read is in flight: a release is due but must wait.
	for range 3 {
		if _, err := s.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := inner.stops.Load(); n != 0 {
		t.Fatalf("released %d times while an RPC was in flight", n)
	}
	close(inner.readGate)
	<-readDone
	deadline := time.Now().Add(5 * time.Second)
	for inner.stops.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n, bad := inner.stops.Load(), inner.badStops.Load(); n != 1 || bad != 0 {
		t.Errorf("released %d times (%d with an RPC in flight), want once, after the read", n, bad)
	}
}
