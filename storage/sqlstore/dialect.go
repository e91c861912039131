package sqlstore

import (
	"strconv"
	"strings"
)

// dialect holds what differs between SQLite and PostgreSQL. Queries are
// written once with '?' placeholders and {{TOKEN}}s.
type dialect struct {
	name      string
	forUpdate string // row lock suffix of a SELECT
	skipLock  string // suffix for a queue claim
	tokens    map[string]string
}

var sqliteDialect = dialect{
	name: "sqlite",
	tokens: map[string]string{
		"{{C}}":      "",
		"{{SERIAL}}": "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{BLOB}}":   "BLOB",
		// A table stored in its primary key's order (no rowid).
		"{{CLUSTERED}}": "WITHOUT ROWID",
	},
}

var postgresDialect = dialect{
	name:      "postgres",
	forUpdate: " FOR UPDATE",
	skipLock:  " FOR UPDATE SKIP LOCKED",
	tokens: map[string]string{
		"{{C}}":         `COLLATE "C"`,
		"{{SERIAL}}":    "BIGSERIAL PRIMARY KEY",
		"{{BLOB}}":      "BYTEA",
		"{{CLUSTERED}}": "",
	},
}

// expand replaces the dialect tokens of a schema text.
func (d dialect) expand(s string) string {
	for k, v := range d.tokens {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// rebind turns '?' placeholders into PostgreSQL's $1, $2 … Queries in this
// package never hold a literal '?'.
func (d dialect) rebind(q string) string {
	if d.name != "postgres" || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "?,?,…" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// rowsOf returns "(?,?),(?,?)…": n groups of width marks, for multi-row
// inserts.
func rowsOf(n, width int) string {
	one := "(" + placeholders(width) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 1))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

// underAny returns a condition "column is at or below one of paths" as
// index-friendly ranges, and its arguments. Paths end with '/', so every
// path below p sorts in [p, p without its last '/' + '0').
func underAny(column string, paths []string) (string, []any) {
	if len(paths) == 0 {
		return "1=0", nil
	}
	parts := make([]string, len(paths))
	args := make([]any, 0, 2*len(paths))
	for i, p := range paths {
		parts[i] = "(" + column + " >= ? AND " + column + " < ?)"
		args = append(args, p, p[:len(p)-1]+"0")
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// chunks calls fn on consecutive slices of at most size items.
func chunks[T any](xs []T, size int, fn func([]T) error) error {
	for len(xs) > 0 {
		n := min(size, len(xs))
		if err := fn(xs[:n]); err != nil {
			return err
		}
		xs = xs[n:]
	}
	return nil
}

// uniq returns the distinct strings of xs, in first-seen order, without "".
func uniq(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
