package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// claims keeps one group to one document and one document to one resource inside a Service, whatever
// order Terraform runs its operations in. Every plan claims its document and its group name; every create
// claims them again before it calls Okta, so of two documents asking for one name the second always
// fails, and never finds the first one's group before its ID is written back. Across processes the
// written-back field is the record (see otherHolders).
type claims struct {
	mu sync.Mutex
	// nonce makes plan tokens of this Service unlike any other process's.
	nonce  string
	issued int
	// names maps a group name to the document that asked for it.
	names map[string]string
	// planned maps a document to the plan token of the resource instance that plans it.
	planned map[string]string
	// creating holds the documents whose create has started.
	creating map[string]bool
	// bound maps a group ID to the document it was created or adopted for in this Service.
	bound map[string]string
	// deleted holds the groups this Service deleted: search may still return them for a while.
	deleted map[string]bool
	// gone holds the documents a refresh found deleted.
	gone map[string]bool
	// released is closed, and replaced, whenever a name or a group is let go.
	released chan struct{}
	// deletions counts the groups planned for deletion, and those deleted.
	plannedDeletions, deletions int
}

func (c *claims) init() {
	var b [6]byte
	_, _ = rand.Read(b[:])
	c.nonce = hex.EncodeToString(b[:])
	c.names = map[string]string{}
	c.planned = map[string]string{}
	c.creating = map[string]bool{}
	c.bound = map[string]string{}
	c.deleted = map[string]bool{}
	c.gone = map[string]bool{}
	c.released = make(chan struct{})
}

// PlanClaim is one resource instance's plan, as the Terraform layer sees it.
type PlanClaim struct {
	DocumentID string
	// Name is the planned group name; empty when it is not known yet.
	Name string
	// Token is what an earlier ClaimPlan returned for this instance, carried in its private state; empty
	// or foreign (from another process) for an instance planned here for the first time.
	Token string
}

// ClaimPlan records that a resource instance plans a group named c.Name for document c.DocumentID. It
// refuses a document already planned by another instance, and a name already asked for by another
// document. It returns the instance's token: Terraform plans a replacement twice, passing the first plan's
// private state to the second, and the token tells the two calls apart from a second resource.
func (s *Service) ClaimPlan(c PlanClaim) (token string, err error) {
	cl := &s.claims
	cl.mu.Lock()
	defer cl.mu.Unlock()
	token = c.Token
	if !cl.ownsToken(token) {
		cl.issued++
		token = cl.nonce + "-" + strconv.Itoa(cl.issued)
	}
	if other, ok := cl.planned[c.DocumentID]; ok && other != token {
		return token, fmt.Errorf("document %q is managed by two resources in this configuration (sanityokta_document_group, "+
			"sanityokta_document_link, or an entry of a sanityokta_document_groups collection); each would overwrite the "+
			"other's group ID in the document on every apply. Keep one resource per document: a document owns a group or "+
			"links to one, not both. If two data sources overlap, make their filters exclusive, or build one map from "+
			"both with merge()", c.DocumentID)
	}
	cl.planned[c.DocumentID] = token
	if c.Name == "" {
		return token, nil
	}
	if other, ok := cl.names[c.Name]; ok && other != c.DocumentID {
		return token, sameNameError(c.Name, other, c.DocumentID)
	}
	cl.names[c.Name] = c.DocumentID
	return token, nil
}

func (c *claims) ownsToken(token string) bool {
	n, ok := strings.CutPrefix(token, c.nonce+"-")
	if !ok {
		return false
	}
	i, err := strconv.Atoi(n)
	return err == nil && i >= 1 && i <= c.issued
}

func sameNameError(name, first, second string) error {
	return fmt.Errorf("documents %q and %q both ask for the Okta group name %q; one group cannot serve two documents, "+
		"so neither gets it in this run. Give them different names: usually one of the two was copied and its slug "+
		"should change, or the name expression needs a part that differs (for example the document ID)", first, second, name)
}

// claimCreate is the apply-time half of ClaimPlan, taken before a create calls Okta: two creates in one
// process for one document, or for one name from two documents, are refused before either has a group.
func (s *Service) claimCreate(spec Spec) error {
	if err := s.claimDocument(spec.DocumentID); err != nil {
		return err
	}
	cl := &s.claims
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if other, ok := cl.names[spec.Name]; ok && other != spec.DocumentID {
		return sameNameError(spec.Name, other, spec.DocumentID)
	}
	cl.names[spec.Name] = spec.DocumentID
	return nil
}

// claimDocument refuses a second create, of a group or a link, for one document in this process.
func (s *Service) claimDocument(documentID string) error {
	cl := &s.claims
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.creating[documentID] {
		return fmt.Errorf("two resources create a group or a link for document %q in this run; keep one "+
			"resource per document: a document owns a group or links to one, not both", documentID)
	}
	cl.creating[documentID] = true
	return nil
}

// bind records that group id now belongs to documentID in this Service. It refuses a group already bound
// to another document here, which the Content Lake cannot show yet while that document's write-back is
// on its way.
func (s *Service) bind(documentID string, grp Group) error {
	cl := &s.claims
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if other, ok := cl.bound[grp.ID]; ok && other != documentID {
		return &heldElsewhereError{Group: grp, Holder: other, DocumentID: documentID, inProcess: true}
	}
	cl.bound[grp.ID] = documentID
	return nil
}

// boundElsewhere returns the document other than documentID that group id was bound to in this Service.
func (s *Service) boundElsewhere(id, documentID string) string {
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	if other := s.claims.bound[id]; other != documentID {
		return other
	}
	return ""
}

// release lets go of what documentID held: its name, and the group, which deleted says is gone. Creates
// waiting for that name or group try again.
func (s *Service) release(documentID, name, groupID string, deleted bool) {
	cl := &s.claims
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if name != "" && cl.names[name] == documentID {
		delete(cl.names, name)
	}
	if groupID != "" {
		if cl.bound[groupID] == documentID {
			delete(cl.bound, groupID)
		}
		if deleted {
			cl.deleted[groupID] = true
		}
	}
	close(cl.released)
	cl.released = make(chan struct{})
}

// wasDeleted reports whether this Service deleted the group.
func (s *Service) wasDeleted(id string) bool {
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	return s.claims.deleted[id]
}

// releases returns a channel that is closed at the next release. Take it before looking, so a release
// between the look and the wait is not missed.
func (s *Service) releases() <-chan struct{} {
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	return s.claims.released
}

// waitForRelease blocks until released is closed, deadline passes or ctx ends; false means give up.
func (s *Service) waitForRelease(ctx context.Context, released <-chan struct{}, deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-released:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// heldElsewhereError is a group that another document holds, so it cannot be adopted for this one.
type heldElsewhereError struct {
	Group      Group
	Holder     string
	DocumentID string
	// inProcess means the holder was bound in this Service, by a create or adoption still in progress.
	inProcess bool
}

func (e *heldElsewhereError) Error() string {
	return fmt.Sprintf("the Okta group %q (%s) belongs to document %q, so it cannot also serve document %q: "+
		"one group serves one document. Give the two documents different group names (if %q was copied from %q, "+
		"change its slug)", e.Group.Profile.Name, e.Group.ID, e.Holder, e.DocumentID, e.DocumentID, e.Holder)
}
