package oktatest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkSearchPage measures one page of 200 from a search that matches
// 5,000 of 10,000 groups, with stats, as the provider's listing asks for it.
func BenchmarkSearchPage(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	for i := range 5000 {
		if _, err := srv.AddGroup(Group{Name: fmt.Sprintf("content:g%05d", i)}); err != nil {
			b.Fatal(err)
		}
		if _, err := srv.AddGroup(Group{Name: fmt.Sprintf("other:g%05d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	target := srv.URL + "/api/v1/groups?limit=200&expand=stats&search=" + url.QueryEscape(`profile.name sw "content:"`)
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", target, nil)
		req.Header.Set("Authorization", "SSWS "+srv.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkSeed measures AddGroup into an org that already holds 10,000
// groups (name uniqueness is checked on every add).
func BenchmarkSeed(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	for i := range 10000 {
		_, _ = srv.AddGroup(Group{Name: fmt.Sprintf("seed:%05d", i)})
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := srv.AddGroup(Group{Name: fmt.Sprintf("bench:%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
}
