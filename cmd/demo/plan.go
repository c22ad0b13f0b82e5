package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// plannedChange is one group change of a saved plan, keyed by document ID.
type plannedChange struct {
	DocID   string
	Action  string // create, update, delete, replace
	Name    string // the group's name after the change, or before a delete
	GroupID string // known for update, delete and replace
	// Changed lists "attribute: before -> after" for updates.
	Changed []string
}

// Mark is the change's symbol, as Terraform prints it.
func (c plannedChange) Mark() string {
	switch c.Action {
	case "create":
		return "+"
	case "delete":
		return "-"
	case "replace":
		return "±"
	}
	return "~"
}

// parsePlan reads `terraform show -json PLANFILE` and returns the changes to sanityokta_document_group
// resources, ordered by document ID. No-op and read actions are left out.
func parsePlan(planJSON []byte) ([]plannedChange, error) {
	var plan struct {
		ResourceChanges []struct {
			Type   string          `json:"type"`
			Index  json.RawMessage `json:"index"`
			Change struct {
				Actions []string       `json:"actions"`
				Before  map[string]any `json:"before"`
				After   map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil {
		return nil, fmt.Errorf("reading the plan as JSON: %w", err)
	}
	var changes []plannedChange
	for _, rc := range plan.ResourceChanges {
		if rc.Type != "sanityokta_document_group" {
			continue
		}
		var docID string
		_ = json.Unmarshal(rc.Index, &docID)
		c := plannedChange{DocID: docID}
		switch strings.Join(rc.Change.Actions, ",") {
		case "no-op", "read":
			continue
		case "create":
			c.Action, c.Name = "create", str(rc.Change.After["name"])
		case "delete":
			c.Action, c.Name, c.GroupID = "delete", str(rc.Change.Before["name"]), str(rc.Change.Before["id"])
		case "update":
			c.Action, c.Name, c.GroupID = "update", str(rc.Change.After["name"]), str(rc.Change.Before["id"])
			c.Changed = changedAttributes(rc.Change.Before, rc.Change.After)
		default: // delete,create or create,delete
			c.Action, c.Name, c.GroupID = "replace", str(rc.Change.After["name"]), str(rc.Change.Before["id"])
			c.Changed = changedAttributes(rc.Change.Before, rc.Change.After)
		}
		changes = append(changes, c)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].DocID < changes[j].DocID })
	return changes, nil
}

// changedAttributes lists the known attributes that differ; unknown ones are absent from after.
func changedAttributes(before, after map[string]any) []string {
	var out []string
	for k, a := range after {
		b := before[k]
		if fmt.Sprint(a) == fmt.Sprint(b) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s -> %s", k, jsonText(b), jsonText(a)))
	}
	sort.Strings(out)
	return out
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func printPlan(w io.Writer, changes []plannedChange) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range changes {
		action, what := c.Action, "new group "+c.Name
		switch c.Action {
		case "delete":
			action, what = "destroy", fmt.Sprintf("delete group %s (%s), clear %s", c.Name, c.GroupID, groupField)
		case "update":
			action, what = "update in-place", c.Name+": "+strings.Join(c.Changed, "; ")
		case "replace":
			action, what = "replace", c.Name+": "+strings.Join(c.Changed, "; ")
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", c.Mark(), c.DocID, action, what)
	}
	_ = tw.Flush()
}

// planSummary counts changes per action, as "1 to add, 1 to change, 1 to destroy".
func planSummary(changes []plannedChange) string {
	var add, change, destroy int
	for _, c := range changes {
		switch c.Action {
		case "create":
			add++
		case "update":
			change++
		case "delete":
			destroy++
		case "replace":
			add++
			destroy++
		}
	}
	return fmt.Sprintf("%d to add, %d to change, %d to destroy", add, change, destroy)
}
