// Package export writes stock reports as XLSX workbooks, for the HTTP API
// and the web review pages alike. It depends only on the domain types of
// package stock and on excelize.
//
// Workbooks are written with excelize's stream writer, row by row, so that
// a 100k-line count does not build its sheets in memory, and the zip is
// written straight to the caller's writer.
//
// Every sheet has a bold header row, frozen so that it stays in view, and
// fixed column widths. Values keep their types: quantities are integer
// cells, money is numeric with a currency number format (HK$ or MOP$, two
// to four decimals, as stock.Money prints), percentages are numeric with a
// % format, flags are boolean cells, dates are date cells. Codes (SKUs,
// barcodes, lots) are always text, so that leading zeros survive.
//
// A count report (WriteCountReportXLSX) has the sheets:
//
//   - Lines: one row per report line, the columns of the CSV export: sku,
//     name, name_zh, category, location, status, counted_qty,
//     first_counted_qty, recounted, counted_by, roles, zones, and, unless
//     the report is masked, book_qty, variance_qty, unit_cost,
//     variance_value, variance_pct, within_tolerance, recount_required,
//     reason_code, posted.
//   - Summary: one row per group, then the total (bold): key, lines,
//     recounted, and unless masked abs_variance_qty, abs_variance_value,
//     net_variance_value, within_tolerance, accuracy.
//   - Unresolved: the scanned codes that matched no SKU: code, scans, qty.
//   - Lots (only when the report has lots): sku, lot, expiry, counted_qty,
//     scans, expiry_status, days_left.
//   - Info: what the report is (count, location, status, blind, masked,
//     grouping, currency), as field/value rows.
//
// A cross-count report (WriteCrossReportXLSX) has Summary (groups and
// total) and Info (period, grouping, number of counts, currency).
//
// Sheet names are always the English ones above (they are identifiers for
// whoever reads the workbook by program); Options.Lang chooses the language
// of the column headers. Values (statuses, roles, group keys) are written as
// the domain codes, as in the CSV and JSON exports.
package export

import (
	"fmt"
	"strings"
)

// ContentType is the media type of the workbooks this package writes.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Currencies accepted in Options.Currency.
const (
	CurrencyHKD = "HKD" // Hong Kong dollar, formatted HK$ (the default)
	CurrencyMOP = "MOP" // Macanese pataca, formatted MOP$
)

// Languages accepted in Options.Lang, for column headers.
const (
	LangEnglish   = "en"        // English headers (the default): "Counted qty"
	LangChinese   = "zh-Hant"   // Traditional Chinese headers: "點算數量"
	LangBilingual = "bilingual" // both in one cell: "Counted qty 點算數量"
)

// Names of the sheets of the workbooks.
const (
	SheetLines      = "Lines"
	SheetSummary    = "Summary"
	SheetUnresolved = "Unresolved"
	SheetLots       = "Lots"
	SheetInfo       = "Info"
)

// Options say how a workbook is presented. The zero value is valid: HKD,
// English headers.
type Options struct {
	// Currency is the currency of the report's money amounts, CurrencyHKD
	// (default when empty) or CurrencyMOP, in any case. It only sets the
	// number format: amounts are not converted.
	Currency string
	// Lang is the language of column headers: LangEnglish (default when
	// empty), LangChinese or LangBilingual, in any case.
	Lang string
}

// Validate reports an error when Currency or Lang is not one of the known
// values. The Write functions call it before writing anything, so an HTTP
// handler may call it first to answer 400 instead.
func (o Options) Validate() error {
	if _, err := MoneyFormat(o.Currency); err != nil {
		return err
	}
	if _, ok := canonLang(o.Lang); ok {
		return nil
	}
	return fmt.Errorf("export: unknown language %q (want %s, %s or %s)", o.Lang, LangEnglish, LangChinese, LangBilingual)
}

// MoneyFormat returns the number format of money cells for a currency
// ("" is HKD): two decimals, up to four when the amount has them (as
// stock.Money prints), thousands separators, the minus sign before the
// currency symbol.
func MoneyFormat(currency string) (string, error) {
	var symbol string
	switch strings.ToUpper(currency) {
	case "", CurrencyHKD:
		symbol = "HK$"
	case CurrencyMOP:
		symbol = "MOP$"
	default:
		return "", fmt.Errorf("export: unknown currency %q (want %s or %s)", currency, CurrencyHKD, CurrencyMOP)
	}
	pos := `"` + symbol + `"#,##0.00##`
	return pos + ";-" + pos, nil
}

// canonLang returns the Lang constant that lang names, ignoring case.
func canonLang(lang string) (string, bool) {
	for _, l := range []string{LangEnglish, LangChinese, LangBilingual} {
		if strings.EqualFold(lang, l) {
			return l, true
		}
	}
	return LangEnglish, lang == ""
}

// label is a column header in both languages.
type label struct{ en, zh string }

func (l label) in(lang string) string {
	switch lang {
	case LangChinese:
		return l.zh
	case LangBilingual:
		return l.en + " " + l.zh
	}
	return l.en
}

// Column headers.
var (
	hSKU             = label{"SKU", "貨號"}
	hName            = label{"Name", "名稱"}
	hNameZh          = label{"Chinese name", "中文名稱"}
	hCategory        = label{"Category", "類別"}
	hLocation        = label{"Location", "位置"}
	hStatus          = label{"Status", "狀態"}
	hCountedQty      = label{"Counted qty", "點算數量"}
	hFirstCountedQty = label{"First counted qty", "首次點算數量"}
	hRecounted       = label{"Recounted", "已重點"}
	hCountedBy       = label{"Counted by", "點算員工"}
	hRoles           = label{"Roles", "職位"}
	hZones           = label{"Zones", "區域"}
	hBookQty         = label{"Book qty", "賬面數量"}
	hVarianceQty     = label{"Variance qty", "差異數量"}
	hUnitCost        = label{"Unit cost", "單位成本"}
	hVarianceValue   = label{"Variance value", "差異金額"}
	hVariancePct     = label{"Variance %", "差異百分比"}
	hWithinTolerance = label{"Within tolerance", "在容差內"}
	hRecountRequired = label{"Recount required", "須重點"}
	hReasonCode      = label{"Reason code", "原因代碼"}
	hPosted          = label{"Posted", "已過賬"}

	hLines            = label{"Lines", "項數"}
	hRecountedLines   = label{"Recounted", "重點項數"}
	hAbsVarianceQty   = label{"Abs variance qty", "絕對差異數量"}
	hAbsVarianceValue = label{"Abs variance value", "絕對差異金額"}
	hNetVarianceValue = label{"Net variance value", "淨差異金額"}
	hWithinLines      = label{"Within tolerance", "容差內項數"}
	hAccuracy         = label{"Accuracy", "準確率"}
	hTotal            = label{"Total", "合計"}

	hCode  = label{"Code", "條碼"}
	hScans = label{"Scans", "掃描次數"}
	hQty   = label{"Qty", "數量"}

	hLot          = label{"Lot", "批號"}
	hExpiry       = label{"Expiry", "到期日"}
	hExpiryStatus = label{"Expiry status", "到期狀態"}
	hDaysLeft     = label{"Days left", "剩餘日數"}

	hField = label{"Field", "項目"}
	hValue = label{"Value", "內容"}

	hCountID  = label{"Count", "盤點編號"}
	hBlind    = label{"Blind", "盲點"}
	hMasked   = label{"Masked", "已隱藏賬面"}
	hGroupBy  = label{"Group by", "分組"}
	hCurrency = label{"Currency", "貨幣"}
	hFrom     = label{"From", "由"}
	hTo       = label{"To", "至"}
	hCounts   = label{"Counts", "盤點次數"}
)

// groupLabels head the key column of a summary, by grouping.
var groupLabels = map[string]label{
	"sku":      hSKU,
	"role":     {"Role", "職位"},
	"employee": {"Employee", "員工"},
	"zone":     {"Zone", "區域"},
	"category": hCategory,
	"store":    {"Store", "分店"},
}

func groupLabel(groupBy string) label {
	if l, ok := groupLabels[groupBy]; ok {
		return l
	}
	return label{"Group", "分組"}
}
