package access

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// ErrWriteForbidden is wrapped by ContentLake errors when the token may read the dataset but not write it.
var ErrWriteForbidden = errors.New("the Sanity API token may not write to the dataset")

// dryRunner is a ContentLake that can send a patch as a dry run: checked and answered, never committed.
type dryRunner interface {
	DryRunPatch(ctx context.Context, p Patch) error
}

// DryRunPatch sends p with dryRun=true: the Content Lake checks the token's permissions and the patch,
// and commits nothing. Errors are classified as Mutate's are.
func (c SanityContentLake) DryRunPatch(ctx context.Context, p Patch) error {
	sp := sanity.PatchID(p.DocumentID)
	sp.Set = p.Set
	sp.Unset = p.Unset
	_, err := c.Client.Mutate(ctx, []sanity.Mutation{sp.Mutation()}, &sanity.MutateOptions{DryRun: true, Tag: "sanityokta.write-check"})
	return classifyMutateError(err)
}

// classifyMutateError wraps the domain's sentinel errors around a Content Lake mutation error.
func classifyMutateError(err error) error {
	switch {
	case err == nil:
		return nil
	case sanity.IsUnauthorized(err), sanity.IsForbidden(err):
		return fmt.Errorf("%w: %w", ErrWriteForbidden, err)
	case sanity.IsNotFound(err):
		return fmt.Errorf("%w: %w", ErrDocumentNotFound, err)
	}
	return err
}

// writableCheck remembers the answer to "may this token write?" for the life of a Service.
type writableCheck struct {
	mu   sync.Mutex
	done bool
	err  error
}

// CheckWritable finds out, before the first Okta group is created, whether the Sanity token may write the
// group's ID back: it sends a dry-run patch of the document (which changes nothing) once per Service and
// remembers a definite answer. A token that may only read fails here, so no group is created that could
// never be written back. An answer that settles nothing (the document is missing, the network failed) is
// not remembered, and the create goes on to report its own error.
func (s *Service) CheckWritable(ctx context.Context, spec Spec) error {
	dr, ok := s.content.(dryRunner)
	if !ok {
		return nil
	}
	s.writable.mu.Lock()
	defer s.writable.mu.Unlock()
	if !s.writable.done {
		err := dr.DryRunPatch(ctx, Patch{DocumentID: spec.DocumentID, Set: map[string]any{spec.Field: "sanityokta-write-check"}})
		switch {
		case err == nil:
			s.writable.done = true
		case errors.Is(err, ErrWriteForbidden):
			s.writable.done, s.writable.err = true, err
		}
	}
	if s.writable.err == nil {
		return nil
	}
	why := "the Sanity API token may read the dataset but not write to it"
	if sanity.IsUnauthorized(s.writable.err) {
		why = "the Content Lake no longer accepts the Sanity API token"
	}
	return fmt.Errorf("not creating the Okta group for document %q: %s, so the group's ID could not be written "+
		"back into the document (a dry-run patch, which changes nothing, was refused). Give the provider a token "+
		"that may write (sanity.token or SANITY_API_TOKEN, Editor role), then apply again; no group was created: %w",
		spec.DocumentID, why, s.writable.err)
}

// writeBackRemedy is what to do after the write-back failed once the group exists.
func writeBackRemedy(err error) string {
	if errors.Is(err, ErrWriteForbidden) {
		return "the next apply adopts the group and finishes only once the Sanity API token may write " +
			"(sanity.token or SANITY_API_TOKEN, Editor role)"
	}
	return "the next apply adopts the group and finishes"
}
