package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
)

// linkedType is the type links.tf links to the tier groups, and tierGroupNames its tier_groups map, by
// the tier groups' names.
const linkedType = "notice"

var tierGroupNames = map[string]string{"partner": "Partners", "internal": "Employees"}

// outputLink is one entry of the quickstart's `links` output (links.tf).
type outputLink struct {
	GroupID     string `json:"group_id"`
	GroupName   string `json:"group_name"`
	WrittenBack bool   `json:"written_back"`
}

// linkRow is one linked document as the fakes hold it.
type linkRow struct {
	DocID, Title, Tier string
	// GroupID is the published document's oktaGroupId, GroupName that group's name in Okta.
	GroupID, GroupName string
}

func readLinks(ctx context.Context, tf *terraformCLI) (map[string]outputLink, error) {
	raw, err := tf.mustRun(ctx, "output", "-json", "links")
	if err != nil {
		return nil, err
	}
	var links map[string]outputLink
	if err := json.Unmarshal([]byte(raw), &links); err != nil {
		return nil, fmt.Errorf("reading the links output %q: %w", raw, err)
	}
	return links, nil
}

// linkSnapshot reads the published documents of the linked type and the group each one names.
func linkSnapshot(stack *devstack.Stack) []linkRow {
	var rows []linkRow
	for _, d := range stack.Sanity.Documents() {
		id := str(d["_id"])
		if str(d["_type"]) != linkedType || strings.Contains(id, ".") {
			continue
		}
		r := linkRow{DocID: id, Title: str(d["title"]), Tier: str(d["accessTier"]), GroupID: str(d[groupField])}
		if g, ok := stack.Okta.Group(r.GroupID); ok {
			r.GroupName = g.Name
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].DocID < rows[j].DocID })
	return rows
}

// checkLinks compares Terraform's links with the fakes: each notice names its tier's group, written back,
// and Terraform reports the same; the tier groups are as the local stack made them, since a link never
// changes its group.
func checkLinks(stack *devstack.Stack, rows []linkRow, links map[string]outputLink) error {
	var problems []string
	linked := 0
	for _, r := range rows {
		want, tiered := tierGroupNames[r.Tier]
		out, inState := links[r.DocID]
		if !tiered {
			if r.GroupID != "" || inState {
				problems = append(problems, fmt.Sprintf("document %s has tier %q, which has no group, and is linked anyway (field %q, in state: %v)", r.DocID, r.Tier, r.GroupID, inState))
			}
			continue
		}
		linked++
		switch {
		case r.GroupName != want:
			problems = append(problems, fmt.Sprintf("document %s (tier %s) names group %q (%s), want the tier group %s", r.DocID, r.Tier, r.GroupName, r.GroupID, want))
		case !inState:
			problems = append(problems, fmt.Sprintf("document %s is not in Terraform's links output", r.DocID))
		case out.GroupID != r.GroupID || out.GroupName != want || !out.WrittenBack:
			problems = append(problems, fmt.Sprintf("document %s: Terraform reports a link to %s %q (written back: %v), the fakes hold %s", r.DocID, out.GroupID, out.GroupName, out.WrittenBack, r.GroupID))
		}
	}
	if len(links) != linked {
		problems = append(problems, fmt.Sprintf("Terraform manages %d links for %d documents of a tier with a group", len(links), linked))
	}
	for _, want := range devstack.TierGroups {
		if g, ok := stack.Okta.Group(want.ID); !ok || g.Name != want.Name || g.Description != want.Description {
			problems = append(problems, fmt.Sprintf("the tier group %s changed: %+v, want %q %q untouched", want.ID, g, want.Name, want.Description))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the links in the fakes and Terraform disagree:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

func printLinks(w io.Writer, rows []linkRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    DOCUMENT\tTITLE\tTIER\tEXISTING GROUP\tGROUP ID")
	for _, r := range rows {
		group, id := r.GroupName, r.GroupID
		if id == "" {
			group, id = "none", "-"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", r.DocID, clip(r.Title, 36), r.Tier, group, id)
	}
	_ = tw.Flush()
}
