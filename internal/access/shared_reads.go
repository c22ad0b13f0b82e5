package access

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Invariant: a read never takes "missing from a listing" for "gone". Within one Service, reads share two
// listings, each loaded once, page by page, on first use: the groups under the prefix, and the
// written-back field of every variant that holds it plus the IDs of every draft and release version. Okta's
// search lags behind writes, so a group absent from the listing is confirmed with a GET, and a document
// whose published variant lacks the field is read on its own. Every write updates or drops what it changed.

// groupListing is the shared listing of the groups under the prefix.
type groupListing struct {
	load
	byID   map[string]Group
	byName map[string]string // exact name -> ID, OKTA_GROUPs only
}

// documentListing is the shared listing of one written-back field.
type documentListing struct {
	load
	// docs holds every document whose published variant holds the field, with all its variants.
	docs map[string]documentVariants
}

// load is a read that one caller runs while the others wait for its outcome.
type load struct {
	loaded chan struct{} // closed once the read succeeded or failed
	err    error
}

func newLoad() load { return load{loaded: make(chan struct{})} }

// wait blocks until the read is done, or ctx ends, and returns the read's error.
func (l *load) wait(ctx context.Context) error {
	select {
	case <-l.loaded:
		return l.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type sharedReads struct {
	mu     sync.Mutex
	groups *groupListing
	fields map[string]*documentListing
	// directNameLookups counts the name lookups made with a search of their own before any listing.
	directNameLookups int
	// gets are the GETs of single groups under way.
	gets map[string]*groupGet
	// rules is the shared listing of group rules (rule.go).
	rules *ruleListing
}

// directNameLookupBudget is how many name lookups search on their own before the group listing is worth
// loading. A publish that adds one document creates one group, and listing 10,000 groups for it would
// cost 50 requests, half a developer org's minute; a first apply of many documents lists once after
// these few.
const directNameLookupBudget = 10

// listedGroups returns the shared group listing, loading it on first use. A failed load is not kept, so
// a later call tries again.
func (s *Service) listedGroups(ctx context.Context) (*groupListing, error) {
	s.shared.mu.Lock()
	l := s.shared.groups
	first := l == nil
	if first {
		l = &groupListing{load: newLoad()}
		s.shared.groups = l
	}
	s.shared.mu.Unlock()

	if first {
		groups, err := s.groups.ListGroupsByPrefix(ctx, s.opts.GroupNamePrefix)
		s.shared.mu.Lock()
		if err != nil {
			l.err = fmt.Errorf("listing the Okta groups whose names start with %q: %w", s.opts.GroupNamePrefix, err)
			s.shared.groups = nil
		} else {
			l.byID = make(map[string]Group, len(groups))
			l.byName = make(map[string]string, len(groups))
			for _, g := range groups {
				l.putLocked(g)
			}
		}
		s.shared.mu.Unlock()
		close(l.loaded)
	}
	if err := l.wait(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *groupListing) putLocked(g Group) {
	if old, ok := l.byID[g.ID]; ok && l.byName[old.Profile.Name] == g.ID {
		delete(l.byName, old.Profile.Name)
	}
	l.byID[g.ID] = g
	if g.Type == GroupTypeOkta {
		l.byName[g.Profile.Name] = g.ID
	}
}

// rememberGroup records a group this Service read or wrote, if the listing is loaded.
func (s *Service) rememberGroup(g Group) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	if l := s.shared.groups; l != nil && l.byID != nil {
		l.putLocked(g)
	}
}

// forgetGroup drops a group this Service deleted or found gone.
func (s *Service) forgetGroup(id string) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	if l := s.shared.groups; l != nil && l.byID != nil {
		if old, ok := l.byID[id]; ok && l.byName[old.Profile.Name] == id {
			delete(l.byName, old.Profile.Name)
		}
		delete(l.byID, id)
	}
}

// group returns the group with this ID from the shared listing, or, when the listing does not have it
// (Okta's search lags behind writes; or its name is outside the prefix), from a GET. Errors are
// GetGroup's: a group that is really gone wraps ErrGroupNotFound.
func (s *Service) group(ctx context.Context, id string) (Group, error) {
	l, err := s.listedGroups(ctx)
	if err != nil {
		return Group{}, err
	}
	s.shared.mu.Lock()
	g, ok := l.byID[id]
	s.shared.mu.Unlock()
	if ok {
		return g, nil
	}
	return s.getGroupOnce(ctx, id)
}

// groupGet is a GET of one group that concurrent callers share: links of many documents name the same
// few groups, which are outside the prefix and so missing from the listing.
type groupGet struct {
	load
	group Group
}

// getGroupOnce GETs a group, sharing one request among the callers that ask for it at the same time.
func (s *Service) getGroupOnce(ctx context.Context, id string) (Group, error) {
	s.shared.mu.Lock()
	if s.shared.gets == nil {
		s.shared.gets = map[string]*groupGet{}
	}
	g, inFlight := s.shared.gets[id]
	if !inFlight {
		g = &groupGet{load: newLoad()}
		s.shared.gets[id] = g
	}
	s.shared.mu.Unlock()
	if !inFlight {
		g.group, g.err = s.groups.GetGroup(ctx, id)
		if g.err == nil {
			s.rememberGroup(g.group)
		}
		s.shared.mu.Lock()
		delete(s.shared.gets, id)
		s.shared.mu.Unlock()
		close(g.loaded)
	}
	if err := g.wait(ctx); err != nil {
		return Group{}, err
	}
	return g.group, nil
}

// groupNamed returns the OKTA_GROUP with exactly this name from the shared listing. Not finding it means
// only that the listing does not have it: a group created moments ago may be missing, which CreateGroup's
// name-taken answer reveals. Names outside the prefix, and the first few names before the listing is
// loaded, are looked up with a search of their own.
func (s *Service) groupNamed(ctx context.Context, name string) (Group, bool, error) {
	s.shared.mu.Lock()
	direct := !strings.HasPrefix(name, s.opts.GroupNamePrefix) ||
		(s.shared.groups == nil && s.shared.directNameLookups < directNameLookupBudget)
	if direct {
		s.shared.directNameLookups++
	}
	s.shared.mu.Unlock()
	if direct {
		return s.groups.FindGroupByName(ctx, name)
	}
	l, err := s.listedGroups(ctx)
	if err != nil {
		return Group{}, false, err
	}
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	id, ok := l.byName[name]
	if !ok {
		return Group{}, false, nil
	}
	return l.byID[id], true, nil
}

// listedDocuments returns the shared listing of field, loading it on first use.
func (s *Service) listedDocuments(ctx context.Context, field string) (*documentListing, error) {
	s.shared.mu.Lock()
	if s.shared.fields == nil {
		s.shared.fields = map[string]*documentListing{}
	}
	l := s.shared.fields[field]
	first := l == nil
	if first {
		l = &documentListing{load: newLoad()}
		s.shared.fields[field] = l
	}
	s.shared.mu.Unlock()

	if first {
		docs, err := s.loadDocumentListing(ctx, field)
		s.shared.mu.Lock()
		if err != nil {
			l.err = fmt.Errorf("reading field %q of the documents that hold it from the Content Lake: %w", field, err)
			delete(s.shared.fields, field)
		} else {
			l.docs = docs
		}
		s.shared.mu.Unlock()
		close(l.loaded)
	}
	if err := l.wait(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// loadDocumentListing reads, page by page in _id order, every variant that holds field and every draft
// and release version (whose field may have been lost), and keeps the documents whose published variant
// holds the field: only for those is the set of variants known to be complete.
func (s *Service) loadDocumentListing(ctx context.Context, field string) (map[string]documentVariants, error) {
	groq := fmt.Sprintf(`*[(defined(%s) || _id in path("drafts.**") || _id in path("versions.**")) && _id > $%s]`+
		` | order(_id asc) [0...%d] {_id, _rev, %s}`, field, pageCursorParam, s.opts.QueryPageSize, field)
	all := map[string][]variant{}
	after := ""
	for {
		raw, err := s.content.Query(ctx, Query{GROQ: groq, Params: map[string]any{pageCursorParam: after}, Perspective: "raw"})
		if err != nil {
			return nil, err
		}
		var rows []map[string]any
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, fmt.Errorf("unexpected query result: %w", err)
		}
		for _, row := range rows {
			id, _ := row["_id"].(string)
			if id == "" || id <= after {
				return nil, fmt.Errorf("the Content Lake returned _id %q out of order after %q", id, after)
			}
			after = id
			rev, _ := row["_rev"].(string)
			pub := publishedID(id)
			all[pub] = append(all[pub], variant{ID: id, Rev: rev, Fields: row})
		}
		if len(rows) < s.opts.QueryPageSize {
			break
		}
	}
	docs := make(map[string]documentVariants, len(all))
	for pub, vs := range all {
		d := documentVariants{DocumentID: pub, Variants: vs}
		if p, ok := d.published(); ok && p.Fields[field] != nil {
			sortVariants(&d)
			docs[pub] = d
		}
	}
	return docs, nil
}

// variants returns the document's variants with field, from the shared listing when the listing knows
// all of them, else from a query of its own.
func (s *Service) variants(ctx context.Context, documentID, field string) (documentVariants, error) {
	l, err := s.listedDocuments(ctx, field)
	if err != nil {
		return documentVariants{}, err
	}
	s.shared.mu.Lock()
	d, ok := l.docs[documentID]
	s.shared.mu.Unlock()
	if ok {
		return d, nil
	}
	return s.readVariants(ctx, documentID, field)
}

// forgetDocument drops a document this Service is writing to from every field listing.
func (s *Service) forgetDocument(documentID string) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	for _, l := range s.shared.fields {
		if l.docs != nil {
			delete(l.docs, documentID)
		}
	}
}
