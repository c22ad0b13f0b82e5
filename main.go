// Command terraform-provider-sanityokta serves the sanityokta Terraform provider.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	runtimedebug "runtime/debug"
	"runtime/pprof"
	"slices"
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

// quietFrameworkTrace sets the plugin framework's log level to what Terraform will show, unless trace logs
// were asked for. A provider logs at trace level by default whatever TF_LOG says, and Terraform parses
// every line it writes before dropping it. On every read, plan and state upgrade the framework logs each
// value of a resource's state, so with 10,000 documents in one sanityokta_document_groups a no-op plan
// wrote 90,000 lines that nobody saw, and Terraform spent nearly a second of CPU reading them. Trace
// logs cost more still: they go through a logging context that grows by one entry per value, the square
// of the number of values, minutes at that size. So the framework logs at the most verbose of TF_LOG and
// TF_LOG_PROVIDER, and not at all when neither is set.
func quietFrameworkTrace() {
	if os.Getenv("TF_LOG_SDK_FRAMEWORK") != "" {
		return
	}
	level := frameworkLogLevel(os.Getenv("TF_LOG"), os.Getenv("TF_LOG_PROVIDER"))
	if level != "" {
		_ = os.Setenv("TF_LOG_SDK_FRAMEWORK", level)
	}
}

// logLevels are Terraform's log levels, least verbose first.
var logLevels = []string{"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"}

// frameworkLogLevel is the level for TF_LOG_SDK_FRAMEWORK given Terraform's log settings: the most
// verbose one, OFF when none is set, and "" (the framework's own choice) for trace or JSON logs.
func frameworkLogLevel(settings ...string) string {
	most := 0
	for _, s := range settings {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "JSON" {
			return ""
		}
		if i := slices.Index(logLevels, s); i > most {
			most = i
		}
	}
	if logLevels[most] == "TRACE" {
		return ""
	}
	return logLevels[most]
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
