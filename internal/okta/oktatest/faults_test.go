package oktatest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

func TestFractionFaultIsRepeatableWithItsSeed(t *testing.T) {
	statuses := func(seed uint64) string {
		srv := oktatest.NewServer()
		defer srv.Close()
		if err := srv.AddFault(oktatest.Fault{Method: "GET", Status: 500, Fraction: 0.5, Seed: seed, Times: -1}); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for range 40 {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/groups/"+srv.EveryoneID(), nil)
			req.Header.Set("Authorization", "SSWS "+srv.Token())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			b.WriteString(map[bool]string{true: "x", false: "."}[resp.StatusCode == 500])
		}
		return b.String()
	}
	a, b := statuses(3), statuses(3)
	if a != b {
		t.Errorf("the same seed failed different requests:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "x"); n < 8 || n > 32 {
		t.Errorf("%d of 40 requests failed, want about half: %s", n, a)
	}
	if statuses(4) == a {
		t.Errorf("another seed failed the same requests: %s", a)
	}
}

func TestBadFractionIsRefused(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	if err := srv.AddFault(oktatest.Fault{Status: 500, Fraction: 1.5}); err == nil {
		t.Error("a fraction of 1.5 was accepted")
	}
}

func TestAdminOutageAndFractionFault(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	post := func(path, body string) int {
		resp, err := http.Post(srv.URL+"/__admin/"+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("faults", `{"method":"POST","path":"/api/v1/groups","status":503,"retryAfter":"2s","fraction":0.25,"seed":9,"times":-1}`); got != 204 {
		t.Errorf("POST faults = %d, want 204", got)
	}
	if got := post("faults", `{"status":500,"fraction":2}`); got != 400 {
		t.Errorf("POST faults with fraction 2 = %d, want 400", got)
	}
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:kept"})
	if got := post("outage", `{"duration":"300ms"}`); got != 204 {
		t.Fatalf("POST outage = %d, want 204", got)
	}
	// The outage begins just after the answer.
	for down, _ := srv.Down(); !down; down, _ = srv.Down() {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := http.Get(srv.URL + "/__admin/groups"); err == nil {
		t.Error("the fake answered during its outage")
	}
	for down, _ := srv.Down(); down; down, _ = srv.Down() {
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := srv.Group(g.ID); !ok {
		t.Error("the group did not survive the outage")
	}
	resp, err := http.Get(srv.URL + "/__admin/groups/" + g.ID)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the outage: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if got := post("outage", `{"duration":"soon"}`); got != 400 {
		t.Errorf("POST outage with a bad duration = %d, want 400", got)
	}
}
