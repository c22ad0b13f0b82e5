package oktatest

import (
	"slices"
	"sort"
	"time"
)

// Group rules move users the way Okta's do: asynchronously, some time
// after the change that calls for it. Activating a rule evaluates it for
// every user; creating or activating a user, changing a profile or a
// direct membership evaluates every active rule for that user. Only ACTIVE
// users move; a matching user is added to the rule's groups, and a user
// who stops matching loses the memberships that rule added (and only
// those). Deactivating a rule changes nobody; deleting it with
// removeUsers=true withdraws what it added, without it the members stay as
// ordinary members. Groups with admin privileges are never a target.
//
// The evaluations wait for the rule lag (WithRuleLag, 0 by default); they
// run on a timer and, at the latest, before the next read of membership.
// SettleRules runs them at once.

type evalJob struct {
	at  time.Time
	run func()
}

// SettleRules runs every pending group-rule evaluation now, lag or not,
// and returns how many there were.
func (s *Server) SettleRules() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.people()
	n := 0
	for len(d.pending) > 0 {
		job := d.pending[0]
		d.pending = d.pending[1:]
		job.run()
		n++
	}
	return n
}

// PendingRuleEvaluations counts the evaluations that have not run yet.
func (s *Server) PendingRuleEvaluations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDueEvaluations()
	return len(s.people().pending)
}

// later schedules run after the rule lag. Callers hold s.mu.
func (s *Server) later(run func()) {
	d := s.people()
	lag := s.limits.RuleLag
	d.pending = append(d.pending, evalJob{at: time.Now().Add(lag), run: run})
	time.AfterFunc(lag, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.runDueEvaluations()
	})
}

// runDueEvaluations runs, in order, the evaluations whose time has come.
// Callers hold s.mu.
func (s *Server) runDueEvaluations() {
	d := &s.dir
	now := time.Now()
	for i := 0; i < len(d.pending); {
		job := d.pending[i]
		if job.at.After(now) {
			i++
			continue
		}
		d.pending = slices.Delete(d.pending, i, i+1)
		job.run()
	}
}

// evaluateRuleLater evaluates one rule for every user. Callers hold s.mu.
func (s *Server) evaluateRuleLater(ruleID string) {
	s.later(func() { s.applyRule(ruleID, "") })
}

// evaluateUserLater evaluates every active rule for one user. Callers
// hold s.mu.
func (s *Server) evaluateUserLater(uid string) {
	if len(s.rules) == 0 {
		return
	}
	s.later(func() {
		for _, id := range sortedKeys(s.rules) {
			s.applyRule(id, uid)
		}
	})
}

// ruleDeletedLater withdraws (removeUsers) or hands over to direct
// membership what a deleted rule had added. Callers hold s.mu.
func (s *Server) ruleDeletedLater(ruleID string, groupIDs []string, removeUsers bool) {
	s.later(func() {
		for _, gid := range groupIDs {
			for _, uid := range s.memberIDs(gid) {
				ms := s.dir.members[gid][uid]
				if !ms.rules[ruleID] {
					continue
				}
				if removeUsers {
					s.unassign(gid, uid, ruleID)
				} else {
					delete(ms.rules, ruleID)
					ms.direct = true
				}
			}
		}
	})
}

// applyRule evaluates an active rule for one user (or all, uid == "") and
// moves them. Callers hold s.mu.
func (s *Server) applyRule(ruleID, uid string) {
	r, ok := s.rules[ruleID]
	if !ok || r.status != RuleActive {
		return
	}
	cond, err := compileRuleExpression(r.expression)
	if err != nil {
		return
	}
	var targets []string
	for _, gid := range r.groupIDs {
		if g, ok := s.groups[gid]; ok && g.typ == TypeOktaGroup && !g.admin {
			targets = append(targets, gid)
		}
	}
	var users []*user
	if uid != "" {
		if u := s.dir.users[uid]; u != nil {
			users = append(users, u)
		}
	} else {
		for _, u := range s.dir.users {
			users = append(users, u)
		}
		sort.Slice(users, func(i, j int) bool { return users[i].id < users[j].id })
	}
	for _, u := range users {
		if u.status != UserActive {
			continue
		}
		match := false
		if !slices.Contains(r.excluded, u.id) {
			m, err := cond.matches(u.profile, s.groupIDsOf(u.id))
			match = err == nil && m
		}
		for _, gid := range targets {
			if match {
				s.addMember(gid, u.id, ruleID)
			} else {
				s.unassign(gid, u.id, ruleID)
			}
		}
	}
}
