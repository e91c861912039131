package review_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"pandian/review"
	"pandian/storage/pgtest"
)

// TestReportOddSearch: a held count's report page searched for text the
// database cannot take as is (a NUL; a long Chinese search, which the
// page cuts at 100 bytes) answers the page, on SQLite and PostgreSQL, and
// a search cut at 100 bytes is cut at a character's start.
func TestReportOddSearch(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			u := filepath.Join(t.TempDir(), "pandian.db")
			if db == "postgres" {
				u = pgtest.Fresh(t)
			}
			w := newWorldAt(t, review.Options{}, u)
			id := w.standardCount()
			c := w.client()
			c.mustSignIn("E007", w.pins["E007"])
			long := strings.Repeat("檸", 40) // 120 bytes: 33 characters and a third kept
			for _, q := range []string{"tea\x00", long, w.skus[0].sku} {
				r := c.get("/review/counts/" + id + "?q=" + url.QueryEscape(q))
				if r.StatusCode != http.StatusOK {
					t.Fatalf("search %+q: %d\n%s", q, r.StatusCode, r.body)
				}
				contains(t, r.body, `id="shown"`)
			}
			r := c.get("/review/counts/" + id + "?q=" + url.QueryEscape(long))
			contains(t, r.body, `value="`+strings.Repeat("檸", 33)+`"`)
		})
	}
}
