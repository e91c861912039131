package mobileapi

import (
	"bufio"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// A count's report can hold 100k lines: it is streamed, and its lines are
// written by hand (reflection-based encoding costs several times more).
// reportjson_test.go checks the output against encoding/json.

// reportHead is a report without its lines.
type reportHead struct {
	CountID    string                 `json:"count_id"`
	Location   string                 `json:"location"`
	Status     stock.CountStatus      `json:"status"`
	Blind      bool                   `json:"blind"`
	Masked     bool                   `json:"masked"`
	GroupBy    string                 `json:"group_by"`
	Groups     any                    `json:"groups"`
	Totals     any                    `json:"totals"`
	Unresolved []stock.UnresolvedCode `json:"unresolved"`
	Lots       []stock.LotLine        `json:"lots,omitempty"`
}

// maskedGroup is a group summary without book-derived figures.
type maskedGroup struct {
	Key       string `json:"key"`
	Lines     int    `json:"lines"`
	Recounted int    `json:"recounted"`
}

func maskGroup(g stock.GroupSummary) maskedGroup { return maskedGroup{g.Key, g.Lines, g.Recounted} }

// streamReport writes r as JSON: the head, then the lines one by one.
func streamReport(c *fiber.Ctx, r stock.Report) error {
	var groups, totals any = r.Groups, r.Totals
	if r.Masked {
		mg := make([]maskedGroup, len(r.Groups))
		for i, g := range r.Groups {
			mg[i] = maskGroup(g)
		}
		groups, totals = mg, maskGroup(r.Totals)
	}
	head, err := json.Marshal(reportHead{r.CountID, r.Location, r.Status, r.Blind, r.Masked, r.GroupBy, groups, totals, r.Unresolved, r.Lots})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		w.Write(head[:len(head)-1])
		w.WriteString(`,"lines":[`)
		buf := make([]byte, 0, 1024)
		for i := range r.Lines {
			if i > 0 {
				w.WriteByte(',')
			}
			buf = appendLine(buf[:0], &r.Lines[i], r.Masked)
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
		w.WriteString("]}")
		w.Flush()
	})
	return nil
}

// appendLine appends the JSON of one report line. To keep 100k-line
// reports small, fields that would only repeat defaults are left out:
// masked lines have no book-derived fields; snapshot_qty and movement_qty
// appear when movements changed the expectation (else book_qty is the
// snapshot); first_counted_qty, recounted and rounds appear on recounted
// lines; recount_required and posted appear when true.
func appendLine(b []byte, l *stock.ReportLine, masked bool) []byte {
	str := func(b []byte, key, v string) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return appendString(b, v)
	}
	num := func(b []byte, key string, v int64) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return strconv.AppendInt(b, v, 10)
	}
	boolean := func(b []byte, key string, v bool) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return strconv.AppendBool(b, v)
	}
	list := func(b []byte, key string, vs []string) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, `":[`...)
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		return append(b, ']')
	}
	b = append(b, `{"sku":`...)
	b = appendString(b, l.SKU)
	b = str(b, "name", l.Name)
	b = str(b, "name_zh", l.NameZh)
	b = str(b, "category", l.Category)
	b = str(b, "location", l.Location)
	b = str(b, "unit_cost", l.UnitCost.String())
	b = str(b, "status", l.Status)
	b = num(b, "counted_qty", l.CountedQty)
	if l.Recounted {
		b = num(b, "first_counted_qty", l.FirstCountedQty)
		b = boolean(b, "recounted", true)
	}
	if !masked {
		if l.MovementQty != 0 {
			b = num(b, "snapshot_qty", l.SnapshotQty)
			b = num(b, "movement_qty", l.MovementQty)
		}
		b = num(b, "book_qty", l.BookQty)
		b = num(b, "variance_qty", l.VarianceQty)
		b = str(b, "variance_value", l.VarianceValue.String())
		b = append(b, `,"variance_pct":`...)
		if l.VariancePct == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, *l.VariancePct, 'f', -1, 64)
		}
		b = boolean(b, "within_tolerance", l.WithinTolerance)
		if l.RecountRequired {
			b = boolean(b, "recount_required", true)
		}
	}
	b = list(b, "counted_by", l.CountedBy)
	roles := make([]string, len(l.Roles))
	for i, r := range l.Roles {
		roles[i] = string(r)
	}
	b = list(b, "roles", roles)
	b = list(b, "zones", l.Zones)
	if l.ReasonCode != "" {
		b = str(b, "reason_code", l.ReasonCode)
	}
	if l.Posted {
		b = boolean(b, "posted", true)
	}
	if len(l.Rounds) > 1 {
		b = append(b, `,"rounds":`...)
		rounds, _ := json.Marshal(maskRounds(l.Rounds, masked))
		b = append(b, rounds...)
	}
	return append(b, '}')
}

// roundView is a round as a masked report shows it.
type roundView struct {
	Round        int                 `json:"round"`
	CountedQty   int64               `json:"counted_qty"`
	Superseded   bool                `json:"superseded"`
	Participants []stock.Participant `json:"participants"`
}

func maskRounds(rs []stock.RoundResult, masked bool) any {
	if !masked {
		return rs
	}
	out := make([]roundView, len(rs))
	for i, r := range rs {
		out[i] = roundView{r.Round, r.CountedQty, r.Superseded, r.Participants}
	}
	return out
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// for quotes, backslashes, control characters and invalid UTF-8.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
