package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// SweepGroups deletes every OKTA_GROUP whose name starts with GroupNamePrefix in the org named by the
// environment (OKTA_ORG_URL, OKTA_API_TOKEN). It is the `go test -sweep` sweeper for groups.
func SweepGroups(_ string) error {
	ctx := context.Background()
	c, err := okta.New(ctx, okta.Config{OrgURL: os.Getenv("OKTA_ORG_URL"), APIToken: os.Getenv("OKTA_API_TOKEN"), UserAgent: "sanityokta-sweeper"})
	if err != nil {
		return fmt.Errorf("sweeping groups: %w", err)
	}
	gs, err := c.ListGroupsByPrefix(ctx, GroupNamePrefix)
	if err != nil {
		return fmt.Errorf("sweeping groups: listing %q: %w", GroupNamePrefix, err)
	}
	var errs []error
	for _, g := range gs {
		if g.Type != okta.TypeOktaGroup {
			continue
		}
		if err := c.DeleteGroup(ctx, g.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SweepDocuments deletes every document (published, draft and release version) whose ID starts with
// DocumentIDPrefix in the dataset named by the environment (SANITY_PROJECT_ID, SANITY_DATASET,
// SANITY_API_TOKEN, SANITY_API_HOST). It is the `go test -sweep` sweeper for documents.
func SweepDocuments(_ string) error {
	c, err := sanity.New(sanity.Config{
		ProjectID: os.Getenv("SANITY_PROJECT_ID"), Dataset: os.Getenv("SANITY_DATASET"),
		Token: os.Getenv("SANITY_API_TOKEN"), APIHost: os.Getenv("SANITY_API_HOST"), UserAgent: "sanityokta-sweeper",
	})
	if err != nil {
		return fmt.Errorf("sweeping documents: %w", err)
	}
	ctx := context.Background()
	res, err := c.Query(ctx, `*[string::startsWith(_id, $published) || string::startsWith(_id, $drafts) || _id in path("versions.**")]._id`,
		map[string]any{"published": DocumentIDPrefix, "drafts": "drafts." + DocumentIDPrefix},
		&sanity.QueryOptions{Perspective: sanity.PerspectiveRaw})
	if err != nil {
		return fmt.Errorf("sweeping documents: %w", err)
	}
	var ids []string
	if err := res.Decode(&ids); err != nil {
		return fmt.Errorf("sweeping documents: %w", err)
	}
	var muts []sanity.Mutation
	for _, id := range ids {
		if isTestDocumentID(id) {
			muts = append(muts, sanity.Delete(id))
		}
	}
	if len(muts) == 0 {
		return nil
	}
	if _, err := c.Mutate(ctx, muts, &sanity.MutateOptions{Visibility: sanity.VisibilitySync}); err != nil {
		return fmt.Errorf("sweeping documents: %w", err)
	}
	return nil
}

// isTestDocumentID reports whether id is a tfacc-* document or one of its drafts or release versions.
func isTestDocumentID(id string) bool {
	if rest, ok := strings.CutPrefix(id, "drafts."); ok {
		id = rest
	} else if rest, ok := strings.CutPrefix(id, "versions."); ok {
		_, id, _ = strings.Cut(rest, ".")
	}
	return strings.HasPrefix(id, DocumentIDPrefix)
}
