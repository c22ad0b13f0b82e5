package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/oktaexpr"
)

// RuleSpec is what the configuration asks for: the users matching the conditions are put into one group
// this provider owns. Exactly one of Match and Expression is set.
type RuleSpec struct {
	Name    string
	GroupID string
	// Match is structured conditions from document fields: AND across attributes, OR within a list.
	Match map[string][]string
	// Expression is an Okta expression written by an admin.
	Expression string
}

// RuleBinding is a group rule as it exists.
type RuleBinding struct {
	ID, Name, GroupID, Expression, Status string
}

// ErrRuleNotFound is returned for a rule that no longer exists.
var ErrRuleNotFound = errors.New("okta group rule not found")

// RuleExpression is the expression a spec sends to Okta. It needs no network: the Terraform layer calls it
// at validate and plan time. A value that could change the expression's structure is refused.
func RuleExpression(spec RuleSpec) (string, error) {
	switch {
	case spec.Expression != "" && len(spec.Match) > 0:
		return "", errors.New("set either match or expression, not both")
	case spec.Expression != "":
		if _, err := oktaexpr.Parse(spec.Expression); err != nil {
			return "", fmt.Errorf("the expression of group rule %q is not one Okta accepts: %w", spec.Name, err)
		}
		return spec.Expression, nil
	case len(spec.Match) > 0:
		expr, err := oktaexpr.Match(spec.Match)
		if err != nil {
			return "", fmt.Errorf("group rule %q: %w", spec.Name, err)
		}
		return expr, nil
	}
	return "", fmt.Errorf("group rule %q has no conditions: set match or expression", spec.Name)
}

// CascadeWarning warns about a rule whose condition depends on group membership: when another rule fills
// those groups, Okta evaluates the two in no defined order (it advises against cascading rules).
func CascadeWarning(spec RuleSpec) *Warning {
	if spec.Expression == "" {
		return nil
	}
	e, err := oktaexpr.Parse(spec.Expression)
	if err != nil || len(e.GroupIDs()) == 0 {
		return nil
	}
	return &Warning{
		Summary: "Group rule depends on group membership",
		Detail: fmt.Sprintf("The condition of group rule %q depends on membership of %s. If another group rule fills one "+
			"of those groups, the two cascade: Okta evaluates rules in no defined order, so members may arrive late or "+
			"not at all. Base the condition on user profile attributes instead, or make sure only people or "+
			"directory imports fill those groups.", spec.Name, strings.Join(e.GroupIDs(), ", ")),
	}
}

// ruleListing is the shared listing of the org's rules: every rule is read with one paged listing per
// Service, not one GET per resource.
type ruleListing struct {
	load
	mu   sync.Mutex
	byID map[string]Rule
}

func (s *Service) listedRules(ctx context.Context) (*ruleListing, error) {
	s.shared.mu.Lock()
	l := s.shared.rules
	first := l == nil
	if first {
		l = &ruleListing{load: newLoad()}
		s.shared.rules = l
	}
	s.shared.mu.Unlock()
	if first {
		rules, err := s.groups.ListRules(ctx)
		if err != nil {
			l.err = fmt.Errorf("listing the Okta group rules: %w", err)
			s.shared.mu.Lock()
			s.shared.rules = nil
			s.shared.mu.Unlock()
		} else {
			l.byID = make(map[string]Rule, len(rules))
			for _, r := range rules {
				l.byID[r.ID] = r
			}
		}
		close(l.loaded)
	}
	if err := l.wait(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Service) rememberRule(r Rule) {
	if l, ok := s.loadedRules(); ok {
		l.mu.Lock()
		l.byID[r.ID] = r
		l.mu.Unlock()
	}
}

func (s *Service) forgetRule(id string) {
	if l, ok := s.loadedRules(); ok {
		l.mu.Lock()
		delete(l.byID, id)
		l.mu.Unlock()
	}
}

func (s *Service) loadedRules() (*ruleListing, bool) {
	s.shared.mu.Lock()
	l := s.shared.rules
	s.shared.mu.Unlock()
	if l == nil {
		return nil, false
	}
	select {
	case <-l.loaded:
		return l, l.err == nil
	default:
		return nil, false
	}
}

// ruleTarget checks the group a rule fills: it must be one the provider may manage.
func (s *Service) ruleTarget(ctx context.Context, spec RuleSpec) error {
	grp, err := s.group(ctx, spec.GroupID)
	if errors.Is(err, ErrGroupNotFound) {
		return fmt.Errorf("group rule %q cannot fill Okta group %q: no such group exists", spec.Name, spec.GroupID)
	}
	if err != nil {
		return fmt.Errorf("reading Okta group %q for group rule %q: %w", spec.GroupID, spec.Name, err)
	}
	if err := s.guard.check("target", "", grp); err != nil {
		return fmt.Errorf("group rule %q: %w", spec.Name, err)
	}
	return nil
}

// CreateRule makes the rule exist and active. A rule with the same name that fills the same group (one
// an interrupted apply created) is adopted instead of duplicated.
func (s *Service) CreateRule(ctx context.Context, spec RuleSpec) (RuleBinding, []Warning, error) {
	expr, err := RuleExpression(spec)
	if err != nil {
		return RuleBinding{}, nil, err
	}
	if err := s.ruleTarget(ctx, spec); err != nil {
		return RuleBinding{}, nil, err
	}
	l, err := s.listedRules(ctx)
	if err != nil {
		return RuleBinding{}, nil, err
	}
	var existing *Rule
	l.mu.Lock()
	for _, r := range l.byID {
		if r.Name == spec.Name && slices.Equal(r.GroupIDs, []string{spec.GroupID}) && r.Status != RuleInvalid {
			existing = &r
			break
		}
	}
	l.mu.Unlock()
	var warnings []Warning
	if existing != nil {
		warnings = append(warnings, Warning{
			Summary: "Adopted an existing group rule",
			Detail: fmt.Sprintf("The group rule %q (%s) already fills Okta group %q, as after an apply that created it but "+
				"failed before saving it; it is managed by this resource from now on.", existing.Name, existing.ID, spec.GroupID),
		})
		b, err := s.replaceRule(ctx, *existing, spec.Name, expr)
		return b, warnings, err
	}
	r, err := s.groups.CreateRule(ctx, Rule{Name: spec.Name, Expression: expr, GroupIDs: []string{spec.GroupID}})
	if err != nil {
		return RuleBinding{}, nil, fmt.Errorf("creating group rule %q for Okta group %q: %w", spec.Name, spec.GroupID, err)
	}
	s.rememberRule(r)
	if err := s.groups.ActivateRule(ctx, r.ID); err != nil {
		return RuleBinding{}, nil, fmt.Errorf("the group rule %q (%s) was created but could not be activated; the next apply "+
			"adopts and activates it: %w", spec.Name, r.ID, err)
	}
	r.Status = RuleActive
	s.rememberRule(r)
	return bindingOf(r), warnings, nil
}

func bindingOf(r Rule) RuleBinding {
	b := RuleBinding{ID: r.ID, Name: r.Name, Expression: r.Expression, Status: r.Status}
	if len(r.GroupIDs) > 0 {
		b.GroupID = r.GroupIDs[0]
	}
	return b
}

// ReadRule refreshes a rule from the shared listing.
func (s *Service) ReadRule(ctx context.Context, b RuleBinding) (RuleBinding, error) {
	l, err := s.listedRules(ctx)
	if err != nil {
		return RuleBinding{}, err
	}
	l.mu.Lock()
	r, ok := l.byID[b.ID]
	l.mu.Unlock()
	if !ok {
		return RuleBinding{}, fmt.Errorf("group rule %q (%s): %w", b.Name, b.ID, ErrRuleNotFound)
	}
	return bindingOf(r), nil
}

// UpdateRule changes a rule in place: deactivate, replace, activate. Users who still match stay in the
// group throughout. Okta cannot change a rule's group, nor revive an INVALID rule (its group was
// deleted), so then the rule is replaced by a new one, which still shows as an update.
func (s *Service) UpdateRule(ctx context.Context, prior RuleBinding, spec RuleSpec) (RuleBinding, []Warning, error) {
	expr, err := RuleExpression(spec)
	if err != nil {
		return RuleBinding{}, nil, err
	}
	if err := s.ruleTarget(ctx, spec); err != nil {
		return RuleBinding{}, nil, err
	}
	current, err := s.ReadRule(ctx, prior)
	if errors.Is(err, ErrRuleNotFound) {
		return s.CreateRule(ctx, spec)
	}
	if err != nil {
		return RuleBinding{}, nil, err
	}
	if current.Status == RuleInvalid || current.GroupID != spec.GroupID {
		if err := s.deleteRule(ctx, current, false); err != nil {
			return RuleBinding{}, nil, err
		}
		return s.CreateRule(ctx, spec)
	}
	b, err := s.replaceRule(ctx, Rule{ID: current.ID, Name: current.Name, Status: current.Status, Expression: current.Expression,
		GroupIDs: []string{current.GroupID}}, spec.Name, expr)
	return b, nil, err
}

// replaceRule brings a valid rule to name and expression, and leaves it active.
func (s *Service) replaceRule(ctx context.Context, r Rule, name, expr string) (RuleBinding, error) {
	if r.Name != name || r.Expression != expr {
		if r.Status == RuleActive {
			if err := s.groups.DeactivateRule(ctx, r.ID); err != nil {
				return RuleBinding{}, fmt.Errorf("deactivating group rule %q (%s) to change it: %w", r.Name, r.ID, err)
			}
			r.Status = RuleInactive
		}
		out, err := s.groups.ReplaceRule(ctx, Rule{ID: r.ID, Name: name, Expression: expr, GroupIDs: r.GroupIDs})
		if err != nil {
			return RuleBinding{}, fmt.Errorf("changing group rule %q (%s); it is left inactive, and the next apply "+
				"finishes the change: %w", r.Name, r.ID, err)
		}
		out.Status = RuleInactive
		r = out
		s.rememberRule(r)
	}
	if r.Status != RuleActive {
		if err := s.groups.ActivateRule(ctx, r.ID); err != nil {
			return RuleBinding{}, fmt.Errorf("activating group rule %q (%s): %w", name, r.ID, err)
		}
		r.Status = RuleActive
		s.rememberRule(r)
	}
	return bindingOf(r), nil
}

// DeleteRule deactivates and deletes the rule. With removeUsers the users it put in the group leave it.
func (s *Service) DeleteRule(ctx context.Context, b RuleBinding, removeUsers bool) error {
	current, err := s.ReadRule(ctx, b)
	if errors.Is(err, ErrRuleNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.deleteRule(ctx, current, removeUsers)
}

func (s *Service) deleteRule(ctx context.Context, r RuleBinding, removeUsers bool) error {
	if r.Status == RuleActive {
		if err := s.groups.DeactivateRule(ctx, r.ID); err != nil {
			return fmt.Errorf("deactivating group rule %q (%s) before deleting it: %w", r.Name, r.ID, err)
		}
	}
	if err := s.groups.DeleteRule(ctx, r.ID, removeUsers); err != nil {
		return fmt.Errorf("deleting group rule %q (%s): %w", r.Name, r.ID, err)
	}
	s.forgetRule(r.ID)
	return nil
}

// ImportRule takes over an existing rule by ID. It must fill one group this provider may manage.
func (s *Service) ImportRule(ctx context.Context, id string) (RuleBinding, error) {
	b, err := s.ReadRule(ctx, RuleBinding{ID: id})
	if err != nil {
		return RuleBinding{}, fmt.Errorf("cannot import group rule %q: %w", id, err)
	}
	if b.GroupID == "" {
		return RuleBinding{}, fmt.Errorf("cannot import group rule %q: it fills no group", id)
	}
	if err := s.ruleTarget(ctx, RuleSpec{Name: b.Name, GroupID: b.GroupID}); err != nil {
		return RuleBinding{}, fmt.Errorf("cannot import group rule %q: %w", id, err)
	}
	return b, nil
}
