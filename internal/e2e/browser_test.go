package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// chromium finds a Chromium to drive: $CHROMIUM, or one on PATH (make browser installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on PATH (make browser installs it): the browser test is skipped")
	return ""
}

// artefactDir is where the browser test leaves its screenshot: $E2E_ARTIFACTS_DIR, or a directory under
// the system's temporary directory, never the repository.
func artefactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("E2E_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sanityokta-e2e-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The same sign-in in a real headless Chromium: the person opens the app, follows its sign-in link, types
// their login and password into the fake org's form and lands on the list of their documents.
func TestSignedInInABrowser(t *testing.T) {
	requireAcc(t)
	browserPath := chromium(t)
	s := newSignedInStack(t)
	s.apply(t)
	const password = "Browser-Test-Pass-1"
	u, _ := s.run.stack.Okta.User(elin)
	if err := s.run.stack.Okta.UpdateUser(u.ID, func(u *oktatest.User) { u.Password = password }); err != nil {
		t.Fatal(err)
	}

	// A bound on the whole run, so a browser that hangs fails the test instead of the suite; no step is
	// timed.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browserPath), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1000, 700))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	err := chromedp.Do(bctx,
		chromedp.Navigate(s.app.URL+"/"),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), elin),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("documents")),
	)
	if err != nil {
		t.Fatalf("driving Chromium: %v\n%s", err, s.log)
	}
	documents, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("documents")))
	if err != nil {
		t.Fatal(err)
	}
	claims, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("claims")))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artefactDir(t), "signed-in.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if !strings.Contains(documents, "EMEA Sales Playbook") || !strings.Contains(documents, "Partner Notice") {
		t.Errorf("the page lists %q, want the sales playbook and the partner notice", documents)
	}
	if strings.Contains(documents, "unreleased") {
		t.Errorf("the page shows a draft: %q", documents)
	}
	if !strings.Contains(claims, elin) {
		t.Errorf("the claims shown are %q, want %s's", claims, elin)
	}
}
