package review

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// DocumentDesk is optional: when the Service also implements it (as
// *stock.Service does), the pages list the documents in the caller's
// scope and show each with its photo and lines, where a person confirms
// or corrects the lines' catalog matches and receives the reviewed lines
// into stock.
type DocumentDesk interface {
	DocumentsPage(ctx context.Context, actor stock.Actor, q stock.DocumentQuery, p stock.PageRequest) (stock.Page[stock.Document], error)
	Document(ctx context.Context, actor stock.Actor, id string) (stock.Document, error)
	OpenDocument(ctx context.Context, actor stock.Actor, id string) (io.ReadCloser, stock.Document, error)
	ConfirmMatch(ctx context.Context, actor stock.Actor, id string, line int, in stock.MatchInput) (stock.Document, error)
	ReceiveDocument(ctx context.Context, actor stock.Actor, id string, in stock.ReceiveInput) (stock.Receipt, error)
	SearchCatalog(ctx context.Context, actor stock.Actor, q string, limit int) ([]stock.SKU, error)
	SKU(ctx context.Context, actor stock.Actor, sku string) (stock.SKU, error)
}

var _ DocumentDesk = (*stock.Service)(nil)

// docMessages are the documents pages' strings (merged into messages).
var docMessages = map[string][2]string{
	"nav.roles.short":                     {"Accuracy", "準確率"},
	"nav.documents":                       {"Documents", "單據"},
	"docs.title":                          {"Documents", "單據"},
	"docs.none":                           {"No documents match.", "沒有符合的單據。"},
	"docs.kind":                           {"Kind", "類別"},
	"docs.status":                         {"Status", "狀態"},
	"docs.from":                           {"Uploaded from", "上載日期由"},
	"docs.to":                             {"to", "至"},
	"docs.first":                          {"First page", "第一頁"},
	"docs.shown":                          {"%s documents on this page, newest first", "本頁 %s 份單據（最新在前）"},
	"docs.bad.kind":                       {"%q is not a kind of document.", "「%s」不是單據類別。"},
	"docs.bad.status":                     {"%q is not a document status.", "「%s」不是單據狀態。"},
	"docs.bad.cursor":                     {"The page link is no longer valid: showing the first page.", "分頁連結已失效：顯示第一頁。"},
	"col.document":                        {"Document", "單據"},
	"col.uploaded":                        {"Uploaded", "上載時間"},
	"col.uploadedby":                      {"Uploaded by", "上載人"},
	"col.doclines":                        {"Lines", "項目"},
	"col.toconfirm":                       {"To confirm", "待確認"},
	"col.received":                        {"Received", "已收貨"},
	"col.desc":                            {"Description (as read)", "描述（讀取所得）"},
	"col.qty":                             {"Qty", "數量"},
	"col.price":                           {"Unit price", "單價"},
	"col.amount":                          {"Amount", "金額"},
	"col.check":                           {"Qty × price", "數量 × 單價"},
	"col.match":                           {"Catalog match", "對應貨品"},
	"col.action":                          {"Action", "操作"},
	"col.receive":                         {"Receive", "收貨"},
	"col.value":                           {"Value", "金額"},
	"kind.purchase_order":                 {"Purchase order", "採購單"},
	"kind.delivery_note":                  {"Delivery note", "送貨單"},
	"kind.invoice":                        {"Invoice", "發票"},
	"kind.contract":                       {"Contract", "合約"},
	"kind.inspection_report":              {"Inspection report", "檢驗報告"},
	"kind.photo":                          {"Photo", "相片"},
	"docstatus.processing":                {"Being read", "讀取中"},
	"docstatus.needs_review":              {"Needs review", "待覆核"},
	"docstatus.done":                      {"Read", "已讀取"},
	"docstatus.failed":                    {"Unreadable", "無法讀取"},
	"doc.back":                            {"Back to the documents", "返回單據清單"},
	"doc.title":                           {"%s %s", "%s %s"},
	"doc.original":                        {"The original", "原件"},
	"doc.photo.alt":                       {"Photo of %s", "%s 的相片"},
	"doc.pdf":                             {"Open the PDF (%s)", "開啟 PDF（%s）"},
	"doc.supplier":                        {"Supplier", "供應商"},
	"doc.number":                          {"Document no.", "單號"},
	"doc.date":                            {"Date", "日期"},
	"doc.date.ambiguous":                  {"printed %s: day and month could be either way round, check it", "印為 %s：日、月次序可互換，請核對"},
	"doc.total":                           {"Total (as read)", "總額（讀取所得）"},
	"doc.linesum":                         {"Sum of the lines", "各項合計"},
	"doc.store":                           {"Store", "分店"},
	"doc.processing":                      {"This document is still being read (%s done). Reload the page in a moment.", "此單據仍在讀取中（已完成 %s）。請稍後重新載入頁面。"},
	"doc.failed":                          {"This document could not be read: %s", "此單據無法讀取：%s"},
	"doc.notread":                         {"Documents of this kind are filed as they are: they have no lines to review.", "此類單據按原樣存檔：沒有需要覆核的項目。"},
	"doc.lines":                           {"Lines", "項目"},
	"doc.nolines":                         {"No line items were found on this document.", "此單據上找不到任何項目。"},
	"doc.check.ok":                        {"OK", "正確"},
	"doc.check.bad":                       {"%s × %s = %s, not %s", "%s × %s = %s，而非 %s"},
	"doc.check.none":                      {"not read", "未讀取"},
	"doc.total.ok":                        {"The lines add up to the total.", "各項合計與總額相符。"},
	"doc.total.bad":                       {"The lines add up to %s but the total reads %s.", "各項合計為 %s，但總額讀得 %s。"},
	"doc.flagged":                         {"Lines flagged for review: %s of %s.", "需要覆核的項目：%s 項（共 %s 項）。"},
	"doc.toconfirm":                       {"Matches waiting for you: %s. Confirm or correct them before receiving those lines.", "有待確認的對應貨品：%s 項。收取這些項目前請先確認或更正。"},
	"doc.warnings":                        {"Reading noted", "讀取備註"},
	"match.barcode":                       {"by barcode", "按條碼"},
	"match.sku":                           {"by SKU code", "按貨號"},
	"match.description":                   {"guessed from the description: confirm or correct", "按描述推測：請確認或更正"},
	"match.person":                        {"confirmed by %s", "由 %s 確認"},
	"match.none":                          {"No catalog match", "沒有對應貨品"},
	"match.confirm":                       {"Confirm", "確認"},
	"match.confirm.label":                 {"Confirm line %d is %s", "確認第 %d 項為 %s"},
	"match.change":                        {"Change…", "更改…"},
	"match.change.label":                  {"Change the match of line %d", "更改第 %d 項的對應貨品"},
	"match.pick":                          {"Pick the SKU", "選擇貨品"},
	"match.pick.title":                    {"Line %d: which SKU is “%s”?", "第 %d 項：「%s」是哪件貨品？"},
	"match.search":                        {"Search the catalog", "搜尋貨品目錄"},
	"match.search.hint":                   {"SKU, name or barcode", "貨號、品名或條碼"},
	"match.results":                       {"Catalog", "貨品目錄"},
	"match.noresults":                     {"Nothing in the catalog matches “%s”.", "貨品目錄中沒有符合「%s」的貨品。"},
	"match.use":                           {"Use this SKU", "使用此貨品"},
	"match.cancel":                        {"Cancel", "取消"},
	"match.done":                          {"Line %d is now %s.", "第 %d 項現為 %s。"},
	"match.pick.required":                 {"Pick a SKU from the search results.", "請從搜尋結果中選擇貨品。"},
	"receive.title":                       {"Receive into stock", "收貨入庫"},
	"receive.intro":                       {"Tick the lines that arrived and check the quantities; you will see what will be posted before anything is.", "勾選已到貨的項目並核對數量；過帳前會先顯示將過帳的內容。"},
	"receive.include":                     {"Receive line %d", "收取第 %d 項"},
	"receive.qty":                         {"Quantity of line %d", "第 %d 項數量"},
	"receive.waits":                       {"confirm the match first", "請先確認對應貨品"},
	"receive.review":                      {"Review receipt…", "檢視收貨…"},
	"receive.confirm.title":               {"Review the receipt: %s", "檢視收貨：%s"},
	"receive.confirm.text":                {"Post %s lines, %s units, %s, to the book stock of %s.", "將 %s 項（共 %s 件，%s）過帳至 %s 的帳面庫存。"},
	"receive.confirm":                     {"Confirm and receive", "確認並收貨"},
	"receive.edit":                        {"Change the lines", "修改項目"},
	"receive.none":                        {"Tick at least one line to receive.", "請至少勾選一項收貨。"},
	"receive.badqty":                      {"Line %d: the quantity must be a whole number from 1 to 1,000,000.", "第 %d 項：數量必須為 1 至 1,000,000 的整數。"},
	"receive.unconfirmed":                 {"Line %d: confirm or correct its match before receiving it.", "第 %d 項：收貨前請先確認或更正其對應貨品。"},
	"receive.changed":                     {"Line %d changed since you reviewed the receipt (it is now %s): nothing was posted; review the receipt again.", "第 %d 項在您檢視收貨後已更改（現為 %s）：沒有過帳；請重新檢視收貨。"},
	"receive.done":                        {"Received: %s lines posted to stock at %s.", "已收貨：%s 項已過帳至 %s 的庫存。"},
	"receive.received":                    {"Received by %s on %s: %s lines.", "由 %s 於 %s 收貨：共 %s 項。"},
	"receive.store":                       {"Receive at", "收貨地點"},
	"problem.matched by description only": {"matched by description only", "只按描述對應"},
	"problem.no catalog match":            {"no catalog match", "沒有對應貨品"},
	"problem.qty × unit price does not equal amount":                             {"qty × unit price does not equal amount", "數量 × 單價 不等於金額"},
	"problem.unit price does not divide the amount":                              {"unit price does not divide the amount", "金額不能被單價整除"},
	"problem.amount repaired: the total confirms it":                             {"amount repaired: the total confirms it", "金額已修正：總額證實"},
	"problem.amount not confirmed: the lines do not add up to the total":         {"amount not confirmed: the lines do not add up to the total", "金額未證實：各項合計與總額不符"},
	"problem.ignored a number right of the amount":                               {"ignored a number right of the amount", "已略去金額右方的數字"},
	"problem.quantity, unit price or amount missing; derived values unconfirmed": {"quantity, unit price or amount missing; derived values unconfirmed", "缺少數量、單價或金額；推算值未證實"},
	"problem.item code unreadable":                                               {"item code unreadable", "貨號無法讀取"},
	"problem.barcode repaired (check digit confirms)":                            {"barcode repaired (check digit confirms)", "條碼已修正（校驗碼證實）"},
	"problem.barcode check digit invalid; taken from the second reading":         {"barcode check digit invalid; taken from the second reading", "條碼校驗碼無效；採用第二次讀取"},
	"problem.barcode check digit invalid":                                        {"barcode check digit invalid", "條碼校驗碼無效"},
	"problem.item code repaired (second reading confirms)":                       {"item code repaired (second reading confirms)", "貨號已修正（第二次讀取證實）"},
	"problem.item code contains letters read as digits":                          {"item code contains letters read as digits", "貨號含有被讀作數字的字母"},
	"err.doc.processing": {"This document is still being read: wait until its lines are there.", "此單據仍在讀取中：請待項目讀取完成。"},
	"err.doc.received":   {"This document was received already, with other lines: nothing was posted.", "此單據已用其他項目收貨：沒有過帳。"},
	"err.doc.final":      {"This document was received: its matches can no longer change.", "此單據已收貨：對應貨品不能再更改。"},
	"err.doc.kind":       {"Documents of this kind are not received into stock.", "此類單據不能收貨入庫。"},
	"err.doc.sku":        {"%s is not in the catalog.", "%s 不在貨品目錄中。"},
}

func init() {
	for k, v := range docMessages {
		messages[k] = v
	}
}

// docKinds are the kinds the list filters by: the ones read into lines
// first.
var docKinds = []stock.DocumentKind{stock.DocPurchaseOrder, stock.DocDeliveryNote, stock.DocInvoice, stock.DocContract, stock.DocInspectionReport, stock.DocPhoto}

type docRow struct {
	stock.Document
	Store      string
	Uploader   string
	ToConfirm  int
	Currency   string
	ShortTitle string
}

type documentsData struct {
	Kinds    []stock.DocumentKind
	Statuses []string
	Stores   []option
	Kind     string
	Status   string
	Store    string
	From, To string
	Rows     []docRow
	Next     string // the next page's link ("" on the last)
	First    string // the first page's link ("" on the first)
}

// docTitle names a document: its kind and its number (or file name).
func docTitle(l *loc, d stock.Document) string {
	name := d.Filename
	if d.Header != nil && d.Header.PONumber != "" {
		name = d.Header.PONumber
	}
	return l.Tf("doc.title", l.Opt("kind.", string(d.Kind)), name)
}

func toConfirm(d stock.Document) int {
	n := 0
	for _, l := range d.Lines {
		if !l.MatchConfirmed {
			n++
		}
	}
	return n
}

// documents is the list of documents: filters store, kind, status and
// upload dates (Hong Kong days, inclusive), cursor paging.
func (h *Pages) documents(q *req) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	v := query(q.c)
	d := documentsData{Kinds: docKinds, Statuses: stock.DocumentStatuses}
	var bad []string
	if k := v.Get("kind"); k != "" {
		if stock.DocumentKind(k).Valid() {
			d.Kind = k
		} else {
			bad = append(bad, q.L.Tf("docs.bad.kind", k))
		}
	}
	if s := v.Get("status"); s != "" {
		if slices.Contains(d.Statuses, s) {
			d.Status = s
		} else {
			bad = append(bad, q.L.Tf("docs.bad.status", s))
		}
	}
	locs := h.locationIndex(q)
	d.Stores, d.Store, bad = storeFilter(q, locs, v.Get("store"), bad)
	dq := stock.DocumentQuery{Kind: d.Kind, Status: d.Status, Location: d.Store}
	if s := v.Get("from"); s != "" {
		if t, err := dateParam(s); err != nil {
			bad = append(bad, q.L.Tf("filter.bad.date", s))
		} else {
			dq.Since, d.From = t, s
		}
	}
	if s := v.Get("to"); s != "" {
		if t, err := dateParam(s); err != nil {
			bad = append(bad, q.L.Tf("filter.bad.date", s))
		} else {
			dq.Until, d.To = t.AddDate(0, 0, 1), s
		}
	}
	link := func(cursor string) string {
		u := url.Values{}
		for k, s := range map[string]string{"kind": d.Kind, "status": d.Status, "store": d.Store, "from": d.From, "to": d.To, "cursor": cursor} {
			if s != "" {
				u.Set(k, s)
			}
		}
		if len(u) == 0 {
			return h.opts.Prefix + "/documents"
		}
		return h.opts.Prefix + "/documents?" + u.Encode()
	}
	cursor := v.Get("cursor")
	page, err := desk.DocumentsPage(q.ctx, q.actor, dq, stock.PageRequest{Cursor: cursor, Limit: h.opts.PageSize})
	if err != nil && cursor != "" && stock.ErrorCode(err) == stock.EInvalid {
		bad, cursor = append(bad, q.L.T("docs.bad.cursor")), ""
		page, err = desk.DocumentsPage(q.ctx, q.actor, dq, stock.PageRequest{Limit: h.opts.PageSize})
	}
	if err != nil {
		return h.pageError(q, err)
	}
	if cursor != "" {
		d.First = link("")
	}
	if page.Next != "" {
		d.Next = link(page.Next)
	}
	var codes []string
	for _, doc := range page.Items {
		codes = append(codes, doc.UploadedBy)
	}
	who := h.names(q, codes)
	for _, doc := range page.Items {
		r := docRow{Document: doc, ToConfirm: toConfirm(doc), Currency: stock.CurrencyOf(doc.LocationPath).Symbol(), ShortTitle: docTitle(q.L, doc)}
		if doc.Location != "" {
			r.Store = locName(locs, doc.Location)
		}
		r.Uploader = cmp.Or(who[doc.UploadedBy], doc.UploadedBy)
		d.Rows = append(d.Rows, r)
	}
	p := h.newPage(q, q.L.T("docs.title"))
	if len(bad) > 0 {
		p.Status, p.ErrorTitle, p.Error = http.StatusBadRequest, q.L.T("filter.bad"), strings.Join(bad, " ")
	}
	p.D = d
	return h.render(q.c, "documents", p)
}

// docLine is a line as the document page shows it.
type docLine struct {
	stock.DocLine
	N         int // 0-based index
	Name      string
	CheckOK   bool
	CheckText string // "" when the line's figures were not read
	Confirmer string
	Value     stock.Money
}

type documentData struct {
	Doc        stock.Document
	Title      string
	Image      bool
	FileURL    string
	Store      string
	Currency   string
	Lines      []docLine
	Flagged    int
	ToConfirm  int
	LineSum    string
	TotalOK    bool
	TotalText  string
	Pick       *pickData
	L          *loc
	CanReceive bool
	CanMatch   bool
	Received   string
}

type pickData struct {
	Line     docLine
	Query    string
	Results  []stock.SKU
	Searched bool
}

// Fmt formats an amount as read ("" or unreadable: shown as read, or —)
// in the document's currency.
func (d documentData) Fmt(s string) string { return fmtAmount(d.L, s, d.Currency) }

// Fmt formats an amount of the receipt.
func (d receiveData) Fmt(s string) string { return fmtAmount(d.L, s, d.Currency) }

func fmtAmount(l *loc, s, cur string) string {
	if m, ok := money(s); ok {
		return l.Money(m, cur)
	}
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// money parses a document's amount ("" or unreadable: false).
func money(s string) (stock.Money, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, false
	}
	m, err := stock.ParseMoney(s)
	return m, err == nil
}

// documentView loads a document and what its page shows of it.
func (h *Pages) documentView(q *req, desk DocumentDesk, id string) (documentData, error) {
	doc, err := desk.Document(q.ctx, q.actor, id)
	if err != nil {
		return documentData{}, err
	}
	locs := h.locationIndex(q)
	d := documentData{Doc: doc, L: q.L, Title: docTitle(q.L, doc), Currency: stock.CurrencyOf(doc.LocationPath).Symbol(),
		Image: strings.HasPrefix(doc.ContentType, "image/"), FileURL: h.opts.Prefix + "/documents/" + url.PathEscape(doc.ID) + "/file"}
	if doc.Location != "" {
		d.Store = locName(locs, doc.Location) + " (" + doc.Location + ")"
	}
	d.CanMatch = q.actor.Require(stock.PermReceive) == nil && doc.Receipt == nil && doc.Status != stock.DocProcessing
	d.CanReceive = d.CanMatch && doc.Kind.Read() && doc.Location != "" && len(doc.Lines) > 0
	var codes []string
	for _, l := range doc.Lines {
		codes = append(codes, l.ConfirmedBy)
	}
	if doc.Receipt != nil {
		codes = append(codes, doc.Receipt.By)
	}
	who := h.names(q, codes)
	names := map[string]string{}
	var sum stock.Money
	sumOK := true
	for i, l := range doc.Lines {
		dl := docLine{DocLine: l, N: i}
		if l.MatchedSKU != "" {
			if _, ok := names[l.MatchedSKU]; !ok {
				if k, err := desk.SKU(q.ctx, q.actor, l.MatchedSKU); err == nil {
					names[l.MatchedSKU] = q.L.Name(k.Name, k.NameZh)
				}
			}
			dl.Name = names[l.MatchedSKU]
		}
		if l.ConfirmedBy != "" {
			dl.Confirmer = cmp.Or(who[l.ConfirmedBy], l.ConfirmedBy)
		}
		price, okP := money(l.UnitPrice)
		amount, okA := money(l.Amount)
		if okP {
			dl.Value = price * stock.Money(l.Qty)
		}
		switch {
		case okP && okA:
			dl.CheckOK = dl.Value == amount
			if dl.CheckOK {
				dl.CheckText = q.L.T("doc.check.ok")
			} else {
				dl.CheckText = q.L.Tf("doc.check.bad", q.L.Num(l.Qty), q.L.Money(price, d.Currency), q.L.Money(dl.Value, d.Currency), q.L.Money(amount, d.Currency))
			}
		default:
			dl.CheckText = q.L.T("doc.check.none")
		}
		if okA {
			sum += amount
		} else {
			sumOK = false
		}
		if l.NeedsReview {
			d.Flagged++
		}
		if !l.MatchConfirmed {
			d.ToConfirm++
		}
		d.Lines = append(d.Lines, dl)
	}
	if len(doc.Lines) > 0 && sumOK {
		d.LineSum = q.L.Money(sum, d.Currency)
		if doc.Header != nil {
			if total, ok := money(doc.Header.Total); ok {
				d.TotalOK = total == sum
				if d.TotalOK {
					d.TotalText = q.L.T("doc.total.ok")
				} else {
					d.TotalText = q.L.Tf("doc.total.bad", q.L.Money(sum, d.Currency), q.L.Money(total, d.Currency))
				}
			}
		}
	}
	if r := doc.Receipt; r != nil {
		d.Received = q.L.Tf("receive.received", cmp.Or(who[r.By], r.By), q.L.Time(r.At), q.L.Num(len(r.Lines)))
	}
	return d, nil
}

// document is a document's page; ?pick=N opens the catalog picker for
// line N (with q, its search).
func (h *Pages) document(q *req) error {
	return h.documentPage(q, http.StatusOK, "", "")
}

func (h *Pages) documentPage(q *req, status int, errMsg, notice string) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	id := param(q.c, "id")
	d, err := h.documentView(q, desk, id)
	if err != nil {
		return h.pageError(q, err)
	}
	v := query(q.c)
	if s := v.Get("pick"); s != "" && d.CanMatch {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(d.Lines) {
			pk := &pickData{Line: d.Lines[n], Query: strings.TrimSpace(v.Get("q"))}
			if pk.Query != "" {
				pk.Searched = true
				if pk.Results, err = desk.SearchCatalog(q.ctx, q.actor, pk.Query, 20); err != nil {
					errMsg = h.docErrorText(q, err)
				}
			}
			d.Pick = pk
		}
	}
	if notice == "" {
		switch v.Get("done") {
		case "matched":
			if n, err := strconv.Atoi(v.Get("line")); err == nil && n >= 0 && n < len(d.Lines) {
				l := d.Lines[n]
				notice = q.L.Tf("match.done", n+1, strings.TrimSpace(l.MatchedSKU+" "+l.Name))
			}
		case "received":
			if r := d.Doc.Receipt; r != nil {
				notice = q.L.Tf("receive.done", q.L.Num(len(r.Lines)), d.Store)
			}
		}
	}
	p := h.newPage(q, d.Title)
	p.D, p.Notice, p.Status = d, notice, status
	if errMsg != "" {
		p.Error, p.ErrorTitle = errMsg, q.L.T("status."+strconv.Itoa(status))
	}
	return h.render(q.c, "document", p)
}

// documentFile sends a document's original to display inline (its own
// Content-Type, Content-Disposition inline), not as a download.
func (h *Pages) documentFile(q *req) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	// Sent after the handler returns: under a deadline of its own (the
	// request's ends with the handler), ended when the stream is closed.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(q.ctx), h.opts.Timeout)
	r, doc, err := desk.OpenDocument(ctx, q.actor, param(q.c, "id"))
	if err != nil {
		cancel()
		return h.pageError(q, err)
	}
	q.c.Set(fiber.HeaderContentType, doc.ContentType)
	// The browser's own viewer shows the file (a PDF's viewer is refused
	// under the pages' policy); nothing of it is framed elsewhere.
	q.c.Set("Content-Security-Policy", "frame-ancestors 'none'")
	q.c.Set(fiber.HeaderContentDisposition, "inline; filename*=UTF-8''"+url.PathEscape(safeFilename(doc.Filename)))
	q.c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	q.c.Response().SetBodyStream(cancelOnClose{r, cancel}, int(doc.Size))
	return nil
}

// matchLine confirms or corrects a line's match (form field sku), then
// back to the document (303).
func (h *Pages) matchLine(q *req) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	id := param(q.c, "id")
	n, err := strconv.Atoi(param(q.c, "line"))
	if err != nil || n < 0 {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	sku := strings.TrimSpace(q.form.Get("sku"))
	if sku == "" {
		return h.documentPage(q, http.StatusUnprocessableEntity, q.L.T("match.pick.required"), "")
	}
	if _, err := desk.ConfirmMatch(q.ctx, q.actor, id, n, stock.MatchInput{SKU: sku}); err != nil {
		return h.documentPage(q, statusOf(err), h.docErrorText(q, err), "")
	}
	return q.c.Redirect(fmt.Sprintf("%s/documents/%s?done=matched&line=%d#line-%d", h.opts.Prefix, url.PathEscape(id), n, n), http.StatusSeeOther)
}

// receiptLine is a line of a receipt under review.
type receiptLine struct {
	N         int
	SKU, Name string
	Qty       int64
	UnitPrice string
	Value     stock.Money
}

type receiveData struct {
	L        *loc
	Doc      stock.Document
	Title    string
	Store    string
	Currency string
	Lines    []receiptLine
	Units    int64
	Value    stock.Money
}

// receiveInput reads the receipt form: include:N (ticked lines), qty:N.
// Only lines with a confirmed match may be received. reviewed: the form
// is the review step's confirmation, which also carries each line's
// sku:N and price:N as shown; a line whose match or price changed since
// (a correction in between) is refused (409), so that what posts is what
// the person saw.
func (h *Pages) receiveInput(q *req, d documentData, reviewed bool) ([]receiptLine, error) {
	var out []receiptLine
	for _, l := range d.Lines {
		key := strconv.Itoa(l.N)
		if q.form.Get("include:"+key) == "" {
			continue
		}
		if !l.MatchConfirmed || l.MatchedSKU == "" {
			return nil, pageErr{http.StatusUnprocessableEntity, q.L.Tf("receive.unconfirmed", l.N+1)}
		}
		qty, err := strconv.ParseInt(strings.TrimSpace(q.form.Get("qty:"+key)), 10, 64)
		if err != nil || qty < 1 || qty > 1_000_000 {
			return nil, pageErr{http.StatusUnprocessableEntity, q.L.Tf("receive.badqty", l.N+1)}
		}
		if reviewed && (q.form.Get("sku:"+key) != l.MatchedSKU || q.form.Get("price:"+key) != l.UnitPrice) {
			now := l.MatchedSKU
			if l.Name != "" {
				now += " " + l.Name
			}
			return nil, pageErr{http.StatusConflict, q.L.Tf("receive.changed", l.N+1, now)}
		}
		r := receiptLine{N: l.N, SKU: l.MatchedSKU, Name: l.Name, Qty: qty, UnitPrice: l.UnitPrice}
		if p, ok := money(l.UnitPrice); ok {
			r.Value = p * stock.Money(qty)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, pageErr{http.StatusUnprocessableEntity, q.L.T("receive.none")}
	}
	return out, nil
}

// pageErr is a refusal of the page itself (already in the page's
// language).
type pageErr struct {
	status int
	msg    string
}

func (e pageErr) Error() string { return e.msg }

// receiveReview shows what receiving the ticked lines will post, with the
// form that posts it.
func (h *Pages) receiveReview(q *req) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	d, err := h.documentView(q, desk, param(q.c, "id"))
	if err != nil {
		return h.pageError(q, err)
	}
	if !d.CanReceive {
		return h.documentPage(q, http.StatusConflict, h.receiveRefusal(q, d), "")
	}
	lines, err := h.receiveInput(q, d, false)
	if err != nil {
		pe := err.(pageErr)
		return h.documentPage(q, pe.status, pe.msg, "")
	}
	rd := receiveData{L: q.L, Doc: d.Doc, Title: d.Title, Store: d.Store, Currency: d.Currency, Lines: lines}
	for _, l := range lines {
		rd.Units += l.Qty
		rd.Value += l.Value
	}
	p := h.newPage(q, q.L.Tf("receive.confirm.title", d.Title))
	p.D = rd
	return h.render(q.c, "docreceive", p)
}

// receiveRefusal says why a document cannot be received from the page.
func (h *Pages) receiveRefusal(q *req, d documentData) string {
	switch {
	case d.Doc.Receipt != nil:
		return q.L.T("err.doc.received")
	case d.Doc.Status == stock.DocProcessing:
		return q.L.T("err.doc.processing")
	case !d.Doc.Kind.Read():
		return q.L.T("err.doc.kind")
	case q.actor.Require(stock.PermReceive) != nil:
		return q.L.Tf("err.role", q.L.Role(q.actor.Role()))
	}
	return q.L.T("doc.nolines")
}

// receive posts the reviewed receipt (through the domain's receive), then
// back to the document (303): the lines' SKUs and prices as the review
// step showed them (a line changed since: 409, nothing posted).
func (h *Pages) receive(q *req) error {
	desk, ok := h.svc.(DocumentDesk)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	id := param(q.c, "id")
	d, err := h.documentView(q, desk, id)
	if err != nil {
		return h.pageError(q, err)
	}
	if d.Doc.Receipt != nil {
		// A re-sent confirmation: the receipt is there already.
		return q.c.Redirect(h.opts.Prefix+"/documents/"+url.PathEscape(id)+"?done=received", http.StatusSeeOther)
	}
	if !d.CanReceive {
		return h.documentPage(q, http.StatusConflict, h.receiveRefusal(q, d), "")
	}
	lines, err := h.receiveInput(q, d, true)
	if err != nil {
		pe := err.(pageErr)
		return h.documentPage(q, pe.status, pe.msg, "")
	}
	in := stock.ReceiveInput{Location: d.Doc.Location}
	for _, l := range lines {
		in.Lines = append(in.Lines, stock.ReceiptLine{MatchedSKU: l.SKU, Qty: l.Qty, UnitPrice: l.UnitPrice})
	}
	if _, err := desk.ReceiveDocument(q.ctx, q.actor, id, in); err != nil {
		return h.documentPage(q, statusOf(err), h.docErrorText(q, err), "")
	}
	return q.c.Redirect(h.opts.Prefix+"/documents/"+url.PathEscape(id)+"?done=received", http.StatusSeeOther)
}

var unknownSKUMsgRE = regexp.MustCompile(`unknown sku "([^"]*)"`)

// docErrorText is a documents refusal in the page's language (else the
// pages' usual error text).
func (h *Pages) docErrorText(q *req, err error) string {
	msg := stock.ErrorMessage(err)
	switch stock.ErrorCode(err) {
	case stock.EConflict:
		switch {
		case strings.Contains(msg, "still being read"):
			return q.L.T("err.doc.processing")
		case strings.Contains(msg, "received before with other lines"):
			return q.L.T("err.doc.received")
		case strings.Contains(msg, "matches are final"):
			return q.L.T("err.doc.final")
		case strings.Contains(msg, "is not received into stock"):
			return q.L.T("err.doc.kind")
		}
	case stock.EInvalid:
		if m := unknownSKUMsgRE.FindStringSubmatch(msg); m != nil {
			return q.L.Tf("err.doc.sku", m[1])
		}
	}
	return h.errorText(q.c, q.L, err)
}

// toDocument sends a GET of a form's address back to the document.
func (h *Pages) toDocument(c *fiber.Ctx) error {
	return c.Redirect(h.opts.Prefix+"/documents/"+url.PathEscape(param(c, "id")), http.StatusSeeOther)
}
