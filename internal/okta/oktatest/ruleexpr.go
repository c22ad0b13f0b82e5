package oktatest

import (
	"github.com/sanityokta/terraform-provider-sanityokta/internal/oktaexpr"
)

// ruleCondition is a compiled group-rule expression.
type ruleCondition struct{ expr *oktaexpr.Expr }

// compileRuleExpression compiles an expression of the Okta Expression
// Language subset that group rules use; the error is an
// *oktaexpr.SyntaxError.
func compileRuleExpression(src string) (ruleCondition, error) {
	e, err := oktaexpr.Parse(src)
	if err != nil {
		return ruleCondition{}, err
	}
	return ruleCondition{expr: e}, nil
}

func (c ruleCondition) matches(profile map[string]any, groupIDs []string) (bool, error) {
	return c.expr.Eval(oktaexpr.User{Profile: profile, GroupIDs: groupIDs})
}
