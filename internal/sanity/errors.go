package sanity

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error types the Content Lake puts in error bodies. The fake in sanitytest answers with the same names.
const (
	ErrorTypeQueryParse          = "queryParseError"
	ErrorTypeMutation            = "mutationError"
	ErrorTypeAction              = "actionError"
	ErrorTypeDocumentNotFound    = "documentNotFoundError"
	ErrorTypeDocumentExists      = "documentAlreadyExistsError"
	ErrorTypeRevisionMismatch    = "documentRevisionIDDoesNotMatchError"
	ErrorTypePermissions         = "insufficientPermissionsError"
	ErrorTypeInvalidRequestBody  = "httpInvalidRequestBody"
	ErrorTypeTransactionIDExists = "transactionIdAlreadyExistsError"
)

// APIError is any answer from the Content Lake that is not a success. Every error body shape the API is
// known to use is parsed into it: queryParseError (with the query and the offending byte range),
// mutationError and actionError (with per-item errors), Boom-style bodies ({statusCode, error, message}),
// the generic {error: {description}} and non-JSON gateway pages.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Type is the error type from the body, for example "queryParseError" or "mutationError"; for
	// Boom-style bodies it is the HTTP reason ("Unauthorized").
	Type string
	// Description is the human-readable message from the body.
	Description string
	// Query, Start and End locate a query error: Start and End are offsets into Query. HasPosition
	// reports whether the body carried them.
	Query       string
	Start, End  int
	HasPosition bool
	// Items are the per-mutation or per-action errors of a failed transaction.
	Items []ErrorItem
	// ErrorCode is the Boom-style errorCode, such as "SIO-401-ANF".
	ErrorCode string
	// TraceID comes from the traceparent response header; quote it when asking Sanity support.
	TraceID string
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
	// Method and Path say which request failed (the path never carries a token).
	Method, Path string
	// Body is the raw response body, cut at 4 KB.
	Body []byte
	// Hint says what to do about the error, when the status or type makes that clear.
	Hint string
}

// ErrorItem is one failed mutation or action inside a transaction.
type ErrorItem struct {
	// Index is the position of the failed mutation or action in the request.
	Index int
	// Type is the item's error type, such as "documentNotFoundError".
	Type        string
	Description string
	// ID is the document the item is about, when the server says so.
	ID string
	// Permission is the missing permission of an insufficientPermissionsError.
	Permission string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sanity: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Type != "" {
		fmt.Fprintf(&b, " %s", e.Type)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.HasPosition {
		fmt.Fprintf(&b, " (query bytes %d-%d)", e.Start, e.End)
	}
	for _, it := range e.Items {
		fmt.Fprintf(&b, "; item %d", it.Index)
		if it.ID != "" {
			fmt.Fprintf(&b, " (document %q)", it.ID)
		}
		fmt.Fprintf(&b, ": %s", it.Description)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " [trace %s]", e.TraceID)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, ". %s", e.Hint)
	}
	return b.String()
}

// hintFor says what to change for the errors a user can fix: a refused token, a token that may not write.
func hintFor(e *APIError) string {
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return "Check the API token (sanity.token or SANITY_API_TOKEN): Sanity did not accept it, because it is " +
			"mistyped, revoked, or belongs to another project. The provider needs a token of this project with " +
			"the Editor role (read and write, drafts and release versions included)"
	case e.StatusCode == http.StatusForbidden || e.hasItemType(ErrorTypePermissions):
		perm := ""
		for _, it := range e.Items {
			if it.Permission != "" {
				perm = fmt.Sprintf(" (it lacks the %q permission)", it.Permission)
				break
			}
		}
		return "The API token (sanity.token or SANITY_API_TOKEN) may not make this change" + perm + ": use a " +
			"token with the Editor role, or a custom role that may update documents, drafts and release versions"
	}
	return ""
}

// hasItemType reports whether the error itself or any of its items has type t.
func (e *APIError) hasItemType(t string) bool {
	if e.Type == t {
		return true
	}
	for _, it := range e.Items {
		if it.Type == t {
			return true
		}
	}
	return false
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether err says a document the request named does not exist, such as a patch or a
// publish of a missing document. A wrong dataset or path is not "not found" in this sense.
func IsNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.hasItemType(ErrorTypeDocumentNotFound)
}

// mentions reports whether the description of e or of one of its items contains all the words,
// ignoring case. The live API's item types for conflicts are not documented; its wording is.
func (e *APIError) mentions(words ...string) bool {
	texts := []string{e.Description}
	for _, it := range e.Items {
		texts = append(texts, it.Description)
	}
	for _, text := range texts {
		text = strings.ToLower(text)
		all := true
		for _, w := range words {
			all = all && strings.Contains(text, w)
		}
		if all {
			return true
		}
	}
	return false
}

// IsRevisionConflict reports whether err is an ifRevisionID mismatch: someone else wrote the document
// since it was read. Re-read and try again. The live API answers 409 with "... has unexpected revision
// ID ...".
func IsRevisionConflict(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.hasItemType(ErrorTypeRevisionMismatch) ||
		(e.StatusCode == http.StatusConflict && e.mentions("unexpected revision")))
}

// IsAlreadyExists reports whether err is a create on an ID that is taken.
func IsAlreadyExists(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.hasItemType(ErrorTypeDocumentExists) ||
		(e.StatusCode == http.StatusConflict && e.mentions("document", "already exists")))
}

// IsTransactionIDReused reports whether err says the transaction ID was already used in the dataset,
// which means a transaction with that ID was committed before.
func IsTransactionIDReused(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.hasItemType(ErrorTypeTransactionIDExists) ||
		(e.StatusCode == http.StatusConflict && e.mentions("transaction", "already")))
}

// IsUnauthorized reports a missing, unknown or expired token (401).
func IsUnauthorized(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusUnauthorized
}

// IsForbidden reports a token that lacks a permission (403), such as a read token that mutates.
func IsForbidden(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.StatusCode == http.StatusForbidden || e.hasItemType(ErrorTypePermissions))
}

// IsQueryError reports a GROQ query the server refused: a syntax error or a missing parameter.
func IsQueryError(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Type == ErrorTypeQueryParse
}

// IsRateLimited reports a 429; the client has already retried it where that is safe.
func IsRateLimited(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusTooManyRequests
}

// IsTemporary reports errors worth trying again later: rate limits and gateway or server failures.
func IsTemporary(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500)
}

const maxErrorBody = 4 << 10

// parseAPIError builds an APIError from a non-2xx response body.
func parseAPIError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     method,
		Path:       path,
		TraceID:    traceID(resp.Header.Get("traceparent")),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After")),
	}
	if len(body) > maxErrorBody {
		e.Body = append([]byte(nil), body[:maxErrorBody]...)
	} else {
		e.Body = append([]byte(nil), body...)
	}

	var raw struct {
		Error      json.RawMessage `json:"error"`
		Message    string          `json:"message"`
		StatusCode int             `json:"statusCode"`
		ErrorCode  string          `json:"errorCode"`
	}
	if json.Unmarshal(body, &raw) != nil || len(raw.Error) == 0 {
		e.Description = nonJSONDescription(resp.StatusCode, body)
		if json.Valid(body) && raw.Message != "" {
			e.Description = raw.Message
		}
		e.Hint = hintFor(e)
		return e
	}
	// Boom style: "error" is the HTTP reason, "message" the detail.
	var reason string
	if json.Unmarshal(raw.Error, &reason) == nil {
		e.Type = reason
		e.Description = raw.Message
		e.ErrorCode = raw.ErrorCode
		if e.Description == "" {
			e.Description = reason
		}
		e.Hint = hintFor(e)
		return e
	}
	var detail struct {
		Type        string `json:"type"`
		Description string `json:"description"`
		Message     string `json:"message"`
		Query       string `json:"query"`
		Start       *int   `json:"start"`
		End         *int   `json:"end"`
		Items       []struct {
			Index int `json:"index"`
			Error struct {
				Type        string `json:"type"`
				Description string `json:"description"`
				ID          string `json:"id"`
				Permission  string `json:"permission"`
			} `json:"error"`
		} `json:"items"`
	}
	if json.Unmarshal(raw.Error, &detail) != nil {
		e.Description = nonJSONDescription(resp.StatusCode, body)
		return e
	}
	e.Type = detail.Type
	e.Description = detail.Description
	if e.Description == "" {
		e.Description = detail.Message
	}
	e.Query = detail.Query
	if detail.Start != nil && detail.End != nil {
		e.Start, e.End, e.HasPosition = *detail.Start, *detail.End, true
	}
	for _, it := range detail.Items {
		e.Items = append(e.Items, ErrorItem{
			Index:       it.Index,
			Type:        it.Error.Type,
			Description: it.Error.Description,
			ID:          it.Error.ID,
			Permission:  it.Error.Permission,
		})
	}
	e.Hint = hintFor(e)
	return e
}

func nonJSONDescription(status int, body []byte) string {
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	if text == "" || strings.HasPrefix(text, "<") {
		return http.StatusText(status)
	}
	return text
}

// traceID extracts the trace ID from a W3C traceparent header (version-traceid-parentid-flags).
func traceID(traceparent string) string {
	parts := strings.Split(traceparent, "-")
	if len(parts) == 4 {
		return parts[1]
	}
	return ""
}
