package sanitytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/groq"
)

// evalRequest is one GROQ evaluation.
type evalRequest struct {
	query  string
	docs   []any
	params map[string]any
	delta  *groq.Delta
	now    time.Time
}

func (s *Server) evaluate(ctx context.Context, req evalRequest) (any, error) {
	q, err := groq.Parse(req.query)
	if err != nil {
		return nil, err
	}
	return q.Evaluate(ctx, &groq.Env{
		Documents: req.docs,
		Params:    req.params,
		Now:       req.now,
		ProjectID: s.cfg.projectID,
		Dataset:   s.cfg.dataset,
		Delta:     req.delta,
		MaxSteps:  s.cfg.maxSteps,
	})
}

// queryError turns an evaluation error into the status and error object the Content Lake answers with.
func queryError(query string, err error) (int, map[string]any) {
	var se *groq.SyntaxError
	if errors.As(err, &se) {
		return http.StatusBadRequest, map[string]any{
			"type": "queryParseError", "description": se.Message, "query": query, "start": se.Start, "end": se.End,
		}
	}
	var pe *groq.ParamError
	if errors.As(err, &pe) {
		body := map[string]any{
			"type": "queryParseError", "description": fmt.Sprintf("Param $%s referenced, but not provided", pe.Name), "query": query,
		}
		if loc := regexp.MustCompile(`\$` + regexp.QuoteMeta(pe.Name) + `\b`).FindStringIndex(query); loc != nil {
			body["start"], body["end"] = loc[0], loc[1]
		}
		return http.StatusBadRequest, body
	}
	if errors.Is(err, groq.ErrLimit) {
		return http.StatusBadRequest, map[string]any{
			"type": "queryTooComplexError", "description": "Query is too complex or takes too long to evaluate: " + err.Error(), "query": query,
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusGatewayTimeout, map[string]any{"type": "queryTimeoutError", "description": "Query timed out", "query": query}
	}
	return http.StatusBadRequest, map[string]any{"type": "queryError", "description": err.Error(), "query": query}
}
