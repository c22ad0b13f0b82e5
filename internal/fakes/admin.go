package fakes

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// AdminPrefix is where a fake serves its admin API. It is not part of the faked service's API.
const AdminPrefix = "/__admin/"

// Route is one admin endpoint: Method and Path, under AdminPrefix, with {name} wildcards as in
// http.ServeMux patterns ("groups/{id}"), and the Handler that calls the Go method it mirrors. Build
// handlers with Do, Get, Set, Call and Answer, so that the body is decoded into the method's argument
// and its result or error is encoded the same way on every route.
type Route struct {
	Method, Path string
	// Doc says what the route does, in a few words.
	Doc     string
	Handler http.HandlerFunc
}

// IndexEntry is one route as GET /__admin/ lists it.
type IndexEntry struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Description string `json:"description"`
}

// Index lists routes as GET /__admin/ answers them, itself first.
func Index(routes []Route) []IndexEntry {
	out := []IndexEntry{{Method: "GET", Path: AdminPrefix, Description: "this list of routes"}}
	for _, rt := range routes {
		// {id...} (the rest of the path) reads as {id} to a person.
		out = append(out, IndexEntry{Method: rt.Method, Path: AdminPrefix + strings.ReplaceAll(rt.Path, "...}", "}"), Description: rt.Doc})
	}
	return out
}

// Admin serves a table of routes under AdminPrefix, and their Index at AdminPrefix itself. A request no
// route matches is answered 404 (or 405) with an {"error": "..."} body, like every admin error.
func Admin(name string, routes []Route) http.Handler {
	mux := http.NewServeMux()
	index := Index(routes)
	mux.HandleFunc("GET "+AdminPrefix+"{$}", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]any{"routes": index})
	})
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+AdminPrefix+rt.Path, rt.Handler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			// Let the mux decide between 404 and 405, then say it in JSON.
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, r)
			if allow := rec.Header().Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			WriteError(w, rec.Code, fmt.Errorf("%s: no admin endpoint %s %s", name, r.Method, r.URL.Path))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// HTTPError is an error with the status an admin route answers it with.
type HTTPError struct {
	Status int
	Err    error
}

func (e *HTTPError) Error() string { return e.Err.Error() }
func (e *HTTPError) Unwrap() error { return e.Err }

// WithStatus makes an admin route answer err with status (400 is the default).
func WithStatus(status int, err error) error {
	if err == nil {
		return nil
	}
	return &HTTPError{Status: status, Err: err}
}

// WriteJSON answers v as JSON, without HTML escaping.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError answers {"error": "..."}; an *HTTPError in err's chain sets the status.
func WriteError(w http.ResponseWriter, status int, err error) {
	var he *HTTPError
	if errors.As(err, &he) {
		status = he.Status
	}
	WriteJSON(w, status, map[string]string{"error": err.Error()})
}

// decodeStrict decodes one JSON value from r into v; unknown object fields are an error.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// maxAdminBody bounds a JSON admin body.
const maxAdminBody = 8 << 20

// DecodeBody decodes the request's JSON body into v, strictly.
func DecodeBody(r *http.Request, v any) error {
	if err := decodeStrict(io.LimitReader(r.Body, maxAdminBody), v); err != nil {
		return WithStatus(http.StatusBadRequest, fmt.Errorf("bad admin request body: %w", err))
	}
	return nil
}

// Do makes a route that calls f and answers 204.
func Do(f func()) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		f()
		w.WriteHeader(http.StatusNoContent)
	}
}

// Get makes a route that answers f's result as JSON.
func Get[R any](f func() R) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, f())
	}
}

// Set makes a route that decodes the body into f's argument, calls f and answers 204, or f's error.
func Set[T any](f func(T) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v T
		if err := DecodeBody(r, &v); err != nil {
			WriteError(w, http.StatusBadRequest, err)
			return
		}
		if err := f(v); err != nil {
			WriteError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Call makes a route that decodes the body into f's argument, calls f and answers its result as JSON,
// or its error.
func Call[T, R any](f func(T) (R, error)) http.HandlerFunc {
	return Answer(func(r *http.Request) (any, error) {
		var v T
		if err := DecodeBody(r, &v); err != nil {
			return nil, err
		}
		return f(v)
	})
}

// Answer makes a route from f, for routes that read path wildcards or the query: a nil result answers
// 204, another result 200 with it as JSON, an error 400 (or its WithStatus status).
func Answer(f func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := f(r)
		switch {
		case err != nil:
			WriteError(w, http.StatusBadRequest, err)
		case v == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			WriteJSON(w, http.StatusOK, v)
		}
	}
}

// outageRequest is the body of an outage route.
type outageRequest struct {
	// Duration is a Go duration string such as "5s".
	Duration string `json:"duration"`
}

// outageAnswerMargin is how long an outage asked for over the admin API waits to begin, so that its
// own answer reaches the caller.
const outageAnswerMargin = 50 * time.Millisecond

// Outage makes the route for a fake's Outage method: it decodes {"duration": "5s"}, answers 204, and
// then calls outage, which closes the route's own connection too.
func Outage(outage func(time.Duration)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body outageRequest
		if err := DecodeBody(r, &body); err != nil {
			WriteError(w, http.StatusBadRequest, err)
			return
		}
		d, err := ParseDuration("duration", body.Duration)
		if err != nil || d <= 0 {
			WriteError(w, http.StatusBadRequest, errors.New(`outage duration must be a positive duration such as "5s"`))
			return
		}
		w.WriteHeader(http.StatusNoContent)
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		go func() {
			time.Sleep(outageAnswerMargin)
			outage(d)
		}()
	}
}

// requestsAnswer is the body of a requests route: the entries matching ?method= and ?path= (a
// pattern, see Match), and how many there are.
type requestsAnswer[R any] struct {
	Count    int `json:"count"`
	Requests []R `json:"requests"`
}

// Requests makes the route for a fake's request log.
func Requests[R any](l *Log[R]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		out := l.Filter(q.Get("method"), q.Get("path"))
		WriteJSON(w, http.StatusOK, requestsAnswer[R]{Count: len(out), Requests: out})
	}
}
