package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Spec is what the configuration asks for: one group for one document.
type Spec struct {
	DocumentID  string
	Name        string
	Description string
	// Field is the top-level document attribute that holds the group ID.
	Field string
}

// Binding is a document group as it exists: the group, and whether every variant of the document holds
// its ID.
type Binding struct {
	DocumentID  string
	GroupID     string
	Name        string
	Description string
	Field       string
	// DocumentSynced is true when every existing variant of the document holds GroupID in Field.
	DocumentSynced bool
}

// Warning is something the user should hear about that did not stop the operation.
type Warning struct {
	Summary, Detail string
}

// Create makes the document's group exist and writes its ID back to every variant of the document.
//
// It is idempotent: it adopts the group the published document already names, then a group with the exact
// name, and creates one only when neither exists, so a retried or half-failed apply never makes a second
// group. It never adopts a group another document holds. If the write-back fails the error is returned and
// the group stays in Okta for the next run to adopt.
func (s *Service) Create(ctx context.Context, spec Spec) (Binding, []Warning, error) {
	if err := s.validateSpec(spec); err != nil {
		return Binding{}, nil, err
	}
	if err := s.claimCreate(spec); err != nil {
		return Binding{}, nil, err
	}
	if err := s.CheckWritable(ctx, spec); err != nil {
		return Binding{}, nil, err
	}
	batched := s.writes.expect()
	defer batched.leave()
	doc, err := s.readVariants(ctx, spec.DocumentID, spec.Field)
	if err != nil {
		return Binding{}, nil, err
	}
	if len(doc.Variants) == 0 {
		return Binding{}, nil, fmt.Errorf("document %q does not exist in the dataset (no published document, draft or "+
			"release version): check document_id; no group was created", spec.DocumentID)
	}
	var warnings []Warning
	grp, found, copied, err := s.adoptStored(ctx, spec, doc)
	if err != nil {
		return Binding{}, nil, err
	}
	if copied != nil {
		warnings = append(warnings, *copied)
	}
	path := adoptedByStoredID
	if !found {
		grp, found, err = s.adoptByNameOrWait(ctx, spec)
		if err != nil {
			return Binding{}, nil, err
		}
		path = adoptedByName
	}
	if found {
		if grp, err = s.reconcileProfile(ctx, spec, grp); err != nil {
			return Binding{}, nil, err
		}
	} else {
		grp, found, err = s.createGroup(ctx, spec)
		if err != nil {
			return Binding{}, nil, err
		}
		path = adoptedAfterNameTaken
	}
	if found {
		warnings = append(warnings, adoptionWarning(path, spec, grp))
	}
	if _, err := s.applyFrom(ctx, spec.DocumentID, fieldChange{Field: spec.Field, GroupID: grp.ID}, &doc, batched); err != nil {
		return Binding{}, warnings, fmt.Errorf("the Okta group %q (%s) exists, but its ID could not be written back; "+
			"%s: %w", grp.Profile.Name, grp.ID, writeBackRemedy(err), err)
	}
	return s.binding(spec, grp, true), warnings, nil
}

// adoptionPath is how Create came to manage a group it did not create.
type adoptionPath int

const (
	adoptedByStoredID adoptionPath = iota
	adoptedByName
	adoptedAfterNameTaken
)

func adoptionWarning(path adoptionPath, spec Spec, grp Group) Warning {
	var why string
	switch path {
	case adoptedByStoredID:
		why = fmt.Sprintf("The published document already holds its ID in %q, and no other document does. This happens when "+
			"the resource left the Terraform state (terraform state rm, a lost or new state) while the document kept "+
			"the ID. Check that no other Terraform configuration manages this document with the same document_field: "+
			"two configurations on one field take each other's groups (see the ownership guide).", spec.Field)
	case adoptedByName:
		why = "It was found by its exact name, and no document holds its ID. This is expected after an apply that " +
			"created the group but failed to write its ID back. Otherwise, check who created the group: a group made by " +
			"hand, or by another configuration with the same group_name_prefix, is now managed (and destroyed) by this one."
	case adoptedAfterNameTaken:
		why = "Okta refused to create it because the name was taken, and no document holds its ID: an earlier request " +
			"created it but its answer was lost, or it was created outside this configuration. If it was not this " +
			"provider, check who created it: the group is now managed (and destroyed) by this configuration."
	}
	return Warning{
		Summary: "Adopted an existing Okta group",
		Detail: fmt.Sprintf("Document %q now manages the existing Okta group %q (%s) instead of creating a second one. %s",
			spec.DocumentID, grp.Profile.Name, grp.ID, why),
	}
}

// adoptStored looks at the group the published document already names. A group that another document
// also names is not adopted (copied is set instead): duplicating a document in the Studio copies the field,
// and adopting the original's group would let the copy rename it, or delete it on destroy.
func (s *Service) adoptStored(ctx context.Context, spec Spec, doc documentVariants) (grp Group, found bool, copied *Warning, err error) {
	pub, ok := doc.published()
	if !ok {
		return Group{}, false, nil, nil
	}
	id := pub.stringField(spec.Field)
	if id == "" || s.wasDeleted(id) {
		return Group{}, false, nil, nil
	}
	grp, err = s.group(ctx, id)
	if errors.Is(err, ErrGroupNotFound) {
		// A stale ID (the group was deleted in Okta): the write-back overwrites it.
		return Group{}, false, nil, nil
	}
	if err != nil {
		return Group{}, false, nil, fmt.Errorf("reading Okta group %q named by field %q of document %q: %w", id, spec.Field, spec.DocumentID, err)
	}
	if err := s.guard.check("adopt", spec.DocumentID, grp); err != nil {
		return Group{}, false, nil, err
	}
	others, err := s.otherHolders(ctx, spec.DocumentID, spec.Field, grp.ID)
	if err == nil && len(others) == 0 {
		err = s.bind(spec.DocumentID, grp)
		var held *heldElsewhereError
		if errors.As(err, &held) {
			others, err = []string{held.Holder}, nil
		}
	}
	if err != nil {
		return Group{}, false, nil, err
	}
	if len(others) > 0 {
		return Group{}, false, &Warning{
			Summary: "Document names another document's Okta group",
			Detail: fmt.Sprintf("Document %q names the Okta group %q (%s) in %q, but document %q names it too, as happens when "+
				"a document is duplicated. The group is left to %q; document %q gets a group of its own, and its field "+
				"is overwritten with that group's ID.", spec.DocumentID, grp.Profile.Name, grp.ID, spec.Field, others[0],
				others[0], spec.DocumentID),
		}, nil
	}
	return grp, true, nil, nil
}

// adoptByNameOrWait is adoptByName, except that a group held by another document is waited for, up to
// Options.HandoverWait: a plan that passed ClaimPlan asks for a name another document holds only when that
// document lets it go in the same run (it is renamed, archived or destroyed), and Terraform may run this
// create first.
func (s *Service) adoptByNameOrWait(ctx context.Context, spec Spec) (Group, bool, error) {
	deadline := time.Now().Add(s.opts.HandoverWait)
	for {
		released := s.releases()
		grp, found, err := s.adoptByName(ctx, spec, false)
		var held *heldElsewhereError
		if !errors.As(err, &held) || held.inProcess {
			return grp, found, err
		}
		if !s.waitForRelease(ctx, released, deadline) {
			if ctx.Err() != nil {
				return Group{}, false, ctx.Err()
			}
			return Group{}, false, fmt.Errorf("%w; nothing in this run let the group go within %s", err, s.opts.HandoverWait)
		}
	}
}

// adoptByName looks for a group with exactly the configured name: in the shared listing, or with fresh
// set, with a search of its own (after Okta said the name is taken, the listing is known to be behind).
// A group another document holds is a *heldElsewhereError.
func (s *Service) adoptByName(ctx context.Context, spec Spec, fresh bool) (Group, bool, error) {
	find := s.groupNamed
	if fresh {
		find = s.groups.FindGroupByName
	}
	grp, found, err := find(ctx, spec.Name)
	if err != nil {
		return Group{}, false, fmt.Errorf("looking up Okta group %q for document %q: %w", spec.Name, spec.DocumentID, err)
	}
	if !found || s.wasDeleted(grp.ID) {
		return Group{}, false, nil
	}
	if err := s.guard.check("adopt", spec.DocumentID, grp); err != nil {
		return Group{}, false, err
	}
	others, err := s.otherHolders(ctx, spec.DocumentID, spec.Field, grp.ID)
	if err != nil {
		return Group{}, false, err
	}
	if len(others) > 0 {
		// Search lags behind writes: the group may have been renamed or deleted since it was listed.
		current, err := s.groups.GetGroup(ctx, grp.ID)
		if errors.Is(err, ErrGroupNotFound) || (err == nil && current.Profile.Name != spec.Name) {
			return Group{}, false, nil
		}
		if err != nil {
			return Group{}, false, fmt.Errorf("reading Okta group %q (%s) for document %q: %w", grp.Profile.Name, grp.ID, spec.DocumentID, err)
		}
		return Group{}, false, &heldElsewhereError{Group: grp, Holder: others[0], DocumentID: spec.DocumentID}
	}
	if err := s.bind(spec.DocumentID, grp); err != nil {
		return Group{}, false, err
	}
	return grp, true, nil
}

// otherHolders returns the published IDs of the documents other than documentID whose field (in any
// variant) holds groupID: in the Content Lake, or bound in this Service by a create whose write-back is
// still on its way.
func (s *Service) otherHolders(ctx context.Context, documentID, field, groupID string) ([]string, error) {
	var others []string
	if other := s.boundElsewhere(groupID, documentID); other != "" {
		others = append(others, other)
	}
	raw, err := s.content.Query(ctx, Query{
		GROQ:        fmt.Sprintf(`*[%s == $groupId]._id`, field),
		Params:      map[string]any{"groupId": groupID},
		Perspective: "raw",
	})
	if err != nil {
		return nil, fmt.Errorf("checking which documents hold Okta group %q: %w", groupID, err)
	}
	ids, err := decodeStrings(raw)
	if err != nil {
		return nil, fmt.Errorf("checking which documents hold Okta group %q: %w", groupID, err)
	}
	for _, id := range ids {
		if pid := publishedID(id); pid != documentID && !slices.Contains(others, pid) {
			others = append(others, pid)
		}
	}
	return others, nil
}

// createGroup creates the group; when Okta says the name is taken it looks the group up again, because
// search lags behind writes, and adopts it (adopted == true).
func (s *Service) createGroup(ctx context.Context, spec Spec) (grp Group, adopted bool, err error) {
	grp, err = s.groups.CreateGroup(ctx, Profile{Name: spec.Name, Description: spec.Description})
	if err == nil {
		s.rememberGroup(grp)
		return grp, false, s.bind(spec.DocumentID, grp)
	}
	if !errors.Is(err, ErrGroupNameTaken) {
		return Group{}, false, fmt.Errorf("creating Okta group %q for document %q: %w", spec.Name, spec.DocumentID, err)
	}
	for attempt := 0; attempt < s.opts.NameLookupAttempts; attempt++ {
		if err := s.opts.sleep(ctx, s.opts.backoff(attempt)); err != nil {
			return Group{}, false, err
		}
		grp, found, err := s.adoptByName(ctx, spec, true)
		if err != nil {
			return Group{}, false, err
		}
		if found {
			grp, err = s.reconcileProfile(ctx, spec, grp)
			return grp, err == nil, err
		}
	}
	return Group{}, false, fmt.Errorf("okta says a group named %q already exists, but its search did not return it after %d attempts "+
		"(search is eventually consistent, or the group is not visible to this token); run apply again in a minute, "+
		"or import the group with its ID", spec.Name, s.opts.NameLookupAttempts)
}

// reconcileProfile makes an adopted group carry the configured name and description, keeping custom
// profile attributes.
func (s *Service) reconcileProfile(ctx context.Context, spec Spec, grp Group) (Group, error) {
	if grp.Profile.Name == spec.Name && grp.Profile.Description == spec.Description {
		return grp, nil
	}
	if err := s.guard.check("rename", spec.DocumentID, grp); err != nil {
		return Group{}, err
	}
	p := grp.Profile
	p.Name, p.Description = spec.Name, spec.Description
	out, err := s.groups.ReplaceGroupProfile(ctx, grp.ID, p)
	if err != nil {
		s.forgetGroup(grp.ID)
		return Group{}, fmt.Errorf("updating Okta group %q (%s) for document %q: %w", grp.Profile.Name, grp.ID, spec.DocumentID, err)
	}
	s.rememberGroup(out)
	return out, nil
}

// ReadResult is the outcome of Read.
type ReadResult struct {
	Binding Binding
	// GroupGone means the group no longer exists in Okta: the binding should leave state so the next
	// plan re-creates it.
	GroupGone bool
	Warnings  []Warning
}

// Read refreshes a binding from Okta and the Content Lake, through the shared listings: a plan over N
// bindings costs a few paged requests, not N of each.
func (s *Service) Read(ctx context.Context, b Binding) (ReadResult, error) {
	grp, err := s.group(ctx, b.GroupID)
	if errors.Is(err, ErrGroupNotFound) {
		return ReadResult{GroupGone: true}, nil
	}
	if err != nil {
		return ReadResult{}, fmt.Errorf("reading Okta group %q for document %q: %w", b.GroupID, b.DocumentID, err)
	}
	field := b.Field
	if field == "" {
		field = DefaultDocumentField
	}
	doc, err := s.variants(ctx, b.DocumentID, field)
	if err != nil {
		return ReadResult{}, err
	}
	out := b
	out.Name, out.Description = grp.Profile.Name, grp.Profile.Description
	out.DocumentSynced = doc.synced(b.Field, b.GroupID)
	if len(doc.Variants) == 0 {
		s.claims.mu.Lock()
		s.claims.gone[b.DocumentID] = true
		s.claims.mu.Unlock()
	}
	return ReadResult{Binding: out}, nil
}

// KeptWithoutDocument returns a warning when a refresh in this run found the binding's document gone
// and the plan keeps the resource anyway. A plan that destroys the resource (the data source dropped the
// document) gets no warning: the group goes as on_destroy says.
func (s *Service) KeptWithoutDocument(b Binding) *Warning {
	s.claims.mu.Lock()
	gone := s.claims.gone[b.DocumentID]
	s.claims.mu.Unlock()
	if !gone {
		return nil
	}
	w := documentGoneWarning(b)
	return &w
}

func documentGoneWarning(b Binding) Warning {
	return Warning{
		Summary: "Document no longer exists",
		Detail: fmt.Sprintf("Document %q has no published document, draft or release version in the dataset any more, "+
			"but the configuration still has a resource for it. Its Okta group %q (%s) is left as it is; remove the "+
			"resource from the configuration to delete the group (or keep it, with on_destroy = \"keep\").",
			b.DocumentID, b.Name, b.GroupID),
	}
}

// Update brings an existing group to the configured name and description and writes its ID back where it
// was lost or where the field moved.
func (s *Service) Update(ctx context.Context, prior Binding, spec Spec) (Binding, []Warning, error) {
	if err := s.validateSpec(spec); err != nil {
		return Binding{}, nil, err
	}
	// A direct read: an apply walk that updates a few groups should not list them all first.
	grp, err := s.groups.GetGroup(ctx, prior.GroupID)
	if errors.Is(err, ErrGroupNotFound) {
		s.forgetGroup(prior.GroupID)
		return Binding{}, nil, fmt.Errorf("the Okta group %q for document %q was deleted outside Terraform during this run; "+
			"run apply again to re-create it: %w", prior.GroupID, spec.DocumentID, err)
	}
	if err != nil {
		return Binding{}, nil, fmt.Errorf("reading Okta group %q for document %q: %w", prior.GroupID, spec.DocumentID, err)
	}
	if err := s.guard.check("update", spec.DocumentID, grp); err != nil {
		return Binding{}, nil, err
	}
	if grp, err = s.reconcileProfile(ctx, spec, grp); err != nil {
		return Binding{}, nil, err
	}
	if prior.Name != spec.Name {
		// A create in this run may be waiting for the old name.
		s.release(spec.DocumentID, prior.Name, "", false)
	}
	change := fieldChange{Field: spec.Field, GroupID: grp.ID}
	if prior.Field != "" && prior.Field != spec.Field {
		change.ClearField = prior.Field
	}
	doc, err := s.apply(ctx, spec.DocumentID, change)
	if err != nil {
		return Binding{}, nil, err
	}
	var warnings []Warning
	b := s.binding(spec, grp, true)
	if len(doc.Variants) == 0 {
		warnings = append(warnings, documentGoneWarning(b))
	}
	return b, warnings, nil
}

// DeleteResult is the outcome of Delete.
type DeleteResult struct {
	Warnings []Warning
}

// Delete deletes the group (unless keepGroup) and clears the field on every variant that still holds its
// ID. A group or document that is already gone is not an error. A group that another document holds is
// kept, with a warning: deleting it would take that document's access away.
func (s *Service) Delete(ctx context.Context, b Binding, keepGroup bool) (DeleteResult, error) {
	var res DeleteResult
	field := b.Field
	if field == "" {
		field = DefaultDocumentField
	}
	deleted := false
	defer func() { s.release(b.DocumentID, b.Name, b.GroupID, deleted) }()
	if !keepGroup {
		grp, err := s.groups.GetGroup(ctx, b.GroupID)
		switch {
		case errors.Is(err, ErrGroupNotFound):
		case err != nil:
			return res, fmt.Errorf("reading Okta group %q for document %q before deleting it: %w", b.GroupID, b.DocumentID, err)
		default:
			if err := s.guard.check("delete", b.DocumentID, grp); err != nil {
				return res, err
			}
			others, err := s.otherHolders(ctx, b.DocumentID, field, b.GroupID)
			if err != nil {
				return res, fmt.Errorf("checking that no other document holds Okta group %q (%s) before deleting it: %w",
					grp.Profile.Name, b.GroupID, err)
			}
			if len(others) > 0 {
				res.Warnings = append(res.Warnings, Warning{
					Summary: "Okta group kept: another document holds it",
					Detail: fmt.Sprintf("Document %q no longer manages the Okta group %q (%s), but document %q holds its ID in %q, "+
						"so the group is not deleted: that would take its access away. Only %q's field is cleared. If %q "+
						"should not hold this group, remove the ID from it; otherwise manage the group through %q's resource.",
						b.DocumentID, grp.Profile.Name, b.GroupID, others[0], field, b.DocumentID, others[0], others[0]),
				})
				break
			}
			if err := s.countDeletion(b); err != nil {
				return res, err
			}
			err = s.groups.DeleteGroup(ctx, b.GroupID)
			s.forgetGroup(b.GroupID)
			if err != nil {
				return res, fmt.Errorf("deleting Okta group %q (%s) for document %q: %w", grp.Profile.Name, b.GroupID, b.DocumentID, err)
			}
			deleted = true
		}
	}
	doc, err := s.apply(ctx, b.DocumentID, fieldChange{Field: field, OnlyIfGroupID: b.GroupID})
	if err != nil {
		return res, fmt.Errorf("clearing the group ID from document %q: %w", b.DocumentID, err)
	}
	if len(doc.Variants) == 0 {
		res.Warnings = append(res.Warnings, Warning{
			Summary: "Document already deleted",
			Detail:  fmt.Sprintf("Document %q no longer exists, so there was no group ID to clear.", b.DocumentID),
		})
	}
	return res, nil
}

// Import binds an existing document and group. With groupID empty the group is the one the published
// document names in field. The document must exist, and the group must pass the ownership guard and be
// held by no other document: import follows the same ownership rules as create.
func (s *Service) Import(ctx context.Context, documentID, groupID, field string) (Binding, []Warning, error) {
	if field == "" {
		field = DefaultDocumentField
	}
	if err := CheckDocumentID(documentID); err != nil {
		return Binding{}, nil, err
	}
	doc, err := s.readVariants(ctx, documentID, field)
	if err != nil {
		return Binding{}, nil, err
	}
	if len(doc.Variants) == 0 {
		return Binding{}, nil, fmt.Errorf("cannot import document %q: it does not exist in the dataset (no published document, "+
			"draft or release version); check the document ID", documentID)
	}
	if groupID == "" {
		pub, ok := doc.published()
		if !ok {
			return Binding{}, nil, fmt.Errorf("cannot import document %q: it has no published version; import it as %q instead",
				documentID, documentID+":<okta group id>")
		}
		if groupID = pub.stringField(field); groupID == "" {
			return Binding{}, nil, fmt.Errorf("cannot import document %q: its field %q holds no group ID; import it as %q instead",
				documentID, field, documentID+":<okta group id>")
		}
	}
	grp, err := s.groups.GetGroup(ctx, groupID)
	if err != nil {
		return Binding{}, nil, fmt.Errorf("importing document %q: reading Okta group %q: %w", documentID, groupID, err)
	}
	if err := s.guard.check("import", documentID, grp); err != nil {
		return Binding{}, nil, err
	}
	others, err := s.otherHolders(ctx, documentID, field, grp.ID)
	if err != nil {
		return Binding{}, nil, err
	}
	if len(others) > 0 {
		return Binding{}, nil, fmt.Errorf("cannot import document %q with Okta group %q (%s): document %q holds that group in %q. "+
			"One group serves one document; import %q with its own group, or import the group as %q's",
			documentID, grp.Profile.Name, grp.ID, others[0], field, documentID, others[0])
	}
	warnings := []Warning{{
		Summary: "Imported an existing Okta group",
		Detail: fmt.Sprintf("Document %q now manages the Okta group %q (%s) through this resource: the next apply renames it "+
			"to the configured name, and destroy deletes it unless on_destroy = \"keep\".", documentID, grp.Profile.Name, grp.ID),
	}}
	return Binding{
		DocumentID:     documentID,
		GroupID:        grp.ID,
		Name:           grp.Profile.Name,
		Description:    grp.Profile.Description,
		Field:          field,
		DocumentSynced: doc.synced(field, grp.ID),
	}, warnings, nil
}

func (s *Service) validateSpec(spec Spec) error {
	if err := CheckDocumentID(spec.DocumentID); err != nil {
		return err
	}
	if err := CheckFieldName(spec.Field); err != nil {
		return err
	}
	return s.guard.checkName(spec.DocumentID, spec.Name)
}

func (s *Service) binding(spec Spec, grp Group, synced bool) Binding {
	return Binding{
		DocumentID:     spec.DocumentID,
		GroupID:        grp.ID,
		Name:           grp.Profile.Name,
		Description:    grp.Profile.Description,
		Field:          spec.Field,
		DocumentSynced: synced,
	}
}
