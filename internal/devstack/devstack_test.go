package devstack_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

func start(t *testing.T, opts devstack.Options) *devstack.Stack {
	t.Helper()
	st, err := devstack.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// sanityQuery runs a GROQ query in the raw perspective (drafts included) over the Content Lake's HTTP API
// with the stack's environment, and decodes the result.
func sanityQuery(t *testing.T, env map[string]string, query string, into any) {
	t.Helper()
	u := env["SANITY_API_HOST"] + "/v2025-02-19/data/query/" + env["SANITY_DATASET"] + "?perspective=raw&query=" + url.QueryEscape(query)
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+env["SANITY_API_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	defer resp.Body.Close()
	var body struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("query %s: status %d, decode error %v", query, resp.StatusCode, err)
	}
	if err := json.Unmarshal(body.Result, into); err != nil {
		t.Fatalf("query %s: result %s: %v", query, body.Result, err)
	}
}

// listGroups lists the fake org's groups with the stack's OKTA_API_TOKEN.
func listGroups(env map[string]string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodGet, env["OKTA_ORG_URL"]+"/api/v1/groups", nil)
	req.Header.Set("Authorization", "SSWS "+env["OKTA_API_TOKEN"])
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

func TestStackServesTheProviderEnvironment(t *testing.T) {
	st := start(t, devstack.Options{Seed: bytes.NewReader(devstack.QuickstartContent())})
	env := st.Env()

	if len(env) != 6 {
		t.Errorf("Env has %d variables, want the provider's six: %v", len(env), devstack.EnvNames)
	}
	for _, name := range devstack.EnvNames {
		if env[name] == "" {
			t.Errorf("Env()[%s] is empty", name)
		}
	}
	for _, name := range []string{"SANITY_API_HOST", "OKTA_ORG_URL"} {
		u, err := url.Parse(env[name])
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
			t.Errorf("%s = %q, want an http URL on 127.0.0.1", name, env[name])
		}
	}

	var handbooks []string
	sanityQuery(t, env, `*[_type == "handbook" && !(_id in path("drafts.**"))]._id`, &handbooks)
	if len(handbooks) != 5 {
		t.Errorf("the quickstart seed should hold 5 published handbooks, the stack answers %v", handbooks)
	}
	var draft []string
	sanityQuery(t, env, `*[_id == "drafts.handbook-engineering"].title`, &draft)
	if len(draft) != 1 {
		t.Errorf("the token in SANITY_API_TOKEN should see the pending draft, got %v", draft)
	}

	resp, err := listGroups(env)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/groups with OKTA_API_TOKEN: %v, %v", resp, err)
	}
}

func TestWriteExportsPrintsOneExportLinePerVariable(t *testing.T) {
	st := start(t, devstack.Options{})
	var out bytes.Buffer
	if err := st.WriteExports(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(devstack.EnvNames) {
		t.Fatalf("WriteExports wrote %d lines, want %d:\n%s", len(lines), len(devstack.EnvNames), out.String())
	}
	env := st.Env()
	for i, name := range devstack.EnvNames {
		if want := "export " + name + "=" + env[name]; lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	environ := st.Environ()
	for i, name := range devstack.EnvNames {
		if want := name + "=" + env[name]; environ[i] != want {
			t.Errorf("Environ()[%d] = %q, want %q", i, environ[i], want)
		}
	}
}

func TestWriteExportsQuotesValuesForTheShell(t *testing.T) {
	st := start(t, devstack.Options{SanityToken: "it's a $token", Dataset: "staging"})
	var out bytes.Buffer
	if err := st.WriteExports(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `export SANITY_API_TOKEN='it'\''s a $token'`+"\n") {
		t.Errorf("a token with quotes and spaces is not single-quoted for the shell:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "export SANITY_DATASET=staging\n") {
		t.Errorf("a plain value should be written as it is:\n%s", out.String())
	}
}

func TestSeedFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.ndjson")
	content := `{"_id":"doc-a","_type":"handbook","title":"A"}` + "\n\n" + `{"_id":"drafts.doc-a","_type":"handbook","title":"A (edited)"}` + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st := start(t, devstack.Options{SeedFile: path, ProjectID: "p1", Dataset: "staging"})

	if got := len(st.Sanity.Documents()); got != 2 {
		t.Errorf("seeded %d documents, want 2", got)
	}
	env := st.Env()
	if env["SANITY_PROJECT_ID"] != "p1" || env["SANITY_DATASET"] != "staging" {
		t.Errorf("project and dataset = %q, %q; want p1, staging", env["SANITY_PROJECT_ID"], env["SANITY_DATASET"])
	}
	var titles []string
	sanityQuery(t, env, `*[_id == "doc-a"].title`, &titles)
	if len(titles) != 1 || titles[0] != "A" {
		t.Errorf("published doc-a title = %v, want [A]", titles)
	}
}

func TestStartRefusesABadSeed(t *testing.T) {
	for name, opts := range map[string]devstack.Options{
		"line without _id": {Seed: strings.NewReader(`{"_type":"handbook"}` + "\n")},
		"not JSON":         {Seed: strings.NewReader("{\n")},
		"missing file":     {SeedFile: filepath.Join(t.TempDir(), "missing.ndjson")},
		"both seeds":       {Seed: strings.NewReader(""), SeedFile: "content.ndjson"},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := devstack.Start(context.Background(), opts)
			if err == nil {
				st.Close()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(strings.ToLower(err.Error()), "seed") {
				t.Errorf("error %q does not say the seed is at fault", err)
			}
		})
	}
}

func TestStartOnFixedPorts(t *testing.T) {
	sanityPort, oktaPort := freePort(t), freePort(t)
	st := start(t, devstack.Options{SanityPort: sanityPort, OktaPort: oktaPort, Seed: bytes.NewReader(devstack.QuickstartContent())})
	env := st.Env()
	if want := fmt.Sprintf("http://127.0.0.1:%d", sanityPort); env["SANITY_API_HOST"] != want {
		t.Errorf("SANITY_API_HOST = %q, want %q", env["SANITY_API_HOST"], want)
	}
	if want := fmt.Sprintf("http://127.0.0.1:%d", oktaPort); env["OKTA_ORG_URL"] != want {
		t.Errorf("OKTA_ORG_URL = %q, want %q", env["OKTA_ORG_URL"], want)
	}
	var n int
	sanityQuery(t, env, `count(*[_type == "complianceCourse"])`, &n)
	if n != 4 {
		t.Errorf("through the fixed port the stack answers %d compliance courses, want 4", n)
	}
	if resp, err := listGroups(env); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/v1/groups on the fixed port: %v, %v", resp, err)
	}
}

func TestStartOnABusyPortFailsWithAnError(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, portText, _ := net.SplitHostPort(busy.Addr().String())
	port, _ := strconv.Atoi(portText)
	for name, opts := range map[string]devstack.Options{
		"okta":   {OktaPort: port},
		"sanity": {SanityPort: port},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := devstack.Start(context.Background(), opts)
			if err == nil {
				st.Close()
				t.Fatalf("Start on busy port %d succeeded", port)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(port)) {
				t.Errorf("error %q does not name the port", err)
			}
		})
	}
}

func TestOktaRateLimit(t *testing.T) {
	st := start(t, devstack.Options{OktaRateLimit: devstack.RateLimit{Requests: 2}, OktaRateWindow: time.Hour})
	env := st.Env()
	var statuses []int
	for range 3 {
		resp, err := listGroups(env)
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, resp.StatusCode)
	}
	if fmt.Sprint(statuses) != "[200 200 429]" {
		t.Errorf("three requests with a limit of 2 per window answered %v, want [200 200 429]", statuses)
	}
}

func TestParseRateLimit(t *testing.T) {
	for in, want := range map[string]devstack.RateLimit{
		"off":           devstack.NoRateLimit,
		"":              devstack.NoRateLimit,
		"developer-org": {Requests: 100, Concurrent: 15},
		"600":           {Requests: 600},
	} {
		got, err := devstack.ParseRateLimit(in)
		if err != nil || got != want {
			t.Errorf("ParseRateLimit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if in != "" {
			if s := got.String(); s != in {
				t.Errorf("%+v.String() = %q, want %q", got, s, in)
			}
		}
	}
	for _, bad := range []string{"fast", "-1", "100/min"} {
		if _, err := devstack.ParseRateLimit(bad); err == nil {
			t.Errorf("ParseRateLimit(%q) succeeded, want an error", bad)
		}
	}
}

func TestCloseStopsBothServers(t *testing.T) {
	st, err := devstack.Start(context.Background(), devstack.Options{SanityPort: freePort(t)})
	if err != nil {
		t.Fatal(err)
	}
	env := st.Env()
	st.Close()
	st.Close()
	for _, u := range []string{env["SANITY_API_HOST"], env["OKTA_ORG_URL"]} {
		c := http.Client{Timeout: 2 * time.Second}
		if resp, err := c.Get(u + "/"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Close", u)
		}
	}
}

func TestStartHonoursACanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := devstack.Start(ctx, devstack.Options{}); err == nil {
		st.Close()
		t.Fatal("Start with a canceled context succeeded")
	}
}

// The stack embeds the quickstart content so that it starts from any directory; the example is the
// source of truth. Run `go generate ./internal/devstack` after changing the example.
func TestQuickstartCopyIsCurrent(t *testing.T) {
	path := os.Getenv("SANITYOKTA_QUICKSTART_CONTENT")
	if path == "" {
		_, file, _, _ := runtime.Caller(0)
		path = filepath.Join(filepath.Dir(file), "..", "..", "examples", "quickstart", "content.ndjson")
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the quickstart content (set SANITYOKTA_QUICKSTART_CONTENT to its path): %v", err)
	}
	if !bytes.Equal(devstack.QuickstartContent(), want) {
		t.Fatalf("internal/devstack/quickstart.ndjson differs from %s; run `go generate ./internal/devstack`", path)
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(want))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines++
		}
	}
	st := start(t, devstack.Options{Seed: bytes.NewReader(devstack.QuickstartContent())})
	if got := len(st.Sanity.Documents()); got != lines {
		t.Errorf("the stack holds %d documents after seeding %d lines", got, lines)
	}
}

func TestQuickstartUsers(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	want, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "examples", "quickstart", "users.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(devstack.QuickstartUsers(), want) {
		t.Fatal("internal/devstack/quickstart_users.ndjson differs from examples/quickstart/users.ndjson; run `go generate ./internal/devstack`")
	}
	st := start(t, devstack.Options{Users: bytes.NewReader(devstack.QuickstartUsers())})
	byType := map[string][]string{}
	for _, u := range st.Okta.Users() {
		if u.ID == st.Okta.AdminUserID() {
			continue
		}
		if u.Status != "ACTIVE" {
			t.Errorf("%s is %s, want ACTIVE", u.Login(), u.Status)
		}
		byType[u.Profile["userType"].(string)] = append(byType[u.Profile["userType"].(string)], u.Profile["department"].(string)+"/"+u.Profile["region"].(string))
	}
	if len(byType["Employee"]) != 2 || len(byType["Contractor"]) != 1 || !slices.Contains(byType["Employee"], "Sales/EMEA") || !slices.Contains(byType["Employee"], "HR/AMER") {
		t.Errorf("quickstart users = %v, want a Sales/EMEA and an HR/AMER employee and a contractor", byType)
	}
}

func TestUsersSeedErrors(t *testing.T) {
	for name, seed := range map[string]string{
		"not json":      "{\"profile\":{\"login\":\"a@example.com\"}}\nnope\n",
		"unknown field": "{\"profil\":{}}\n",
		"no login":      "{\"profile\":{\"firstName\":\"A\"}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := devstack.Start(context.Background(), devstack.Options{Users: strings.NewReader(seed)})
			if err == nil || !strings.Contains(err.Error(), "line") {
				t.Errorf("Start = %v, want an error naming the line", err)
			}
		})
	}
	if _, err := devstack.Start(context.Background(), devstack.Options{Users: strings.NewReader(""), UsersFile: "x"}); err == nil {
		t.Error("Users and UsersFile together were accepted")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

func TestFakeOptionsOverrideTheStacks(t *testing.T) {
	st := start(t, devstack.Options{
		ProjectID:     "p1",
		SanityOptions: []sanitytest.Option{sanitytest.WithProject("p2", "staging")},
		OktaOptions:   []oktatest.Option{oktatest.WithToken("00fixed-token")},
	})
	env := st.Env()
	if env["SANITY_PROJECT_ID"] != "p2" || env["SANITY_DATASET"] != "staging" || env["OKTA_API_TOKEN"] != "00fixed-token" {
		t.Errorf("options passed to the fakes did not take effect: project %q, dataset %q, Okta token %q",
			env["SANITY_PROJECT_ID"], env["SANITY_DATASET"], env["OKTA_API_TOKEN"])
	}
	if resp, err := listGroups(env); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the fixed Okta token is not accepted: %v, %v", resp, err)
	}
}
