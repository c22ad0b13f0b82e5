package access

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// DefaultDocumentField is where the group ID is written unless configured otherwise.
const DefaultDocumentField = "oktaGroupId"

var (
	documentIDPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	fieldNamePattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// CheckDocumentID reports whether id is a published document ID the resource can be bound to. Draft and
// release IDs are refused: the provider finds those variants itself.
func CheckDocumentID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("document ID is empty")
	case strings.HasPrefix(id, "drafts."):
		return fmt.Errorf("document ID %q is a draft ID; use the published ID %q, the provider writes to the draft too", id, strings.TrimPrefix(id, "drafts."))
	case strings.HasPrefix(id, "versions."):
		return fmt.Errorf("document ID %q is a release version ID; use the published ID, the provider writes to every version too", id)
	case !documentIDPattern.MatchString(id):
		return fmt.Errorf("document ID %q is not a valid Sanity document ID (letters, digits, '.', '_' and '-', not starting with '-' or '.')", id)
	}
	return nil
}

// CheckFieldName reports whether name can hold the group ID: a plain top-level attribute that is not one of
// Sanity's own underscore fields.
func CheckFieldName(name string) error {
	if !fieldNamePattern.MatchString(name) {
		return fmt.Errorf("document field %q must be a top-level attribute name: a letter followed by letters, digits or '_'", name)
	}
	return nil
}

// variant is one stored form of a document: the published document, its draft, or a release version.
type variant struct {
	ID     string
	Rev    string
	Fields map[string]any
}

func (v variant) stringField(name string) string {
	s, _ := v.Fields[name].(string)
	return s
}

// documentVariants are every stored variant of one published document ID, published first, then the draft,
// then versions by ID.
type documentVariants struct {
	DocumentID string
	Variants   []variant
}

func (d documentVariants) published() (variant, bool) {
	for _, v := range d.Variants {
		if v.ID == d.DocumentID {
			return v, true
		}
	}
	return variant{}, false
}

// synced reports whether every variant holds groupID in field. A document with no variants left is
// vacuously synced: there is nothing to write to.
func (d documentVariants) synced(field, groupID string) bool {
	for _, v := range d.Variants {
		if v.stringField(field) != groupID {
			return false
		}
	}
	return true
}

// variantsQuery reads the published document, its draft and every release version in one query.
func variantsQuery(documentID string, fields []string) Query {
	projection := append([]string{"_id", "_rev"}, fields...)
	return Query{
		GROQ: fmt.Sprintf(`*[_id in [$id, $draftId] || _id in path($versionsPath)]{%s}`,
			strings.Join(projection, ", ")),
		Params: map[string]any{
			"id":           documentID,
			"draftId":      "drafts." + documentID,
			"versionsPath": "versions.*." + documentID,
		},
		Perspective: "raw",
	}
}

func decodeVariants(documentID string, raw json.RawMessage) (documentVariants, error) {
	var rows []map[string]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		return documentVariants{}, fmt.Errorf("reading the variants of document %q: unexpected query result: %w", documentID, err)
	}
	d := documentVariants{DocumentID: documentID}
	for _, row := range rows {
		id, _ := row["_id"].(string)
		rev, _ := row["_rev"].(string)
		if id == "" {
			continue
		}
		d.Variants = append(d.Variants, variant{ID: id, Rev: rev, Fields: row})
	}
	sortVariants(&d)
	return d, nil
}

// sortVariants puts the published document first, then the draft, then versions by ID.
func sortVariants(d *documentVariants) {
	documentID := d.DocumentID
	rank := func(id string) int {
		switch {
		case id == documentID:
			return 0
		case strings.HasPrefix(id, "drafts."):
			return 1
		default:
			return 2
		}
	}
	sort.Slice(d.Variants, func(i, j int) bool {
		a, b := d.Variants[i].ID, d.Variants[j].ID
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a < b
	})
}
