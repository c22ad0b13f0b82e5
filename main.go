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

// gcPercent lets the heap grow to five times what is live before the garbage collector runs, unless GOGC
// says otherwise. Terraform sends a provider thousands of small RPCs per plan, and with Go's default (twice
// what is live) the collector ran every few of them: a no-op plan over 1,000 sanityokta_document_group
// spent a quarter of the provider's CPU collecting. softMemoryLimit still caps the heap, so large states
// collect as before.
const gcPercent = 400

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	if os.Getenv("GOMEMLIMIT") == "" {
		runtimedebug.SetMemoryLimit(softMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		runtimedebug.SetGCPercent(gcPercent)
	}
	quietLogs()

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

// quietLogs sets the log levels of the plugin SDK, its protocol layer, the framework and the provider to
// what Terraform will show, unless trace logs were asked for or a level is set already. A provider logs at
// trace level by default whatever TF_LOG says, and Terraform parses every line it writes before dropping
// it: on every read, plan and state upgrade the framework logs each value of a resource's state, and the
// protocol layer logs each RPC several times. With 10,000 documents in one sanityokta_document_groups a
// no-op plan wrote 90,000 lines that nobody saw, and Terraform spent nearly a second of CPU reading them.
// Trace logs cost more still: the framework's go through a logging context that grows by one entry per
// value, the square of the number of values, minutes at that size. So each logs at the most verbose of
// TF_LOG and TF_LOG_PROVIDER, and not at all when neither is set.
func quietLogs() {
	level := sdkLogLevel(os.Getenv("TF_LOG"), os.Getenv("TF_LOG_PROVIDER"))
	if level == "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_SANITYOKTA"} {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, level)
		}
	}
}

// logLevels are Terraform's log levels, least verbose first.
var logLevels = []string{"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"}

// sdkLogLevel is the level for the SDK's loggers given Terraform's log settings: the most verbose one, OFF
// when none is set, and "" (the SDK's own choice, trace) for trace or JSON logs.
func sdkLogLevel(settings ...string) string {
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
