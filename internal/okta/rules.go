package okta

import (
	"context"
	"fmt"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// Group rule statuses. Okta creates rules INACTIVE; a rule whose target
// group was deleted becomes INVALID and can then only be read or deleted.
const (
	RuleActive   = "ACTIVE"
	RuleInactive = "INACTIVE"
	RuleInvalid  = "INVALID"
)

// MaxRuleNameLength is Okta's limit on a group rule's name.
const MaxRuleNameLength = 50

const expressionType = "urn:okta:expression:1.0"

// GroupRule assigns the users matching an Okta expression to groups.
type GroupRule struct {
	ID     string
	Name   string
	Status string // RuleActive, RuleInactive or RuleInvalid; ignored on write

	// Expression is an Okta Expression Language condition, for example
	// `user.department == "Sales"`.
	Expression string
	// GroupIDs are the groups matching users are added to. Okta does not
	// allow changing them after creation.
	GroupIDs []string
	// ExcludedUserIDs are never assigned by the rule.
	ExcludedUserIDs []string

	Created     time.Time
	LastUpdated time.Time
}

// CreateGroupRule creates a rule. Okta always creates it INACTIVE; call
// ActivateGroupRule to start it.
func (c *Client) CreateGroupRule(ctx context.Context, r GroupRule) (*GroupRule, error) {
	const op = "create group rule"
	object := fmt.Sprintf("%q", r.Name)
	if r.Name == "" || len([]rune(r.Name)) > MaxRuleNameLength {
		return nil, newError(op, object, ErrInvalid, fmt.Sprintf("a rule name must be 1 to %d characters", MaxRuleNameLength), "choose a shorter name")
	}
	ctx, trace := withTrace(ctx)
	var out *sdk.GroupRule
	resp, err := c.do(ctx, "POST", "/api/v1/groups/rules", toSDKRule(r, true), &out)
	if err != nil {
		return nil, c.classify(op, object, resp, err, trace)
	}
	return fromSDKRule(out), nil
}

// GetGroupRule reads one rule.
func (c *Client) GetGroupRule(ctx context.Context, id string) (*GroupRule, error) {
	const op = "read group rule"
	if err := checkID(id); err != nil {
		return nil, newError(op, id, ErrInvalid, err.Error(), "use the ID Okta assigned (starting with 0pr)")
	}
	ctx, trace := withTrace(ctx)
	var out *sdk.GroupRule
	resp, err := c.do(ctx, "GET", "/api/v1/groups/rules/"+id, nil, &out)
	if err != nil {
		return nil, c.classify(op, id, resp, err, trace)
	}
	return fromSDKRule(out), nil
}

// ListGroupRules lists every rule of the org, page by page (200 a page, Okta's maximum).
func (c *Client) ListGroupRules(ctx context.Context) ([]*GroupRule, error) {
	const op = "list group rules"
	ctx, trace := withTrace(ctx)
	var page []*sdk.GroupRule
	resp, err := c.do(ctx, "GET", "/api/v1/groups/rules?limit=200", nil, &page)
	var out []*GroupRule
	for {
		if err != nil {
			return nil, c.classify(op, "the org's rules", resp, err, trace)
		}
		for _, r := range page {
			out = append(out, fromSDKRule(r))
		}
		if !resp.HasNextPage() {
			return out, nil
		}
		page = nil
		resp, err = resp.Next(ctx, &page)
	}
}

// ReplaceGroupRule replaces the rule r.ID with r. Okta allows this only
// while the rule is INACTIVE, and never for GroupIDs: deactivate first, and
// replace the rule (delete and create) to change its groups.
func (c *Client) ReplaceGroupRule(ctx context.Context, r GroupRule) (*GroupRule, error) {
	const op = "replace group rule"
	object := fmt.Sprintf("%s (%q)", r.ID, r.Name)
	if err := checkID(r.ID); err != nil {
		return nil, newError(op, object, ErrInvalid, err.Error(), "use the ID Okta assigned (starting with 0pr)")
	}
	ctx, trace := withTrace(ctx)
	var out *sdk.GroupRule
	resp, err := c.do(ctx, "PUT", "/api/v1/groups/rules/"+r.ID, toSDKRule(r, false), &out)
	if err != nil {
		e := c.classify(op, object, resp, err, trace)
		if e.Kind == ErrInvalid {
			e.Hint = "deactivate the rule before replacing it; its groups cannot be changed"
		}
		return nil, e
	}
	return fromSDKRule(out), nil
}

// ActivateGroupRule starts the rule; Okta then assigns users asynchronously.
func (c *Client) ActivateGroupRule(ctx context.Context, id string) error {
	return c.ruleLifecycle(ctx, "activate group rule", id, "activate")
}

// DeactivateGroupRule stops the rule. Users it assigned stay in the groups.
func (c *Client) DeactivateGroupRule(ctx context.Context, id string) error {
	return c.ruleLifecycle(ctx, "deactivate group rule", id, "deactivate")
}

func (c *Client) ruleLifecycle(ctx context.Context, op, id, action string) error {
	if err := checkID(id); err != nil {
		return newError(op, id, ErrInvalid, err.Error(), "use the ID Okta assigned (starting with 0pr)")
	}
	ctx, trace := withTrace(ctx)
	resp, err := c.do(ctx, "POST", "/api/v1/groups/rules/"+id+"/lifecycle/"+action, nil, nil)
	if err != nil {
		e := c.classify(op, id, resp, err, trace)
		if e.Kind == ErrInvalid {
			e.Hint = "an INVALID rule (one whose group was deleted) can only be deleted"
		}
		return e
	}
	return nil
}

// DeleteGroupRule deletes the rule; removeUsers also takes the users it
// assigned out of its groups. A rule that does not exist counts as deleted.
// Okta refuses to delete an ACTIVE rule: deactivate it first.
func (c *Client) DeleteGroupRule(ctx context.Context, id string, removeUsers bool) error {
	const op = "delete group rule"
	if err := checkID(id); err != nil {
		return newError(op, id, ErrInvalid, err.Error(), "use the ID Okta assigned (starting with 0pr)")
	}
	ctx, trace := withTrace(ctx)
	resp, err := c.do(ctx, "DELETE", fmt.Sprintf("/api/v1/groups/rules/%s?removeUsers=%t", id, removeUsers), nil, nil)
	if err != nil {
		e := c.classify(op, id, resp, err, trace)
		if e.Kind == ErrNotFound {
			return nil
		}
		return e
	}
	return nil
}

func toSDKRule(r GroupRule, create bool) *sdk.GroupRule {
	out := &sdk.GroupRule{
		Name: r.Name,
		Type: "group_rule",
		Conditions: &sdk.GroupRuleConditions{
			Expression: &sdk.GroupRuleExpression{Type: expressionType, Value: r.Expression},
			People: &sdk.GroupRulePeopleCondition{
				Users: &sdk.GroupRuleUserCondition{Exclude: append([]string{}, r.ExcludedUserIDs...)},
			},
		},
		Actions: &sdk.GroupRuleAction{
			AssignUserToGroups: &sdk.GroupRuleGroupAssignment{GroupIds: append([]string{}, r.GroupIDs...)},
		},
	}
	if !create {
		out.Id = r.ID
	}
	return out
}

func fromSDKRule(r *sdk.GroupRule) *GroupRule {
	if r == nil {
		return &GroupRule{}
	}
	out := &GroupRule{ID: r.Id, Name: r.Name, Status: r.Status}
	if r.Conditions != nil {
		if r.Conditions.Expression != nil {
			out.Expression = r.Conditions.Expression.Value
		}
		if r.Conditions.People != nil && r.Conditions.People.Users != nil {
			out.ExcludedUserIDs = append(out.ExcludedUserIDs, r.Conditions.People.Users.Exclude...)
		}
	}
	if r.Actions != nil && r.Actions.AssignUserToGroups != nil {
		out.GroupIDs = append(out.GroupIDs, r.Actions.AssignUserToGroups.GroupIds...)
	}
	out.Created = timeOf(r.Created)
	out.LastUpdated = timeOf(r.LastUpdated)
	return out
}
