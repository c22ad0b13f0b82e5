package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/oktaexpr"
)

// plannedChange is one change of a saved plan to a group, a rule or a link, keyed by document ID.
type plannedChange struct {
	DocID   string
	Kind    string // group, rule or link
	Action  string // create, update, delete, replace
	Name    string // the group's or rule's name after the change, or before a delete
	GroupID string // the group's ID: known for update, delete and replace, and for every link and rule
	// Condition is a rule's condition after the change, and ConditionBefore before it.
	Condition, ConditionBefore string
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

// kinds names the resource types the demo shows changes of.
var kinds = map[string]string{
	"sanityokta_document_group": "group",
	"sanityokta_group_rule":     "rule",
	"sanityokta_document_link":  "link",
}

// parsePlan reads `terraform show -json PLANFILE` and returns the changes to groups, rules and links,
// ordered by document ID, then group, rule, link. No-op and read actions are left out.
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
		kind, shown := kinds[rc.Type]
		if !shown {
			continue
		}
		var docID string
		_ = json.Unmarshal(rc.Index, &docID)
		c := plannedChange{DocID: docID, Kind: kind}
		before, after := rc.Change.Before, rc.Change.After
		// A group's own ID is its id; rules and links name the group they are for in group_id.
		groupKey := "id"
		if kind != "group" {
			groupKey = "group_id"
		}
		switch strings.Join(rc.Change.Actions, ",") {
		case "no-op", "read":
			continue
		case "create":
			c.Action, c.Name, c.GroupID = "create", str(after["name"]), str(after[groupKey])
		case "delete":
			c.Action, c.Name, c.GroupID = "delete", str(before["name"]), str(before[groupKey])
		case "update":
			c.Action, c.Name, c.GroupID = "update", str(after["name"]), str(before[groupKey])
			c.Changed = changedAttributes(before, after)
		default: // delete,create or create,delete
			c.Action, c.Name, c.GroupID = "replace", str(after["name"]), str(before[groupKey])
			c.Changed = changedAttributes(before, after)
		}
		if kind == "rule" {
			c.ConditionBefore, c.Condition = condition(before), condition(after)
		}
		changes = append(changes, c)
	}
	order := map[string]int{"group": 0, "rule": 1, "link": 2}
	sort.Slice(changes, func(i, j int) bool {
		if changes[i].DocID != changes[j].DocID {
			return changes[i].DocID < changes[j].DocID
		}
		return order[changes[i].Kind] < order[changes[j].Kind]
	})
	return changes, nil
}

// condition is a rule's expression_value or, while the plan does not know it yet, the expression the
// provider builds from its match.
func condition(rule map[string]any) string {
	if e := str(rule["expression_value"]); e != "" {
		return e
	}
	match, _ := rule["match"].(map[string]any)
	conditions := map[string][]string{}
	for attr, vs := range match {
		values, _ := vs.([]any)
		for _, v := range values {
			conditions[attr] = append(conditions[attr], fmt.Sprint(v))
		}
	}
	if e, err := oktaexpr.Match(conditions); err == nil {
		return e
	}
	return ""
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
		action := map[string]string{"delete": "destroy", "update": "update in-place"}[c.Action]
		if action == "" {
			action = c.Action
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\n", c.Mark(), c.DocID, c.Kind, action, describe(c))
	}
	_ = tw.Flush()
}

// describe says in a few words what a change does.
func describe(c plannedChange) string {
	changed := strings.Join(c.Changed, "; ")
	switch c.Kind + " " + c.Action {
	case "group create":
		return "new group " + c.Name
	case "group delete":
		return fmt.Sprintf("delete group %s (%s), clear %s", c.Name, c.GroupID, groupField)
	case "rule create":
		if c.Condition != "" {
			return fmt.Sprintf("new rule %q: %s", c.Name, c.Condition)
		}
		return fmt.Sprintf("new rule %q", c.Name)
	case "rule delete":
		return fmt.Sprintf("delete rule %q", c.Name)
	case "rule update", "rule replace":
		if c.Condition != c.ConditionBefore {
			return fmt.Sprintf("%q: %s -> %s", c.Name, c.ConditionBefore, c.Condition)
		}
		return fmt.Sprintf("%q: %s", c.Name, changed)
	case "link create":
		return "link to group " + c.GroupID
	case "link delete":
		return fmt.Sprintf("unlink from group %s, clear %s", c.GroupID, groupField)
	case "link update", "link replace":
		return "link: " + changed
	}
	return c.Name + ": " + changed
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
