package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/groq"
)

var (
	// ErrGroupNotFound is wrapped by Directory errors for a group that does not exist.
	ErrGroupNotFound = errors.New("okta group not found")
	// ErrGroupNameTaken is wrapped by Directory errors when a group with the name already exists.
	ErrGroupNameTaken = errors.New("okta group name already taken")
	// ErrRevisionConflict is wrapped by ContentLake errors when an ifRevisionID guard failed.
	ErrRevisionConflict = errors.New("document revision changed")
	// ErrDocumentNotFound is wrapped by ContentLake errors when a patched document does not exist.
	ErrDocumentNotFound = errors.New("document not found")
	// ErrNotOwned is wrapped by every *GuardError.
	ErrNotOwned = errors.New("group not managed by this provider")
)

// GuardError is the ownership guard refusing a group. Rule says which rule the group broke.
type GuardError struct {
	DocumentID string
	GroupID    string
	GroupName  string
	Rule       string
	// Action is what the provider was about to do: "adopt", "rename", "delete", ...
	Action string
}

func (e *GuardError) Error() string {
	hint := "Remove or correct the group ID in the document, or choose another group name"
	if e.Action == "update" || e.Action == "delete" {
		hint = "The group changed in Okta since the provider took it on; restore it there, or stop managing it " +
			"with `terraform state rm`"
	}
	if e.Action == "target" {
		hint = "Point the rule at a group this provider manages (a sanityokta_document_group's id)"
	}
	forDoc := ""
	if e.DocumentID != "" {
		forDoc = fmt.Sprintf(" for document %q", e.DocumentID)
	}
	return fmt.Sprintf("refusing to %s Okta group %q (%s)%s: %s. The provider only manages groups "+
		"of type OKTA_GROUP without administrator privileges whose names start with the configured "+
		"group_name_prefix; the group was left untouched. %s", e.Action, e.GroupName, e.GroupID, forDoc, e.Rule, hint)
}

func (e *GuardError) Unwrap() error { return ErrNotOwned }

// QueryError is a query the Content Lake rejected, with Sanity's own description and, for syntax errors,
// the byte range of the problem in Query.
type QueryError struct {
	Status      int
	Type        string
	Description string
	Query       string
	Start, End  int
	Err         error
}

func (e *QueryError) Error() string {
	var b strings.Builder
	b.WriteString("the Content Lake rejected the query")
	if e.Type != "" {
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	b.WriteString(": ")
	b.WriteString(e.Description)
	if e.Query != "" && e.End > e.Start && e.End <= len(e.Query) {
		line, col := groq.Position(e.Query, e.Start)
		fmt.Fprintf(&b, " at line %d, column %d, near %q", line, col, e.Query[e.Start:e.End])
	}
	return b.String()
}

func (e *QueryError) Unwrap() error { return e.Err }
