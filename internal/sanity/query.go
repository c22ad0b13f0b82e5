package sanity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Perspectives a query can run in.
const (
	// PerspectiveRaw returns published documents, drafts and (from API 2025-02-19) release versions side by side.
	PerspectiveRaw = "raw"
	// PerspectivePublished returns only published documents.
	PerspectivePublished = "published"
	// PerspectiveDrafts returns drafts overlaid on published documents, under the published ID.
	PerspectiveDrafts = "drafts"
)

// maxGETQueryLength is the longest encoded query string sent with GET; longer ones go out as POST. The
// API refuses GET URLs beyond about 11 KB.
const maxGETQueryLength = 11264

// QueryOptions tune one query. The zero value is valid.
type QueryOptions struct {
	// Perspective is sent as the perspective URL parameter. Empty means PerspectivePublished, so the
	// result never depends on the API version's default.
	Perspective string
	// Tag labels the request in Sanity's request logs.
	Tag string
}

// QueryResult is the answer to a query.
type QueryResult struct {
	// Result is the query result as raw JSON; "null" when nothing matched a single-document query.
	Result json.RawMessage `json:"result"`
	// Ms is the server's evaluation time in milliseconds.
	Ms float64 `json:"ms"`
	// Query echoes the query.
	Query string `json:"query"`
	// SyncTags identify the documents the result depends on.
	SyncTags []string `json:"syncTags"`
}

// Decode unmarshals the result into v.
func (r *QueryResult) Decode(v any) error {
	if err := json.Unmarshal(r.Result, v); err != nil {
		return fmt.Errorf("sanity: decoding the query result: %w", err)
	}
	return nil
}

// Query runs a GROQ query with params (values are marshalled to JSON). Queries are retried on rate limits,
// gateway failures and network errors. A missing document is a null or empty result, never an error.
func (c *Client) Query(ctx context.Context, query string, params map[string]any, opts *QueryOptions) (*QueryResult, error) {
	if opts == nil {
		opts = &QueryOptions{}
	}
	perspective := opts.Perspective
	if perspective == "" {
		perspective = PerspectivePublished
	}
	encoded := make(map[string]json.RawMessage, len(params))
	names := make([]string, 0, len(params))
	for name, v := range params {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("sanity: query parameter $%s cannot be encoded as JSON: %w", name, err)
		}
		encoded[name] = b
		names = append(names, name)
	}
	sort.Strings(names)

	urlParams := url.Values{}
	urlParams.Set("perspective", perspective)
	if opts.Tag != "" {
		urlParams.Set("tag", opts.Tag)
	}
	get := url.Values{}
	for k, v := range urlParams {
		get[k] = v
	}
	get.Set("query", query)
	for _, name := range names {
		get.Set("$"+name, string(encoded[name]))
	}

	path := "/data/query/" + c.dataset
	req := request{method: "GET", path: path, query: get, retryable: true}
	if len(get.Encode()) > maxGETQueryLength {
		body, err := json.Marshal(struct {
			Query  string                     `json:"query"`
			Params map[string]json.RawMessage `json:"params,omitempty"`
		}{query, encoded})
		if err != nil {
			return nil, fmt.Errorf("sanity: encoding the query request: %w", err)
		}
		req = request{method: "POST", path: path, query: urlParams, body: body, retryable: true}
	}
	body, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	var res QueryResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("sanity: the query answer is not the expected JSON envelope: %w", err)
	}
	if res.Result == nil {
		res.Result = json.RawMessage("null")
	}
	return &res, nil
}

// Documents fetches documents by ID from the doc endpoint, ignoring perspectives. The answer has one
// entry per ID, in order; an entry is nil when the document does not exist or the token may not read it.
// Reads are retried like queries.
func (c *Client) Documents(ctx context.Context, ids []string) ([]map[string]any, error) {
	out := make([]map[string]any, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return nil, fmt.Errorf("sanity: document ID %q is not valid", id)
		}
	}
	const batch = 100
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		chunk := ids[start:end]
		escaped := make([]string, len(chunk))
		for i, id := range chunk {
			escaped[i] = url.PathEscape(id)
		}
		body, err := c.send(ctx, request{method: "GET", path: "/data/doc/" + c.dataset + "/" + strings.Join(escaped, ","), retryable: true})
		if err != nil {
			return nil, err
		}
		var res struct {
			Documents []map[string]any `json:"documents"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, fmt.Errorf("sanity: the doc endpoint answer is not the expected JSON: %w", err)
		}
		byID := make(map[string]map[string]any, len(res.Documents))
		for _, d := range res.Documents {
			if id, ok := d["_id"].(string); ok {
				byID[id] = d
			}
		}
		for i, id := range chunk {
			out[start+i] = byID[id]
		}
	}
	return out, nil
}

// Document fetches one document by ID; nil (and no error) when it does not exist.
func (c *Client) Document(ctx context.Context, id string) (map[string]any, error) {
	docs, err := c.Documents(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return docs[0], nil
}
