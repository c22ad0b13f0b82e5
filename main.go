// Command terraform-provider-sanityokta serves the sanityokta Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/sanityokta/sanityokta",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
