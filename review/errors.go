package review

import (
	"regexp"
	"strings"

	"pandian/stock"
)

var (
	statusInMsgRE   = regexp.MustCompile(`(?:is|one is) (open|recount|review|posted)\b`)
	assigneeMsgRE   = regexp.MustCompile(`assignee (\S+) (does not exist|cannot count at (\S+))`)
	reasonCodeMsgRE = regexp.MustCompile(`reason code ("[^"]*")`)
)

// localError is a domain refusal in the page's language, money formatted
// in cur ("HK$", "MOP$"); refusals the table has no sentence for keep the
// domain's (English) message.
func localError(l *loc, err error, cur string) string {
	msg := stock.ErrorMessage(err)
	d := stock.ErrorDetails(err)
	money := func(k string) string {
		s, _ := d[k].(string)
		m, e := stock.ParseMoney(s)
		if e != nil {
			return s
		}
		return l.Money(m, cur)
	}
	status := func() string {
		if m := statusInMsgRE.FindStringSubmatch(msg); m != nil {
			return l.Status(m[1])
		}
		return "—"
	}
	field, _ := d["field"].(string)
	switch code := stock.ErrorCode(err); {
	case code == stock.EForbidden && d["limit"] != nil:
		return l.Tf("err.limit", money("value"), money("limit"))
	case code == stock.EForbidden && strings.HasPrefix(msg, "role "):
		role, _, _ := strings.Cut(strings.TrimPrefix(msg, "role "), " ")
		return l.Tf("err.role", l.Role(role))
	case code == stock.EConflict && field == "uncounted":
		n, _ := d["uncounted_lines"].(int)
		return l.Tf("err.uncounted", l.Num(n), money("uncounted_value"))
	case code == stock.EConflict && field == "if_match":
		return l.T("err.changed")
	case code == stock.EConflict && strings.Contains(msg, "close it before approving"):
		return l.Tf("err.approve.status", status())
	case code == stock.EConflict && strings.Contains(msg, "only a count in review"):
		return l.Tf("err.approve.status", status())
	case code == stock.EConflict && strings.HasSuffix(msg, "is already posted"):
		return l.T("err.close.posted")
	case code == stock.EConflict && strings.HasPrefix(msg, "recounts are ordered"):
		return l.Tf("err.recount.status", status())
	case code == stock.EInvalid && field == "assignee":
		if m := assigneeMsgRE.FindStringSubmatch(msg); m != nil {
			if m[3] != "" {
				return l.Tf("err.assignee.scope", m[1], m[3])
			}
			return l.Tf("err.assignee.none", m[1])
		}
	case code == stock.EInvalid && (field == "reason_codes" || field == "default_reason" || field == "bulk_reason"):
		if m := reasonCodeMsgRE.FindStringSubmatch(msg); m != nil {
			return l.Tf("err.reason", m[1])
		}
	case code == stock.EInvalid && field == "skus" && strings.HasPrefix(msg, "skus must list"):
		return l.T("err.skus")
	}
	return msg
}
