package export

import (
	"archive/zip"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"pandian/stock"
)

// kind is how a column's cells are formatted.
type kind int

const (
	kText kind = iota
	kInt
	kMoney
	kPct
	kBool
	kDate
	kDateTime
)

// column is one column of a sheet.
type column struct {
	head  label
	kind  kind
	width float64
}

// styles are the style ids of a workbook: by kind, plain and bold (for
// total rows), and the header's.
type styles struct {
	header int
	plain  [kDateTime + 1]int
	bold   [kDateTime + 1]int
}

// book is a workbook being written.
type book struct {
	f      *excelize.File
	lang   string
	st     styles
	sheets int
}

// newBook starts a workbook whose zip goes straight to w when it is
// written (excelize would otherwise assemble the whole compressed file in
// memory first).
func newBook(w io.Writer, opts Options) (*book, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	lang, _ := canonLang(opts.Lang)
	b := &book{f: f, lang: lang}
	money, _ := MoneyFormat(opts.Currency)
	formats := [kDateTime + 1]excelize.Style{
		kInt:      {NumFmt: 3}, // #,##0
		kMoney:    {CustomNumFmt: &money},
		kPct:      {NumFmt: 10}, // 0.00%
		kDate:     {CustomNumFmt: ptr("yyyy-mm-dd")},
		kDateTime: {CustomNumFmt: ptr("yyyy-mm-dd hh:mm")},
	}
	for k := range formats {
		s := formats[k]
		var err error
		if k != int(kText) && k != int(kBool) {
			if b.st.plain[k], err = f.NewStyle(&s); err != nil {
				f.Close()
				return nil, err
			}
		}
		s.Font = &excelize.Font{Bold: true}
		if b.st.bold[k], err = f.NewStyle(&s); err != nil {
			f.Close()
			return nil, err
		}
	}
	var err error
	b.st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }

// finish writes the workbook to the writer given to newBook. The caller
// closes b.f, which removes excelize's temporary files.
func (b *book) finish(props *excelize.DocProperties) error {
	if err := b.f.SetDocProps(props); err != nil {
		return err
	}
	b.f.SetActiveSheet(0)
	// The zip writer set in newBook writes to w: the buffer given to it
	// by excelize stays empty.
	return b.f.Write(io.Discard)
}

// sheetWriter writes the rows of one sheet.
type sheetWriter struct {
	sw   *excelize.StreamWriter
	cols []column
	row  int
	vals []any
	st   *styles
	// bold makes the next rows bold (a total row), keeping number formats.
	bold bool
}

// noFilter asks book.sheet for no filter buttons.
const noFilter = -1

// sheet adds a sheet with a frozen header row of cols and calls fill to
// write its rows. Unless filtered is noFilter, the header has filter
// buttons for the first filtered rows under it (the rows to sort and
// filter: a total row is left out).
func (b *book) sheet(name string, cols []column, filtered int, fill func(s *sheetWriter) error) error {
	if b.sheets == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return err
	}
	b.sheets++
	if filtered != noFilter {
		// Set on the worksheet before the stream writer takes it over: the
		// writer writes it out when it is flushed.
		last, err := excelize.CoordinatesToCellName(len(cols), 1+filtered)
		if err != nil {
			return err
		}
		if err := b.f.AutoFilter(name, "A1:"+last, nil); err != nil {
			return err
		}
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	err = sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
	if err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		h := c.head.in(b.lang)
		head[i] = h
		if err := sw.SetColWidth(i+1, i+1, max(c.width, textWidth(h)+2)); err != nil {
			return err
		}
		if st := b.st.plain[c.kind]; st != 0 {
			if err := sw.SetColStyle(i+1, i+1, st); err != nil {
				return err
			}
		}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{StyleID: b.st.header, Height: 20}); err != nil {
		return err
	}
	s := &sheetWriter{sw: sw, cols: cols, row: 1, vals: make([]any, 0, len(cols)), st: &b.st}
	if err := fill(s); err != nil {
		return err
	}
	return sw.Flush()
}

// textWidth is the display width of s in column-width units: East Asian
// characters take two.
func textWidth(s string) float64 {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) >= 3 {
			w += 2
		} else {
			w++
		}
	}
	return float64(w)
}

// The cell values a row is made of. A nil value leaves the cell empty.

func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func integer(n int64) any { return n }

// money is m in currency units. float64(m)/10000 is the double nearest to
// the exact amount, whose shortest decimal form (the one written) is the
// amount itself: the four decimals are kept exactly.
func money(m stock.Money) any { return float64(m) / 10000 }

// percent is p, in percent with two decimals as the domain rounds it, as a
// fraction for a % format.
func percent(p *float64) any {
	if p == nil {
		return nil
	}
	return math.Round(*p*100) / 10000
}

// fraction is an accuracy (a fraction with four decimals) for a % format.
func fraction(a float64) any { return math.Round(a*10000) / 10000 }

// date is a YYYY-MM-DD date as a date cell, or as text when it is not one.
func date(s string) any {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t
}

// add appends one value to the row being built.
func (s *sheetWriter) add(v any) { s.vals = append(s.vals, v) }

// flush writes the row built with add.
func (s *sheetWriter) flush() error {
	s.row++
	if s.bold {
		for i, v := range s.vals {
			if v != nil {
				s.vals[i] = excelize.Cell{StyleID: s.st.bold[s.cols[i].kind], Value: v}
			}
		}
	}
	err := s.sw.SetRow("A"+strconv.Itoa(s.row), s.vals)
	s.vals = s.vals[:0]
	return err
}
