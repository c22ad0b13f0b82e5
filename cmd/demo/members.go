package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/oktaexpr"
)

// outputRule is one entry of the quickstart's `rules` output (membership.tf).
type outputRule struct {
	Name      string `json:"name"`
	GroupID   string `json:"group_id"`
	Condition string `json:"condition"`
	Status    string `json:"status"`
}

// membership is who is in one group, as the fake org answers now.
type membership struct {
	// DocID is the document whose group it is; empty for a tier group.
	DocID, GroupID, GroupName string
	// Condition is the rule's expression, or how a tier group is filled.
	Condition string
	// Members are the members' logins, sorted.
	Members []string
}

// adminMembers are the tier groups' members. Terraform never manages them: the Okta admins do, and the
// demo plays them before the first apply, as the signed-in example's README does by hand.
var adminMembers = []struct{ Group, Login string }{
	{"Partners", "elin.berg@example.com"},
	{"Employees", "elin.berg@example.com"},
	{"Employees", "marcus.reed@example.com"},
}

// actAsOktaAdmin puts people in the tier groups, through the fake org's admin API.
func actAsOktaAdmin(stack *devstack.Stack) error {
	for _, m := range adminMembers {
		g, ok := tierGroup(m.Group)
		if !ok {
			return fmt.Errorf("the local stack has no tier group %q; see devstack.TierGroups", m.Group)
		}
		u, ok := stack.Okta.User(m.Login)
		if !ok {
			return fmt.Errorf("the fake org has no user %s for the tier group %s; the demo expects the people of examples/quickstart/users.ndjson", m.Login, m.Group)
		}
		if err := stack.Okta.AddGroupMember(g.ID, u.ID); err != nil {
			return fmt.Errorf("adding %s to the tier group %s: %w", m.Login, m.Group, err)
		}
	}
	return nil
}

func tierGroup(name string) (oktatest.Group, bool) {
	for _, g := range devstack.TierGroups {
		if g.Name == name {
			return g, true
		}
	}
	return oktatest.Group{}, false
}

// adminSummary is one line per tier group, "Partners: elin.berg@example.com", in adminMembers order.
func adminSummary() []string {
	var groups []string
	members := map[string][]string{}
	for _, m := range adminMembers {
		if _, seen := members[m.Group]; !seen {
			groups = append(groups, m.Group)
		}
		members[m.Group] = append(members[m.Group], m.Login)
	}
	var lines []string
	for _, g := range groups {
		lines = append(lines, g+": "+strings.Join(members[g], ", "))
	}
	return lines
}

// readRules reads Terraform's rules output.
func readRules(ctx context.Context, tf *terraformCLI) (map[string]outputRule, error) {
	raw, err := tf.mustRun(ctx, "output", "-json", "rules")
	if err != nil {
		return nil, err
	}
	var rules map[string]outputRule
	if err := json.Unmarshal([]byte(raw), &rules); err != nil {
		return nil, fmt.Errorf("reading the rules output %q: %w", raw, err)
	}
	return rules, nil
}

// checkRules compares Terraform's rules with the fake org's: each is there, active, fills its document's
// group with the same condition; the org holds no other rule of the quickstart's.
func checkRules(stack *devstack.Stack, rows []row, rules map[string]outputRule) error {
	groupOf := map[string]string{}
	for _, r := range rows {
		groupOf[r.DocID] = r.GroupID
	}
	inOkta := map[string]oktatest.GroupRule{}
	quickstart := 0
	for _, r := range stack.Okta.GroupRules() {
		inOkta[r.Name] = r
		if strings.HasPrefix(r.Name, rulePrefix) {
			quickstart++
		}
	}
	var problems []string
	for _, docID := range slices.Sorted(maps.Keys(rules)) {
		want := rules[docID]
		got, ok := inOkta[want.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("document %s: Terraform reports rule %q, which Okta does not have", docID, want.Name))
		case got.Status != oktatest.RuleActive || want.Status != oktatest.RuleActive:
			problems = append(problems, fmt.Sprintf("document %s: rule %q is %s in Okta, %s in Terraform, want both ACTIVE", docID, want.Name, got.Status, want.Status))
		case !slices.Equal(got.GroupIDs, []string{groupOf[docID]}) || want.GroupID != groupOf[docID]:
			problems = append(problems, fmt.Sprintf("document %s: rule %q fills %v (Terraform says %s), want the document's group %s", docID, want.Name, got.GroupIDs, want.GroupID, groupOf[docID]))
		case got.Expression != want.Condition:
			problems = append(problems, fmt.Sprintf("document %s: rule %q has condition %q in Okta, %q in Terraform", docID, want.Name, got.Expression, want.Condition))
		}
	}
	if quickstart != len(rules) {
		problems = append(problems, fmt.Sprintf("Okta holds %d rules named %q..., Terraform manages %d", quickstart, rulePrefix, len(rules)))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the fake org's group rules and Terraform disagree:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

// rulePrefix is the quickstart's default rule_name_prefix.
const rulePrefix = "content "

// memberships reads, for each rule and each tier group, who the fake org has in the group now.
func memberships(stack *devstack.Stack, rows []row, rules map[string]outputRule) []membership {
	names := map[string]string{}
	for _, r := range rows {
		names[r.DocID] = r.GroupName
	}
	var out []membership
	for _, docID := range slices.Sorted(maps.Keys(rules)) {
		r := rules[docID]
		out = append(out, membership{DocID: docID, GroupID: r.GroupID, GroupName: names[docID], Condition: r.Condition,
			Members: logins(stack, stack.Okta.GroupMembers(r.GroupID))})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].GroupName < out[j].GroupName })
	for _, g := range devstack.TierGroups {
		out = append(out, membership{GroupID: g.ID, GroupName: g.Name, Condition: "kept by the Okta admins",
			Members: logins(stack, stack.Okta.GroupMembers(g.ID))})
	}
	return out
}

func logins(stack *devstack.Stack, userIDs []string) []string {
	out := []string{}
	for _, id := range userIDs {
		if u, ok := stack.Okta.User(id); ok {
			out = append(out, u.Login())
		} else {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// selected is who each rule's condition selects among the org's active users, evaluated here with the
// Okta Expression Language evaluator, so that the wait below knows what it waits for; tier groups
// keep the members the admins gave them.
func selected(stack *devstack.Stack, current []membership) (map[string][]string, error) {
	users := stack.Okta.Users()
	want := map[string][]string{}
	for _, m := range current {
		if m.DocID == "" {
			want[m.GroupID] = m.Members
			continue
		}
		expr, err := oktaexpr.Parse(m.Condition)
		if err != nil {
			return nil, fmt.Errorf("document %s: the rule's condition %q does not parse: %w", m.DocID, m.Condition, err)
		}
		picked := []string{}
		for _, u := range users {
			if u.Status != oktatest.UserActive {
				continue
			}
			ok, err := expr.Eval(oktaexpr.User{Profile: u.Profile, GroupIDs: stack.Okta.UserGroups(u.ID)})
			if err == nil && ok {
				picked = append(picked, u.Login())
			}
		}
		sort.Strings(picked)
		want[m.GroupID] = picked
	}
	return want, nil
}

// waitForMembers waits, at most timeout, until Okta has run every pending rule evaluation and each group
// holds exactly the people its rule selects, and says how it went. A real org gives no signal when it is
// done either: an app or a check can only look again until the members are there.
func waitForMembers(ctx context.Context, stack *devstack.Stack, rows []row, rules map[string]outputRule, timeout time.Duration) ([]membership, string, error) {
	began := time.Now()
	first := memberships(stack, rows, rules)
	want, err := selected(stack, first)
	if err != nil {
		return nil, "", err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	current := first
	for stack.Okta.PendingRuleEvaluations() > 0 || len(membershipDiff(current, want)) > 0 {
		if time.Since(began) > timeout {
			return nil, "", fmt.Errorf("after %s, Okta's group memberships are still not what the rules select (the fake org's rule lag is %s; %d evaluations pending):\n  - %s",
				timeout, stack.Okta.Limits().RuleLag, stack.Okta.PendingRuleEvaluations(), strings.Join(membershipDiff(current, want), "\n  - "))
		}
		select {
		case <-ctx.Done():
			return nil, "", fmt.Errorf("waiting for the group rules: %w", ctx.Err())
		case <-tick.C:
		}
		current = memberships(stack, rows, rules)
	}
	// How far off Okta was when the apply ended: memberships the rules call for that were not there yet,
	// and ones they no longer call for that were still there.
	missing, leftOver, total := 0, 0, 0
	for _, m := range first {
		if m.DocID == "" {
			continue
		}
		total += len(want[m.GroupID])
		for _, login := range want[m.GroupID] {
			if !slices.Contains(m.Members, login) {
				missing++
			}
		}
		for _, login := range m.Members {
			if !slices.Contains(want[m.GroupID], login) {
				leftOver++
			}
		}
	}
	report := fmt.Sprintf("Right after the apply: %d of %d memberships in place", total-missing, total)
	if leftOver > 0 {
		report += fmt.Sprintf(", %d left over from before", leftOver)
	}
	return current, report + fmt.Sprintf("; settled %.1fs later.", time.Since(began).Seconds()), nil
}

func membershipDiff(current []membership, want map[string][]string) []string {
	var out []string
	for _, m := range current {
		if !slices.Equal(m.Members, want[m.GroupID]) {
			out = append(out, fmt.Sprintf("group %s (%s) holds %v, its rule selects %v", m.GroupName, m.Condition, m.Members, want[m.GroupID]))
		}
	}
	return out
}

// printMembers writes who is in each group. before, when given, marks new groups (+) and groups whose
// condition or members changed (~), with the members they had.
func printMembers(w io.Writer, ms []membership, before []membership) {
	was := map[string]membership{}
	for _, m := range before {
		was[m.GroupID] = m
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    GROUP\tFILLED BY\tMEMBERS")
	for _, m := range ms {
		mark, note := " ", ""
		if before != nil {
			old, ok := was[m.GroupID]
			switch {
			case !ok:
				mark = "+"
			case !slices.Equal(old.Members, m.Members):
				mark, note = "~", " (was "+orNobody(old.Members)+")"
			case old.Condition != m.Condition:
				mark = "~"
			}
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s%s\n", mark, m.GroupName, m.Condition, orNobody(m.Members), note)
	}
	_ = tw.Flush()
}

func orNobody(logins []string) string {
	if len(logins) == 0 {
		return "nobody"
	}
	return strings.Join(logins, ", ")
}

// checkMoved verifies what the department change must have done to the moved document's group: the
// people of the old department left it, the people of the new one joined.
func checkMoved(stack *devstack.Stack, before, after []membership) error {
	find := func(ms []membership) membership {
		for _, m := range ms {
			if m.DocID == movedDocID {
				return m
			}
		}
		return membership{}
	}
	old, now := find(before), find(after)
	if old.GroupID == "" || now.GroupID == "" {
		return fmt.Errorf("document %s has no group rule before or after the edit (before %+v, after %+v)", movedDocID, old, now)
	}
	var problems []string
	seen := map[any]bool{}
	for _, u := range stack.Okta.Users() {
		seen[u.Profile["department"]] = true
		switch u.Profile["department"] {
		case "Sales":
			if !slices.Contains(old.Members, u.Login()) || slices.Contains(now.Members, u.Login()) {
				problems = append(problems, fmt.Sprintf("%s (Sales) should have left %s: before %v, after %v", u.Login(), now.GroupName, old.Members, now.Members))
			}
		case "HR":
			if slices.Contains(old.Members, u.Login()) || !slices.Contains(now.Members, u.Login()) {
				problems = append(problems, fmt.Sprintf("%s (HR) should have joined %s: before %v, after %v", u.Login(), now.GroupName, old.Members, now.Members))
			}
		}
	}
	if !seen["Sales"] || !seen["HR"] {
		problems = append(problems, "the fake org needs a Sales and an HR user to show the move; the demo expects the people of examples/quickstart/users.ndjson")
	}
	if old.GroupID != now.GroupID {
		problems = append(problems, fmt.Sprintf("the group of %s changed from %s to %s; a department change should only change the rule", movedDocID, old.GroupID, now.GroupID))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the department change of %s did not move its members:\n  - %s", movedDocID, strings.Join(problems, "\n  - "))
	}
	return nil
}
