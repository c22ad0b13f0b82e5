package sanitytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Seed stores documents as they are, without webhooks, new revisions or timestamps beyond what is
// missing: a document without _rev, _createdAt or _updatedAt gets them. Values are anything that
// marshals to a JSON object with a string _id and _type. An existing document with the same ID is replaced.
func (s *Server) Seed(docs ...any) error {
	normalized := make([]map[string]any, 0, len(docs))
	for i, d := range docs {
		v, err := normalizeJSON(d)
		if err != nil {
			return fmt.Errorf("sanitytest: seed document %d is not JSON: %w", i, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("sanitytest: seed document %d is not a JSON object", i)
		}
		id, _ := m["_id"].(string)
		if err := validateID(id); err != nil {
			return fmt.Errorf("sanitytest: seed document %d: %w", i, err)
		}
		if typ, _ := m["_type"].(string); typ == "" {
			return fmt.Errorf("sanitytest: seed document %q has no _type", id)
		}
		normalized = append(normalized, m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := formatTime(s.now())
	for _, m := range normalized {
		if _, ok := m["_rev"].(string); !ok {
			m["_rev"] = newID()
		}
		if _, ok := m["_createdAt"].(string); !ok {
			m["_createdAt"] = now
		}
		if _, ok := m["_updatedAt"].(string); !ok {
			m["_updatedAt"] = m["_createdAt"]
		}
		s.docs[storedID(m)] = m
	}
	s.sorted = nil
	s.generation++
	return nil
}

// SeedNDJSON seeds from newline-delimited JSON, one document per line, as `sanity dataset export` writes
// data.ndjson. Blank lines are skipped. Nothing is stored if any line is bad.
func (s *Server) SeedNDJSON(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var docs []any
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(text), &d); err != nil {
			return fmt.Errorf("sanitytest: NDJSON line %d is not a JSON object: %w", line, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sanitytest: reading NDJSON: %w", err)
	}
	return s.Seed(docs...)
}

// Document returns a copy of the stored document, or nil.
func (s *Server) Document(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyDoc(s.docs[id])
}

// Documents returns copies of every stored document (drafts and versions included), ordered by _id.
func (s *Server) Documents() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.snapshotLocked()
	out := make([]map[string]any, len(all))
	for i, d := range all {
		out[i] = copyDoc(stored(d))
	}
	return out
}

// Put writes a whole document as a client's createOrReplace would: new _rev and _updatedAt, and webhooks
// fire. It returns the stored document.
func (s *Server) Put(doc any) (map[string]any, error) {
	v, err := normalizeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("sanitytest: Put: document is not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("sanitytest: Put: document is not a JSON object")
	}
	var stored map[string]any
	err = s.transact(func(t *txn) *itemError {
		res, ierr := t.create("createOrReplace", m)
		if ierr == nil {
			stored = res.Document
		}
		return ierr
	})
	return copyDoc(stored), err
}

// Delete removes a document as a client's delete would (webhooks fire). A missing document is not an error.
func (s *Server) Delete(id string) error {
	return s.transact(func(t *txn) *itemError {
		t.delete(id)
		return nil
	})
}

// Publish acts as an editor pressing Publish: drafts.<id> replaces the published document <id> and the
// draft goes away.
func (s *Server) Publish(id string) error {
	_, ierr := s.runActions([]action{{ActionType: actionPublish, PublishedID: id, DraftID: "drafts." + id}}, "", false)
	if ierr != nil {
		return fmt.Errorf("sanitytest: publishing %q: %s", id, ierr.Error())
	}
	return nil
}

// Unpublish acts as an editor pressing Unpublish: the published document <id> goes away and its content
// lives on as drafts.<id> (an existing draft is kept).
func (s *Server) Unpublish(id string) error {
	_, ierr := s.runActions([]action{{ActionType: actionUnpublish, PublishedID: id, DraftID: "drafts." + id}}, "", false)
	if ierr != nil {
		return fmt.Errorf("sanitytest: unpublishing %q: %s", id, ierr.Error())
	}
	return nil
}

// Edit acts as an editor changing fields in the Studio: it patches drafts.<id>, creating the draft from
// the published document first when there is none, as the Studio does.
func (s *Server) Edit(id string, set map[string]any) error {
	v, err := normalizeJSON(set)
	if err != nil {
		return fmt.Errorf("sanitytest: Edit %q: fields are not JSON: %w", id, err)
	}
	fields, _ := v.(map[string]any)
	_, ierr := s.runActions([]action{{ActionType: actionEdit, PublishedID: id, DraftID: "drafts." + id, Patch: &patchSpec{Set: fields}}}, "", false)
	if ierr != nil {
		return fmt.Errorf("sanitytest: editing %q: %s", id, ierr.Error())
	}
	return nil
}

// transact runs fn as one committed transaction and delivers webhooks for it.
func (s *Server) transact(fn func(*txn) *itemError) error {
	s.mu.Lock()
	t := s.beginLocked("")
	if ierr := fn(t); ierr != nil {
		s.mu.Unlock()
		return fmt.Errorf("sanitytest: %s", ierr.Error())
	}
	changes := t.commitLocked()
	s.hooks.notify(t.id, changes, s.snapshotLocked)
	s.mu.Unlock()
	return nil
}

// HasTransaction reports whether a transaction with this ID was committed.
func (s *Server) HasTransaction(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transactions[id]
}
