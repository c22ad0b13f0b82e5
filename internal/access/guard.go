package access

import (
	"fmt"
	"strings"
)

// guard is the ownership rule: editors control document fields, so a document must never steer the
// provider into a group that belongs to someone else.
type guard struct {
	prefix string
}

// check returns a *GuardError when the group may not be touched by action on behalf of documentID.
func (g guard) check(action, documentID string, grp Group) error {
	refuse := func(rule string) error {
		return &GuardError{DocumentID: documentID, GroupID: grp.ID, GroupName: grp.Profile.Name, Rule: rule, Action: action}
	}
	switch grp.Type {
	case GroupTypeOkta:
	case GroupTypeBuiltIn:
		return refuse("it is a BUILT_IN group, managed by Okta itself")
	case GroupTypeApp:
		return refuse("it is an APP_GROUP, imported from an application or directory and managed there")
	default:
		return refuse(fmt.Sprintf("its type is %q, not OKTA_GROUP", grp.Type))
	}
	if grp.AdminPrivilege {
		return refuse("it has administrator privileges")
	}
	if !strings.HasPrefix(grp.Profile.Name, g.prefix) {
		return refuse(fmt.Sprintf("its name does not start with the group name prefix %q", g.prefix))
	}
	return nil
}

// checkName reports whether a name the configuration asks for is inside the prefix.
func (g guard) checkName(documentID, name string) error {
	if g.prefix != "" && name == g.prefix {
		return fmt.Errorf("group name %q for document %q is only the group name prefix: add the document's own part "+
			"after it, for example its slug (\"%sslug\")", name, documentID, g.prefix)
	}
	if strings.HasPrefix(name, g.prefix) {
		return nil
	}
	return fmt.Errorf("group name %q for document %q does not start with the group name prefix %q: "+
		"the provider only manages groups inside its prefix; change the name or the provider's group_name_prefix",
		name, documentID, g.prefix)
}

// CheckGroupName reports whether name is one the provider may give a group. It needs no network, so the
// Terraform layer uses it at plan time.
func (s *Service) CheckGroupName(documentID, name string) error {
	return s.guard.checkName(documentID, name)
}
