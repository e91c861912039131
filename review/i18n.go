package review

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"pandian/stock"
)

// Languages of the pages.
const (
	langEN = "en"
	langZH = "zh-Hant"
)

// messages is the table of every UI string: key → {English, Traditional
// Chinese}. Strings with verbs are fmt formats.
var messages = map[string][2]string{
	"app":                     {"Stock count review", "盤點審核"},
	"nav.counts":              {"Counts", "盤點"},
	"nav.roles":               {"Accuracy by role", "按職位準確率"},
	"signin":                  {"Sign in", "登入"},
	"signout":                 {"Sign out", "登出"},
	"signin.code":             {"Employee code", "員工編號"},
	"signin.pin":              {"PIN", "密碼"},
	"signin.wrong":            {"Wrong employee code or PIN.", "員工編號或密碼錯誤。"},
	"signin.left":             {"%d attempts left before a lock-out.", "再錯 %d 次將被鎖定。"},
	"signin.locked":           {"Too many wrong PINs: sign-in is locked; try again in %s.", "密碼錯誤次數過多，帳戶已鎖定，請於 %s 後再試。"},
	"signin.expired":          {"Your session has ended; please sign in again.", "登入已逾時，請重新登入。"},
	"signin.required":         {"Enter your employee code and PIN.", "請輸入員工編號及密碼。"},
	"csrf":                    {"The form has expired or did not come from this site. Reload the page and try again.", "表格已過期或來源不明，請重新載入頁面再試。"},
	"lang.switch":             {"中文", "English"},
	"counts.title":            {"Counts", "盤點清單"},
	"counts.none":             {"No counts in your scope.", "你的範圍內沒有盤點。"},
	"counts.filter":           {"Status", "狀態"},
	"all":                     {"All", "全部"},
	"show":                    {"Show", "顯示"},
	"counts.store":            {"Store", "分店"},
	"counts.from":             {"Opened from", "開始日期由"},
	"counts.to":               {"to", "至"},
	"counts.range":            {"Counts %s–%s, newest first", "第 %s 至 %s 項（最新在前）"},
	"col.openedby":            {"Opened by", "開始人"},
	"col.progress":            {"Lines counted", "已點項目"},
	"scope.all":               {"Whole store", "全店"},
	"scope.skus":              {"%d SKUs", "%d 個貨品"},
	"pager":                   {"Pages", "分頁"},
	"report.range":            {"lines %s–%s on this page", "本頁為第 %s 至 %s 項"},
	"filter.search":           {"Search", "搜尋"},
	"filter.search.hint":      {"SKU, name or barcode", "貨號、品名或條碼"},
	"filter.unscanned":        {"Never scanned", "從未掃描"},
	"unscanned.fold":          {"Folded into one row", "合併為一行"},
	"unscanned.show":          {"Show them", "顯示"},
	"unscanned.only":          {"Only them", "只顯示這些"},
	"unscanned.row":           {"%s lines were never scanned (counted as 0)", "%s 項從未掃描（當 0 計）"},
	"approve.whole":           {"Approval acts on the whole count: %s lines with a variance of %s lines, %s to post, not only the lines shown.", "批核適用於整次盤點：%s 項有差異（共 %s 項），過帳金額 %s，並非只限本頁顯示的項目。"},
	"approve.uncounted.note":  {"%s of them were never scanned (%s): you will be asked what to do with them.", "其中 %s 項從未掃描（%s）：稍後會詢問如何處理。"},
	"photo.title":             {"Photo of the scans", "掃描相片"},
	"photo.section":           {"Photos the scans were read from", "掃描所用的相片"},
	"photo.alt":               {"Photo with %d barcodes outlined", "相片，已框出 %d 個條碼"},
	"photo.nomatch":           {"no catalog match", "目錄中沒有此貨品"},
	"photo.noboxes":           {"Where the barcodes were found was not kept for this photo.", "此相片沒有保存條碼的位置。"},
	"photo.open":              {"Open the photo alone", "單獨開啟相片"},
	"report.cached":           {"Figures as of %s: a large count's report is kept for a few seconds while you page, search and filter it.", "數字截至 %s：大型盤點的報告會暫存片刻，方便你翻頁、搜尋及篩選。"},
	"close.submit":            {"Close count", "結束盤點"},
	"close.hint":              {"%s of %s lines scanned. Closing ends the counting: the count goes to review, and scans sent after it are kept as late but not counted.", "已掃描 %s 項（共 %s 項）。結束後不再接受點數：盤點轉為待審核，之後送來的掃描會保留為逾時，但不計算。"},
	"close.done":              {"Count closed: it is now in review.", "盤點已結束，現為待審核。"},
	"err.close.posted":        {"This count is already posted: it cannot be closed again.", "此盤點已過帳，不能再結束。"},
	"byrole.recount":          {"%s lines were recounted.", "%s 項曾經重點。"},
	"byrole.rounds":           {"The by-role table judges each counting round, not each line: a round that was recounted is charged with the difference between its count and the recount, and the last round with the difference from the book. A recounted line therefore appears once for each round, and a line counted by people of two roles appears under both. The headline above uses each line once, with its last count against the book.", "按職位表格計算的是每一輪點數，而非每個項目：被重點的一輪，以它與重點結果的差異計算；最後一輪則以它與帳面數的差異計算。因此重點過的項目每一輪各計一次，由兩種職位的人點過的項目會在兩個職位下各出現一次。上方的總數則每個項目只計一次，以最後一次點數與帳面數比較。"},
	"byrole.totals":           {"Here: %s round results worth %s by role, against %s lines worth %s in the headline.", "本次：按職位共 %s 個點數結果（%s），總數為 %s 項（%s）。"},
	"byrole.totals.masked":    {"Here: %s round results by role, against %s lines in the headline.", "本次：按職位共 %s 個點數結果，總數為 %s 項。"},
	"bulk.label":              {"Reason for the %s lines with a variance that match these filters", "為符合篩選且有差異的 %s 項設定原因"},
	"bulk.label.all":          {"Reason for all %s lines with a variance", "為全部 %s 項有差異的項目設定原因"},
	"bulk.hint":               {"Applies to every matching line, on every page; a reason chosen on a line below wins. Shown in the review before anything posts.", "適用於所有符合的項目（包括其他頁）；下方個別項目所選的原因優先。過帳前會在檢視中顯示。"},
	"bulk.all":                {"all lines", "全部項目"},
	"bulk.applied":            {"%s for the lines that match: %s", "「%s」適用於符合以下條件的項目：%s"},
	"unscanned.only.desc":     {"never scanned", "從未掃描"},
	"side.title":              {"Late and out-of-scope scans", "逾時及範圍外掃描"},
	"side.summary":            {"%s scans arrived after the count closed (late) and %s were outside its scope. They are kept for you to see but are not counted in any line.", "%s 個掃描在盤點結束後才送到（逾時），%s 個在盤點範圍以外。這些掃描會保留供你查看，但不計入任何項目。"},
	"side.more":               {"The first %s are listed; the API lists them all.", "只列出首 %s 個；API 可列出全部。"},
	"approve.review":          {"Review approval…", "檢視批核…"},
	"approve.review.title":    {"Review the approval: %s", "檢視批核：%s"},
	"approve.review.whole":    {"This approval acts on the whole count (%s lines), not only the lines on one page. Nothing is posted until you confirm below.", "此批核適用於整次盤點（%s 項），並非只限某一頁的項目。按下方確認前不會過帳。"},
	"approve.review.lines":    {"Lines that will post", "將過帳項目"},
	"approve.review.value":    {"Value to post (abs.)", "過帳金額（絕對值）"},
	"approve.review.up":       {"Stock up", "庫存增加"},
	"approve.review.down":     {"Stock down", "庫存減少"},
	"approve.review.held":     {"Held back (not posted)", "保留（不過帳）"},
	"approve.review.reasons":  {"Reasons", "原因"},
	"approve.review.table":    {"What will post, largest first", "將過帳的項目（金額由大至小）"},
	"approve.review.again":    {"Review again", "重新檢視"},
	"approve.uncounted.title": {"%s lines were never scanned (%s)", "%s 項從未掃描（%s）"},
	"approve.uncounted.ask":   {"What should happen to them?", "應如何處理？"},
	"approve.decided.zero":    {"They will be set to 0 and their variance posted.", "這些項目將設為 0 並過帳其差異。"},
	"approve.decided.hold":    {"They will be held back: their book stock is left alone.", "這些項目將保留：帳面庫存不變。"},
	"approve.unset":           {"%s lines have no reason chosen: they will be posted with the reason Unknown unless you choose one for them.", "%s 項未選擇原因：除非為其選擇原因，否則將以「不明」過帳。"},
	"approve.default":         {"Reason for the lines without one", "未選原因項目的原因"},
	"approve.notchosen":       {"%s not chosen", "%s 項未選擇"},
	"approve.notchosen.one":   {"not chosen", "未選擇"},
	"approve.more":            {"…and %s more lines (download the CSV for all).", "……另有 %s 項（下載 CSV 查看全部）。"},
	"approve.needs.decision":  {"Decide what happens to the lines never scanned (above) before confirming.", "確認前請先決定如何處理從未掃描的項目（見上方）。"},
	"approve.confirm.text":    {"Post %s lines, %s, to book stock.", "將 %s 項（%s）過帳至帳面庫存。"},
	"approve.confirm":         {"Confirm and post", "確認並過帳"},
	"pager.prev":              {"Previous", "上一頁"},
	"pager.next":              {"Next", "下一頁"},
	"pager.of":                {"Page %d of %d", "第 %d 頁，共 %d 頁"},
	"filter.bad":              {"Filter ignored", "篩選無效"},
	"filter.bad.status":       {"%q is not a count status.", "「%s」不是盤點狀態。"},
	"filter.bad.store":        {"%q is not one of your stores.", "「%s」不是你管轄的分店。"},
	"filter.bad.date":         {"%q is not a date (YYYY-MM-DD).", "「%s」不是日期（YYYY-MM-DD）。"},
	"filter.bad.page":         {"%q is not a page number.", "「%s」不是頁碼。"},
	"filter.bad.cursor":       {"That page link is no longer valid: the newest counts are shown.", "該頁連結已失效：現顯示最新的盤點。"},
	"pager.newest":            {"Newest", "最新"},
	"pager.page":              {"Page %d", "第 %d 頁"},
	"col.count":               {"Count", "盤點"},
	"col.location":            {"Location", "地點"},
	"col.status":              {"Status", "狀態"},
	"col.opened":              {"Opened", "開始"},
	"col.closed":              {"Closed", "結束"},
	"col.lines":               {"Lines", "項目"},
	"col.varlines":            {"Lines with variance", "有差異項目"},
	"col.absvalue":            {"Variance value (abs.)", "差異金額（絕對值）"},
	"col.netvalue":            {"Net variance value", "淨差異金額"},
	"col.accuracy":            {"Accuracy", "準確率"},
	"col.sku":                 {"SKU", "貨號"},
	"col.name":                {"Name", "品名"},
	"col.category":            {"Category", "類別"},
	"col.zones":               {"Zones", "區域"},
	"col.book":                {"Book", "帳面"},
	"col.counted":             {"Counted", "實點"},
	"col.varqty":              {"Variance", "差異數量"},
	"col.varvalue":            {"Variance value", "差異金額"},
	"col.varpct":              {"%", "%"},
	"col.countedby":           {"Counted by", "盤點人"},
	"col.recount":             {"Recount", "重點"},
	"col.reason":              {"Reason", "原因"},
	"col.scans":               {"Scans", "掃描"},
	"col.role":                {"Role", "職位"},
	"col.employee":            {"Employee", "員工"},
	"col.time":                {"Scanned at", "掃描時間"},
	"col.device":              {"Device", "裝置"},
	"col.bin":                 {"Bin", "貨位"},
	"col.code":                {"Code", "條碼"},
	"col.qty":                 {"Qty", "數量"},
	"col.pack":                {"Pack", "包裝"},
	"col.applied":             {"Units", "單位數"},
	"col.lot":                 {"Lot", "批號"},
	"col.expiry":              {"Expiry", "到期日"},
	"col.round":               {"Round", "輪次"},
	"col.photo":               {"Photo", "相片"},
	"col.within":              {"Within tolerance", "容差內"},
	"col.recounted":           {"Recounted", "已重點"},
	"col.week":                {"Week of", "週"},
	"col.counts":              {"Counts", "盤點數"},
	"col.daysleft":            {"Days left", "剩餘日數"},
	"view":                    {"View", "查看"},
	"open":                    {"Open", "打開"},
	"masked":                  {"Blind count: book quantities are hidden for your role.", "盲盤：你的職位不可查看帳面數量。"},
	"own.lines":               {"You see only the lines you counted.", "你只可查看自己盤點的項目。"},
	"report.title":            {"Count %s", "盤點 %s"},
	"report.summary":          {"Summary", "摘要"},
	"report.byrole":           {"By role", "按職位"},
	"report.lines":            {"Lines", "項目"},
	"report.shown":            {"%s of %s lines match", "%s 項符合，共 %s 項"},
	"report.truncated":        {"The page shows the first %s of %s matching lines: narrow the filters, or download the CSV for all of them. Lines not shown are approved with the reason unknown.", "本頁只顯示 %s 項（共 %s 項符合）：請收窄篩選，或下載 CSV 查看全部。未顯示的項目批核時原因為「不明」。"},
	"report.lots":             {"Lots and expiry dates", "批號及到期日"},
	"report.unresolved":       {"Unresolved codes", "未能識別的條碼"},
	"report.none":             {"No lines match.", "沒有符合的項目。"},
	"report.blind":            {"Blind", "盲盤"},
	"report.round":            {"Round", "輪次"},
	"report.approvedby":       {"Approved by", "批核人"},
	"report.limit":            {"Store approval limit", "分店批核上限"},
	"filter.title":            {"Filters", "篩選"},
	"filter.zone":             {"Zone", "區域"},
	"filter.category":         {"Category", "類別"},
	"filter.role":             {"Role", "職位"},
	"filter.employee":         {"Employee", "員工"},
	"filter.lot":              {"Lot", "批號"},
	"filter.expiry":           {"Expiry", "到期"},
	"filter.variance":         {"Only lines with a variance", "只顯示有差異項目"},
	"filter.sort":             {"Sort", "排序"},
	"filter.apply":            {"Apply", "套用"},
	"filter.clear":            {"Clear", "清除"},
	"sort.abs":                {"Largest variance value first", "差異金額由大至小"},
	"sort.sku":                {"SKU", "貨號"},
	"sort.qty":                {"Largest variance quantity first", "差異數量由大至小"},
	"export.csv":              {"Download CSV", "下載 CSV"},
	"export.xlsx":             {"Download Excel", "下載 Excel"},
	"recount.title":           {"Order a recount", "安排重點"},
	"recount.help":            {"Tick the lines to recount in the table, choose who counts them, and send.", "在表中勾選要重點的項目，選擇盤點人，然後送出。"},
	"recount.assignee":        {"Recount the ticked lines: who counts them", "重點已勾選項目：負責員工"},
	"recount.submit":          {"Order recount", "安排重點"},
	"recount.done":            {"Recount ordered: round %d.", "已安排重點：第 %d 輪。"},
	"approve.title":           {"Approve and post adjustments", "批核並過帳調整"},
	"approve.help":            {"Choose a reason for each line with a variance (default: unknown), then approve. Every variance is posted to book stock.", "為每個有差異的項目選擇原因（預設：不明），然後批核。所有差異將過帳至帳面庫存。"},
	"approve.value":           {"Value to post: %s", "過帳金額：%s"},
	"approve.over":            {"This is above your approval limit: the approval will be refused, a regional manager must approve.", "金額超出你的批核上限：批核將被拒絕，須由區域經理批核。"},
	"approve.submit":          {"Approve", "批核"},
	"approve.uncounted":       {"%s lines were never scanned (%s): set them to 0?", "%s 項從未掃描（%s）：是否設為 0？"},
	"approve.zero":            {"Yes: set them to 0 and post their variance", "是：設為 0 並過帳其差異"},
	"approve.hold":            {"No: hold them back, post only the lines counted", "否：保留不過帳，只過帳已點算的項目"},
	"approve.done":            {"Approved: %d lines posted, %s.", "已批核：過帳 %d 項，%s。"},
	"refused":                 {"Refused", "已拒絕"},
	"error":                   {"Something went wrong", "發生錯誤"},
	"notfound":                {"This page or record does not exist, or is outside your scope.", "此頁面或記錄不存在，或不在你的範圍內。"},
	"signin.failed":           {"Sign-in failed", "登入失敗"},
	"err.limit":               {"The variance value %s is above your approval limit %s: a regional manager must approve.", "差異金額 %s 超出你的批核上限 %s：須由區域經理批核。"},
	"err.role":                {"Your role (%s) may not do this.", "你的職位（%s）不可執行此操作。"},
	"err.uncounted":           {"%s lines were never scanned and would be set to 0 (%s): choose whether to set them to 0 or hold them back.", "%s 項從未掃描，將被設為 0（%s）：請選擇設為 0 或保留不過帳。"},
	"err.changed":             {"The count changed since you reviewed the approval (or the form differs from what you reviewed): review it again.", "檢視批核後盤點已有變更（或表格與所檢視的不同）：請重新檢視。"},
	"err.approve.status":      {"This count is %s: close it before approving (only a count in review can be approved).", "此盤點目前為「%s」：請先結束盤點再批核（只有待審核的盤點可以批核）。"},
	"err.recount.status":      {"This count is %s: recounts are ordered on a count in review.", "此盤點目前為「%s」：只可為待審核的盤點安排重點。"},
	"err.assignee.none":       {"The assignee %s does not exist.", "負責員工 %s 不存在。"},
	"err.assignee.scope":      {"The assignee %s cannot count at %s.", "負責員工 %s 不可在 %s 盤點。"},
	"err.reason":              {"The reason code %s is not one of the reasons.", "原因代碼 %s 無效。"},
	"err.skus":                {"Tick at least one line to recount.", "請勾選最少一個要重點的項目。"},
	"scans.title":             {"Scans of %s", "%s 的掃描記錄"},
	"scans.none":              {"No scans.", "沒有掃描記錄。"},
	"scans.fromphoto":         {"from photo", "來自相片"},
	"scans.clock":             {"device clock wrong", "裝置時鐘有誤"},
	"scans.clockhint":         {"The device's time is before the count opened or after the scan arrived; counted as received at", "裝置時間早於盤點開始或晚於收到時間；以收到時間計算："},
	"back.report":             {"Back to the report", "返回報告"},
	"roles.title":             {"Counting accuracy by employee role", "按員工職位的盤點準確率"},
	"roles.weeks":             {"Weeks", "週數"},
	"roles.location":          {"Location code", "地點編號"},
	"roles.period":            {"%s to %s, %d counts closed", "%s 至 %s，已結束 %d 次盤點"},
	"roles.chart":             {"Accuracy per role per week", "各職位每週準確率"},
	"roles.value":             {"Variance value by role", "各職位差異金額"},
	"roles.nodata":            {"No closed counts in this period.", "此期間沒有已結束的盤點。"},
	"roles.note":              {"Accuracy: share of counted lines (and rounds) within the count's tolerance. A recounted round's error stays with whoever counted it first.", "準確率：在容差內的盤點項目（及輪次）比例。重點前的差異仍計入首次盤點的人。"},
	"role.(uncounted)":        {"(not counted)", "（未盤點）"},
	"status.open":             {"Counting", "盤點中"},
	"status.recount":          {"Recount", "重點中"},
	"status.review":           {"In review", "待審核"},
	"status.posted":           {"Posted", "已過帳"},
	"line.counted":            {"counted", "已盤點"},
	"line.uncounted":          {"not counted (0)", "未盤點（當 0）"},
	"line.ignored":            {"not counted (ignored)", "未盤點（略過）"},
	"reason.damage":           {"Damage", "損壞"},
	"reason.theft":            {"Theft", "失竊"},
	"reason.admin_error":      {"Admin error", "行政錯誤"},
	"reason.supplier_short":   {"Supplier short", "供應商短交"},
	"reason.unknown":          {"Unknown", "不明"},
	"expiry.expired":          {"Expired", "已過期"},
	"expiry.near_expiry":      {"Near expiry", "即將到期"},
	"expiry.ok":               {"OK", "正常"},
	"scan.counted":            {"counted", "已計算"},
	"scan.unknown_code":       {"unknown code", "未知條碼"},
	"scan.late":               {"late", "逾時"},
	"scan.out_of_scope":       {"out of scope", "範圍外"},
	"posted":                  {"posted", "已過帳"},
	"recount.required":        {"recount required", "需要重點"},
	"yes":                     {"yes", "是"},
	"no":                      {"no", "否"},
	"cat.baby":                {"Baby", "嬰兒用品"},
	"cat.beverage":            {"Beverages", "飲品"},
	"cat.dairy":               {"Dairy", "奶類"},
	"cat.fresh":               {"Fresh", "新鮮食品"},
	"cat.frozen":              {"Frozen", "冷凍食品"},
	"cat.grocery":             {"Grocery", "雜貨"},
	"cat.health":              {"Health", "保健"},
	"cat.household":           {"Household", "家居用品"},
	"cat.instant_noodle":      {"Instant noodles", "即食麵"},
	"cat.personal_care":       {"Personal care", "個人護理"},
	"cat.snack":               {"Snacks", "零食"},
	"cat.stationery":          {"Stationery", "文具"},
	"status.400":              {"Bad request", "請求無效"},
	"status.413":              {"Too large", "內容過大"},
	"status.404":              {"Not found", "找不到"},
	"status.403":              {"Not allowed", "不允許"},
	"status.409":              {"Not possible now", "目前無法執行"},
	"status.422":              {"Invalid input", "輸入無效"},
	"status.401":              {"Signed out", "未登入"},
	"status.429":              {"Too many attempts", "嘗試次數過多"},
	"status.503":              {"Temporarily unavailable", "暫時無法使用"},
	"status.500":              {"Internal error", "內部錯誤"},
	"timeout":                 {"This page took too long to prepare. Try again, or narrow it down (filters, fewer weeks).", "此頁準備時間過長。請再試，或收窄範圍（篩選條件、較少週數）。"},
}

// loc renders strings, numbers, money and times in one language.
type loc struct {
	Lang string
	zh   bool
}

func newLoc(lang string) *loc { return &loc{Lang: lang, zh: lang == langZH} }

// T returns the UI string key in the page's language (the key itself when
// the table lacks it, so that a missing string shows up in tests).
func (l *loc) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l.zh {
		return m[1]
	}
	return m[0]
}

// Tf formats the UI string key with args.
func (l *loc) Tf(key string, args ...any) string { return fmt.Sprintf(l.T(key), args...) }

// Opt translates prefix+value when the table knows it, else value.
func (l *loc) Opt(prefix, value string) string {
	if _, ok := messages[prefix+value]; ok {
		return l.T(prefix + value)
	}
	return value
}

// Role, Status, Reason and Cat translate enumerations; roles are named
// by the domain (stock.Role.Names).
func (l *loc) Role(r any) string {
	if role := stock.Role(fmt.Sprint(r)); role.Valid() {
		en, zh := role.Names()
		if l.zh {
			return zh
		}
		return en
	}
	return l.Opt("role.", fmt.Sprint(r))
}
func (l *loc) Status(s any) string { return l.Opt("status.", fmt.Sprint(s)) }
func (l *loc) Reason(s string) string {
	return l.Opt("reason.", s)
}
func (l *loc) Cat(s string) string { return l.Opt("cat.", s) }

// Name picks the SKU name in the page's language, falling back to the other.
func (l *loc) Name(en, zh string) string {
	if (l.zh && zh != "") || en == "" {
		return zh
	}
	return en
}

// Num formats an integer with thousands separators (both languages use
// commas in Hong Kong and Macau).
func (l *loc) Num(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case *int:
		if x == nil {
			return "—"
		}
		v = int64(*x)
	default:
		return fmt.Sprint(n)
	}
	return groupDigits(strconv.FormatInt(v, 10))
}

// Signed formats an integer with an explicit sign for variances.
func (l *loc) Signed(n int64) string {
	if n > 0 {
		return "+" + l.Num(n)
	}
	return l.Num(n)
}

func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Money formats an amount with the currency symbol (HK$ or MOP$).
func (l *loc) Money(m stock.Money, cur string) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = cur + groupDigits(s)
	if neg {
		return "-" + s
	}
	return s
}

// SignedMoney is Money with an explicit plus sign.
func (l *loc) SignedMoney(m stock.Money, cur string) string {
	if m > 0 {
		return "+" + l.Money(m, cur)
	}
	return l.Money(m, cur)
}

// Ratio formats a 0..1 ratio as a percentage.
func (l *loc) Ratio(r float64) string {
	return strconv.FormatFloat(math.Round(r*1000)/10, 'f', 1, 64) + "%"
}

// Pct formats a percentage that is already in percent (nil: "—").
func (l *loc) Pct(p *float64) string {
	if p == nil {
		return "—"
	}
	s := strconv.FormatFloat(*p, 'f', 1, 64) + "%"
	if *p > 0 {
		s = "+" + s
	}
	return s
}

// hkt is Hong Kong and Macau time (UTC+8, no daylight saving).
var hkt = time.FixedZone("HKT", 8*3600)

// Time formats a time in Hong Kong time.
func (l *loc) Time(t any) string {
	var v time.Time
	switch x := t.(type) {
	case time.Time:
		v = x
	case *time.Time:
		if x == nil {
			return "—"
		}
		v = *x
	}
	if v.IsZero() {
		return "—"
	}
	v = v.In(hkt)
	if l.zh {
		return fmt.Sprintf("%d年%d月%d日 %s", v.Year(), v.Month(), v.Day(), v.Format("15:04"))
	}
	return v.Format("2 Jan 2006 15:04")
}

// Date formats a date.
func (l *loc) Date(v time.Time) string {
	v = v.In(hkt)
	if l.zh {
		return fmt.Sprintf("%d年%d月%d日", v.Year(), v.Month(), v.Day())
	}
	return v.Format("2 Jan 2006")
}

// ShortDate formats a date for chart axes.
func (l *loc) ShortDate(v time.Time) string {
	v = v.In(hkt)
	if l.zh {
		return fmt.Sprintf("%d月%d日", v.Month(), v.Day())
	}
	return v.Format("2 Jan")
}

// pickLang decides the page language from the query's lang, the lang
// cookie and the Accept-Language header: ?lang= wins (and is remembered in
// a cookie by the caller), then the cookie, then Accept-Language.
func pickLang(query, cookie, accept string) (lang string, fromQuery bool) {
	if q := normLang(query); q != "" {
		return q, true
	}
	if l := normLang(cookie); l != "" {
		return l, false
	}
	return acceptLang(accept), false
}

// normLang maps a language tag to a supported language, "" if none.
func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return ""
	case s == "en" || strings.HasPrefix(s, "en-"):
		return langEN
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		// zh-Hans / zh-CN readers get Traditional Chinese too: the only
		// Chinese the pages speak.
		return langZH
	}
	return ""
}

// acceptLang picks the supported language with the highest q in an
// Accept-Language header; English when none matches.
func acceptLang(h string) string {
	best, bestQ := langEN, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l := normLang(tag); l != "" && q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}
