package sanitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// mutateOptions are the URL (and body) options of a mutate request.
type mutateOptions struct {
	returnIDs, returnDocuments, dryRun, autoKeys bool
	transactionID                                string
}

func boolParam(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	return strconv.ParseBool(v)
}

func (s *Server) handleMutate(w http.ResponseWriter, r *http.Request, who caller, ver apiVersion) {
	body, ok := readBody(w, r, s.cfg.maxMutationBody)
	if !ok {
		return
	}
	q := r.URL.Query()
	var opts mutateOptions
	for name, dst := range map[string]*bool{
		"returnIds": &opts.returnIDs, "returnDocuments": &opts.returnDocuments,
		"dryRun": &opts.dryRun, "autoGenerateArrayKeys": &opts.autoKeys,
	} {
		v, err := boolParam(q.Get(name))
		if err != nil {
			writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": fmt.Sprintf("query parameter %q must be true or false", name)})
			return
		}
		*dst = v
	}
	switch v := q.Get("visibility"); v {
	case "", "sync", "async", "deferred":
	default:
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": fmt.Sprintf("visibility %q is not one of sync, async, deferred", v)})
		return
	}
	opts.transactionID = q.Get("transactionId")

	var req struct {
		Mutations     []json.RawMessage `json:"mutations"`
		TransactionID string            `json:"transactionId"`
		DryRun        bool              `json:"dryRun"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeInvalidBody(w, body, err)
		return
	}
	if req.TransactionID != "" {
		opts.transactionID = req.TransactionID
	}
	opts.dryRun = opts.dryRun || req.DryRun
	if len(req.Mutations) == 0 {
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": "The request body needs a non-empty \"mutations\" array"})
		return
	}
	muts := make([]map[string]any, len(req.Mutations))
	for i, raw := range req.Mutations {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil || len(m) != 1 {
			writeMutationError(w, &itemError{status: http.StatusBadRequest, index: i, body: map[string]any{
				"type": "invalidMutationError", "description": "a mutation is an object with exactly one key: create, createOrReplace, createIfNotExists, delete or patch",
			}})
			return
		}
		muts[i] = m
	}

	if !who.canWrite() {
		writePermissionError(w, muts)
		return
	}

	res, txID, ierr := s.runMutations(r.Context(), muts, ver, opts)
	if ierr != nil {
		if ierr.body["type"] == "queryParseError" || ierr.body["type"] == "queryError" {
			writeError(w, ierr.status, ierr.body)
			return
		}
		writeMutationError(w, ierr)
		return
	}
	out := make([]map[string]any, 0, len(res))
	for _, mr := range res {
		item := map[string]any{"operation": mr.Operation}
		if opts.returnIDs || opts.returnDocuments {
			item["id"] = mr.ID
		}
		if opts.returnDocuments && mr.Document != nil {
			item["document"] = mr.Document
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"transactionId": txID, "results": out})
}

// runMutations applies muts as one transaction and commits it unless it fails or is a dry run.
func (s *Server) runMutations(ctx context.Context, muts []map[string]any, ver apiVersion, opts mutateOptions) ([]mutationResult, string, *itemError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if opts.transactionID != "" {
		if s.transactions[opts.transactionID] {
			return nil, "", &itemError{status: http.StatusConflict, body: map[string]any{
				"type":        "transactionIdAlreadyExistsError",
				"description": fmt.Sprintf("A transaction with the ID %q already exists in this dataset", opts.transactionID),
				"id":          opts.transactionID,
			}}
		}
		if !validTransactionID(opts.transactionID) {
			return nil, "", &itemError{status: http.StatusBadRequest, body: map[string]any{
				"type": "invalidTransactionIdError", "description": fmt.Sprintf("Transaction ID %q is not valid", opts.transactionID),
			}}
		}
	}
	t := s.beginLocked(opts.transactionID)
	var results []mutationResult
	for i, m := range muts {
		rs, ierr := t.apply(ctx, m, ver, opts.autoKeys)
		if ierr != nil {
			ierr.index = i
			return nil, "", ierr
		}
		results = append(results, rs...)
	}
	if opts.dryRun {
		return results, t.id, nil
	}
	changes := t.commitLocked()
	// Queued while the dataset is locked, so deliveries follow commit order.
	s.hooks.notify(t.id, changes, s.snapshotLocked)
	return results, t.id, nil
}

// apply runs one mutation inside t.
func (t *txn) apply(ctx context.Context, m map[string]any, ver apiVersion, autoKeys bool) ([]mutationResult, *itemError) {
	for op, arg := range m {
		switch op {
		case "create", "createOrReplace", "createIfNotExists":
			doc, ok := arg.(map[string]any)
			if !ok {
				return nil, newItemError(http.StatusBadRequest, "invalidMutationError", op+" takes a document object")
			}
			if autoKeys {
				doc = copyDoc(doc)
				addArrayKeys(doc)
			}
			res, ierr := t.create(op, doc)
			if ierr != nil {
				return nil, ierr
			}
			return []mutationResult{*res}, nil
		case "delete":
			sel, ok := arg.(map[string]any)
			if !ok {
				return nil, newItemError(http.StatusBadRequest, "invalidMutationError", "delete takes {\"id\": ...} or {\"query\": ...}")
			}
			ids, ierr := t.selectIDs(ctx, sel, ver)
			if ierr != nil {
				return nil, ierr
			}
			var out []mutationResult
			for _, id := range ids {
				if res := t.delete(id); res != nil {
					out = append(out, *res)
				}
			}
			return out, nil
		case "patch":
			raw, ok := arg.(map[string]any)
			if !ok {
				return nil, newItemError(http.StatusBadRequest, "invalidMutationError", "patch takes an object")
			}
			var spec patchSpec
			b, _ := json.Marshal(raw)
			if err := json.Unmarshal(b, &spec); err != nil {
				return nil, newItemError(http.StatusBadRequest, "invalidPatchError", "patch is malformed: "+err.Error())
			}
			_, byQuery := raw["query"]
			ids, ierr := t.selectIDs(ctx, raw, ver)
			if ierr != nil {
				return nil, ierr
			}
			var out []mutationResult
			for _, id := range ids {
				if _, exists := t.get(id); !exists && byQuery {
					continue
				}
				res, ierr := t.patch(id, &spec, autoKeys)
				if ierr != nil {
					return nil, ierr
				}
				out = append(out, *res)
			}
			return out, nil
		default:
			return nil, newItemError(http.StatusBadRequest, "invalidMutationError",
				fmt.Sprintf("unknown mutation type %q: use create, createOrReplace, createIfNotExists, delete or patch", op))
		}
	}
	return nil, nil
}

// selectIDs resolves {"id": "x"}, {"id": ["x", "y"]} or {"query": ..., "params": ...} to document IDs.
func (t *txn) selectIDs(ctx context.Context, sel map[string]any, ver apiVersion) ([]string, *itemError) {
	if query, ok := sel["query"].(string); ok {
		params, _ := sel["params"].(map[string]any)
		all := t.documents()
		docs := make([]any, 0, len(all))
		for _, d := range all {
			if !ver.releases && isVersionID(storedID(d)) {
				continue
			}
			docs = append(docs, d)
		}
		res, err := t.s.evaluate(ctx, evalRequest{query: query, docs: docs, params: params, now: t.now})
		if err != nil {
			status, body := queryError(query, err)
			return nil, &itemError{status: status, body: body}
		}
		var ids []string
		collect := func(v any) {
			if d, ok := v.(map[string]any); ok {
				if id, ok := d["_id"].(string); ok {
					ids = append(ids, id)
				}
			}
		}
		if list, ok := res.([]any); ok {
			for _, v := range list {
				collect(v)
			}
		} else {
			collect(res)
		}
		if len(ids) > 10000 {
			return nil, newItemError(http.StatusBadRequest, "validationError", "a query-selected mutation may touch at most 10000 documents")
		}
		return ids, nil
	}
	switch id := sel["id"].(type) {
	case string:
		if err := validateID(id); err != nil {
			return nil, invalidIDError(err)
		}
		return []string{id}, nil
	case []any:
		ids := make([]string, 0, len(id))
		for _, v := range id {
			s, ok := v.(string)
			if !ok {
				return nil, newItemError(http.StatusBadRequest, "invalidDocumentIdError", "document IDs must be strings")
			}
			if err := validateID(s); err != nil {
				return nil, invalidIDError(err)
			}
			ids = append(ids, s)
		}
		return ids, nil
	}
	return nil, newItemError(http.StatusBadRequest, "invalidMutationError", "select documents with \"id\" (a string or an array of strings) or \"query\"")
}

// validTransactionID accepts up to 200 printable ASCII characters without spaces.
func validTransactionID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// writeMutationError answers a failed transaction. The top-level description repeats the item's, as the
// live API does ("The mutation(s) failed: Document ... has unexpected revision ID ...").
func writeMutationError(w http.ResponseWriter, e *itemError) {
	writeError(w, e.status, map[string]any{
		"type":        "mutationError",
		"description": fmt.Sprintf("The mutation(s) failed: %s", e.body["description"]),
		"items":       []any{map[string]any{"error": e.body, "index": e.index}},
	})
}

// writePermissionError answers a caller that may not write: one item per mutation.
func writePermissionError(w http.ResponseWriter, muts []map[string]any) {
	items := make([]any, 0, len(muts))
	for i, m := range muts {
		perm := "update"
		for op := range m {
			switch op {
			case "create", "createOrReplace", "createIfNotExists":
				perm = "create"
			case "delete":
				perm = "delete"
			}
		}
		items = append(items, map[string]any{"index": i, "error": map[string]any{
			"type": "insufficientPermissionsError", "permission": perm,
			"description": fmt.Sprintf("Insufficient permissions; permission %q required", perm),
		}})
	}
	writeError(w, http.StatusForbidden, map[string]any{
		"type":        "mutationError",
		"description": fmt.Sprintf("Mutation(s) failed with %d error(s)", len(items)),
		"items":       items,
	})
}
