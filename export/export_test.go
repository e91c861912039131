package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pandian/stock"
)

func pct(p float64) *float64 { return &p }
func days(d int) *int        { return &d }

// sampleReport is a closed count of drinks and dry goods at Tsim Sha Tsui,
// grouped by role, with lots.
func sampleReport() stock.Report {
	lines := []stock.ReportLine{
		{
			SKU: "SKU-000001", Name: "Vitasoy Soya Bean Drink 250ml", NameZh: "維他奶原味豆奶 250毫升", Category: "beverage",
			Location: "HK-TST", UnitCost: 32500, Status: stock.LineCounted, SnapshotQty: 48, BookQty: 48, CountedQty: 45,
			VarianceQty: -3, VarianceValue: -97500, VariancePct: pct(-6.25), CountedBy: []string{"E009"},
			Roles: []stock.Role{stock.RoleCounter}, Zones: []string{"HK-TST-A"}, FirstCountedQty: 45, ReasonCode: "damage", Posted: true,
		},
		{
			SKU: "SKU-000002", Name: "Lemon Tea 500ml", NameZh: "檸檬茶 500毫升", Category: "beverage", Location: "HK-TST",
			UnitCost: 51234, Status: stock.LineCounted, SnapshotQty: 100, MovementQty: -4, BookQty: 96, CountedQty: 99,
			VarianceQty: 3, VarianceValue: 153702, VariancePct: pct(3.13), WithinTolerance: false,
			CountedBy: []string{"E008", "E009"}, Roles: []stock.Role{stock.RoleCounter, stock.RoleSupervisor},
			Zones: []string{"HK-TST-A", "HK-TST-B"}, FirstCountedQty: 90, Recounted: true, RecountRequired: true,
		},
		{
			// A weighed item: cost per gram with four decimals.
			SKU: "0012345", Name: "Dried Scallops (per g)", NameZh: "日本元貝（每克）", Category: "dried_seafood", Location: "HK-TST",
			UnitCost: 1234, Status: stock.LineCounted, SnapshotQty: 1500, BookQty: 1500, CountedQty: 1500,
			VariancePct: pct(0), WithinTolerance: true, CountedBy: []string{"E009"}, Roles: []stock.Role{stock.RoleCounter},
			Zones: []string{}, FirstCountedQty: 1500,
		},
		{
			SKU: "SKU-000004", Name: "", NameZh: "", Category: "", Location: "HK-TST", UnitCost: 0,
			Status: stock.LineUncounted, CountedBy: []string{}, Roles: []stock.Role{}, Zones: []string{},
			WithinTolerance: true,
		},
		{
			SKU: "SKU-000005", Name: "Bird's Nest Drink", NameZh: "冰糖燕窩", Category: "tonic", Location: "HK-TST",
			UnitCost: 1_288_000, Status: stock.LineCounted, SnapshotQty: 12_000, BookQty: 12_000, CountedQty: 2_000,
			VarianceQty: -10_000, VarianceValue: -1_288_000_0000, VariancePct: pct(-83.33),
			CountedBy: []string{"E010"}, Roles: []stock.Role{stock.RoleCounter}, Zones: []string{"HK-TST-C"}, FirstCountedQty: 2_000,
		},
	}
	return stock.Report{
		CountID: "C-2026-11-0042", Location: "HK-TST", Status: stock.StatusPosted, Blind: true, GroupBy: "role",
		Lines: lines,
		Groups: []stock.GroupSummary{
			{Key: "counter", Lines: 5, AbsVarianceQty: 10_012, AbsVarianceValue: 1_288_251_202, NetVarianceValue: -1_287_943_798, WithinTolerance: 2, Accuracy: 0.4, Recounted: 1},
			{Key: "supervisor", Lines: 1, AbsVarianceQty: 3, AbsVarianceValue: 153702, NetVarianceValue: 153702, WithinTolerance: 0, Accuracy: 0, Recounted: 0},
		},
		Totals:     stock.GroupSummary{Key: "total", Lines: 6, AbsVarianceQty: 10_015, AbsVarianceValue: 1_288_404_904, NetVarianceValue: -1_287_790_096, WithinTolerance: 2, Accuracy: 0.3333, Recounted: 1},
		Unresolved: []stock.UnresolvedCode{{Code: "04894033001501", Scans: 2, Qty: 2}, {Code: "]C1ABC-123", Scans: 1, Qty: 6}},
		Lots: []stock.LotLine{
			{SKU: "SKU-000001", Lot: "L2026-09A", Expiry: "2026-12-01", CountedQty: 40, Scans: 3, ExpiryStatus: "near_expiry", DaysLeft: days(8)},
			{SKU: "SKU-000001", Lot: "L2026-08", Expiry: "2026-11-20", CountedQty: 5, Scans: 1, ExpiryStatus: "expired", DaysLeft: days(-3)},
			{SKU: "0012345", Lot: "000781", CountedQty: 1500, Scans: 4},
		},
	}
}

// masked returns r as a role that may not see book quantities gets it.
func masked(r stock.Report) stock.Report {
	r.Masked = true
	lines := make([]stock.ReportLine, len(r.Lines))
	copy(lines, r.Lines)
	for i := range lines {
		lines[i].Mask()
	}
	r.Lines = lines
	groups := make([]stock.GroupSummary, len(r.Groups))
	for i, g := range r.Groups {
		groups[i] = stock.GroupSummary{Key: g.Key, Lines: g.Lines, Recounted: g.Recounted}
	}
	r.Groups = groups
	r.Totals = stock.GroupSummary{Key: r.Totals.Key, Lines: r.Totals.Lines, Recounted: r.Totals.Recounted}
	return r
}

func sampleCross() stock.CrossReport {
	return stock.CrossReport{
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		GroupBy: "store", Counts: 14,
		Groups: []stock.GroupSummary{
			{Key: "MO-SMP", Lines: 812, AbsVarianceQty: 95, AbsVarianceValue: 1_234_567_8901, NetVarianceValue: -1_000_000_0001, WithinTolerance: 790, Accuracy: 0.9729, Recounted: 12},
			{Key: "HK-TST", Lines: 1500, AbsVarianceQty: 40, AbsVarianceValue: 45_6789, NetVarianceValue: 12_3456, WithinTolerance: 1490, Accuracy: 0.9933, Recounted: 3},
		},
		Totals: stock.GroupSummary{Key: "total", Lines: 2312, AbsVarianceQty: 135, AbsVarianceValue: 1_235_024_5690, NetVarianceValue: -999_876_6545, WithinTolerance: 2280, Accuracy: 0.9862, Recounted: 15},
	}
}

// Expected cell values, by type.
type (
	moneyCell stock.Money
	pctCell   float64 // the fraction shown as a percentage
	dateCell  string  // YYYY-MM-DD
)

// open reads back a workbook with raw cell values.
func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// checker compares a workbook's cells with expected values.
type checker struct {
	t        *testing.T
	f        *excelize.File
	currency string // HK$ or MOP$
}

// numFmt returns the number format of a cell: the custom one or the
// built-in id.
func (c checker) numFmt(sheet, ref string) (custom string, builtin int) {
	c.t.Helper()
	id, err := c.f.GetCellStyle(sheet, ref)
	if err != nil {
		c.t.Fatalf("%s!%s style: %v", sheet, ref, err)
	}
	st, err := c.f.GetStyle(id)
	if err != nil {
		c.t.Fatalf("%s!%s style %d: %v", sheet, ref, id, err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt, st.NumFmt
	}
	return "", st.NumFmt
}

// number returns a cell's raw value after checking that it is numeric.
func (c checker) number(sheet, ref string) string {
	c.t.Helper()
	typ, err := c.f.GetCellType(sheet, ref)
	if err != nil {
		c.t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		c.t.Errorf("%s!%s: cell type %v, want a number", sheet, ref, typ)
	}
	raw, _ := c.f.GetCellValue(sheet, ref)
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		c.t.Errorf("%s!%s: %q is not a number", sheet, ref, raw)
	}
	return raw
}

// row checks row n of sheet, cell by cell, against want; the cells after
// want must be empty.
func (c checker) row(sheet string, n int, want ...any) {
	c.t.Helper()
	for i, w := range want {
		ref, _ := excelize.CoordinatesToCellName(i+1, n)
		raw, err := c.f.GetCellValue(sheet, ref)
		if err != nil {
			c.t.Fatal(err)
		}
		typ, _ := c.f.GetCellType(sheet, ref)
		switch w := w.(type) {
		case nil:
			if raw != "" {
				c.t.Errorf("%s!%s = %q, want empty", sheet, ref, raw)
			}
		case string:
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				c.t.Errorf("%s!%s: cell type %v, want text", sheet, ref, typ)
			}
			if raw != w {
				c.t.Errorf("%s!%s = %q, want %q", sheet, ref, raw, w)
			}
		case bool:
			if typ != excelize.CellTypeBool {
				c.t.Errorf("%s!%s: cell type %v, want boolean", sheet, ref, typ)
			}
			if want := map[bool]string{true: "1", false: "0"}[w]; raw != want {
				c.t.Errorf("%s!%s = %q, want %q (%v)", sheet, ref, raw, want, w)
			}
		case int64, int:
			raw := c.number(sheet, ref)
			if raw != fmt.Sprint(w) {
				c.t.Errorf("%s!%s = %q, want %d", sheet, ref, raw, w)
			}
			if _, id := c.numFmt(sheet, ref); id != 3 {
				c.t.Errorf("%s!%s: number format %d, want 3 (#,##0)", sheet, ref, id)
			}
		case moneyCell:
			raw := c.number(sheet, ref)
			// Exact to the ten-thousandth: the raw value parses back to
			// the same Money.
			if m, err := stock.ParseMoney(raw); err != nil || m != stock.Money(w) {
				c.t.Errorf("%s!%s = %q, want %s", sheet, ref, raw, stock.Money(w))
			}
			if f, _ := c.numFmt(sheet, ref); !strings.Contains(f, `"`+c.currency+`"`) || !strings.Contains(f, "#,##0.00") {
				c.t.Errorf("%s!%s: number format %q, want %s money", sheet, ref, f, c.currency)
			}
		case pctCell:
			raw := c.number(sheet, ref)
			v, _ := strconv.ParseFloat(raw, 64)
			if math.Abs(v-float64(w)) > 1e-12 {
				c.t.Errorf("%s!%s = %q, want %v", sheet, ref, raw, float64(w))
			}
			if _, id := c.numFmt(sheet, ref); id != 10 {
				c.t.Errorf("%s!%s: number format %d, want 10 (0.00%%)", sheet, ref, id)
			}
		case dateCell:
			raw := c.number(sheet, ref)
			d, _ := time.Parse(time.DateOnly, string(w))
			serial := d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
			if raw != strconv.FormatFloat(serial, 'f', -1, 64) {
				c.t.Errorf("%s!%s = %q, want serial %v (%s)", sheet, ref, raw, serial, w)
			}
			if f, _ := c.numFmt(sheet, ref); f != "yyyy-mm-dd" {
				c.t.Errorf("%s!%s: number format %q, want yyyy-mm-dd", sheet, ref, f)
			}
		default:
			c.t.Fatalf("bad expectation %T", w)
		}
	}
	ref, _ := excelize.CoordinatesToCellName(len(want)+1, n)
	if raw, _ := c.f.GetCellValue(sheet, ref); raw != "" {
		c.t.Errorf("%s!%s = %q, want nothing after column %d", sheet, ref, raw, len(want))
	}
}

// filters returns the ranges with filter buttons, by sheet.
func filters(f *excelize.File) map[string]string {
	m := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			m[d.Scope] = d.RefersTo
		}
	}
	return m
}

// header checks a sheet's header row, its bold font and its frozen pane,
// and returns the number of rows of the sheet.
func (c checker) header(sheet string, want ...string) int {
	c.t.Helper()
	rows, err := c.f.GetRows(sheet)
	if err != nil {
		c.t.Fatalf("%s: %v", sheet, err)
	}
	if len(rows) == 0 || !reflect.DeepEqual(rows[0], want) {
		c.t.Errorf("%s header:\n got %q\nwant %q", sheet, rows[:min(1, len(rows))], want)
	}
	for i := range want {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		id, _ := c.f.GetCellStyle(sheet, ref)
		if st, _ := c.f.GetStyle(id); st == nil || st.Font == nil || !st.Font.Bold {
			c.t.Errorf("%s!%s: header not bold", sheet, ref)
		}
		if w, _ := c.f.GetColWidth(sheet, ref[:len(ref)-1]); w < 8 {
			c.t.Errorf("%s column %s: width %v", sheet, ref[:len(ref)-1], w)
		}
	}
	p, err := c.f.GetPanes(sheet)
	if err != nil {
		c.t.Fatal(err)
	}
	if !p.Freeze || p.YSplit != 1 || p.XSplit != 0 || p.TopLeftCell != "A2" {
		c.t.Errorf("%s panes = %+v, want the first row frozen", sheet, p)
	}
	return len(rows)
}

func write(t *testing.T, r stock.Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCountReportXLSX(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var linesHeaderEn = []string{"SKU", "Name", "Chinese name", "Category", "Location", "Status", "Counted qty", "First counted qty",
	"Recounted", "Counted by", "Roles", "Zones", "Book qty", "Variance qty", "Unit cost", "Variance value", "Variance %",
	"Within tolerance", "Recount required", "Reason code", "Posted"}

func joinRolesTest(rs []stock.Role) any {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return orNil(strings.Join(s, ", "))
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// wantLine is the expected row of a line.
func wantLine(l stock.ReportLine, masked bool) []any {
	row := []any{l.SKU, orNil(l.Name), orNil(l.NameZh), orNil(l.Category), l.Location, l.Status, l.CountedQty, l.FirstCountedQty,
		l.Recounted, orNil(strings.Join(l.CountedBy, ", ")), joinRolesTest(l.Roles), orNil(strings.Join(l.Zones, ", "))}
	if masked {
		return row
	}
	var p any
	if l.VariancePct != nil {
		p = pctCell(*l.VariancePct / 100)
	}
	return append(row, l.BookQty, l.VarianceQty, moneyCell(l.UnitCost), moneyCell(l.VarianceValue), p,
		l.WithinTolerance, l.RecountRequired, orNil(l.ReasonCode), l.Posted)
}

func wantGroup(key string, g stock.GroupSummary, masked bool) []any {
	row := []any{key, g.Lines, g.Recounted}
	if masked {
		return row
	}
	return append(row, g.AbsVarianceQty, moneyCell(g.AbsVarianceValue), moneyCell(g.NetVarianceValue), g.WithinTolerance, pctCell(g.Accuracy))
}

func TestCountReport(t *testing.T) {
	r := sampleReport()
	f := open(t, write(t, r, Options{}))
	c := checker{t: t, f: f, currency: "HK$"}
	if got, want := f.GetSheetList(), []string{SheetLines, SheetSummary, SheetUnresolved, SheetLots, SheetInfo}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want Lines", f.GetActiveSheetIndex())
	}

	if n := c.header(SheetLines, linesHeaderEn...); n != len(r.Lines)+1 {
		t.Errorf("Lines: %d rows, want %d", n, len(r.Lines)+1)
	}
	for i, l := range r.Lines {
		c.row(SheetLines, i+2, wantLine(l, false)...)
	}
	// Spot checks, independent of wantLine.
	c.row(SheetLines, 3, "SKU-000002", "Lemon Tea 500ml", "檸檬茶 500毫升", "beverage", "HK-TST", "counted", 99, 90, true,
		"E008, E009", "counter, supervisor", "HK-TST-A, HK-TST-B", 96, 3, moneyCell(51234), moneyCell(153702), pctCell(0.0313),
		false, true, nil, false)
	if v, _ := f.GetCellValue(SheetLines, "A4"); v != "0012345" {
		t.Errorf("a numeric-looking SKU lost its leading zeros: %q", v)
	}
	if v, _ := f.GetCellValue(SheetLines, "O4"); v != "0.1234" {
		t.Errorf("unit cost with four decimals written as %q", v)
	}
	if v, _ := f.GetCellValue(SheetLines, "P6"); v != "-1288000" {
		t.Errorf("large variance value written as %q", v)
	}

	if n := c.header(SheetSummary, "Role", "Lines", "Recounted", "Abs variance qty", "Abs variance value", "Net variance value", "Within tolerance", "Accuracy"); n != 4 {
		t.Errorf("Summary: %d rows, want 4", n)
	}
	for i, g := range r.Groups {
		c.row(SheetSummary, i+2, wantGroup(g.Key, g, false)...)
	}
	c.row(SheetSummary, 4, wantGroup("Total", r.Totals, false)...)
	id, _ := f.GetCellStyle(SheetSummary, "E4")
	if st, _ := f.GetStyle(id); st.Font == nil || !st.Font.Bold || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "HK$") {
		t.Errorf("total money cell: style %+v, want bold HK$", st)
	}

	c.header(SheetUnresolved, "Code", "Scans", "Qty")
	c.row(SheetUnresolved, 2, "04894033001501", 2, 2)
	c.row(SheetUnresolved, 3, "]C1ABC-123", 1, 6)

	if n := c.header(SheetLots, "SKU", "Lot", "Expiry", "Counted qty", "Scans", "Expiry status", "Days left"); n != 4 {
		t.Errorf("Lots: %d rows, want 4", n)
	}
	c.row(SheetLots, 2, "SKU-000001", "L2026-09A", dateCell("2026-12-01"), 40, 3, "near_expiry", 8)
	c.row(SheetLots, 3, "SKU-000001", "L2026-08", dateCell("2026-11-20"), 5, 1, "expired", -3)
	c.row(SheetLots, 4, "0012345", "000781", nil, 1500, 4, nil, nil)

	c.header(SheetInfo, "Field", "Value")
	c.row(SheetInfo, 2, "Count", "C-2026-11-0042")
	c.row(SheetInfo, 3, "Location", "HK-TST")
	c.row(SheetInfo, 4, "Status", "posted")
	c.row(SheetInfo, 5, "Blind", true)
	c.row(SheetInfo, 6, "Masked", false)
	c.row(SheetInfo, 7, "Group by", "role")
	c.row(SheetInfo, 9, "Currency", "HKD")

	if got, want := filters(f), map[string]string{
		SheetLines:      "'Lines'!$A$1:$U$6",
		SheetSummary:    "'Summary'!$A$1:$H$3", // not the total
		SheetUnresolved: "'Unresolved'!$A$1:$C$3",
		SheetLots:       "'Lots'!$A$1:$G$4",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("filters %q, want %q", got, want)
	}

	props, err := f.GetDocProps()
	if err != nil || !strings.Contains(props.Title, "C-2026-11-0042") {
		t.Errorf("doc title %q (%v)", props.Title, err)
	}
}

func TestMaskedCountReport(t *testing.T) {
	r := masked(sampleReport())
	r.Lots = nil
	f := open(t, write(t, r, Options{Currency: "MOP"}))
	c := checker{t: t, f: f, currency: "MOP$"}
	if got, want := f.GetSheetList(), []string{SheetLines, SheetSummary, SheetUnresolved, SheetInfo}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %q, want %q (no Lots without lots)", got, want)
	}
	c.header(SheetLines, linesHeaderEn[:12]...)
	for i, l := range r.Lines {
		// row also checks that nothing follows column L: no book columns.
		c.row(SheetLines, i+2, wantLine(l, true)...)
	}
	rows, _ := f.GetRows(SheetLines)
	for i, row := range rows {
		if len(row) > 12 {
			t.Errorf("Lines row %d has %d columns, masked reports have 12", i+1, len(row))
		}
		for _, v := range row {
			for _, book := range []string{"Book", "Variance", "Unit cost", "48", "96", "12000"} {
				if v == book || (i == 0 && strings.HasPrefix(v, book)) {
					t.Errorf("Lines row %d: %q leaks book figures", i+1, v)
				}
			}
		}
	}
	c.header(SheetSummary, "Role", "Lines", "Recounted")
	c.row(SheetSummary, 2, "counter", 5, 1)
	c.row(SheetSummary, 3, "supervisor", 1, 0)
	c.row(SheetSummary, 4, "Total", 6, 1)
	if got := filters(f)[SheetLines]; got != "'Lines'!$A$1:$L$6" {
		t.Errorf("masked Lines filter %q", got)
	}
	c.row(SheetInfo, 6, "Masked", true)
	c.row(SheetInfo, 9, "Currency", "MOP")
}

func TestChineseHeadersAndMOP(t *testing.T) {
	r := sampleReport()
	f := open(t, write(t, r, Options{Currency: "MOP", Lang: LangChinese}))
	c := checker{t: t, f: f, currency: "MOP$"}
	rows, _ := f.GetRows(SheetLines)
	if rows[0][0] != "貨號" || rows[0][6] != "點算數量" || rows[0][12] != "賬面數量" {
		t.Errorf("Chinese header %q", rows[0])
	}
	for i, l := range r.Lines {
		c.row(SheetLines, i+2, wantLine(l, false)...)
	}
	c.row(SheetSummary, 4, wantGroup("合計", r.Totals, false)...)
	if w, _ := f.GetColWidth(SheetLines, "H"); w < textWidth("首次點算數量") {
		t.Errorf("column H width %v too narrow for its Chinese header", w)
	}

	f = open(t, write(t, r, Options{Lang: "Bilingual"}))
	rows, _ = f.GetRows(SheetSummary)
	if rows[0][0] != "Role 職位" || rows[3][0] != "Total 合計" {
		t.Errorf("bilingual summary %q", rows)
	}
}

func TestCrossReport(t *testing.T) {
	r := sampleCross()
	for _, cur := range []struct{ code, symbol string }{{"HKD", "HK$"}, {"MOP", "MOP$"}} {
		var buf bytes.Buffer
		if err := WriteCrossReportXLSX(&buf, r, Options{Currency: cur.code}); err != nil {
			t.Fatal(err)
		}
		f := open(t, buf.Bytes())
		c := checker{t: t, f: f, currency: cur.symbol}
		if got, want := f.GetSheetList(), []string{SheetSummary, SheetInfo}; !reflect.DeepEqual(got, want) {
			t.Fatalf("sheets %q, want %q", got, want)
		}
		if n := c.header(SheetSummary, "Store", "Lines", "Recounted", "Abs variance qty", "Abs variance value", "Net variance value", "Within tolerance", "Accuracy"); n != 4 {
			t.Errorf("Summary: %d rows, want 4", n)
		}
		for i, g := range r.Groups {
			c.row(SheetSummary, i+2, wantGroup(g.Key, g, false)...)
		}
		c.row(SheetSummary, 4, wantGroup("Total", r.Totals, false)...)
		c.row(SheetSummary, 2, "MO-SMP", 812, 12, 95, moneyCell(1_234_567_8901), moneyCell(-1_000_000_0001), 790, pctCell(0.9729))

		c.header(SheetInfo, "Field", "Value")
		from := c.number(SheetInfo, "B2")
		if from != "46296" { // 2026-10-01 as an Excel serial
			t.Errorf("From = %s, want 46296", from)
		}
		if f, _ := c.numFmt(SheetInfo, "B3"); f != "yyyy-mm-dd hh:mm" {
			t.Errorf("To format %q", f)
		}
		c.row(SheetInfo, 4, "Group by", "store")
		c.row(SheetInfo, 5, "Counts", 14)
		c.row(SheetInfo, 6, "Currency", cur.code)
	}
}

func TestEmptyReport(t *testing.T) {
	r := stock.Report{CountID: "C-1", Location: "MO-SMP", GroupBy: "sku", Totals: stock.GroupSummary{Key: "total", Accuracy: 1}}
	f := open(t, write(t, r, Options{}))
	c := checker{t: t, f: f, currency: "HK$"}
	if n := c.header(SheetLines, linesHeaderEn...); n != 1 {
		t.Errorf("Lines: %d rows, want the header only", n)
	}
	c.header(SheetSummary, "SKU", "Lines", "Recounted", "Abs variance qty", "Abs variance value", "Net variance value", "Within tolerance", "Accuracy")
	c.row(SheetSummary, 2, "Total", 0, 0, 0, moneyCell(0), moneyCell(0), 0, pctCell(1))
	if n := c.header(SheetUnresolved, "Code", "Scans", "Qty"); n != 1 {
		t.Errorf("Unresolved: %d rows", n)
	}
}

// TestAwkwardText checks that text is kept as text, whatever it holds:
// formulas stay inert strings, markup is escaped, spaces are kept.
func TestAwkwardText(t *testing.T) {
	r := sampleReport()
	r.Lines = r.Lines[:1]
	l := &r.Lines[0]
	l.Name, l.NameZh, l.Category, l.ReasonCode = "=HYPERLINK(\"http://x\")", " <b>蝦餃 & 燒賣</b> ", "tab\there", "+1"
	l.CountedBy = []string{"E&1", "E<2>"}
	f := open(t, write(t, r, Options{}))
	c := checker{t: t, f: f, currency: "HK$"}
	c.row(SheetLines, 2, wantLine(*l, false)...)
	if formula, _ := f.GetCellFormula(SheetLines, "B2"); formula != "" {
		t.Errorf("B2 has a formula %q", formula)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{Currency: "USD"}, {Lang: "fr"}, {Currency: "HK$"}} {
		var buf bytes.Buffer
		if err := WriteCountReportXLSX(&buf, sampleReport(), o); err == nil || buf.Len() != 0 {
			t.Errorf("%+v: err %v, %d bytes written", o, err, buf.Len())
		}
		if err := WriteCrossReportXLSX(&buf, sampleCross(), o); err == nil || buf.Len() != 0 {
			t.Errorf("%+v: err %v, %d bytes written", o, err, buf.Len())
		}
		if o.Validate() == nil {
			t.Errorf("%+v: valid", o)
		}
	}
	for _, o := range []Options{{}, {Currency: "HKD", Lang: "en"}, {Currency: "mop", Lang: "ZH-hant"}, {Lang: LangBilingual}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if f, _ := MoneyFormat(""); f != `"HK$"#,##0.00##;-"HK$"#,##0.00##` {
		t.Errorf("HKD format %s", f)
	}
	if f, _ := MoneyFormat("MOP"); f != `"MOP$"#,##0.00##;-"MOP$"#,##0.00##` {
		t.Errorf("MOP format %s", f)
	}
}

// TestMoneyExact checks that every amount survives the float cell exactly,
// for the amounts stock.ParseMoney accepts (up to 10^9 currency units with
// four decimals: 13 significant digits, within Excel's 15).
func TestMoneyExact(t *testing.T) {
	for _, m := range []stock.Money{1, -1, 9999, 12345, 1_0001, 3_3333, 99_999_999_9999, -123_456_789_1234, 999_999_999_9999, -999_999_999_9999} {
		v := money(m).(float64)
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if got, err := stock.ParseMoney(s); err != nil || got != m {
			t.Errorf("%s written as %s", m, s)
		}
	}
}

// bigReport is a report of n lines as a large count produces them.
func bigReport(n int) stock.Report {
	r := sampleReport()
	lines := make([]stock.ReportLine, n)
	for i := range lines {
		l := r.Lines[i%len(r.Lines)]
		l.SKU = fmt.Sprintf("SKU-%06d", i)
		l.CountedQty += int64(i % 97)
		l.VarianceQty = l.CountedQty - l.BookQty
		l.VarianceValue = l.UnitCost.Mul(l.VarianceQty)
		lines[i] = l
	}
	r.Lines = lines
	return r
}

// TestLargeReport writes a 100k-line count. The workbook must open with
// excelize; its rows are counted in the sheet's XML, because reading 2
// million cells back through excelize takes longer than writing them.
func TestLargeReport(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100k-line workbook")
	}
	const n = 100_000
	r := bigReport(n)
	var buf bytes.Buffer
	buf.Grow(8 << 20)
	// The heap in use while writing, above the report itself, must stay
	// bounded: the stream writer keeps at most a 16 MiB chunk of sheet XML
	// in memory (the rest goes to a temporary file), and the zip goes to w.
	// A low GC percent makes the heap in use follow what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse + uint64(buf.Cap())
	var peak atomic.Uint64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	start := time.Now()
	err := WriteCountReportXLSX(&buf, r, Options{})
	elapsed := time.Since(start)
	close(done)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	over := int64(peak.Load()) - int64(base)
	t.Logf("%d lines: %d bytes in %v, peak heap %d MiB above the report", n, buf.Len(), elapsed, over>>20)
	if over > 96<<20 {
		t.Errorf("writing took %d MiB of heap above the report, want less than 96 MiB", over>>20)
	}
	f := open(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetLines, SheetSummary, SheetUnresolved, SheetLots, SheetInfo}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if p, err := f.GetPanes(SheetSummary); err != nil || !p.Freeze {
		t.Errorf("Summary panes %+v, %v", p, err)
	}

	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var sheet []byte
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			sheet, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if rows := bytes.Count(sheet, []byte("<row ")); rows != n+1 {
		t.Fatalf("Lines has %d rows, want %d", rows, n+1)
	}
	l := r.Lines[n-1]
	i := bytes.LastIndex(sheet, []byte(`<row r="`))
	last := string(sheet[i:])
	for _, want := range []string{
		`<autoFilter ref="$A$1:$U$100001">`,
		`<row r="100001">`,
		`<c r="A100001" t="inlineStr"><is><t>` + l.SKU + `</t></is></c>`,
		`<c r="G100001" s="`, // the counted qty, a number:
		`"><v>` + strconv.FormatInt(l.CountedQty, 10) + `</v></c><c r="H100001"`,
		`<v>` + strconv.FormatFloat(float64(l.VarianceValue)/10000, 'f', -1, 64) + `</v></c><c r="Q100001"`,
	} {
		if !strings.Contains(last, want) {
			t.Errorf("last row lacks %s:\n%s", want, last)
		}
	}
}

func BenchmarkCountReportXLSX(b *testing.B) {
	r := bigReport(100_000)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var cw countingWriter
		if err := WriteCountReportXLSX(&cw, r, Options{}); err != nil {
			b.Fatal(err)
		}
		size = int(cw)
	}
	b.ReportMetric(float64(size), "xlsx-bytes")
}

// countingWriter discards what it is given and counts it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
