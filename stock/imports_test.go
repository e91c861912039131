package stock

import (
	"io"
	"strings"
	"testing"
)

// readAllRows reads an import file with the streaming reader.
func readAllRows(kind, body string) ([]csvRow, error) {
	rr, err := openCSV(kind, []byte(body))
	if err != nil {
		return nil, err
	}
	var out []csvRow
	for {
		r, err := rr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

// TestImportReaderUTF8: multi-byte characters cut by the reader's chunks
// are read whole; an invalid byte is refused with its line.
func TestImportReaderUTF8(t *testing.T) {
	var b strings.Builder
	b.WriteString("\ufeffsku,location,qty\n")
	// 3-byte characters after a 1-byte prefix: chunk ends (4 KiB) fall
	// inside characters.
	name := "A" + strings.Repeat("蝦餃燒賣", 1500)
	for i := 0; i < 20; i++ {
		b.WriteString(name + ",HK-TST,1\n")
	}
	rows, err := readAllRows(ImportStock, b.String())
	if err != nil || len(rows) != 20 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if r.f["sku"] != name {
			t.Fatalf("line %d: sku of %d bytes, want %d", r.line, len(r.f["sku"]), len(name))
		}
	}
	bad := b.String() + "X,HK-TST,\xe8\xb1\n"
	rows, err = readAllRows(ImportStock, bad)
	if ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), "line 22") {
		t.Fatalf("invalid UTF-8 after %d rows: %v", len(rows), err)
	}
}

// TestImportReaderRecordBound: a record longer than MaxImportRecord is
// refused whether it is one line or a quoted field over many; a record
// just under the bound is read.
func TestImportReaderRecordBound(t *testing.T) {
	ok := "sku,location,qty\nA,HK-TST,1\n\"" + strings.Repeat("y", MaxImportRecord-100) + "\",HK-TST,2\nB,HK-TST,3\n"
	if rows, err := readAllRows(ImportStock, ok); err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for name, body := range map[string]string{
		"line":   "sku,location,qty\nA,HK-TST,1\nB,HK-TST," + strings.Repeat("9", 4*MaxImportRecord) + "\n",
		"quoted": "sku,location,qty\nA,HK-TST,1\n\"B" + strings.Repeat("\ny", 2*MaxImportRecord) + "\",HK-TST,1\n",
	} {
		rows, err := readAllRows(ImportStock, body)
		if ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), "after line 2 is longer than 64 KiB") {
			t.Fatalf("%s: %d rows, %v", name, len(rows), err)
		}
	}
}
