package okta_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

func countRequests(srv *oktatest.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func TestServerErrorsOnCreateAreRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		srv := newServer(t)
		c := newClient(t, srv)
		srv.FailNext("POST", "/api/v1/groups", status, 2)
		g, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a"})
		if err != nil {
			t.Fatalf("CreateGroup after two %ds: %v", status, err)
		}
		if n := len(srv.GroupsByName("content:a")); n != 1 || g.Name != "content:a" {
			t.Errorf("after two %ds: %d groups named content:a, want 1", status, n)
		}
		if n := countRequests(srv, "POST", "/api/v1/groups"); n != 3 {
			t.Errorf("after two %ds: %d creates sent, want 3", status, n)
		}
	}
}

func TestServerErrorsOnDeleteAreRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	srv.FailNext("DELETE", "/api/v1/groups/*", 500, 3)
	if err := c.DeleteGroup(context.Background(), g.ID); err != nil {
		t.Fatalf("DeleteGroup after three 500s: %v", err)
	}
	if _, ok := srv.Group(g.ID); ok {
		t.Error("the group is still there")
	}
}

// A create that Okta applied but whose answer was lost is sent again, and the
// second attempt meets the first one's group: the caller hears the name is
// taken and looks it up, so there is never a second group.
func TestCreateRetriedAfterLostAnswerNeverMakesASecondGroup(t *testing.T) {
	t.Parallel()
	for _, f := range []oktatest.Fault{
		{Method: "POST", Path: "/api/v1/groups", Status: 502, Apply: true},
		{Method: "POST", Path: "/api/v1/groups", Drop: true, Apply: true},
	} {
		srv := newServer(t)
		c := newClient(t, srv)
		if err := srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:lost"})
		if !errors.Is(err, okta.ErrNameTaken) {
			t.Fatalf("CreateGroup with %+v = %v, want ErrNameTaken from the retry", f, err)
		}
		if n := len(srv.GroupsByName("content:lost")); n != 1 {
			t.Errorf("%d groups named content:lost, want 1", n)
		}
	}
}

func TestOutageShorterThanTheBoundsIsRiddenOut(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	srv.Outage(time.Second)
	if down, _ := srv.Down(); !down {
		t.Fatal("the fake is not down")
	}
	got, err := c.GetGroup(context.Background(), g.ID)
	if err != nil {
		t.Fatalf("GetGroup during a one-second outage: %v", err)
	}
	if got.Name != "content:a" {
		t.Errorf("after the outage the group is %q, want content:a", got.Name)
	}
}

func TestRefusedConnectionsOutlastingTheBoundsSayWhatHappened(t *testing.T) {
	t.Parallel()
	// A port nothing listens on refuses every connection.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	_ = l.Close()
	c, err := okta.New(context.Background(), okta.Config{OrgURL: url, APIToken: "secret-token-value", MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a"})
	if err == nil {
		t.Fatal("CreateGroup against a closed port succeeded")
	}
	for _, want := range []string{`create group "content:a"`, "3 attempts over", "connection refused", "max_retries (2) reached",
		"next apply continues from where this one stopped", "okta.max_retry_wait"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret-token-value") {
		t.Errorf("error %q leaks the token", err)
	}
}

func TestServerErrorsOutlastingTheBoundsSayWhatHappened(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = 3 })
	srv.FailNext("POST", "/api/v1/groups", 503, -1)
	_, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a"})
	var oe *okta.Error
	if !errors.As(err, &oe) || oe.Status != 503 {
		t.Fatalf("CreateGroup = %v, want Okta's 503", err)
	}
	for _, want := range []string{"4 attempts over", "HTTP 503", "next apply continues"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := countRequests(srv, "POST", "/api/v1/groups"); n != 4 {
		t.Errorf("%d creates sent, want 4", n)
	}
}

func TestRetryAfterLongerThanTheBoundsEndsTheRetries(t *testing.T) {
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetryWait = 2 * time.Second })
	if err := srv.AddFault(oktatest.Fault{Method: "GET", Path: "/api/v1/groups/*", Status: 503, RetryAfter: time.Hour}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetGroup(context.Background(), g.ID)
	if err == nil || !strings.Contains(err.Error(), "Retry-After") || !strings.Contains(err.Error(), "1 attempts") {
		t.Fatalf("GetGroup = %v, want it to give up at once because Okta asked to wait an hour", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
}

func TestStuckAttemptIsRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.AttemptTimeout = 200 * time.Millisecond })
	srv.DelayNext("GET", "/api/v1/groups/*", 2*time.Second, 1)
	if _, err := c.GetGroup(context.Background(), g.ID); err != nil {
		t.Fatalf("GetGroup after one stuck attempt: %v", err)
	}
}

// Only a refused connection is retried for a request that must not be sent
// twice, such as creating a group rule (rule names are not unique).
func TestRuleCreateIsNotRetriedAfterAServerError(t *testing.T) {
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	srv.FailNext("POST", "/api/v1/groups/rules", 500, 1)
	_, err := c.CreateGroupRule(context.Background(), okta.GroupRule{Name: "r", Expression: `user.department == "x"`, GroupIDs: []string{g.ID}})
	if err == nil {
		t.Fatal("CreateGroupRule succeeded after a 500")
	}
	if n := countRequests(srv, "POST", "/api/v1/groups/rules"); n != 1 {
		t.Errorf("%d rule creates sent, want 1", n)
	}
}

func TestTransientRetriesCanBeTurnedOff(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = -1 })
	srv.FailNext("POST", "/api/v1/groups", 500, 1)
	_, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a"})
	if err == nil || strings.Contains(err.Error(), "attempts over") {
		t.Fatalf("CreateGroup = %v, want the 500 itself", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
}

func TestFractionOfRequestsFailing(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	srv.FailFraction("POST", "/api/v1/groups", 500, 0.3, 7)
	for i := range 20 {
		if _, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:g" + string(rune('a'+i))}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	failed := 0
	for _, r := range srv.Requests() {
		if r.Status == 500 {
			failed++
		}
	}
	if failed == 0 {
		t.Error("no create met the 30% fault")
	}
	if n := len(srv.Groups()); n != 21 {
		t.Errorf("%d groups, want 20 and Everyone", n)
	}
}
