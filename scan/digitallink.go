package scan

import (
	"net/url"
	"strings"
)

// dlKey describes a primary key that may start the path of a GS1 Digital
// Link URI, and its key qualifiers in the order they must appear.
type dlKey struct {
	qualifiers []string
	shapeOK    func(v string) bool // whether a path segment looks like this key's value
}

// dlKeys are the primary keys recognised in Digital Link paths. Other keys
// (8003, 8006, 8010, 8017 …) are not recognised; such URIs are plain URLs.
var dlKeys = map[string]dlKey{
	"01": {[]string{"22", "10", "21", "235"}, func(v string) bool {
		return isDigits(v) && (len(v) == 8 || len(v) == 12 || len(v) == 13 || len(v) == 14)
	}},
	"00":   {nil, func(v string) bool { return isDigits(v) && len(v) == 18 }},
	"414":  {[]string{"254"}, func(v string) bool { return isDigits(v) && len(v) == 13 }},
	"8004": {nil, func(v string) bool { return v != "" }},
}

// isHTTPURL reports whether s starts like a web address.
func isHTTPURL(s string) bool {
	return hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://")
}

// parseDigitalLink reads an uncompressed GS1 Digital Link URI such as
// "https://id.gs1.org/01/09506000134352/10/ABC/21/123456?17=270331":
// any host and any path before the primary key; the primary key 01 (GTIN-8,
// -12, -13 or -14, padded to 14 digits), 00, 414 or 8004 with its key
// qualifiers (for 01: 22, 10, 21 or 235, in that order) in the path; AIs as
// query parameters with numeric names (other parameters such as linkType are
// ignored). Path segments and query values are percent-decoded; "+" stays
// "+". isDL is false when s is not a Digital Link (an ordinary URL); err is
// set when it is one but something in it is wrong.
func parseDigitalLink(s string, thisYear int) (g *GS1, isDL bool, err error) {
	u, perr := url.Parse(s)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false, nil
	}
	var segs []string
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	start := -1
	var key dlKey
	for i := 0; i+1 < len(segs) && start < 0; i++ {
		k, ok := dlKeys[segs[i]]
		if v, err := url.PathUnescape(segs[i+1]); ok && err == nil && k.shapeOK(v) {
			start, key = i, k
		}
	}
	if start < 0 {
		return nil, false, nil
	}
	primary := segs[start]
	rest := segs[start:]
	var elems []Element
	last := -1 // index in key.qualifiers of the last qualifier seen
	for i := 0; i < len(rest); i += 2 {
		ai := rest[i]
		if i > 0 {
			q := indexOf(key.qualifiers, ai)
			switch {
			case q < 0:
				return nil, true, fail("Digital Link path: %q is not a key qualifier of AI %s", ai, primary)
			case q <= last:
				return nil, true, fail("Digital Link path: AI %s must come before AI %s", ai, key.qualifiers[last])
			case i+1 == len(rest):
				return nil, true, fail("Digital Link path ends with AI %s, which has no value", ai)
			}
			last = q
		}
		v, err := url.PathUnescape(rest[i+1])
		if err != nil {
			return nil, true, fail("Digital Link path: bad percent-encoding in %q", rest[i+1])
		}
		if i == 0 && ai == "01" && len(v) < 14 {
			v = strings.Repeat("0", 14-len(v)) + v
		}
		elems = append(elems, Element{AI: ai, Value: v})
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if len(k) < 2 || len(k) > 4 || !isDigits(k) {
			continue // linkType, context, or anything else that is not an AI
		}
		val, err := url.PathUnescape(v)
		if err != nil {
			return nil, true, fail("Digital Link query: bad percent-encoding in %q", kv)
		}
		elems = append(elems, Element{AI: k, Value: val})
	}
	g, err = assemble(elems, thisYear)
	return g, true, err
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
