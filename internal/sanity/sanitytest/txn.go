package sanitytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// txn is a transaction being applied. Writes go to an overlay over the dataset, which is folded in only
// on commit, so a failed transaction leaves nothing behind.
type txn struct {
	s   *Server
	id  string
	now time.Time
	// overlay holds the documents this transaction wrote; a nil value is a deletion. Documents are
	// replaced, never changed in place.
	overlay map[string]map[string]any
	// before records each touched document's state before the transaction, for webhooks.
	before  map[string]map[string]any
	touched []string
}

type mutationResult struct {
	ID        string         `json:"id,omitempty"`
	Operation string         `json:"operation"`
	Document  map[string]any `json:"document,omitempty"`
}

// itemError is one failed mutation or action; status is the HTTP status the transaction answers with.
type itemError struct {
	status int
	index  int
	body   map[string]any // the item's "error" object: type, description, id, ...
}

func (e *itemError) Error() string { return fmt.Sprint(e.body["description"]) }

func newItemError(status int, typ, description string, extra ...any) *itemError {
	body := map[string]any{"type": typ, "description": description}
	for i := 0; i+1 < len(extra); i += 2 {
		body[fmt.Sprint(extra[i])] = extra[i+1]
	}
	return &itemError{status: status, body: body}
}

// beginLocked starts a transaction; the caller holds s.mu until commit or abandon.
func (s *Server) beginLocked(id string) *txn {
	if id == "" {
		id = newID()
	}
	return &txn{s: s, id: id, now: s.now(), overlay: map[string]map[string]any{}, before: map[string]map[string]any{}}
}

func (t *txn) get(id string) (map[string]any, bool) {
	if d, ok := t.overlay[id]; ok {
		return d, d != nil
	}
	d, ok := t.s.docs[id]
	return d, ok
}

// put stores doc (nil deletes) and remembers the prior state for webhooks.
func (t *txn) put(id string, doc map[string]any) {
	if _, seen := t.before[id]; !seen {
		t.before[id] = t.s.docs[id]
		t.touched = append(t.touched, id)
	}
	t.overlay[id] = doc
}

// documents returns every document as the transaction sees it, ordered by _id.
func (t *txn) documents() []any {
	if len(t.overlay) == 0 {
		return t.s.snapshotLocked()
	}
	ids := make([]string, 0, len(t.s.docs)+len(t.overlay))
	for id := range t.s.docs {
		if _, over := t.overlay[id]; !over {
			ids = append(ids, id)
		}
	}
	for id, d := range t.overlay {
		if d != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i], _ = t.get(id)
	}
	return out
}

// change is one document's net effect of a committed transaction.
type change struct {
	id            string
	before, after map[string]any
}

// commitLocked folds the transaction into the dataset and returns the documents that actually changed.
func (t *txn) commitLocked() []change {
	var changes []change
	for _, id := range t.touched {
		before, after := t.before[id], t.overlay[id]
		if reflect.DeepEqual(before, after) {
			continue
		}
		changes = append(changes, change{id: id, before: before, after: after})
	}
	for id, d := range t.overlay {
		if d == nil {
			delete(t.s.docs, id)
		} else {
			t.s.docs[id] = d
		}
	}
	t.s.sorted = nil
	t.s.generation++
	t.s.transactions[t.id] = true
	return changes
}

// stamp gives a written document its new revision and update time.
func (t *txn) stamp(doc map[string]any) {
	doc["_rev"] = t.id
	doc["_updatedAt"] = formatTime(t.now)
}

var docIDRe = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// validateID applies the Content Lake's ID rules: letters, digits, '.', '_' and '-', at most 128
// characters, and no path segment may be empty or start with '-'.
func validateID(id string) error {
	if id == "" || len(id) > 128 || !docIDRe.MatchString(id) {
		return fmt.Errorf("Document ID %q is not valid: use 1-128 characters from a-z, A-Z, 0-9, '.', '_' and '-'", id)
	}
	for _, seg := range strings.Split(id, ".") {
		if seg == "" || strings.HasPrefix(seg, "-") {
			return fmt.Errorf("Document ID %q is not valid: a path segment is empty or starts with '-'", id)
		}
	}
	return nil
}

func invalidIDError(err error) *itemError {
	return newItemError(http.StatusBadRequest, "invalidDocumentIdError", err.Error())
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, el := range t {
			m[k] = deepCopy(el)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, el := range t {
			a[i] = deepCopy(el)
		}
		return a
	}
	return v
}

func copyDoc(d map[string]any) map[string]any {
	if d == nil {
		return nil
	}
	m, _ := deepCopy(d).(map[string]any)
	return m
}

// normalizeJSON turns any Go value into the form encoding/json decodes into an interface.
func normalizeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// create stores a new document; op names the mutation for messages.
func (t *txn) create(op string, in map[string]any) (*mutationResult, *itemError) {
	doc := copyDoc(in)
	id, _ := doc["_id"].(string)
	if raw, present := doc["_id"]; present && !isString(raw) {
		return nil, newItemError(http.StatusBadRequest, "invalidDocumentIdError", "_id must be a string")
	}
	switch {
	case id == "" && op == "create":
		id = newID()
	case id == "":
		return nil, newItemError(http.StatusBadRequest, "validationError", fmt.Sprintf("%s requires a document _id", op))
	case op == "create" && strings.HasSuffix(id, "."):
		id += newID()
	}
	if err := validateID(id); err != nil {
		return nil, invalidIDError(err)
	}
	if typ, _ := doc["_type"].(string); typ == "" {
		return nil, newItemError(http.StatusBadRequest, "validationError", fmt.Sprintf("Document %q does not have a type: every document needs a non-empty string _type", id), "id", id)
	}
	if isVersionID(id) && strings.Count(id, ".") < 2 {
		return nil, invalidIDError(fmt.Errorf("Document ID %q is not valid: version IDs have the form versions.<release>.<id>", id))
	}
	doc["_id"] = id
	existing, exists := t.get(id)
	switch op {
	case "create":
		if exists {
			return nil, newItemError(http.StatusConflict, "documentAlreadyExistsError",
				fmt.Sprintf("Document by ID %q already exists", id), "id", id)
		}
	case "createIfNotExists":
		if exists {
			return &mutationResult{ID: id, Operation: "none", Document: existing}, nil
		}
	}
	if _, ok := doc["_createdAt"].(string); !ok {
		if exists {
			doc["_createdAt"] = existing["_createdAt"]
		} else {
			doc["_createdAt"] = formatTime(t.now)
		}
	}
	t.stamp(doc)
	t.put(id, doc)
	operation := "create"
	if exists {
		operation = "update"
	}
	return &mutationResult{ID: id, Operation: operation, Document: doc}, nil
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func (t *txn) delete(id string) *mutationResult {
	existing, ok := t.get(id)
	if !ok {
		return nil
	}
	t.put(id, nil)
	return &mutationResult{ID: id, Operation: "delete", Document: existing}
}

// patchSpec is a decoded patch without its selection.
type patchSpec struct {
	IfRevisionID string         `json:"ifRevisionID"`
	Set          map[string]any `json:"set"`
	SetIfMissing map[string]any `json:"setIfMissing"`
	Unset        []string       `json:"unset"`
	Inc          map[string]any `json:"inc"`
	Dec          map[string]any `json:"dec"`
	Insert       map[string]any `json:"insert"`
	DiffMatch    map[string]any `json:"diffMatchPatch"`
}

// patch applies spec to the document id, which must exist.
func (t *txn) patch(id string, spec *patchSpec, autoKeys bool) (*mutationResult, *itemError) {
	existing, ok := t.get(id)
	if !ok {
		return nil, newItemError(http.StatusNotFound, "documentNotFoundError",
			fmt.Sprintf("The document with the ID %q was not found", id), "id", id)
	}
	if spec.IfRevisionID != "" && existing["_rev"] != spec.IfRevisionID {
		return nil, newItemError(http.StatusConflict, "documentRevisionIDDoesNotMatchError",
			fmt.Sprintf("Document %q has unexpected revision ID (%q), expected %q", id, existing["_rev"], spec.IfRevisionID),
			"id", id, "expectedRevisionId", spec.IfRevisionID, "currentRevisionId", existing["_rev"])
	}
	doc := copyDoc(existing)
	if err := applyPatch(doc, spec); err != nil {
		return nil, newItemError(http.StatusBadRequest, "invalidPatchError", fmt.Sprintf("Patch for document %q: %v", id, err), "id", id)
	}
	// System fields are not the patch's to change.
	for _, k := range []string{"_id", "_rev", "_createdAt", "_updatedAt"} {
		if v, ok := existing[k]; ok {
			doc[k] = v
		} else {
			delete(doc, k)
		}
	}
	if typ, _ := doc["_type"].(string); typ == "" {
		doc["_type"] = existing["_type"]
	}
	if autoKeys {
		addArrayKeys(doc)
	}
	if reflect.DeepEqual(doc, existing) {
		return &mutationResult{ID: id, Operation: "none", Document: existing}, nil
	}
	t.stamp(doc)
	t.put(id, doc)
	return &mutationResult{ID: id, Operation: "update", Document: doc}, nil
}

func applyPatch(doc map[string]any, spec *patchSpec) error {
	if spec.DiffMatch != nil {
		return fmt.Errorf("diffMatchPatch is not supported by this fake")
	}
	for _, path := range sortedKeys(spec.Set) {
		segs, err := parsePath(path)
		if err != nil {
			return err
		}
		for _, sl := range resolve(doc, segs, true) {
			sl.set(deepCopy(spec.Set[path]))
		}
	}
	for _, path := range sortedKeys(spec.SetIfMissing) {
		segs, err := parsePath(path)
		if err != nil {
			return err
		}
		for _, sl := range resolve(doc, segs, true) {
			if v, ok := sl.get(); !ok || v == nil {
				sl.set(deepCopy(spec.SetIfMissing[path]))
			}
		}
	}
	for _, path := range spec.Unset {
		segs, err := parsePath(path)
		if err != nil {
			return err
		}
		for _, sl := range resolve(doc, segs, false) {
			sl.unset()
		}
		compact(doc)
	}
	for sign, ops := range map[float64]map[string]any{1: spec.Inc, -1: spec.Dec} {
		for _, path := range sortedKeys(ops) {
			by, ok := ops[path].(float64)
			if !ok {
				return fmt.Errorf("inc/dec amount for %q must be a number", path)
			}
			segs, err := parsePath(path)
			if err != nil {
				return err
			}
			for _, sl := range resolve(doc, segs, false) {
				if n, ok := sl.get(); ok {
					if f, isNum := n.(float64); isNum {
						sl.set(f + sign*by)
					}
				}
			}
		}
	}
	if spec.Insert != nil {
		items, ok := spec.Insert["items"].([]any)
		if !ok {
			return fmt.Errorf("insert needs an items array")
		}
		var where, path string
		for _, w := range []string{"before", "after", "replace"} {
			if p, ok := spec.Insert[w].(string); ok {
				if where != "" {
					return fmt.Errorf("insert takes exactly one of before, after and replace")
				}
				where, path = w, p
			}
		}
		if where == "" {
			return fmt.Errorf("insert needs one of before, after and replace")
		}
		if err := insertItems(doc, where, path, items); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addArrayKeys gives every object inside an array a random _key if it has none.
func addArrayKeys(v any) {
	switch t := v.(type) {
	case map[string]any:
		for _, el := range t {
			addArrayKeys(el)
		}
	case []any:
		for _, el := range t {
			if m, ok := el.(map[string]any); ok {
				if _, has := m["_key"]; !has {
					m["_key"] = newID()[:12]
				}
			}
			addArrayKeys(el)
		}
	}
}

// stored returns a document as the dataset holds it. Every value the dataset stores is an object with a
// string _id (seeding and mutations check that), so anything else is a bug in the fake.
func stored(d any) map[string]any {
	m, ok := d.(map[string]any)
	if !ok {
		panic(fmt.Sprintf("sanitytest: dataset holds a %T, not a document", d))
	}
	return m
}

// storedID returns the _id of a document as the dataset holds it.
func storedID(d any) string {
	id, ok := stored(d)["_id"].(string)
	if !ok {
		panic("sanitytest: dataset holds a document without a string _id")
	}
	return id
}
