package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"pandian/stock"
)

// TestWriteTxRetryStopsOnCancel: writeTx's wait before retrying a
// serialization failure ends with the context.
func TestWriteTxRetryStopsOnCancel(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "pandian.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := retryBackoff
	retryBackoff = func(int) time.Duration { return time.Hour }
	defer func() { retryBackoff = old }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	done := make(chan error, 1)
	go func() {
		done <- s.writeTx(ctx, func(*sql.Tx) error {
			calls++
			go func() { time.Sleep(50 * time.Millisecond); cancel() }()
			return &pgconn.PgError{Code: pgSerialization, Message: "could not serialize access"}
		})
	}()
	select {
	case err := <-done:
		if calls != 1 {
			t.Errorf("%d calls, want 1", calls)
		}
		if stock.ErrorCode(err) != stock.EUnavailable || !errors.Is(err, context.Canceled) {
			t.Errorf("err %v (code %q), want unavailable wrapping context.Canceled", err, stock.ErrorCode(err))
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Errorf("the failure retried is lost: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writeTx still waits to retry 5 s after its context was cancelled")
	}
}

// TestEveryMethodNamesItself: every exported method of the store and of
// its transactions that returns an error starts with
// defer wrapOp(&err, "<its name>"), so that a new method cannot forget it.
// (Read, Write and Ping return the domain's or the caller's errors.)
func TestEveryMethodNamesItself(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() || fd.Type.Results == nil {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv, _ := star.X.(*ast.Ident)
			res := fd.Type.Results.List
			last, _ := res[len(res)-1].Type.(*ast.Ident)
			if recv == nil || (recv.Name != "tx" && recv.Name != "Store") || last == nil || last.Name != "error" {
				continue
			}
			switch fd.Name.Name {
			case "Read", "Write", "Ping", "Close":
				continue
			}
			n++
			want := fmt.Sprintf("defer wrapOp(&err, %q)", fd.Name.Name)
			got := ""
			if len(fd.Body.List) > 0 {
				if ds, ok := fd.Body.List[0].(*ast.DeferStmt); ok {
					var b strings.Builder
					printer.Fprint(&b, fset, ds)
					got = b.String()
				}
			}
			if got != want {
				t.Errorf("%s: (*%s).%s starts with %q, want %q", fset.Position(fd.Pos()), recv.Name, fd.Name.Name, got, want)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d methods checked", n)
	}
}
