package sanitytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Document actions the fake supports on POST /data/actions.
const (
	actionPublish      = "sanity.action.document.publish"
	actionUnpublish    = "sanity.action.document.unpublish"
	actionDiscard      = "sanity.action.document.discard"
	actionDelete       = "sanity.action.document.delete"
	actionCreate       = "sanity.action.document.create"
	actionEdit         = "sanity.action.document.edit"
	actionReplaceDraft = "sanity.action.document.replaceDraft"
)

type action struct {
	ActionType            string         `json:"actionType"`
	DraftID               string         `json:"draftId"`
	PublishedID           string         `json:"publishedId"`
	IfDraftRevisionID     string         `json:"ifDraftRevisionId"`
	IfPublishedRevisionID string         `json:"ifPublishedRevisionId"`
	Attributes            map[string]any `json:"attributes"`
	IfExists              string         `json:"ifExists"`
	IncludeDrafts         []string       `json:"includeDrafts"`
	Patch                 *patchSpec     `json:"patch"`
}

func (s *Server) handleActions(w http.ResponseWriter, r *http.Request, who caller, _ apiVersion) {
	body, ok := readBody(w, r, s.cfg.maxMutationBody)
	if !ok {
		return
	}
	var req struct {
		Actions       []action `json:"actions"`
		TransactionID string   `json:"transactionId"`
		DryRun        bool     `json:"dryRun"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeInvalidBody(w, body, err)
		return
	}
	if len(req.Actions) == 0 {
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": "No actions provided"})
		return
	}
	if !who.canWrite() {
		items := make([]any, len(req.Actions))
		for i := range req.Actions {
			items[i] = map[string]any{"index": i, "error": map[string]any{
				"type": "insufficientPermissionsError", "permission": "update",
				"description": "Insufficient permissions; permission \"update\" required",
			}}
		}
		writeError(w, http.StatusForbidden, map[string]any{
			"type": "actionError", "description": fmt.Sprintf("Action(s) failed with %d error(s)", len(items)), "items": items,
		})
		return
	}
	txID, ierr := s.runActions(req.Actions, req.TransactionID, req.DryRun)
	if ierr != nil {
		writeError(w, ierr.status, map[string]any{
			"type":        "actionError",
			"description": fmt.Sprintf("The action(s) failed: %s", ierr.body["description"]),
			"items":       []any{map[string]any{"error": ierr.body, "index": ierr.index}},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"transactionId": txID})
}

// runActions applies actions as one transaction, then delivers webhooks.
func (s *Server) runActions(actions []action, transactionID string, dryRun bool) (string, *itemError) {
	s.mu.Lock()
	if transactionID != "" && s.transactions[transactionID] {
		s.mu.Unlock()
		return "", &itemError{status: http.StatusConflict, body: map[string]any{
			"type": "transactionIdAlreadyExistsError", "id": transactionID,
			"description": fmt.Sprintf("A transaction with the ID %q already exists in this dataset", transactionID),
		}}
	}
	t := s.beginLocked(transactionID)
	for i, a := range actions {
		if ierr := t.applyAction(a); ierr != nil {
			ierr.index = i
			s.mu.Unlock()
			return "", ierr
		}
	}
	if dryRun {
		s.mu.Unlock()
		return t.id, nil
	}
	changes := t.commitLocked()
	s.hooks.notify(t.id, changes, s.snapshotLocked)
	s.mu.Unlock()
	return t.id, nil
}

func notFound(id string) *itemError {
	return newItemError(http.StatusNotFound, "documentNotFoundError", fmt.Sprintf("The document with the ID %q was not found", id), "id", id)
}

func revisionMismatch(id string, current any, expected string) *itemError {
	return newItemError(http.StatusConflict, "documentRevisionIDDoesNotMatchError",
		fmt.Sprintf("Document %q has unexpected revision ID (%q), expected %q", id, current, expected),
		"id", id, "expectedRevisionId", expected, "currentRevisionId", current)
}

func (t *txn) applyAction(a action) *itemError {
	if a.PublishedID != "" {
		if err := validateID(a.PublishedID); err != nil {
			return invalidIDError(err)
		}
		if isDraftID(a.PublishedID) || isVersionID(a.PublishedID) {
			return newItemError(http.StatusBadRequest, "validationError", fmt.Sprintf("publishedId %q must not be a draft or version ID", a.PublishedID))
		}
	}
	draftID := a.DraftID
	if draftID == "" && a.PublishedID != "" {
		draftID = "drafts." + a.PublishedID
	}
	switch a.ActionType {
	case actionPublish:
		if a.PublishedID == "" || draftID != "drafts."+a.PublishedID && !(isVersionID(draftID) && publishedID(draftID) == a.PublishedID) {
			return newItemError(http.StatusBadRequest, "validationError", "publish needs publishedId and the matching draftId (drafts.<publishedId>)")
		}
		draft, ok := t.get(draftID)
		if !ok {
			return notFound(draftID)
		}
		if a.IfDraftRevisionID != "" && draft["_rev"] != a.IfDraftRevisionID {
			return revisionMismatch(draftID, draft["_rev"], a.IfDraftRevisionID)
		}
		existing, hasPublished := t.get(a.PublishedID)
		if a.IfPublishedRevisionID != "" && (!hasPublished || existing["_rev"] != a.IfPublishedRevisionID) {
			return revisionMismatch(a.PublishedID, existing["_rev"], a.IfPublishedRevisionID)
		}
		doc := copyDoc(draft)
		strengthenReferences(doc)
		doc["_id"] = a.PublishedID
		if hasPublished {
			doc["_createdAt"] = existing["_createdAt"]
		}
		t.stamp(doc)
		t.put(a.PublishedID, doc)
		t.put(draftID, nil)
	case actionUnpublish:
		if a.PublishedID == "" {
			return newItemError(http.StatusBadRequest, "validationError", "unpublish needs publishedId")
		}
		published, ok := t.get(a.PublishedID)
		if !ok {
			return notFound(a.PublishedID)
		}
		if _, hasDraft := t.get(draftID); !hasDraft {
			draft := copyDoc(published)
			draft["_id"] = draftID
			t.stamp(draft)
			t.put(draftID, draft)
		}
		t.put(a.PublishedID, nil)
	case actionDiscard:
		if !isDraftID(draftID) && !isVersionID(draftID) {
			return newItemError(http.StatusBadRequest, "validationError", "discard needs a draftId")
		}
		if _, ok := t.get(draftID); !ok {
			return notFound(draftID)
		}
		t.put(draftID, nil)
	case actionDelete:
		if a.PublishedID == "" {
			return newItemError(http.StatusBadRequest, "validationError", "delete needs publishedId")
		}
		found := false
		for _, id := range append([]string{a.PublishedID, "drafts." + a.PublishedID}, a.IncludeDrafts...) {
			if _, ok := t.get(id); ok {
				found = true
				t.put(id, nil)
			}
		}
		if !found {
			return notFound(a.PublishedID)
		}
	case actionCreate:
		attrs := copyDoc(a.Attributes)
		if attrs == nil {
			return newItemError(http.StatusBadRequest, "validationError", "create needs attributes")
		}
		id, _ := attrs["_id"].(string)
		if id == "" {
			id = draftID
		}
		if id == "" || (!isDraftID(id) && !isVersionID(id)) || publishedID(id) != a.PublishedID {
			return newItemError(http.StatusBadRequest, "validationError", "create makes a draft: attributes._id must be drafts.<publishedId>")
		}
		attrs["_id"] = id
		if _, exists := t.get(id); exists && a.IfExists == "ignore" {
			return nil
		}
		if _, ierr := t.create("create", attrs); ierr != nil {
			return ierr
		}
	case actionReplaceDraft:
		attrs := copyDoc(a.Attributes)
		id, _ := attrs["_id"].(string)
		if !isDraftID(id) && !isVersionID(id) {
			return newItemError(http.StatusBadRequest, "validationError", "replaceDraft needs attributes._id = drafts.<publishedId>")
		}
		if _, ierr := t.create("createOrReplace", attrs); ierr != nil {
			return ierr
		}
	case actionEdit:
		if a.Patch == nil {
			return newItemError(http.StatusBadRequest, "validationError", "edit needs a patch")
		}
		if _, ok := t.get(draftID); !ok {
			published, ok := t.get(a.PublishedID)
			if !ok {
				return notFound(a.PublishedID)
			}
			draft := copyDoc(published)
			draft["_id"] = draftID
			t.stamp(draft)
			t.put(draftID, draft)
		}
		if _, ierr := t.patch(draftID, a.Patch, false); ierr != nil {
			return ierr
		}
	default:
		return newItemError(http.StatusBadRequest, "validationError",
			fmt.Sprintf("unsupported actionType %q: the fake supports %s", a.ActionType, strings.Join([]string{
				actionCreate, actionDelete, actionDiscard, actionEdit, actionPublish, actionReplaceDraft, actionUnpublish,
			}, ", ")))
	}
	return nil
}

// strengthenReferences drops the weak-until-publish markers from references, as publishing does.
func strengthenReferences(v any) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["_strengthenOnPublish"]; ok {
			delete(t, "_strengthenOnPublish")
			delete(t, "_weak")
		}
		for _, el := range t {
			strengthenReferences(el)
		}
	case []any:
		for _, el := range t {
			strengthenReferences(el)
		}
	}
}
