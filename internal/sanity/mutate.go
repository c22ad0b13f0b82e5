package sanity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Mutation is one entry of a transaction. Set exactly one field; the constructors below do that.
type Mutation struct {
	Create            map[string]any `json:"create,omitempty"`
	CreateOrReplace   map[string]any `json:"createOrReplace,omitempty"`
	CreateIfNotExists map[string]any `json:"createIfNotExists,omitempty"`
	Delete            *Selection     `json:"delete,omitempty"`
	Patch             *Patch         `json:"patch,omitempty"`
}

// Selection picks documents by ID or by GROQ query (a delete, or the target of a patch).
type Selection struct {
	ID     string
	IDs    []string
	Query  string
	Params map[string]any
}

// Patch changes parts of the selected documents. Operations run in the order set, setIfMissing, unset,
// inc, dec, insert. Paths are JSONMatch paths: "title", "a.b", "items[0]", "items[-1]",
// `items[_key=="k"].x`. A patch on a document that does not exist fails the transaction (unless the
// selection is a query, which just matches nothing).
type Patch struct {
	Selection
	// IfRevisionID makes the patch fail with a revision conflict unless the document's _rev is this.
	IfRevisionID string
	Set          map[string]any
	SetIfMissing map[string]any
	Unset        []string
	Inc          map[string]float64
	Dec          map[string]float64
	Insert       *Insert
}

// Insert adds items to an array before or after, or in place of, the element Path points to. Set exactly
// one of Before, After and Replace.
type Insert struct {
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
	Replace string `json:"replace,omitempty"`
	Items   []any  `json:"items"`
}

// Create makes a new document; it fails if the _id is taken. Without _id the server picks one.
func Create(doc map[string]any) Mutation { return Mutation{Create: doc} }

// CreateOrReplace writes the whole document, replacing any existing one with that _id.
func CreateOrReplace(doc map[string]any) Mutation { return Mutation{CreateOrReplace: doc} }

// CreateIfNotExists creates the document unless one with that _id exists.
func CreateIfNotExists(doc map[string]any) Mutation { return Mutation{CreateIfNotExists: doc} }

// Delete removes a document by ID; a missing document is not an error.
func Delete(id string) Mutation { return Mutation{Delete: &Selection{ID: id}} }

// DeleteByQuery removes every document the GROQ query returns.
func DeleteByQuery(query string, params map[string]any) Mutation {
	return Mutation{Delete: &Selection{Query: query, Params: params}}
}

// PatchID starts a patch of one document by ID.
func PatchID(id string) *Patch { return &Patch{Selection: Selection{ID: id}} }

// Mutation wraps the patch for a transaction.
func (p *Patch) Mutation() Mutation { return Mutation{Patch: p} }

func (s Selection) fields() map[string]any {
	m := map[string]any{}
	switch {
	case s.Query != "":
		m["query"] = s.Query
		if len(s.Params) > 0 {
			m["params"] = s.Params
		}
	case len(s.IDs) > 0:
		m["id"] = s.IDs
	default:
		m["id"] = s.ID
	}
	return m
}

// MarshalJSON writes {"id": ...} or {"query": ..., "params": ...}.
func (s Selection) MarshalJSON() ([]byte, error) { return json.Marshal(s.fields()) }

// MarshalJSON writes the patch in the API's shape.
func (p *Patch) MarshalJSON() ([]byte, error) {
	m := p.Selection.fields()
	if p.IfRevisionID != "" {
		m["ifRevisionID"] = p.IfRevisionID
	}
	if len(p.Set) > 0 {
		m["set"] = p.Set
	}
	if len(p.SetIfMissing) > 0 {
		m["setIfMissing"] = p.SetIfMissing
	}
	if len(p.Unset) > 0 {
		m["unset"] = p.Unset
	}
	if len(p.Inc) > 0 {
		m["inc"] = p.Inc
	}
	if len(p.Dec) > 0 {
		m["dec"] = p.Dec
	}
	if p.Insert != nil {
		m["insert"] = p.Insert
	}
	return json.Marshal(m)
}

// Visibility values for MutateOptions.
const (
	VisibilitySync     = "sync"
	VisibilityAsync    = "async"
	VisibilityDeferred = "deferred"
)

// MutateOptions tune one transaction. The zero value is valid.
type MutateOptions struct {
	// ReturnIDs and ReturnDocuments ask for the affected IDs and the documents after the change.
	ReturnIDs, ReturnDocuments bool
	// Visibility is "sync" (default: return once queries see the change), "async" or "deferred".
	Visibility string
	// DryRun validates and reports the transaction without committing it.
	DryRun bool
	// TransactionID names the transaction; the dataset refuses a second transaction with the same ID.
	// Setting it makes the call safe to retry: the client retries on rate limits, gateway failures and
	// network errors, and treats "transaction ID already used" on a retry as success.
	TransactionID string
	// Tag labels the request in Sanity's request logs.
	Tag string
}

// MutateResult is a committed (or dry-run) transaction.
type MutateResult struct {
	TransactionID string           `json:"transactionId"`
	Results       []MutationResult `json:"results"`
	// Replayed is true when a retry found the transaction already committed by an earlier attempt
	// whose answer was lost; Results is then empty.
	Replayed bool `json:"-"`
}

// MutationResult is one affected document.
type MutationResult struct {
	ID string `json:"id"`
	// Operation is "create", "update", "delete" or "none".
	Operation string         `json:"operation"`
	Document  map[string]any `json:"document,omitempty"`
}

// Mutate commits mutations as one all-or-nothing transaction. Without a TransactionID it is sent exactly
// once, since a lost answer cannot tell whether it was applied.
func (c *Client) Mutate(ctx context.Context, mutations []Mutation, opts *MutateOptions) (*MutateResult, error) {
	if len(mutations) == 0 {
		return nil, errors.New("sanity: a transaction needs at least one mutation")
	}
	if opts == nil {
		opts = &MutateOptions{}
	}
	q := url.Values{}
	q.Set("returnIds", strconv.FormatBool(opts.ReturnIDs))
	q.Set("returnDocuments", strconv.FormatBool(opts.ReturnDocuments))
	visibility := opts.Visibility
	if visibility == "" {
		visibility = VisibilitySync
	}
	q.Set("visibility", visibility)
	if opts.DryRun {
		q.Set("dryRun", "true")
	}
	if opts.Tag != "" {
		q.Set("tag", opts.Tag)
	}
	body, err := json.Marshal(struct {
		Mutations     []Mutation `json:"mutations"`
		TransactionID string     `json:"transactionId,omitempty"`
	}{mutations, opts.TransactionID})
	if err != nil {
		return nil, fmt.Errorf("sanity: encoding the transaction: %w", err)
	}
	req := request{method: "POST", path: "/data/mutate/" + c.dataset, query: q, body: body}

	if opts.TransactionID == "" || opts.DryRun {
		raw, err := c.send(ctx, req)
		if err != nil {
			return nil, err
		}
		return decodeMutateResult(raw)
	}

	// A guarded transaction: send it ourselves so that a reuse refusal after a lost answer counts.
	req.retryable = true
	deadline := timeNow().Add(c.retry.MaxElapsed)
	for attempt := 0; ; attempt++ {
		raw, status, after, err := c.sendOnce(ctx, req)
		if err == nil {
			return decodeMutateResult(raw)
		}
		if attempt > 0 && IsTransactionIDReused(err) {
			return &MutateResult{TransactionID: opts.TransactionID, Replayed: true}, nil
		}
		if attempt >= c.retry.MaxRetries || ctx.Err() != nil || !shouldRetry(status, err) {
			return nil, err
		}
		delay := c.backoff(attempt, after)
		if timeNow().Add(delay).After(deadline) {
			return nil, err
		}
		if c.sleep(ctx, delay) != nil {
			return nil, err
		}
	}
}

func decodeMutateResult(raw []byte) (*MutateResult, error) {
	var res MutateResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("sanity: the mutate answer is not the expected JSON: %w", err)
	}
	return &res, nil
}
