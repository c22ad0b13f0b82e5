package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// SanityContentLake adapts *sanity.Client to ContentLake.
type SanityContentLake struct {
	Client *sanity.Client
}

var _ ContentLake = SanityContentLake{}

func (c SanityContentLake) Query(ctx context.Context, q Query) (json.RawMessage, error) {
	res, err := c.Client.Query(ctx, q.GROQ, q.Params, &sanity.QueryOptions{Perspective: q.Perspective, Tag: "sanityokta"})
	if err != nil {
		var apiErr *sanity.APIError
		if errors.As(err, &apiErr) && (sanity.IsQueryError(err) || apiErr.StatusCode == 400) {
			qe := &QueryError{Status: apiErr.StatusCode, Type: apiErr.Type, Description: apiErr.Description, Err: err}
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
func (c SanityContentLake) Mutate(ctx context.Context, transactionID string, patches []Patch) error {
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
	switch {
	case err == nil:
		return nil
	case sanity.IsRevisionConflict(err):
		return fmt.Errorf("%w: %w", ErrRevisionConflict, err)
	case sanity.IsNotFound(err):
		return fmt.Errorf("%w: %w", ErrDocumentNotFound, err)
	case sanity.IsUnauthorized(err), sanity.IsForbidden(err):
		return fmt.Errorf("%w: %w", ErrWriteForbidden, err)
	case sanity.IsTransactionIDReused(err):
		// The same patches against the same revisions were committed before (an earlier attempt whose
		// answer was lost): the next read sees them.
		return fmt.Errorf("%w: %w", ErrRevisionConflict, err)
	}
	return err
}
