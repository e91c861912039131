package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"pandian/stock"
)

// hkt is Hong Kong and Macau time (UTC+8, no daylight saving), for days
// and times in messages.
var hkt = time.FixedZone("HKT", 8*3600)

// roleName is a role's names, Chinese then English ("盤點員 Counter").
func roleName(r string) string {
	en, zh := stock.Role(r).Names()
	if en == zh {
		return r
	}
	return zh + " " + en
}

// clean keeps user text from breaking the markdown of a message.
func clean(s string) string {
	r := strings.NewReplacer("\n", " ", "\r", " ", "*", "＊", "`", "'", "[", "(", "]", ")", "<", "‹")
	return r.Replace(s)
}

// render fills the title, markdown and text of a.
func render(a *Alert) {
	var zh, en string
	var facts [][2]string // label, value
	place := a.Location
	if a.LocationName != "" {
		place = a.LocationName + " (" + a.Location + ")"
	}
	switch a.Kind {
	case KindCountVarianceValue:
		zh, en = "盤點差異金額超標", "Count variance over limit"
		facts = [][2]string{
			{"盤點 Count", a.CountID},
			{"地點 Location", place},
			{"差異金額 Variance value", a.Currency + " " + a.Value},
			{"上限 Limit", a.Currency + " " + a.Threshold},
		}
	case KindSKUVariancePct:
		zh, en = "貨品差異百分比超標", "SKU variance % over limit"
		facts = [][2]string{
			{"盤點 Count", a.CountID},
			{"地點 Location", place},
			{"超標貨品 Lines over limit", a.Value},
			{"上限 Limit", "±" + a.Threshold + "%"},
		}
	case KindCountOpenHours:
		zh, en = "盤點開啟過久", "Count open too long"
		facts = [][2]string{
			{"盤點 Count", a.CountID},
			{"地點 Location", place},
			{"已開啟 Open for", a.Value + " 小時 h"},
			{"上限 Limit", a.Threshold + " 小時 h"},
		}
	case KindRoleAccuracy:
		zh, en = "職位盤點準確率偏低", "Role accuracy below target"
		facts = [][2]string{
			{"職位 Role", roleName(a.Role)},
			{"準確率 Accuracy", a.Value + "%"},
			{"目標 Target", a.Threshold + "%"},
		}
		if a.Location != "" {
			facts = append(facts, [2]string{"地點 Location", place})
		}
	}
	facts = append(facts, [2]string{"規則 Rule", a.RuleName}, [2]string{"時間 Time", a.FiredAt.In(hkt).Format("2006-01-02 15:04 HKT")})
	if a.Test {
		zh, en = "測試訊息："+zh, "Test message: "+en
		facts = [][2]string{{"說明 Note", "規則設定測試，並非真實警報 Testing the rule's targets, not a real alert"}, {"規則 Rule", a.RuleName}, facts[len(facts)-1]}
	}
	a.Title = zh + " " + en
	var md, txt strings.Builder
	fmt.Fprintf(&md, "### %s / %s\n\n", zh, en)
	fmt.Fprintf(&txt, "%s / %s\n", zh, en)
	for _, f := range facts {
		fmt.Fprintf(&md, "- **%s**: %s\n", f[0], clean(f[1]))
		fmt.Fprintf(&txt, "• %s: %s\n", f[0], f[1])
	}
	if len(a.Lines) > 0 {
		// DingTalk's markdown has no tables: one list item per line.
		md.WriteString("\n**差異貨品 Lines** (帳面 book → 實點 counted):\n\n")
		txt.WriteString("差異貨品 Lines (帳面 book → 實點 counted):\n")
		for _, l := range a.Lines {
			v := fmt.Sprintf("%d → %d, %+d (%+.2f%%, %s %s)", l.BookQty, l.CountedQty, l.VarianceQty, l.VariancePct, a.Currency, l.VarianceValue)
			fmt.Fprintf(&md, "- %s %s %s: %s\n", clean(l.SKU), clean(l.NameZh), clean(l.Name), v)
			fmt.Fprintf(&txt, "  - %s %s %s: %s\n", l.SKU, l.NameZh, l.Name, v)
		}
		if a.MoreLines > 0 {
			fmt.Fprintf(&md, "- 另有 %d 項 / and %d more\n", a.MoreLines, a.MoreLines)
			fmt.Fprintf(&txt, "  - 另有 %d 項 / and %d more\n", a.MoreLines, a.MoreLines)
		}
	}
	a.Markdown = md.String()
	a.Text = txt.String()
}

// body returns what a target receives for a, and its content type.
func body(kind TargetKind, a Alert) ([]byte, error) {
	switch kind {
	case TargetDingTalk:
		return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": a.Title, "text": a.Markdown}})
	case TargetSlack:
		// Slack reads &, < and > as markup.
		esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
		return json.Marshal(map[string]string{"text": esc.Replace(a.Text)})
	default:
		return json.Marshal(a)
	}
}
