package okta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// Kinds of failure the caller can act on; test with errors.Is. Every error
// returned by a Client method is an *Error that wraps one of these (or none,
// for failures that fit no kind, such as a network error or a 500).
var (
	// ErrNotFound: the group or rule does not exist (404 E0000007).
	ErrNotFound = errors.New("not found")
	// ErrNameTaken: another group already has this name (400 E0000001 on name).
	ErrNameTaken = errors.New("name already taken")
	// ErrRateLimited: Okta still answered 429 after all retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnauthorized: the credentials were refused (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials lack a permission or scope (403).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the request was refused as invalid (other 400s), or
	// rejected before sending (bad ID, name too long).
	ErrInvalid = errors.New("invalid request")
)

// Error describes one failed call: what was attempted, on which object, what
// Okta answered and what to do about it.
type Error struct {
	Op     string // what was attempted, e.g. "create group"
	Object string // the group or rule it concerned: ID, name or both

	Kind   error  // one of the Err* values above, or nil
	Status int    // HTTP status, 0 if no response was received
	Code   string // Okta's errorCode, e.g. "E0000007"
	// Summary is Okta's errorSummary and errorCauses (or the OAuth
	// error_description), or the cause's text if Okta sent none.
	Summary string
	ErrorID string // Okta's errorId, for Okta support
	Hint    string // what the user can do

	Err error // the underlying error, credentials removed
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("okta: ")
	b.WriteString(e.Op)
	if e.Object != "" {
		b.WriteString(" ")
		b.WriteString(e.Object)
	}
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
		b.WriteString(": ")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d ", e.Status)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(" ")
	}
	b.WriteString(e.Summary)
	if e.ErrorID != "" {
		fmt.Fprintf(&b, " (Okta error ID %s)", e.ErrorID)
	}
	if e.Hint != "" {
		// Okta's own descriptions often end with a period already.
		if !strings.HasSuffix(b.String(), ".") {
			b.WriteString(".")
		}
		b.WriteString(" ")
		b.WriteString(strings.ToUpper(e.Hint[:1]))
		b.WriteString(e.Hint[1:])
	}
	return b.String()
}

// Unwrap lets errors.Is find both the kind and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func newError(op, object string, kind error, summary, hint string) *Error {
	return &Error{Op: op, Object: object, Kind: kind, Summary: summary, Hint: hint}
}

// classify turns what the SDK returned into an *Error. resp may be nil.
func (c *Client) classify(op, object string, resp *sdk.Response, err error, trace *callTrace) *Error {
	e := &Error{Op: op, Object: object, Err: scrubError(err)}
	var oe *sdk.Error
	isOkta := errors.As(err, &oe)
	if isOkta {
		e.Code = oe.ErrorCode
		e.ErrorID = oe.ErrorId
		e.Summary = oktaSummary(oe)
	} else {
		e.Summary = e.Err.Error()
	}

	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
	} else if trace != nil {
		last, attempts := trace.lastAttempt()
		e.Status = last.status
		if last.status == 429 {
			e.Kind = ErrRateLimited
			e.Summary = fmt.Sprintf("Okta answered 429 E0000047 to all %d attempts", attempts)
			if last.limit != "" {
				e.Summary += fmt.Sprintf(" (limit %s per window for %s", last.limit, bucketOf(last.path))
				if !last.reset.IsZero() {
					e.Summary += ", next window at " + last.reset.Format("15:04:05 MST")
				}
				e.Summary += ")"
			}
			e.Hint = "Okta's rate limit is shared by every client of the org: retry later, lower Terraform's -parallelism, or raise the provider's max_retries"
			return e
		}
	}

	switch {
	case isOkta && oe.ErrorMessage != "":
		// An OAuth error from /oauth2/v1/token: the service app's access
		// token could not be obtained.
		e.Code = oe.ErrorMessage
		if oe.ErrorMessage == "invalid_scope" {
			e.Kind = ErrForbidden
			e.Hint = c.scopeHint("Okta refused to grant")
		} else {
			e.Kind = ErrUnauthorized
			e.Hint = "check the service app's client ID, private key and key ID (kid) against the app's public keys in Okta, and that DPoP is not required for the app"
		}
	case e.Status == 404:
		e.Kind = ErrNotFound
		e.Hint = "it was deleted, or never existed in the org at " + c.orgURL
	case e.Status == 401:
		e.Kind = ErrUnauthorized
		e.Hint = "check the org URL (okta.org_url or OKTA_ORG_URL) and that the API token (okta.api_token or OKTA_API_TOKEN), or the service app, is valid for that org and not revoked"
	case e.Status == 403:
		e.Kind = ErrForbidden
		e.Hint = "the credentials lack permission: give the API token's admin (or the service app) a group administrator role and the okta.groups.manage scope"
		if c.scopes != nil {
			e.Hint = c.scopeHint("the access token holds only what was requested")
		}
	case e.Status == 429:
		e.Kind = ErrRateLimited
		e.Hint = "retry later, or lower Terraform's -parallelism"
	case e.Status == 400:
		e.Kind = ErrInvalid
	case e.Status >= 500:
		e.Hint = "Okta had a server error; retry later, and check Okta's status page if it persists"
	case errors.Is(err, context.DeadlineExceeded):
		e.Hint = "Okta did not answer in time; retry, or raise the request timeout"
	case errors.Is(err, context.Canceled):
		e.Hint = "the operation was canceled"
	case e.Status == 0:
		e.Hint = "Okta could not be reached at " + c.orgURL + "; check the org URL, proxy settings and network"
	}
	applyRetryOutcome(e, trace)
	return e
}

// nameTaken reports whether a 400 is Okta's uniqueness failure on the group
// name. Okta's wording is not documented, so only the field is matched.
func nameTaken(e *Error) bool {
	if e.Status != 400 || e.Code != "E0000001" {
		return false
	}
	s := e.Summary
	if i := strings.Index(s, "Api validation failed:"); i >= 0 {
		fields := s[i+len("Api validation failed:"):]
		if j := strings.IndexAny(fields, ".("); j >= 0 {
			fields = fields[:j]
		}
		for _, f := range strings.Split(fields, ",") {
			if f = strings.TrimSpace(f); f == "name" || f == "profile.name" {
				return true
			}
		}
	}
	return false
}

func oktaSummary(oe *sdk.Error) string {
	s := oe.ErrorSummary
	if oe.ErrorDescription != "" {
		s = oe.ErrorDescription
	}
	var causes []string
	for _, cause := range oe.ErrorCauses {
		if v, ok := cause["errorSummary"]; ok {
			causes = append(causes, fmt.Sprint(v))
		}
	}
	if len(causes) > 0 {
		s += " (" + strings.Join(causes, "; ") + ")"
	}
	if s == "" {
		s = "Okta sent no error description"
	}
	return s
}

// scrubError removes query strings from URLs in transport errors: the SDK
// puts the signed client assertion in the token request's query.
func scrubError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		redacted := "(url)"
		if perr == nil {
			u.RawQuery = ""
			u.User = nil
			redacted = u.String()
		}
		return &url.Error{Op: ue.Op, URL: redacted, Err: ue.Err}
	}
	if err == nil {
		return errors.New("unknown error")
	}
	return err
}

// bucketOf names the rate-limit bucket a request path counts against.
func bucketOf(path string) string {
	const groups = "/api/v1/groups"
	rest, ok := strings.CutPrefix(path, groups+"/")
	if !ok {
		return path
	}
	if rest != "" && !strings.Contains(rest, "/") && rest != "rules" {
		return groups + "/{id}"
	}
	return groups
}

// scopeHint says which OAuth scopes were requested, which of the provider's required scopes are missing
// from the request, and what to change. okta.groups.manage also allows reading groups, so a request with
// it alone is enough.
func (c *Client) scopeHint(what string) string {
	has := map[string]bool{}
	for _, s := range c.scopes {
		has[s] = true
	}
	var missing []string
	if !has["okta.groups.read"] && !has["okta.groups.manage"] {
		missing = append(missing, "okta.groups.read")
	}
	if !has["okta.groups.manage"] {
		missing = append(missing, "okta.groups.manage")
	}
	requested := strings.Join(c.scopes, ", ")
	const needs = "okta.groups.manage (to create, rename and delete groups; it covers reading them too) or, for plans only, okta.groups.read"
	if len(missing) > 0 {
		return fmt.Sprintf("%s: the provider requested the scopes %s, which leave out %s; it needs %s: set "+
			"okta.scopes (or OKTA_SCOPES) to include them, or leave it unset for the default (%s), and grant them "+
			"to the service app in Okta", what, requested, strings.Join(missing, " and "), needs, strings.Join(DefaultScopes, ", "))
	}
	return fmt.Sprintf("%s: the provider requested the scopes %s; it needs %s: grant every requested scope to the "+
		"service app in Okta (its Okta API Scopes tab), or request only the ones it needs with okta.scopes (or "+
		"OKTA_SCOPES)", what, requested, needs)
}
