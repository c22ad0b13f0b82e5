package sanitytest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// nodeCheckDir holds the Node project that runs @sanity/client against the fake. Its dependencies are
// installed by `make test` (npm ci --prefix internal/sanity/sanitytest/testdata/nodecheck).
const nodeCheckDir = "testdata/nodecheck"

// TestOfficialNodeClient runs the official @sanity/client (version 7) unchanged against the fake and checks
// webhook signatures with @sanity/webhook: if the fake answered differently from the real API, the client
// would throw or return something else.
func TestOfficialNodeClient(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the Node client check in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; install Node.js 20+ to run the @sanity/client fidelity check")
	}
	if _, err := os.Stat(filepath.Join(nodeCheckDir, "node_modules", "@sanity", "webhook")); err != nil {
		t.Skip("@sanity/client and @sanity/webhook are not installed; run: npm ci --prefix internal/sanity/sanitytest/" + nodeCheckDir)
	}

	srv := newServer(t)
	seed(t, srv,
		map[string]any{"_id": "doc-a", "_type": "accessDocument", "title": "A"},
		map[string]any{"_id": "drafts.doc-a", "_type": "accessDocument", "title": "A (draft)"},
		map[string]any{"_id": "doc-b", "_type": "accessDocument", "title": "B"},
		map[string]any{"_id": "versions.r1.doc-b", "_type": "accessDocument", "title": "B in release r1"},
	)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs")
	cmd.Dir = nodeCheckDir
	cmd.Env = append(os.Environ(),
		"SANITYTEST_URL="+srv.URL,
		"SANITYTEST_PROJECT_ID="+srv.ProjectID(),
		"SANITYTEST_DATASET="+srv.Dataset(),
		"SANITYTEST_READ_TOKEN="+srv.ReadToken(),
		"SANITYTEST_WRITE_TOKEN="+srv.WriteToken(),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	checks := 0
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var res struct {
			Name   string `json:"name"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Logf("node: %s", sc.Text())
			continue
		}
		checks++
		if res.OK {
			t.Logf("ok   %s", res.Name)
		} else {
			t.Errorf("FAIL %s: %s", res.Name, res.Detail)
		}
	}
	if runErr != nil && !t.Failed() {
		t.Errorf("node check.mjs: %v\nstderr:\n%s", runErr, stderr.String())
	}
	if checks < 25 {
		t.Errorf("only %d checks reported; stderr:\n%s", checks, stderr.String())
	}
	if srv.Document("doc-c") == nil {
		t.Error("the publish action from Node did not reach the fake")
	}
	if srv.CountRequests("POST", "/v*/data/query/*") == 0 {
		t.Error("@sanity/client never sent a query with POST; the long-query check did not exercise it")
	}
}
