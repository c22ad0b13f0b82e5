package devstack_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
)

// A test or tool starts the stack, hands its environment to whatever runs the provider (here a
// Terraform command), and inspects the fakes afterwards.
func ExampleStart() {
	stack, err := devstack.Start(context.Background(), devstack.Options{
		Seed:          bytes.NewReader(devstack.QuickstartContent()),
		OktaRateLimit: devstack.DeveloperOrg,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()

	cmd := exec.Command("terraform", "plan")
	cmd.Env = append(os.Environ(), stack.Environ()...)
	// ... run cmd, then look at stack.Okta.Groups() and stack.Sanity.Document(id).

	fmt.Println(len(stack.Sanity.Documents()), "documents,", len(stack.Okta.Groups()), "groups (Everyone and the two tier groups)")
	for _, name := range devstack.EnvNames {
		fmt.Println(name)
	}
	// Output:
	// 24 documents, 3 groups (Everyone and the two tier groups)
	// SANITY_API_HOST
	// SANITY_PROJECT_ID
	// SANITY_DATASET
	// SANITY_API_TOKEN
	// OKTA_ORG_URL
	// OKTA_API_TOKEN
}
