package sanitytest_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

func getStatus(t *testing.T, url string) (int, error) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func TestFractionFaultIsRepeatableWithItsSeed(t *testing.T) {
	pattern := func(seed uint64) string {
		srv := sanitytest.NewServer()
		defer srv.Close()
		srv.FailFraction(sanitytest.Fault{Method: "GET", Path: "/v*/data/doc/*", Status: 503}, 0.5, seed)
		var b strings.Builder
		for range 40 {
			status, err := getStatus(t, srv.URL+"/v2025-02-19/data/doc/"+srv.Dataset()+"/missing")
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(map[bool]string{true: "x", false: "."}[status == 503])
		}
		return b.String()
	}
	a := pattern(11)
	if b := pattern(11); a != b {
		t.Errorf("the same seed failed different requests:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "x"); n < 8 || n > 32 {
		t.Errorf("%d of 40 requests failed, want about half: %s", n, a)
	}
	if pattern(12) == a {
		t.Errorf("another seed failed the same requests: %s", a)
	}
}

func TestNegativeTimesLastsUntilCleared(t *testing.T) {
	srv := sanitytest.NewServer()
	defer srv.Close()
	srv.FailNext(sanitytest.Fault{Path: "/v*/data/doc/*", Status: 500, Times: -1})
	url := srv.URL + "/v2025-02-19/data/doc/" + srv.Dataset() + "/x"
	for range 5 {
		if status, _ := getStatus(t, url); status != 500 {
			t.Fatalf("status %d, want the lasting fault's 500", status)
		}
	}
	srv.ClearFaults()
	if status, _ := getStatus(t, url); status == 500 {
		t.Error("the fault outlived ClearFaults")
	}
}

func TestOutageKeepsTheDocuments(t *testing.T) {
	srv := sanitytest.NewServer()
	defer srv.Close()
	if err := srv.Seed(map[string]any{"_id": "handbook", "_type": "handbook", "title": "Kept"}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/__admin/outage", "application/json", strings.NewReader(`{"durationMs": 300}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /__admin/outage = %v, %v", resp, err)
	}
	_ = resp.Body.Close()
	for down, _ := srv.Down(); !down; down, _ = srv.Down() {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := getStatus(t, srv.URL+"/__admin/documents"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("during the outage: %v, want connection refused", err)
	}
	for down, _ := srv.Down(); down; down, _ = srv.Down() {
		time.Sleep(10 * time.Millisecond)
	}
	if doc := srv.Document("handbook"); doc == nil || doc["title"] != "Kept" {
		t.Errorf("after the outage the document is %v", doc)
	}
	if status, err := getStatus(t, srv.URL+"/__admin/documents/handbook"); err != nil || status != 200 {
		t.Errorf("after the outage: %d, %v", status, err)
	}
}
