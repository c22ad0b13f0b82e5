package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// SanityContentLake adapts *sanity.Client to access.ContentLake.
type SanityContentLake struct {
	Client *sanity.Client
}

var _ access.ContentLake = SanityContentLake{}

func (c SanityContentLake) Query(ctx context.Context, q access.Query) (json.RawMessage, error) {
	res, err := c.Client.Query(ctx, q.GROQ, q.Params, &sanity.QueryOptions{Perspective: q.Perspective, Tag: "sanityokta"})
	if err != nil {
		var apiErr *sanity.APIError
		if errors.As(err, &apiErr) && (sanity.IsQueryError(err) || apiErr.StatusCode == 400) {
			qe := &access.QueryError{Status: apiErr.StatusCode, Type: apiErr.Type, Description: apiErr.Description, Err: err}
			if apiErr.HasPosition {
				qe.Query, qe.Start, qe.End = apiErr.Query, apiErr.Start, apiErr.End
				if qe.Query == "" {
					qe.Query = q.GROQ
				}
			}
			return nil, qe
		}
		return nil, err
	}
	return res.Result, nil
}

// Mutate sends the patches as one transaction with visibility=sync, so the next read sees the write.
func (c SanityContentLake) Mutate(ctx context.Context, transactionID string, patches []access.Patch) error {
	muts := make([]sanity.Mutation, 0, len(patches))
	for _, p := range patches {
		sp := sanity.PatchID(p.DocumentID)
		sp.IfRevisionID = p.IfRevisionID
		sp.Set = p.Set
		sp.Unset = p.Unset
		muts = append(muts, sp.Mutation())
	}
	_, err := c.Client.Mutate(ctx, muts, &sanity.MutateOptions{
		TransactionID: transactionID,
		Visibility:    sanity.VisibilitySync,
		Tag:           "sanityokta",
	})
	if sanity.IsRevisionConflict(err) || sanity.IsTransactionIDReused(err) {
		// A reused transaction ID means the same patches against the same revisions were committed before
		// (an earlier attempt whose answer was lost): the next read sees them.
		return fmt.Errorf("%w: %w", access.ErrRevisionConflict, err)
	}
	return classifyMutateError(err)
}

// DryRunPatch sends p with dryRun=true: the Content Lake checks the token's permissions and the patch,
// and commits nothing. Errors are classified as Mutate's are.
func (c SanityContentLake) DryRunPatch(ctx context.Context, p access.Patch) error {
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
	case sanity.IsUnauthorized(err):
		return fmt.Errorf("%w: %w: %w", access.ErrWriteForbidden, access.ErrTokenRejected, err)
	case sanity.IsForbidden(err):
		return fmt.Errorf("%w: %w", access.ErrWriteForbidden, err)
	case sanity.IsNotFound(err):
		return fmt.Errorf("%w: %w", access.ErrDocumentNotFound, err)
	}
	return err
}

// credentialCheckID is a document ID no dataset holds: reading it reads nothing but needs a token the
// project accepts and a dataset that exists.
const credentialCheckID = "sanityokta.credential-check"

// CheckAccess reads one document that does not exist from the doc endpoint, which answers without
// running a query.
func (c SanityContentLake) CheckAccess(ctx context.Context) error {
	_, err := c.Client.Document(ctx, credentialCheckID)
	return err
}
