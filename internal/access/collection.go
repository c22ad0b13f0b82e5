package access

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// A collection is the groups of many documents managed as one unit (one Terraform resource instance):
// each member gets exactly what a single document group gets (adoption, the ownership guard, claims,
// write-back to every variant, drift repair, on_destroy, the deletion limit), and the members are worked
// on in parallel inside this process, under the Okta pacer and the write-back coalescer, instead of one
// Terraform operation each.

// CollectionWorkers is how many members of a collection are worked on at once. It is well above the
// pacer's limit of requests in flight: most of a create's time is spent waiting on the pacer or on the
// shared write-back, and the coalescer fills a transaction with the creates that are waiting on it.
const CollectionWorkers = coalesceMaxBatch

// MemberChange is what an apply does to one member of a collection: Prior is what state holds (nil for
// a document that joins the collection), Spec what the configuration asks for (nil for a document that
// leaves it, whose group goes as KeepGroup says).
type MemberChange struct {
	DocumentID string
	Prior      *Binding
	Spec       *Spec
	KeepGroup  bool
}

// needsWork reports whether an existing member differs from what is asked of it.
func (c MemberChange) needsWork() bool {
	if c.Prior == nil || c.Spec == nil {
		return true
	}
	p, s := c.Prior, c.Spec
	return p.Name != s.Name || p.Description != s.Description || p.Field != s.Field || !p.DocumentSynced
}

// MemberOutcome is what became of one member. Binding is the member as it now exists, nil when it is not
// in the collection any more (it left, or it joined but its create failed). When Err is set, Binding is
// what state should keep: the prior member for a failed update or deletion.
type MemberOutcome struct {
	DocumentID string
	Binding    *Binding
	Err        error
	Warnings   []Warning
}

// ApplyCollection makes every change, in parallel. Departures and updates go first, creates after, so a
// name that one member lets go is free before another member asks for it. A failure is the member's
// alone: every other change still happens, and the outcomes say which succeeded.
func (s *Service) ApplyCollection(ctx context.Context, changes []MemberChange) []MemberOutcome {
	out := make([]MemberOutcome, len(changes))
	var first, second []int
	for i, c := range changes {
		out[i] = MemberOutcome{DocumentID: c.DocumentID, Binding: c.Prior}
		switch {
		case !c.needsWork():
		case c.Prior == nil:
			second = append(second, i)
		default:
			first = append(first, i)
		}
	}
	run := func(idx []int) {
		parallel(len(idx), CollectionWorkers, func(k int) {
			i := idx[k]
			out[i] = s.applyMember(ctx, changes[i])
		})
	}
	run(first)
	run(second)
	return out
}

func (s *Service) applyMember(ctx context.Context, c MemberChange) MemberOutcome {
	o := MemberOutcome{DocumentID: c.DocumentID, Binding: c.Prior}
	if err := ctx.Err(); err != nil {
		o.Err = err
		return o
	}
	switch {
	case c.Spec == nil:
		res, err := s.Delete(ctx, *c.Prior, c.KeepGroup)
		o.Warnings, o.Err = res.Warnings, err
		if err == nil {
			o.Binding = nil
		}
	case c.Prior == nil:
		b, ws, err := s.Create(patientWrites(ctx), *c.Spec)
		o.Warnings, o.Err = ws, err
		if err == nil {
			o.Binding = &b
		}
	default:
		b, ws, err := s.Update(ctx, *c.Prior, *c.Spec)
		o.Warnings, o.Err = ws, err
		if err == nil {
			o.Binding = &b
		}
	}
	return o
}

// ReadCollection refreshes every member through the shared listings. A member whose group is gone has a
// nil Binding: it leaves state, and the plan creates it again.
func (s *Service) ReadCollection(ctx context.Context, members []Binding) []MemberOutcome {
	out := make([]MemberOutcome, len(members))
	parallel(len(members), CollectionWorkers, func(i int) {
		b := members[i]
		o := MemberOutcome{DocumentID: b.DocumentID, Binding: &members[i]}
		res, err := s.Read(ctx, b)
		switch {
		case err != nil:
			o.Err = err
		case res.GroupGone:
			o.Binding = nil
		default:
			o.Binding, o.Warnings = &res.Binding, res.Warnings
		}
		out[i] = o
	})
	return out
}

// ImportRef names one member to import: a document, and optionally its group (else the group the
// published document names).
type ImportRef struct {
	DocumentID string
	GroupID    string
}

// DocumentsHoldingField returns the published IDs of every document whose published variant holds a
// value in field, sorted: the members of an existing collection written back by this provider.
func (s *Service) DocumentsHoldingField(ctx context.Context, field string) ([]string, error) {
	if err := CheckFieldName(field); err != nil {
		return nil, err
	}
	l, err := s.listedDocuments(ctx, field)
	if err != nil {
		return nil, err
	}
	s.shared.mu.Lock()
	ids := make([]string, 0, len(l.docs))
	for id := range l.docs {
		ids = append(ids, id)
	}
	s.shared.mu.Unlock()
	sort.Strings(ids)
	return ids, nil
}

// ImportCollection imports every member with Import's rules (the document must exist, the group must pass
// the ownership guard and be held by no other document). It stops at nothing: each outcome says how its
// member fared.
func (s *Service) ImportCollection(ctx context.Context, refs []ImportRef, field string) []MemberOutcome {
	out := make([]MemberOutcome, len(refs))
	seenGroups := map[string]string{}
	var mu sync.Mutex
	parallel(len(refs), CollectionWorkers, func(i int) {
		r := refs[i]
		b, ws, err := s.Import(ctx, r.DocumentID, r.GroupID, field)
		o := MemberOutcome{DocumentID: r.DocumentID, Warnings: ws, Err: err}
		if err == nil {
			mu.Lock()
			other, dup := seenGroups[b.GroupID]
			if !dup {
				seenGroups[b.GroupID] = r.DocumentID
			}
			mu.Unlock()
			if dup {
				o.Err = fmt.Errorf("cannot import document %q with Okta group %q (%s): document %q is imported with the "+
					"same group. One group serves one document; give each document its own group", r.DocumentID,
					b.Name, b.GroupID, other)
			} else {
				o.Binding = &b
			}
		}
		out[i] = o
	})
	return out
}

// parallel calls f(0..n-1) with at most workers calls at once, and returns when all have returned.
func parallel(n, workers int, f func(int)) {
	if n == 0 {
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// SummarizeWarnings merges warnings with the same summary, so that a collection of 10,000 documents
// reports one adoption warning with a few examples rather than 10,000 of them.
func SummarizeWarnings(ws []Warning, examples int) []Warning {
	var order []string
	by := map[string][]string{}
	for _, w := range ws {
		if _, ok := by[w.Summary]; !ok {
			order = append(order, w.Summary)
		}
		by[w.Summary] = append(by[w.Summary], w.Detail)
	}
	out := make([]Warning, 0, len(order))
	for _, summary := range order {
		details := by[summary]
		if len(details) == 1 {
			out = append(out, Warning{Summary: summary, Detail: details[0]})
			continue
		}
		shown := details[:min(examples, len(details))]
		d := fmt.Sprintf("%d documents: %s", len(details), strings.Join(shown, "\n\n"))
		if rest := len(details) - len(shown); rest > 0 {
			d += fmt.Sprintf("\n\n... and %d more like these.", rest)
		}
		out = append(out, Warning{Summary: summary + fmt.Sprintf(" (%d documents)", len(details)), Detail: d})
	}
	return out
}
