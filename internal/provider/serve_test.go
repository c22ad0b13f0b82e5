package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
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

// Every method of tfprotov6.ProviderServer must pass through releasingServer's gate: a method the wrapper
// does not declare is promoted from the embedded server, and a release could then run during that RPC.
// A new method in terraform-plugin-go fails this test until serve.go wraps it.
func TestReleasingServerWrapsEveryProviderServerMethod(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "serve.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "releasingServer" {
				declared[fn.Name.Name] = true
			}
		}
	}
	// StopProvider needs no gate: Terraform's own cancels every RPC anyway, as a release does.
	declared["StopProvider"] = true
	iface := reflect.TypeOf((*tfprotov6.ProviderServer)(nil)).Elem()
	for i := range iface.NumMethod() {
		if name := iface.Method(i).Name; !declared[name] {
			t.Errorf("releasingServer does not wrap tfprotov6.ProviderServer.%s", name)
		}
	}
}
