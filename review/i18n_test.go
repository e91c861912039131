package review

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"pandian/stock"
)

// Every UI string has both languages, and every key the templates and the
// code ask for is in the table.
func TestMessageTable(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("message %q: the languages take different arguments: %q", k, m)
		}
	}
	keyRE := regexp.MustCompile(`\.T[f]?[ (]"([a-z0-9_.()]+)"`)
	var sources []string
	fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := assets.ReadFile(p)
			sources = append(sources, string(b))
		}
		return nil
	})
	for _, f := range []string{"review.go", "pages.go", "roles.go", "documents.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, string(b))
	}
	n := 0
	for _, src := range sources {
		for _, m := range keyRE.FindAllStringSubmatch(src, -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time ("status." + code)
			}
			n++
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("key %q is not in the message table", m[1])
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d keys found in the sources", n)
	}
	// Enumerations of the domain are all translated.
	for _, r := range stock.Roles {
		if en, zh := newLoc(langEN).Role(r), newLoc(langZH).Role(r); en == string(r) || zh == string(r) {
			t.Errorf("role %s untranslated: %q, %q", r, en, zh)
		}
	}
	for _, r := range stock.ReasonCodes {
		if _, ok := messages["reason."+r]; !ok {
			t.Errorf("reason %s untranslated", r)
		}
	}
	for _, code := range []string{"400", "401", "403", "413", "404", "409", "422", "429", "500", "503"} {
		if _, ok := messages["status."+code]; !ok {
			t.Errorf("status %s untranslated", code)
		}
	}
	for _, k := range stock.DocumentKinds {
		if _, ok := messages["kind."+string(k)]; !ok {
			t.Errorf("document kind %s untranslated", k)
		}
	}
	for _, s := range stock.DocumentStatuses {
		if _, ok := messages["docstatus."+s]; !ok {
			t.Errorf("document status %s untranslated", s)
		}
	}
	for _, s := range []stock.CountStatus{stock.StatusOpen, stock.StatusRecount, stock.StatusReview, stock.StatusPosted} {
		if _, ok := messages["status."+string(s)]; !ok {
			t.Errorf("status %s untranslated", s)
		}
	}
}

func TestFormatting(t *testing.T) {
	en, zh := newLoc(langEN), newLoc(langZH)
	m := func(s string) stock.Money {
		v, err := stock.ParseMoney(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		got, want string
	}{
		{en.Money(m("1234567.89"), "HK$"), "HK$1,234,567.89"},
		{en.Money(m("-12.5"), "MOP$"), "-MOP$12.50"},
		{en.Money(m("0.1234"), "HK$"), "HK$0.1234"},
		{en.SignedMoney(m("999.00"), "HK$"), "+HK$999.00"},
		{zh.Money(m("20000"), "HK$"), "HK$20,000.00"},
		{en.Num(int64(-1234567)), "-1,234,567"},
		{en.Num(12), "12"},
		{en.Signed(3), "+3"},
		{en.Ratio(0.1667), "16.7%"},
		{en.Time(time.Date(2026, 1, 2, 7, 4, 0, 0, time.UTC)), "2 Jan 2026 15:04"},
		{zh.Time(time.Date(2026, 1, 2, 7, 4, 0, 0, time.UTC)), "2026年1月2日 15:04"},
		{en.Role(stock.RoleStoreManager), "Store manager"},
		{zh.Role("store_manager"), "店長"},
		{zh.Reason("supplier_short"), "供應商短交"},
		{zh.Cat("beverage"), "飲品"},
		{zh.Cat("new_category"), "new_category"},
		{zh.Name("Lemon Tea", "檸檬茶"), "檸檬茶"},
		{en.Name("Lemon Tea", "檸檬茶"), "Lemon Tea"},
		{en.Name("", "檸檬茶"), "檸檬茶"},
		{zh.duration(15 * time.Minute), "15 分鐘"},
		{en.duration(61 * time.Second), "2 min"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	p := 12.345
	if got := en.Pct(&p); got != "+12.3%" {
		t.Errorf("pct %q", got)
	}
	if got := en.Pct(nil); got != "—" {
		t.Errorf("nil pct %q", got)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{
		"":                              langEN,
		"zh-HK,zh;q=0.9,en;q=0.8":       langZH,
		"zh-Hant-TW":                    langZH,
		"en-GB,en;q=0.9,zh-TW;q=0.8":    langEN,
		"fr-FR,fr;q=0.9,zh-MO;q=0.5":    langZH,
		"fr-FR":                         langEN,
		"en;q=0.2, zh-HK;q=0.7":         langZH,
		"zh;q=0, en":                    langEN,
		"pt-MO,zh-Hant-MO;q=0.9,en;q=1": langEN,
	} {
		if got := acceptLang(h); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", h, got, want)
		}
	}
}

func TestPhotoIDAndWeeks(t *testing.T) {
	if got := PhotoID(stock.Scan{EventID: "photo-0123456789abcdef01234567-3"}); got != "0123456789abcdef01234567" {
		t.Errorf("photo id %q", got)
	}
	if got := PhotoID(stock.Scan{EventID: "0193a0c4-0000-7000-8000-000000000001"}); got != "" {
		t.Errorf("scanner scan has photo id %q", got)
	}
	// Sunday 23:30 UTC is Monday 07:30 in Hong Kong: that Monday's week.
	ws := weekStart(time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC))
	if ws.Weekday() != time.Monday || ws.Day() != 23 || ws.Hour() != 0 {
		t.Errorf("week start %v", ws)
	}
	if ws := weekStart(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)); ws.Day() != 16 {
		t.Errorf("week start %v", ws)
	}
}
