package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
)

// groupField is where the quickstart's resources write the group ID (the resource's default).
const groupField = "oktaGroupId"

// ownedTypes are the quickstart's gated types (local.gated_types in main.tf), whose documents own a
// group each. Other documents with an access tier (the notices) are linked instead, see links.go.
var ownedTypes = []string{"partnerPricing", "handbook", "complianceCourse"}

// row is one access-controlled document as the fakes hold it: the Content Lake's document and variants,
// and the Okta group its field points at.
type row struct {
	DocID, Title, Slug string
	Active             bool
	// GroupID is the published document's oktaGroupId; GroupName is that group's name in Okta, empty
	// when Okta has no such group.
	GroupID, GroupName, GroupDescription string
	// Variants names the drafts and release versions of the document ("draft", "release rQ1apacPrice").
	Variants []string
	// WrittenBack is true when the published document and every variant hold GroupID.
	WrittenBack bool
}

// snapshot reads every published document of the owned types from the fake Content Lake, and its group
// from the fake Okta org, ordered by document ID.
func snapshot(stack *devstack.Stack) []row {
	docs := stack.Sanity.Documents()
	byID := map[string]map[string]any{}
	variants := map[string][]map[string]any{}
	variantNames := map[string][]string{}
	for _, d := range docs {
		id, _ := d["_id"].(string)
		switch {
		case strings.HasPrefix(id, "drafts."):
			base := strings.TrimPrefix(id, "drafts.")
			variants[base] = append(variants[base], d)
			variantNames[base] = append(variantNames[base], "draft")
		case strings.HasPrefix(id, "versions."):
			release, base, ok := strings.Cut(strings.TrimPrefix(id, "versions."), ".")
			if ok {
				variants[base] = append(variants[base], d)
				variantNames[base] = append(variantNames[base], "release "+release)
			}
		case !strings.Contains(id, "."):
			byID[id] = d
		}
	}

	var rows []row
	for id, d := range byID {
		if !slices.Contains(ownedTypes, str(d["_type"])) {
			continue
		}
		r := row{
			DocID:    id,
			Title:    str(d["title"]),
			Active:   d["active"] != false,
			GroupID:  str(d[groupField]),
			Variants: variantNames[id],
		}
		if slug, ok := d["slug"].(map[string]any); ok {
			r.Slug = str(slug["current"])
		}
		if r.GroupID != "" {
			if g, ok := stack.Okta.Group(r.GroupID); ok {
				r.GroupName, r.GroupDescription = g.Name, g.Description
			}
			r.WrittenBack = true
			for _, v := range variants[id] {
				if str(v[groupField]) != r.GroupID {
					r.WrittenBack = false
				}
			}
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].DocID < rows[j].DocID })
	return rows
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// printTable writes rows as an aligned table. marks, when given, prefixes document IDs with a change
// marker (+, ~, -).
func printTable(w io.Writer, rows []row, marks map[string]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    DOCUMENT\tTITLE\tOKTA GROUP\tGROUP ID\tWRITTEN BACK")
	for _, r := range rows {
		mark := marks[r.DocID]
		if mark == "" {
			mark = " "
		}
		group, id, written := r.GroupName, r.GroupID, "no"
		switch {
		case r.GroupID == "" && !r.Active:
			group, id, written = "none (inactive)", "-", "-"
		case r.GroupID == "":
			group, id = "none", "-"
		case r.GroupName == "":
			group = "missing in Okta"
		}
		if r.WrittenBack {
			written = "yes"
			if len(r.Variants) > 0 {
				written += " (+ " + strings.Join(r.Variants, ", ") + ")"
			}
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\t%s\n", mark, r.DocID, clip(r.Title, 36), group, id, written)
	}
	_ = tw.Flush()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// outputGroup is one entry of the quickstart's `groups` output.
type outputGroup struct {
	Name        string `json:"name"`
	GroupID     string `json:"group_id"`
	WrittenBack bool   `json:"written_back"`
}

// checkConverged compares what Terraform reports with what the fakes hold: every active document has
// exactly one group named content:<slug>, written back into every variant, and Terraform's state names
// the same group; inactive documents have none; Okta holds no other content: groups.
func checkConverged(stack *devstack.Stack, rows []row, outputs map[string]outputGroup) error {
	var problems []string
	active := 0
	for _, r := range rows {
		out, inState := outputs[r.DocID]
		if !r.Active {
			if r.GroupID != "" || inState {
				problems = append(problems, fmt.Sprintf("inactive document %s still has a group (field %q, in state: %v)", r.DocID, r.GroupID, inState))
			}
			continue
		}
		active++
		switch {
		case r.GroupID == "":
			problems = append(problems, fmt.Sprintf("document %s has no %s", r.DocID, groupField))
		case r.GroupName == "":
			problems = append(problems, fmt.Sprintf("document %s names group %s, which Okta does not have", r.DocID, r.GroupID))
		case r.GroupName != "content:"+r.Slug:
			problems = append(problems, fmt.Sprintf("document %s: group %s is named %q, want %q", r.DocID, r.GroupID, r.GroupName, "content:"+r.Slug))
		case !r.WrittenBack:
			problems = append(problems, fmt.Sprintf("document %s: not every variant (%s) holds group %s", r.DocID, strings.Join(r.Variants, ", "), r.GroupID))
		}
		if !inState {
			problems = append(problems, fmt.Sprintf("document %s is not in Terraform's groups output", r.DocID))
		} else if out.GroupID != r.GroupID || !out.WrittenBack {
			problems = append(problems, fmt.Sprintf("document %s: Terraform reports group %s (written back: %v), the fakes hold %s", r.DocID, out.GroupID, out.WrittenBack, r.GroupID))
		}
	}
	if len(outputs) != active {
		problems = append(problems, fmt.Sprintf("Terraform manages %d groups for %d active documents", len(outputs), active))
	}
	content := 0
	for _, g := range stack.Okta.Groups() {
		if strings.HasPrefix(g.Name, "content:") {
			content++
		}
	}
	if content != active {
		problems = append(problems, fmt.Sprintf("Okta holds %d content: groups for %d active documents", content, active))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the fakes and Terraform disagree:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

// The editor's changes: the document IDs come from the quickstart content.
const (
	newDocID      = "course-ai-act-emea"
	retitledDocID = "handbook-sales"
	newTitle      = "Sales Playbook"
	archivedDocID = "course-lgpd-latam"
	// movedDocID's department changes from sales to people: its rule then selects HR instead of Sales,
	// and the people in its group change.
	movedDocID    = "handbook-onboarding"
	movedFromDept = "sales"
	movedToDept   = "people"
)

// edit is one change an editor made, for the narrative.
type edit struct{ Mark, DocID, What string }

// actAsEditor changes the content as an editor in the Studio would, through the fake Content Lake's API:
// a new gated document is drafted and published, a title is changed and published, a document moves to
// another department and is published, and a document is archived (active = false) and published.
func actAsEditor(stack *devstack.Stack) ([]edit, error) {
	sanity := stack.Sanity
	for _, id := range []string{retitledDocID, archivedDocID, movedDocID} {
		if sanity.Document(id) == nil {
			return nil, fmt.Errorf("the seeded content has no document %s; the demo's editor steps expect examples/quickstart/content.ndjson", id)
		}
	}
	if sanity.Document(newDocID) != nil {
		return nil, fmt.Errorf("the seeded content already has a document %s, which the demo creates", newDocID)
	}
	if dept := str(sanity.Document(movedDocID)["department"]); dept != movedFromDept {
		return nil, fmt.Errorf("the seeded document %s is in department %q, the demo moves it from %q; the demo's editor steps expect examples/quickstart/content.ndjson", movedDocID, dept, movedFromDept)
	}
	oldTitle := str(sanity.Document(retitledDocID)["title"])
	movedTitle := str(sanity.Document(movedDocID)["title"])
	archivedTitle := str(sanity.Document(archivedDocID)["title"])

	if _, err := sanity.Put(map[string]any{
		"_id": "drafts." + newDocID, "_type": "complianceCourse",
		"title":        "EU AI Act Basics",
		"slug":         map[string]any{"_type": "slug", "current": "eu-ai-act-basics-emea"},
		"description":  "What the EU AI Act asks of teams that build or buy AI systems.",
		"accessTier":   "internal",
		"department":   "legal",
		"region":       "emea",
		"allowedRoles": []string{"employee", "contractor"},
		"active":       true,
		"owner":        map[string]any{"_type": "reference", "_ref": "author-priya-raman"},
	}); err != nil {
		return nil, fmt.Errorf("drafting %s: %w", newDocID, err)
	}
	if err := sanity.Publish(newDocID); err != nil {
		return nil, fmt.Errorf("publishing %s: %w", newDocID, err)
	}
	if err := sanity.Edit(retitledDocID, map[string]any{"title": newTitle}); err != nil {
		return nil, fmt.Errorf("retitling %s: %w", retitledDocID, err)
	}
	if err := sanity.Publish(retitledDocID); err != nil {
		return nil, fmt.Errorf("publishing %s: %w", retitledDocID, err)
	}
	if err := sanity.Edit(movedDocID, map[string]any{"department": movedToDept}); err != nil {
		return nil, fmt.Errorf("moving %s to department %s: %w", movedDocID, movedToDept, err)
	}
	if err := sanity.Publish(movedDocID); err != nil {
		return nil, fmt.Errorf("publishing %s: %w", movedDocID, err)
	}
	if err := sanity.Edit(archivedDocID, map[string]any{"active": false}); err != nil {
		return nil, fmt.Errorf("archiving %s: %w", archivedDocID, err)
	}
	if err := sanity.Publish(archivedDocID); err != nil {
		return nil, fmt.Errorf("publishing %s: %w", archivedDocID, err)
	}
	return []edit{
		{"+", newDocID, `published a new compliance course "EU AI Act Basics"`},
		{"~", retitledDocID, fmt.Sprintf("changed the title %q to %q and published", oldTitle, newTitle)},
		{"~", movedDocID, fmt.Sprintf("moved %q from department %q to %q and published", movedTitle, movedFromDept, movedToDept)},
		{"-", archivedDocID, fmt.Sprintf("archived %q (active = false) and published", archivedTitle)},
	}, nil
}

// checkEdited verifies what the second apply must have done: a group for the new document, the
// retitled document's group updated in place, and the archived document's group deleted and its field
// cleared.
func checkEdited(stack *devstack.Stack, before, after []row) error {
	find := func(rows []row, id string) row {
		for _, r := range rows {
			if r.DocID == id {
				return r
			}
		}
		return row{}
	}
	var problems []string
	if r := find(after, newDocID); r.GroupName == "" || !r.WrittenBack {
		problems = append(problems, fmt.Sprintf("new document %s has no group written back", newDocID))
	}
	oldSales, sales := find(before, retitledDocID), find(after, retitledDocID)
	if sales.GroupID != oldSales.GroupID {
		problems = append(problems, fmt.Sprintf("%s's group was replaced (%s -> %s) instead of updated", retitledDocID, oldSales.GroupID, sales.GroupID))
	}
	if want := "Access to " + newTitle; sales.GroupDescription != want {
		problems = append(problems, fmt.Sprintf("%s's group description is %q, want %q", retitledDocID, sales.GroupDescription, want))
	}
	oldArchived := find(before, archivedDocID)
	if _, ok := stack.Okta.Group(oldArchived.GroupID); ok {
		problems = append(problems, fmt.Sprintf("archived document %s's group %s still exists in Okta", archivedDocID, oldArchived.GroupID))
	}
	if r := find(after, archivedDocID); r.GroupID != "" {
		problems = append(problems, fmt.Sprintf("archived document %s still holds %s %s", archivedDocID, groupField, r.GroupID))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the second apply did not do what the edits call for:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}
