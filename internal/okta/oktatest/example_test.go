package oktatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// A test seeds the fake, lets the code under test talk to srv.URL with
// srv.Token(), then inspects what happened.
func Example() {
	srv := oktatest.NewServer()
	defer srv.Close()

	admins, _ := srv.AddGroup(oktatest.Group{Name: "content:admins", AdminPrivilege: true})
	if err := srv.AddFault(oktatest.Fault{Method: "POST", Path: "/api/v1/groups", Status: 500}); err != nil {
		panic(err)
	}

	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/groups", strings.NewReader(`{"profile":{"name":"content:handbook"}}`))
	req.Header.Set("Authorization", "SSWS "+srv.Token())
	for range 2 { // the first attempt meets the injected 500
		resp, err := http.DefaultClient.Do(req.Clone(req.Context()))
		if err != nil {
			panic(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
		req.Body = io.NopCloser(strings.NewReader(`{"profile":{"name":"content:handbook"}}`))
	}

	fmt.Println(len(srv.GroupsByName("content:handbook")), srv.Buckets()[oktatest.BucketGroups].Requests)
	g, _ := srv.Group(admins.ID)
	fmt.Println(g.Type, g.AdminPrivilege)
	// Output:
	// 500
	// 200
	// 1 2
	// OKTA_GROUP true
}

// Group rules move users asynchronously, as in Okta. With a rule lag, a
// test sees the state before the rule has run, then settles it.
func ExampleServer_SettleRules() {
	srv := oktatest.NewServer(oktatest.WithLimits(oktatest.Limits{RuleLag: time.Hour}))
	defer srv.Close()

	sales, _ := srv.AddGroup(oktatest.Group{Name: "content:partner-pricing"})
	elin, _ := srv.AddUser(oktatest.User{Profile: map[string]any{
		"login": "elin@example.com", "email": "elin@example.com", "department": "Sales",
	}})

	body := `{"type":"group_rule","name":"sales",` +
		`"conditions":{"expression":{"type":"urn:okta:expression:1.0","value":"user.department == \"Sales\""}},` +
		`"actions":{"assignUserToGroups":{"groupIds":["` + sales.ID + `"]}}}`
	rule := post(srv, "/api/v1/groups/rules", body)
	post(srv, "/api/v1/groups/rules/"+rule["id"].(string)+"/lifecycle/activate", "")

	fmt.Println(len(srv.GroupMembers(sales.ID)))
	srv.SettleRules()
	fmt.Println(srv.GroupMembers(sales.ID)[0] == elin.ID)
	// Output:
	// 0
	// true
}

func post(srv *oktatest.Server, path, body string) map[string]any {
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}
