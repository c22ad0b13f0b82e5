// Command terraform-provider-sanityokta serves the sanityokta Terraform provider.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// tf6server.Serve is what providerserver.Serve calls; serving the provider's own server lets it drop
	// the contexts the framework keeps of finished RPCs (see provider.NewProtocol6Server).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve("registry.terraform.io/sanityokta/sanityokta", provider.NewProtocol6Server(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}
