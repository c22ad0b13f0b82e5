// Command terraform-provider-sanityokta serves the sanityokta Terraform provider.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	runtimedebug "runtime/debug"
	"runtime/pprof"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

// softMemoryLimit is the heap size at which the garbage collector starts working harder, unless
// GOMEMLIMIT says otherwise. Reading 10,000 documents into the data source's state makes the framework
// hold about 100 MB live for a moment, and by default Go lets the heap grow to twice what is live: the
// provider peaked at 220 MB, 165 MB with this limit, for about a second more of CPU. It is soft: above it
// the provider only collects more often, it never fails.
const softMemoryLimit = 150 << 20

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	if os.Getenv("GOMEMLIMIT") == "" {
		runtimedebug.SetMemoryLimit(softMemoryLimit)
	}
	quietFrameworkTrace()

	// tf6server.Serve is what providerserver.Serve calls; serving the provider's own server lets it drop
	// the contexts the framework keeps of finished RPCs (see provider.NewProtocol6Server).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if path := os.Getenv("SANITYOKTA_CPU_PROFILE"); path != "" {
		if f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid())); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	err := tf6server.Serve("registry.terraform.io/sanityokta/sanityokta", provider.NewProtocol6Server(version), opts...)
	reportRPCs()
	if err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err.Error())
	}
}

// quietFrameworkTrace logs the plugin framework at debug level unless trace logs were asked for. On every
// read, plan and state upgrade the framework walks each value of a resource's state and logs it at trace
// level through a logging context that grows by one entry per value, so the walk costs the square of the
// number of values: with 10,000 documents in one sanityokta_document_groups (50,000 values), a plan spent
// minutes in it. At debug level the trace lines are skipped before the context is searched.
func quietFrameworkTrace() {
	if os.Getenv("TF_LOG_SDK_FRAMEWORK") != "" {
		return
	}
	switch strings.ToUpper(os.Getenv("TF_LOG")) {
	case "TRACE", "JSON":
		return
	}
	_ = os.Setenv("TF_LOG_SDK_FRAMEWORK", "DEBUG")
}

// reportRPCs appends "<pid> <rpcs>" to the file SANITYOKTA_RPC_COUNT_FILE names, if any: make bench
// counts the RPCs Terraform makes this way.
func reportRPCs() {
	path := os.Getenv("SANITYOKTA_RPC_COUNT_FILE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%d %d\n", os.Getpid(), provider.RPCsServed())
}
