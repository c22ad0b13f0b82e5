package faultnet_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/faultnet"
)

func TestOutageRefusesConnectionsThenComesBackOnTheSameAddress(t *testing.T) {
	l, err := faultnet.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})}}
	srv.Start()
	defer srv.Close()
	get := func() error {
		resp, err := http.Get(srv.URL)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	if err := get(); err != nil {
		t.Fatalf("before the outage: %v", err)
	}
	if err := l.Outage(500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if down, _ := l.Down(); !down {
		t.Error("Down() = false during the outage")
	}
	if err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("during the outage: %v, want connection refused", err)
	}
	for down, _ := l.Down(); down; down, _ = l.Down() {
		time.Sleep(20 * time.Millisecond)
	}
	if err := get(); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
