package oktatest

import (
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

func TestAdminRoutesNameTheirMethods(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	if err := fakes.CheckRoutes(srv, srv.adminRoutes()); err != nil {
		t.Error(err)
	}
}
