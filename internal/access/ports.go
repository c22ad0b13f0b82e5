package access

import (
	"context"
	"encoding/json"
)

// Group types as Okta reports them. Only OKTA_GROUP is ever managed.
const (
	GroupTypeOkta    = "OKTA_GROUP"
	GroupTypeApp     = "APP_GROUP"
	GroupTypeBuiltIn = "BUILT_IN"
)

// Profile is an Okta group profile. Extra holds the custom attributes this provider does not manage; they
// are sent back unchanged whenever the profile is replaced, because Okta replaces profiles as a whole.
type Profile struct {
	Name        string
	Description string
	Extra       map[string]any
}

// Group is an Okta group as the domain needs to see it.
type Group struct {
	ID      string
	Type    string
	Profile Profile
	// AdminPrivilege is Okta's hasAdminPrivilege from expand=stats.
	AdminPrivilege bool
}

// Directory is the part of Okta the domain uses.
//
// GetGroup returns an error wrapping ErrGroupNotFound for a missing group. FindGroupByName compares names
// exactly and reports found == false when no group has that name. CreateGroup returns an error wrapping
// ErrGroupNameTaken when Okta answers that the name already exists. DeleteGroup treats a missing group as
// deleted. ListGroupsByPrefix returns every group whose name starts with prefix (exact case), with the
// same eventual consistency as FindGroupByName.
type Directory interface {
	RuleDirectory
	GetGroup(ctx context.Context, id string) (Group, error)
	ListGroupsByPrefix(ctx context.Context, prefix string) ([]Group, error)
	FindGroupByName(ctx context.Context, name string) (g Group, found bool, err error)
	CreateGroup(ctx context.Context, p Profile) (Group, error)
	ReplaceGroupProfile(ctx context.Context, id string, p Profile) (Group, error)
	DeleteGroup(ctx context.Context, id string) error
}

// Rule statuses as Okta reports them. A rule whose target group was deleted is INVALID and can then only
// be read or deleted.
const (
	RuleActive   = "ACTIVE"
	RuleInactive = "INACTIVE"
	RuleInvalid  = "INVALID"
)

// Rule is an Okta group rule: the users matching Expression are put into the groups.
type Rule struct {
	ID, Name, Status, Expression string
	GroupIDs                     []string
}

// RuleDirectory is the part of Okta's group rules API the domain uses. CreateRule returns an INACTIVE
// rule; ReplaceRule works only on an INACTIVE rule and cannot change GroupIDs; DeleteRule treats a
// missing rule as deleted, and removeUsers takes the users the rule added out of its groups.
type RuleDirectory interface {
	ListRules(ctx context.Context) ([]Rule, error)
	CreateRule(ctx context.Context, r Rule) (Rule, error)
	ReplaceRule(ctx context.Context, r Rule) (Rule, error)
	ActivateRule(ctx context.Context, id string) error
	DeactivateRule(ctx context.Context, id string) error
	DeleteRule(ctx context.Context, id string, removeUsers bool) error
}

// Query is one GROQ query against the Content Lake.
type Query struct {
	GROQ   string
	Params map[string]any
	// Perspective is always sent; the empty string is never used by this package.
	Perspective string
}

// Patch changes one document, guarded by the revision it was computed from.
type Patch struct {
	DocumentID   string
	IfRevisionID string
	Set          map[string]any
	Unset        []string
}

// ContentLake is the part of the Sanity Content Lake the domain uses.
//
// Query returns the raw `result` of the query; a query the server rejects is a *QueryError. Mutate applies
// every patch in one transaction, all or nothing; an error wraps ErrRevisionConflict when a guard revision
// no longer matches and ErrDocumentNotFound when a patched document is gone.
type ContentLake interface {
	Query(ctx context.Context, q Query) (json.RawMessage, error)
	Mutate(ctx context.Context, transactionID string, patches []Patch) error
}
