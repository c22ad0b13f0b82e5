package access

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// pageCursorParam is the GROQ parameter that carries the last _id of the previous page.
const pageCursorParam = "sanityoktaAfterId"

// DocumentQuery is what the data source asks for. Exactly one of Filter and GROQ is set.
type DocumentQuery struct {
	// Filter is the inside of *[...].
	Filter string
	// GROQ is a whole query returning objects with _id.
	GROQ string
	// Projection, if set, shapes each document, e.g. `{_id, title}`. Results must keep _id.
	Projection string
	Params     map[string]any
	// Perspective is sent with every request; empty means "published".
	Perspective string
	// IncludeInactive keeps documents whose `active` is false.
	IncludeInactive bool
}

// Document is one result of a DocumentQuery.
type Document struct {
	ID string
	// Fields is the projected document as decoded JSON.
	Fields map[string]any
	// JSON is the projected document as the Content Lake returned it.
	JSON json.RawMessage
}

func (d Document) lookup(path string) any {
	var cur any = d.Fields
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// Lookup returns the value at a dotted path (e.g. "slug.current"), or nil.
func (d Document) Lookup(path string) any { return d.lookup(path) }

// pageQuery builds the GROQ for one page: the caller's selection, restricted to _id after the cursor,
// ordered by _id, sliced to one page, then projected.
func (q DocumentQuery) pageQuery(pageSize int) (string, error) {
	var conds []string
	conds = append(conds, "_id > $"+pageCursorParam)
	if !q.IncludeInactive {
		conds = append(conds, "!(active == false)")
	}
	var b strings.Builder
	switch {
	case q.Filter != "" && q.GROQ != "":
		return "", fmt.Errorf("set either a filter or a query, not both")
	case q.Filter != "":
		fmt.Fprintf(&b, "*[(%s) && %s]", q.Filter, strings.Join(conds, " && "))
	case q.GROQ != "":
		fmt.Fprintf(&b, "(%s)[%s]", q.GROQ, strings.Join(conds, " && "))
	default:
		return "", fmt.Errorf("set a filter or a query")
	}
	fmt.Fprintf(&b, " | order(_id asc) [0...%d]", pageSize)
	if q.Projection != "" {
		b.WriteString(" ")
		b.WriteString(q.Projection)
	}
	return b.String(), nil
}

// Documents runs a DocumentQuery page by page (`_id > $last`, ordered by _id), so a large dataset never
// comes back as one unbounded response. Results are sorted by _id.
func (s *Service) Documents(ctx context.Context, q DocumentQuery) ([]Document, error) {
	if _, clash := q.Params[pageCursorParam]; clash {
		return nil, fmt.Errorf("the parameter name %q is reserved by the provider for paging; rename it", pageCursorParam)
	}
	perspective := q.Perspective
	if perspective == "" {
		perspective = "published"
	}
	groq, err := q.pageQuery(s.opts.QueryPageSize)
	if err != nil {
		return nil, err
	}
	if q.GROQ != "" {
		if err := s.checkQueryShape(ctx, q, perspective); err != nil {
			return nil, err
		}
	}
	var out []Document
	after := ""
	for {
		params := make(map[string]any, len(q.Params)+1)
		for k, v := range q.Params {
			params[k] = v
		}
		params[pageCursorParam] = after
		raw, err := s.content.Query(ctx, Query{GROQ: groq, Params: params, Perspective: perspective})
		if err != nil {
			return nil, err
		}
		page, err := decodeDocuments(raw)
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			if d.ID <= after {
				return nil, fmt.Errorf("the query returned _id %q out of order after %q; results must keep the _id of each document", d.ID, after)
			}
			after = d.ID
		}
		out = append(out, page...)
		if len(page) < s.opts.QueryPageSize {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// checkQueryShape makes sure a whole query returns an array of objects with a string _id. The paging
// wrapper filters on _id, so without this check a query returning titles, IDs or a count would read as no
// documents at all, and the plan would destroy every group.
func (s *Service) checkQueryShape(ctx context.Context, q DocumentQuery, perspective string) error {
	const notDocument = `!defined(_id) || string(_id) != _id`
	groq := fmt.Sprintf(`{"count": count(%[1]s), "bad": count((%[1]s)[%[2]s]), `+
		`"sample": select(count(%[1]s) == null => %[1]s, (%[1]s)[%[2]s][0...2])}`, q.GROQ, notDocument)
	raw, err := s.content.Query(ctx, Query{GROQ: groq, Params: q.Params, Perspective: perspective})
	if err != nil {
		return err
	}
	var shape struct {
		Count  *float64        `json:"count"`
		Bad    *float64        `json:"bad"`
		Sample json.RawMessage `json:"sample"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return fmt.Errorf("checking what the query returns: unexpected result: %w", err)
	}
	const fix = "The query must return an array of documents (objects with a string _id), for example " +
		"*[_type == \"handbook\"], or *[...]{_id, title}; move a projection that drops _id into `projection`, and leave " +
		"out [0], ._id and count()"
	switch {
	case shape.Count == nil:
		return fmt.Errorf("the query returned %s, not an array of documents. %s", quoteResult(shape.Sample), fix)
	case shape.Bad != nil && *shape.Bad > 0:
		return fmt.Errorf("%.0f of the %.0f results of the query are not documents with a string _id, for example %s. %s",
			*shape.Bad, *shape.Count, quoteResult(shape.Sample), fix)
	}
	return nil
}

// quoteResult shows a query result in an error, shortened.
func quoteResult(raw json.RawMessage) string {
	const limit = 200
	s := string(raw)
	if s == "" {
		s = "null"
	}
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

func decodeDocuments(raw json.RawMessage) ([]Document, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("the query must return an array of documents: %w", err)
	}
	out := make([]Document, 0, len(rows))
	for i, row := range rows {
		var fields map[string]any
		if err := json.Unmarshal(row, &fields); err != nil || fields == nil {
			return nil, fmt.Errorf("result %d of the query is not an object: every result must be a document with an _id", i)
		}
		id, _ := fields["_id"].(string)
		if id == "" {
			return nil, fmt.Errorf("result %d of the query has no _id: keep _id in the projection or query", i)
		}
		out = append(out, Document{ID: id, Fields: fields, JSON: row})
	}
	return out, nil
}

func decodeStrings(raw json.RawMessage) ([]string, error) {
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("unexpected query result: %w", err)
	}
	return out, nil
}

// publishedID maps drafts.<id> and versions.<release>.<id> to <id>.
func publishedID(id string) string {
	if rest, ok := strings.CutPrefix(id, "drafts."); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(id, "versions."); ok {
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			return rest[i+1:]
		}
	}
	return id
}
