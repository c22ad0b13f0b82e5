package access

import "fmt"

// DefaultDeletionLimit is how many groups one run may delete unless the configuration says otherwise.
const DefaultDeletionLimit = 10

// NoDeletions, as Options.DeletionLimit, allows no group to be deleted at all (0 means the default).
const NoDeletions = -1

// deletionLimit is the number of groups one Service may delete.
func (o Options) deletionLimit() int {
	switch {
	case o.DeletionLimit == NoDeletions:
		return 0
	case o.DeletionLimit <= 0:
		return DefaultDeletionLimit
	}
	return o.DeletionLimit
}

// PlanDeletion counts a group that the plan destroys (a destroy or a replacement) unless keepGroup
// (on_destroy = "keep"), and refuses the one that takes the count past the limit, so the plan fails before anything
// is deleted. A publish pipeline applies without anyone reading the plan; a query that suddenly matches
// nothing must not delete every group.
func (s *Service) PlanDeletion(b Binding, keepGroup bool) error {
	if keepGroup {
		return nil // the group stays: only the written-back field is cleared
	}
	if n, limit, over := s.countAgainstLimit(&s.claims.plannedDeletions); over {
		return deletionLimitError(fmt.Sprintf("This plan deletes at least %d Okta groups", n), limit, b)
	}
	return nil
}

// countDeletion is PlanDeletion at apply time, so that a plan saved under another limit, or one that did
// not see every deletion, still cannot delete more than the limit.
func (s *Service) countDeletion(b Binding) error {
	if _, limit, over := s.countAgainstLimit(&s.claims.deletions); over {
		return deletionLimitError(fmt.Sprintf("This apply has already deleted %d Okta groups", limit), limit, b)
	}
	return nil
}

// countAgainstLimit adds one to counter and reports the new count, the limit, and whether it is past it.
func (s *Service) countAgainstLimit(counter *int) (n, limit int, over bool) {
	s.claims.mu.Lock()
	defer s.claims.mu.Unlock()
	*counter++
	limit = s.opts.deletionLimit()
	return *counter, limit, *counter > limit
}

func deletionLimitError(lead string, limit int, b Binding) error {
	return fmt.Errorf("%s, more than the deletion limit of %d allows, so the group %q (%s) of document %q is not deleted. "+
		"Applies run unattended from a publish pipeline, and a mistake in a filter, a query or the content (an "+
		"archived collection, a renamed type) would otherwise delete groups, and everyone's access with them, before "+
		"anyone reads the plan. If the deletions are intended (for example a `terraform destroy`), raise the limit "+
		"for this run: deletion_limit in the provider block, or the SANITYOKTA_DELETION_LIMIT environment variable "+
		"(for example SANITYOKTA_DELETION_LIMIT=1000 terraform destroy). Resources with on_destroy = \"keep\" do not count",
		lead, limit, b.Name, b.GroupID, b.DocumentID)
}
