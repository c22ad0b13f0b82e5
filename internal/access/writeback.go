package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// fieldChange says what a document's variants should look like afterwards: Field holds GroupID (or, when
// GroupID is empty, Field no longer holds OnlyIfGroupID), and ClearField, if set, no longer holds GroupID.
type fieldChange struct {
	Field   string
	GroupID string
	// ClearField is a field the group ID moved away from; it is unset where it still holds GroupID.
	ClearField string
	// OnlyIfGroupID restricts an unset (GroupID == "") to variants that hold this ID, so the provider never
	// clears a value it did not write.
	OnlyIfGroupID string
}

func (c fieldChange) fields() []string {
	fs := []string{c.Field}
	if c.ClearField != "" && c.ClearField != c.Field {
		fs = append(fs, c.ClearField)
	}
	return fs
}

// patches plans the back-patch: one patch per variant that differs, each guarded by the revision it was
// computed from. Variants are only ever patched, never created, so the provider never makes a draft.
func (c fieldChange) patches(d documentVariants) []Patch {
	var out []Patch
	for _, v := range d.Variants {
		p := Patch{DocumentID: v.ID, IfRevisionID: v.Rev}
		if c.GroupID != "" {
			if cur, ok := v.Fields[c.Field]; !ok || cur != c.GroupID {
				p.Set = map[string]any{c.Field: c.GroupID}
			}
			if c.ClearField != "" && c.ClearField != c.Field && v.stringField(c.ClearField) == c.GroupID {
				p.Unset = append(p.Unset, c.ClearField)
			}
		} else if v.stringField(c.Field) == c.OnlyIfGroupID {
			p.Unset = append(p.Unset, c.Field)
		}
		if p.Set != nil || len(p.Unset) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// transactionID is derived from the patches, including the revisions they are guarded by, so a retried
// request for the same change carries the same ID and the Content Lake refuses to apply it twice, while a
// retry after a re-read (new revisions) gets a fresh one.
func transactionID(documentID string, patches []Patch) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", documentID)
	for _, p := range patches {
		fmt.Fprintf(h, "%s@%s\n", p.DocumentID, p.IfRevisionID)
		keys := make([]string, 0, len(p.Set))
		for k := range p.Set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "set %s=%v\n", k, p.Set[k])
		}
		for _, k := range p.Unset {
			fmt.Fprintf(h, "unset %s\n", k)
		}
	}
	return "sanityokta-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// readVariants reads every variant of documentID with the given fields.
func (s *Service) readVariants(ctx context.Context, documentID string, fields ...string) (documentVariants, error) {
	raw, err := s.content.Query(ctx, variantsQuery(documentID, fields))
	if err != nil {
		return documentVariants{}, fmt.Errorf("reading document %q and its drafts and release versions from the Content Lake: %w", documentID, err)
	}
	return decodeVariants(documentID, raw)
}

// apply brings every variant of the document in line with change, in one transaction per attempt. When a
// variant changed or vanished between the read and the write it reads again and retries, a bounded number
// of times. It returns the variants as they were last read before the successful write.
func (s *Service) apply(ctx context.Context, documentID string, change fieldChange) (documentVariants, error) {
	return s.applyFrom(ctx, documentID, change, nil, nil)
}

// applyFrom is apply with the first attempt planned from read, variants just read with change's fields
// (nil reads them). A stale read costs one revision conflict and a fresh read. A create passes itself as
// batched: its first write may share a transaction with other creates' (see coalesce.go).
func (s *Service) applyFrom(ctx context.Context, documentID string, change fieldChange, read *documentVariants, batched *expectedWrite) (documentVariants, error) {
	// Whatever happens, what the shared listings hold about this document may be out of date.
	defer s.forgetDocument(documentID)
	var lastErr error
	for attempt := 0; attempt <= s.opts.WriteRetries; attempt++ {
		var d documentVariants
		if attempt == 0 && read != nil {
			d = *read
		} else {
			var err error
			if d, err = s.readVariants(ctx, documentID, change.fields()...); err != nil {
				return documentVariants{}, err
			}
		}
		patches := change.patches(d)
		if len(patches) == 0 {
			return d, nil
		}
		var err error
		if attempt == 0 && batched != nil {
			err = s.mutateCoalesced(ctx, batched, documentID, patches)
		} else {
			err = s.content.Mutate(ctx, transactionID(documentID, patches), patches)
		}
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, ErrRevisionConflict) && !errors.Is(err, ErrDocumentNotFound) {
			return documentVariants{}, fmt.Errorf("writing %s to %s of document %q: %w",
				describeChange(change), variantIDs(patches), documentID, err)
		}
		lastErr = err
		if err := s.opts.sleep(ctx, s.opts.backoff(attempt)); err != nil {
			return documentVariants{}, err
		}
	}
	return documentVariants{}, fmt.Errorf("writing %s to document %q: the document kept changing while the provider wrote "+
		"to it (%d attempts); run apply again: %w", describeChange(change), documentID, s.opts.WriteRetries+1, lastErr)
}

func describeChange(c fieldChange) string {
	if c.GroupID == "" {
		return fmt.Sprintf("the cleared field %q", c.Field)
	}
	return fmt.Sprintf("group ID %q in field %q", c.GroupID, c.Field)
}

func variantIDs(ps []Patch) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.DocumentID
	}
	return strings.Join(ids, ", ")
}
