package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// LinkSpec is what the configuration asks for: write the ID of a group the provider does not own (an
// access tier's group, say) into one document. The group comes from the configuration, never from the
// document, so an editor cannot redirect a link.
type LinkSpec struct {
	DocumentID string
	GroupID    string
	Field      string
	// AllowBuiltIn is the name of a BUILT_IN group (Everyone) the configuration opts in to linking.
	AllowBuiltIn string
}

// Link is a document linked to a group as it exists.
type Link struct {
	DocumentID string
	GroupID    string
	GroupName  string
	Field      string
	// DocumentSynced is true when every existing variant of the document holds GroupID in Field.
	DocumentSynced bool
}

// linkTarget reads the group a link names and checks it may be linked: it exists, is not one of this
// provider's own groups, and is not BUILT_IN unless the configuration opts in by name. A group with
// admin privileges is linked with a warning: the link grants no privileges, but the group does.
func (s *Service) linkTarget(ctx context.Context, spec LinkSpec) (Group, []Warning, error) {
	grp, err := s.group(ctx, spec.GroupID)
	if errors.Is(err, ErrGroupNotFound) {
		return Group{}, nil, fmt.Errorf("document %q cannot be linked to Okta group %q: no such group exists. Check the "+
			"group ID in the configuration (the link never creates a group)", spec.DocumentID, spec.GroupID)
	}
	if err != nil {
		return Group{}, nil, fmt.Errorf("reading Okta group %q to link document %q: %w", spec.GroupID, spec.DocumentID, err)
	}
	if grp.Type == GroupTypeBuiltIn && grp.Profile.Name != spec.AllowBuiltIn {
		return Group{}, nil, fmt.Errorf("document %q cannot be linked to Okta group %q (%s): it is a BUILT_IN group, which "+
			"holds every user of the org, so linking to it is almost always a mistake. If every user should see the "+
			"document, set allow_built_in_group = %q", spec.DocumentID, grp.Profile.Name, grp.ID, grp.Profile.Name)
	}
	if p := s.opts.GroupNamePrefix; p != "" && strings.HasPrefix(grp.Profile.Name, p) {
		return Group{}, nil, fmt.Errorf("document %q cannot be linked to Okta group %q (%s): its name starts with the "+
			"group name prefix %q, so it is a group this provider owns for a document. Link to groups managed outside "+
			"this configuration, or manage this document with sanityokta_document_group", spec.DocumentID, grp.Profile.Name, grp.ID, p)
	}
	var warnings []Warning
	if grp.AdminPrivilege {
		warnings = append(warnings, Warning{
			Summary: "Linked group has administrator privileges",
			Detail: fmt.Sprintf("Document %q is linked to the Okta group %q (%s), which has an admin role assigned. The link "+
				"only writes its ID into the document, but whoever the group holds is an administrator: check that "+
				"this is the group meant for readers of the document.", spec.DocumentID, grp.Profile.Name, grp.ID),
		})
	}
	return grp, warnings, nil
}

// CreateLink writes the group's ID into every variant of the document. It never creates, renames or
// deletes the group.
func (s *Service) CreateLink(ctx context.Context, spec LinkSpec) (Link, []Warning, error) {
	if err := s.validateLink(spec); err != nil {
		return Link{}, nil, err
	}
	if err := s.claimDocument(spec.DocumentID); err != nil {
		return Link{}, nil, err
	}
	batched := s.writes.expect()
	defer batched.leave()
	grp, warnings, err := s.linkTarget(ctx, spec)
	if err != nil {
		return Link{}, nil, err
	}
	doc, err := s.readVariants(ctx, spec.DocumentID, spec.Field)
	if err != nil {
		return Link{}, warnings, err
	}
	if len(doc.Variants) == 0 {
		return Link{}, warnings, fmt.Errorf("document %q does not exist in the dataset (no published document, draft or "+
			"release version): check document_id; nothing was linked", spec.DocumentID)
	}
	if _, err := s.applyFrom(ctx, spec.DocumentID, fieldChange{Field: spec.Field, GroupID: grp.ID}, &doc, batched); err != nil {
		return Link{}, warnings, fmt.Errorf("linking document %q to Okta group %q (%s): %w", spec.DocumentID, grp.Profile.Name, grp.ID, err)
	}
	return Link{DocumentID: spec.DocumentID, GroupID: grp.ID, GroupName: grp.Profile.Name, Field: spec.Field, DocumentSynced: true}, warnings, nil
}

// ReadLink refreshes a link through the shared listings. Gone reports that the group no longer exists:
// the link leaves state, and the next plan's create says so.
func (s *Service) ReadLink(ctx context.Context, l Link) (out Link, gone bool, err error) {
	grp, err := s.group(ctx, l.GroupID)
	if errors.Is(err, ErrGroupNotFound) {
		return Link{}, true, nil
	}
	if err != nil {
		return Link{}, false, fmt.Errorf("reading Okta group %q linked to document %q: %w", l.GroupID, l.DocumentID, err)
	}
	field := l.Field
	if field == "" {
		field = DefaultDocumentField
	}
	doc, err := s.variants(ctx, l.DocumentID, field)
	if err != nil {
		return Link{}, false, err
	}
	l.GroupName = grp.Profile.Name
	l.DocumentSynced = doc.synced(field, l.GroupID)
	return l, false, nil
}

// UpdateLink moves the link to another group or field, and repairs variants that lost the ID or hold
// another one (an editor cannot redirect a link: the configuration wins).
func (s *Service) UpdateLink(ctx context.Context, prior Link, spec LinkSpec) (Link, []Warning, error) {
	if err := s.validateLink(spec); err != nil {
		return Link{}, nil, err
	}
	grp, warnings, err := s.linkTarget(ctx, spec)
	if err != nil {
		return Link{}, nil, err
	}
	change := fieldChange{Field: spec.Field, GroupID: grp.ID}
	if prior.Field != "" && prior.Field != spec.Field {
		change.ClearField = prior.Field
	}
	if _, err := s.apply(ctx, spec.DocumentID, change); err != nil {
		return Link{}, warnings, fmt.Errorf("linking document %q to Okta group %q (%s): %w", spec.DocumentID, grp.Profile.Name, grp.ID, err)
	}
	if change.ClearField != "" && prior.GroupID != grp.ID {
		// The old field may still hold the old group's ID.
		if _, err := s.apply(ctx, spec.DocumentID, fieldChange{Field: prior.Field, OnlyIfGroupID: prior.GroupID}); err != nil {
			return Link{}, warnings, fmt.Errorf("clearing the old link from %q of document %q: %w", prior.Field, spec.DocumentID, err)
		}
	}
	return Link{DocumentID: spec.DocumentID, GroupID: grp.ID, GroupName: grp.Profile.Name, Field: spec.Field, DocumentSynced: true}, warnings, nil
}

// DeleteLink clears the field on every variant that still holds the linked ID. The group is not touched.
func (s *Service) DeleteLink(ctx context.Context, l Link) error {
	field := l.Field
	if field == "" {
		field = DefaultDocumentField
	}
	if _, err := s.apply(ctx, l.DocumentID, fieldChange{Field: field, OnlyIfGroupID: l.GroupID}); err != nil {
		return fmt.Errorf("clearing the link to Okta group %q from document %q: %w", l.GroupID, l.DocumentID, err)
	}
	return nil
}

// ImportLink takes over the link a document already holds in field.
func (s *Service) ImportLink(ctx context.Context, documentID, field string) (Link, error) {
	if field == "" {
		field = DefaultDocumentField
	}
	if err := CheckDocumentID(documentID); err != nil {
		return Link{}, err
	}
	doc, err := s.readVariants(ctx, documentID, field)
	if err != nil {
		return Link{}, err
	}
	pub, ok := doc.published()
	if !ok {
		return Link{}, fmt.Errorf("cannot import the link of document %q: it has no published version", documentID)
	}
	id := pub.stringField(field)
	if id == "" {
		return Link{}, fmt.Errorf("cannot import the link of document %q: its field %q holds no group ID", documentID, field)
	}
	l, gone, err := s.ReadLink(ctx, Link{DocumentID: documentID, GroupID: id, Field: field})
	if err != nil {
		return Link{}, err
	}
	if gone {
		return Link{}, fmt.Errorf("cannot import the link of document %q: the Okta group %q its field %q names does not exist", documentID, id, field)
	}
	return l, nil
}

func (s *Service) validateLink(spec LinkSpec) error {
	if err := CheckDocumentID(spec.DocumentID); err != nil {
		return err
	}
	if err := CheckFieldName(spec.Field); err != nil {
		return err
	}
	if spec.GroupID == "" {
		return fmt.Errorf("the link for document %q names no group", spec.DocumentID)
	}
	return nil
}
