package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

// Mistakes in the configuration that fail at plan or import time, with a message that says what to fix.
func TestAccDocumentGroup_badInput(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("input")
	env.PutDocuments(t, handbook(env, id, "input", "Input"))
	env.CleanupGroupsNamed(t, env.Name("input"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      singleConfig(env, id, "content:", ""),
				ExpectError: regexp.MustCompile(wrapped(`group name "content:" for document "` + id + `" is only the group name prefix`)),
			},
			{
				Config: singleConfig(env, id, env.Name("input"), ""),
			},
			{
				Config:        singleConfig(env, id, env.Name("input"), ""),
				ResourceName:  "sanityokta_document_group.one",
				ImportState:   true,
				ImportStateId: id + ":",
				ExpectError:   regexp.MustCompile(`Invalid import ID`),
			},
		},
	})
}
