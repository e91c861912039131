package pgtest_test

import (
	"database/sql"
	"testing"

	"pandian/storage/pgtest"
)

// TestFresh: a fresh database is empty, sorts text by the ICU "en-US"
// collation (not bytes), and two calls give two databases.
func TestFresh(t *testing.T) {
	u := pgtest.Fresh(t)
	if u2 := pgtest.Fresh(t); u2 == u {
		t.Fatalf("two fresh databases share the URL %s", u)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name, provider, enc string
	if err := db.QueryRow(`SELECT current_database(), datlocprovider::text, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()`).Scan(&name, &provider, &enc); err != nil {
		t.Fatal(err)
	}
	if name != pgtest.Name(u) || provider != "i" || enc != "UTF8" {
		t.Errorf("database %q provider %q encoding %q, want %q, i (ICU), UTF8", name, provider, enc, pgtest.Name(u))
	}
	var icuLess, byteLess bool
	if err := db.QueryRow(`SELECT 'a' < 'B', 'a' < 'B' COLLATE "C"`).Scan(&icuLess, &byteLess); err != nil {
		t.Fatal(err)
	}
	if !icuLess || byteLess {
		t.Errorf(`'a' < 'B': default collation %v (want true), COLLATE "C" %v (want false)`, icuLess, byteLess)
	}
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("fresh database has %d tables", tables)
	}
}
