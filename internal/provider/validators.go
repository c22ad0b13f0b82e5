package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/endpoint"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/groq"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

func pathExpr(names ...string) path.Expression {
	e := path.MatchRoot(names[0])
	for _, n := range names[1:] {
		e = e.AtName(n)
	}
	return e
}

// stringCheck adapts a plain Go check to a string validator that runs at validate time, without network.
type stringCheck struct {
	summary     string
	description string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

type apiVersionValidator struct{}

func (apiVersionValidator) Description(context.Context) string {
	return "must be a dated API version YYYY-MM-DD, at least " + sanity.MinAPIVersion
}
func (v apiVersionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (apiVersionValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	stringCheck{summary: "Invalid Sanity API version", check: checkAPIVersion}.ValidateString(ctx, req, resp)
}

type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be an https URL, or http to a loopback host"
}
func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (endpointValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	stringCheck{summary: "Refusing endpoint URL", check: endpoint.Check}.ValidateString(ctx, req, resp)
}

func documentIDValidator() validator.String {
	return stringCheck{
		summary:     "Invalid document ID",
		description: "must be a published Sanity document ID (not drafts.* or versions.*)",
		check:       access.CheckDocumentID,
	}
}

func fieldNameValidator() validator.String {
	return stringCheck{
		summary:     "Invalid document field",
		description: "must be a top-level attribute name",
		check:       access.CheckFieldName,
	}
}

// groqKind says what part of a query a GROQ string is. Each parses on its own as an expression, so line
// and column refer to exactly what the user wrote.
type groqKind string

const (
	groqFilter     groqKind = "filter"
	groqProjection groqKind = "projection"
	groqQuery      groqKind = "query"
)

// groqValidator reports GROQ syntax errors at `terraform validate`, with line and column, using the same
// parser the fake Content Lake uses. No request is made.
type groqValidator struct{ kind groqKind }

func (v groqValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a syntactically valid GROQ %s", v.kind)
}
func (v groqValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v groqValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	src := req.ConfigValue.ValueString()
	if strings.TrimSpace(src) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty GROQ "+string(v.kind), fmt.Sprintf("The %s is empty; remove the attribute or write a GROQ %s.", v.kind, v.kind))
		return
	}
	_, err := groq.Parse(src)
	if err == nil {
		return
	}
	var se *groq.SyntaxError
	if errors.As(err, &se) {
		resp.Diagnostics.AddAttributeError(req.Path, fmt.Sprintf("GROQ syntax error in %s", v.kind),
			fmt.Sprintf("Line %d, column %d: %s\n\n%s", se.Line, se.Col, se.Message, pointAt(src, se.Line, se.Col)))
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, fmt.Sprintf("Invalid GROQ %s", v.kind), err.Error())
}

// pointAt shows the offending line with a caret under the column.
func pointAt(src string, line, col int) string {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	text := lines[line-1]
	pad := strings.Repeat(" ", max(col-1, 0))
	return "  " + text + "\n  " + pad + "^"
}
