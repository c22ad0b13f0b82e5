package oktatest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

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
