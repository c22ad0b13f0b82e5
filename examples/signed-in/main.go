// Command signed-in serves the example app of package signedin: sign in with Okta, see your claims and
// the published Sanity documents your groups give you. See README.md for how to run it on the local
// stack or against a real dev org.
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/examples/signed-in/signedin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, log); err != nil {
		log.Error("signed-in", "error", err)
		os.Exit(1)
	}
}

func run(addr string, log *slog.Logger) error {
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	var missing []string
	need := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	cfg := signedin.Config{
		Issuer:        need("OIDC_ISSUER"),
		ClientID:      need("OIDC_CLIENT_ID"),
		ClientSecret:  need("OIDC_CLIENT_SECRET"),
		BaseURL:       env("APP_BASE_URL", "http://"+addr),
		GroupsClaim:   env("OIDC_GROUPS_CLAIM", "groups"),
		SanityAPIHost: env("SANITY_API_HOST", "https://"+os.Getenv("SANITY_PROJECT_ID")+".api.sanity.io"),
		SanityDataset: need("SANITY_DATASET"),
		SanityToken:   need("SANITY_API_TOKEN"),
		Types:         strings.Split(env("DOCUMENT_TYPES", "partnerPricing,handbook,complianceCourse,notice"), ","),
		Log:           log,
	}
	key, err := hex.DecodeString(need("SESSION_KEY")) // 32 bytes or more, hex: openssl rand -hex 32
	if len(missing) > 0 {
		return fmt.Errorf("set %s", strings.Join(missing, ", "))
	}
	if err != nil {
		return fmt.Errorf("SESSION_KEY must be hex: %w", err)
	}
	cfg.SessionKey = key
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	app, err := signedin.New(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("serving", "url", cfg.BaseURL)
	srv := &http.Server{Addr: addr, Handler: app, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}
