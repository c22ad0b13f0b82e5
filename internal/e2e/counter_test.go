package e2e

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// counter is an endpoint that answers 204 and counts what it receives.
type counter struct {
	*httptest.Server
	n atomic.Int64
}

func newCounter() *counter {
	c := &counter{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c.n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	return c
}

func (c *counter) Count() int { return int(c.n.Load()) }
