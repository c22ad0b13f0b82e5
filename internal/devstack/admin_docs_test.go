package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

type route struct{ Method, Path string }

// GET /__admin/ on either fake lists its routes, and the local-stack guide documents every one of them,
// with a curl example.
func TestAdminRoutesAreListedAndDocumented(t *testing.T) {
	stack, err := devstack.Start(context.Background(), devstack.Options{Seed: bytes.NewReader(devstack.QuickstartContent())})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	_, file, _, _ := runtime.Caller(0)
	guide, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "templates", "guides", "local-stack.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var sanityRoutes, oktaRoutes []route
	for _, r := range sanitytest.AdminRoutes() {
		sanityRoutes = append(sanityRoutes, route{r.Method, r.Path})
	}
	for _, r := range oktatest.AdminRoutes() {
		oktaRoutes = append(oktaRoutes, route{r.Method, r.Path})
	}
	for _, fake := range []struct {
		name, base, curlBase string
		routes               []route
	}{
		{"Content Lake", stack.Sanity.URL, "$SANITY_API_HOST", sanityRoutes},
		{"Okta org", stack.Okta.URL, "$OKTA_ORG_URL", oktaRoutes},
	} {
		resp, err := http.Get(fake.base + "/__admin/")
		if err != nil {
			t.Fatal(err)
		}
		var index struct{ Routes []route }
		err = json.NewDecoder(resp.Body).Decode(&index)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil || len(index.Routes) != len(fake.routes) {
			t.Errorf("%s: GET /__admin/ answered %d with %d routes (%v), want the %d routes", fake.name, resp.StatusCode, len(index.Routes), err, len(fake.routes))
		}
		for _, r := range fake.routes {
			if !strings.Contains(string(guide), "`"+r.Method+" "+r.Path+"`") {
				t.Errorf("%s: the local-stack guide does not list %s %s", fake.name, r.Method, r.Path)
			}
			curl := "curl -s "
			if r.Method != "GET" {
				curl += "-X " + r.Method + " "
			}
			prefix := curl + `"` + fake.curlBase + strings.SplitN(r.Path, "{", 2)[0]
			if !strings.Contains(string(guide), prefix) {
				t.Errorf("%s: the local-stack guide has no curl example for %s %s (looked for %s)", fake.name, r.Method, r.Path, prefix)
			}
		}
	}
}
