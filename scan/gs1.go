package scan

import (
	"strconv"
	"strings"
)

// gs is the ASCII group separator that scanners send for FNC1.
const gs = '\x1d'

// GS1 is a parsed GS1 element string or GS1 Digital Link.
type GS1 struct {
	Elements []Element `json:"elements,omitempty"` // every element, in the order received

	SSCC    string `json:"sscc,omitempty"`    // AI 00
	GTIN    string `json:"gtin,omitempty"`    // AI 01, or AI 02 when there is no AI 01 (always 14 digits)
	Content string `json:"content,omitempty"` // AI 02: GTIN of the trade items contained in a logistic unit
	Lot     string `json:"lot,omitempty"`     // AI 10
	Serial  string `json:"serial,omitempty"`  // AI 21

	// Dates as "2006-01-02"; a day 00 in the data means the last day of
	// that month.
	ProductionDate string `json:"production_date,omitempty"` // AI 11
	PackagingDate  string `json:"packaging_date,omitempty"`  // AI 13
	BestBefore     string `json:"best_before,omitempty"`     // AI 15
	Expiry         string `json:"expiry,omitempty"`          // AI 17

	Count    int        `json:"count,omitempty"`    // AI 30 or 37, whichever comes first; 0 when absent
	Measures []Quantity `json:"measures,omitempty"` // AIs 31nn–36nn, in order
	Price    string     `json:"price,omitempty"`    // AI 392n or 393n as a decimal string, e.g. "12.50"
	Currency string     `json:"currency,omitempty"` // ISO 4217 numeric currency of AI 393n ("344" HKD, "446" MOP), "" otherwise
}

// Element is one Application Identifier and its value as carried in the
// barcode, e.g. {AI: "17", Value: "270331"}.
type Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// Quantity is a trade measure (AIs 31nn–36nn): {AI: "3103", Unit: "kg",
// Value: "1.250"}. Value is a decimal string whose number of decimals is the
// last digit of the AI; Unit is the unit GS1 gives the AI (kg, m, m2, l, m3,
// lb, in, ft, yd, in2, ft2, yd2, t oz, oz, qt, gal, in3, ft3, yd3, kg/m2).
type Quantity struct {
	AI    string `json:"ai"`
	Unit  string `json:"unit"`
	Value string `json:"value"`
}

// String returns the elements in GS1 bracketed human-readable form, e.g.
// "(01)09501101530003(17)140704(10)AB-123". A "(" inside a value is written
// "\(" (as the GS1 Barcode Syntax Engine does), so the result parses back to
// the same elements.
func (g *GS1) String() string {
	if g == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range g.Elements {
		b.WriteString("(" + e.AI + ")" + strings.ReplaceAll(e.Value, "(", `\(`))
	}
	return b.String()
}

// ElementString returns the elements as a barcode carries them: AIs and
// values run together, with GS (FNC1) after every element whose AI is not of
// predefined length, except the last. The leading FNC1 (the symbology
// identifier ]C1, ]d2, ]Q3 …) is not included.
func (g *GS1) ElementString() string {
	if g == nil {
		return ""
	}
	var b strings.Builder
	for i, e := range g.Elements {
		b.WriteString(e.AI + e.Value)
		if i < len(g.Elements)-1 && !isPredefined(e.AI) {
			b.WriteByte(gs)
		}
	}
	return b.String()
}

// parseGS1Text parses GS1 data in bracketed form or as an element string.
func parseGS1Text(s string, thisYear int) (*GS1, error) {
	var elems []Element
	var err error
	if t := strings.TrimSpace(s); bracketAIEnd(t, 0) > 0 {
		elems, err = parseBracketed(t)
	} else {
		elems, err = parseElementString(s)
	}
	if err != nil {
		return nil, err
	}
	return assemble(elems, thisYear)
}

// separators are the texts read as FNC1 in an element string: GS itself and
// the keyboard-wedge substitutes "<GS>" (any case; it is therefore refused
// inside values) and "~1" ('~' is not in the GS1 character set, so it is
// unambiguous).
var separators = []string{"\x1d", "<GS>", "~1"}

// normaliseSeparators replaces every separator substitute with GS.
func normaliseSeparators(s string) string {
	s = strings.ReplaceAll(s, "~1", "\x1d")
	for i := indexFold(s, "<GS>"); i >= 0; i = indexFold(s, "<GS>") {
		s = s[:i] + "\x1d" + s[i+4:]
	}
	return s
}

// hasSeparator reports whether s contains a separator or substitute.
func hasSeparator(s string) bool {
	for _, sep := range separators {
		if indexFold(s, sep) >= 0 {
			return true
		}
	}
	return false
}

// trimLeadingSeparators removes separators before the first AI.
func trimLeadingSeparators(s string) string {
	for {
		t := s
		for _, sep := range separators {
			if hasPrefixFold(t, sep) {
				t = t[len(sep):]
			}
		}
		if t == s {
			return s
		}
		s = t
	}
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// indexFold returns the index of the first sub in s ignoring ASCII case, or
// -1.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// parseElementString splits an element string such as
// "0109501101530003" + "17140704" + "10AB-123" into elements. AIs of fixed
// length take exactly that many characters (a GS after them is skipped);
// others run to the next GS or the end.
func parseElementString(s string) ([]Element, error) {
	s = normaliseSeparators(s)
	var out []Element
	for len(s) > 0 {
		if s[0] == gs {
			s = s[1:]
			continue
		}
		ai, err := aiAt(s)
		if err != nil {
			return nil, err
		}
		sp, err := specFor(ai)
		if err != nil {
			return nil, err
		}
		s = s[len(ai):]
		end := strings.IndexByte(s, gs)
		if end < 0 {
			end = len(s)
		}
		if sp.fixed() && end > sp.max {
			end = sp.max
		}
		out = append(out, Element{AI: ai, Value: s[:end]})
		s = s[end:]
	}
	if len(out) == 0 {
		return nil, fail("no GS1 element string found")
	}
	return out, nil
}

// bracketAIEnd returns the index after ")" when s[i:] starts with an AI in
// brackets, "(" 2–4 digits ")", else -1.
func bracketAIEnd(s string, i int) int {
	if i >= len(s) || s[i] != '(' {
		return -1
	}
	j := i + 1
	for j < len(s) && j-i-1 < 4 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if n := j - i - 1; n < 2 || j >= len(s) || s[j] != ')' {
		return -1
	}
	return j + 1
}

// parseBracketed reads the human-readable form "(01)…(17)…(10)…". A "("
// followed by 2–4 digits and ")" starts the next element; any other "(" and
// the escape "\(" are part of the value. Spaces around values are ignored
// (they are not valid GS1 characters).
func parseBracketed(s string) ([]Element, error) {
	var out []Element
	i := 0
	for i < len(s) {
		next := bracketAIEnd(s, i)
		if next < 0 {
			return nil, fail("bracketed element string must start with an AI in brackets such as (01)")
		}
		ai := s[i+1 : next-1]
		var v strings.Builder
		j := next
		for j < len(s) && bracketAIEnd(s, j) < 0 {
			if s[j] == '\\' && j+1 < len(s) && s[j+1] == '(' {
				j++
			}
			v.WriteByte(s[j])
			j++
		}
		out = append(out, Element{AI: ai, Value: strings.TrimSpace(v.String())})
		i = j
	}
	return out, nil
}

// assemble validates elements and fills the GS1 fields.
func assemble(elems []Element, thisYear int) (*GS1, error) {
	g := &GS1{Elements: elems}
	seen := make(map[string]string, len(elems))
	counted := false
	for _, e := range elems {
		sp, err := specFor(e.AI)
		if err != nil {
			return nil, err
		}
		date, err := sp.validate(e.Value, thisYear)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[e.AI]; ok && prev != e.Value {
			return nil, fail("AI %s appears twice with different values (%q and %q)", e.AI, prev, e.Value)
		}
		seen[e.AI] = e.Value
		switch e.AI {
		case "00":
			g.SSCC = e.Value
		case "01":
			g.GTIN = e.Value
		case "02":
			g.Content = e.Value
		case "10":
			g.Lot = e.Value
		case "21":
			g.Serial = e.Value
		case "11":
			g.ProductionDate = date
		case "13":
			g.PackagingDate = date
		case "15":
			g.BestBefore = date
		case "17":
			g.Expiry = date
		}
		switch sp.kind {
		case kindCount:
			if !counted {
				g.Count, _ = strconv.Atoi(e.Value)
				counted = true
			}
		case kindDecimal:
			switch {
			case sp.unit != "":
				g.Measures = append(g.Measures, Quantity{AI: e.AI, Unit: sp.unit, Value: formatDecimal(e.Value, sp.decimals)})
			case strings.HasPrefix(e.AI, "392") && g.Price == "":
				g.Price = formatDecimal(e.Value, sp.decimals)
			}
		case kindCurrency:
			if strings.HasPrefix(e.AI, "393") && g.Price == "" {
				g.Currency, g.Price = e.Value[:3], formatDecimal(e.Value[3:], sp.decimals)
			}
		}
	}
	if _, ok := seen["02"]; ok {
		if _, both := seen["01"]; both {
			return nil, fail("AI 02 cannot be used together with AI 01")
		}
		g.GTIN = g.Content
	}
	return g, nil
}

// formatDecimal places a decimal point decimals digits from the right of the
// digit string v and drops leading zeros of the integer part:
// ("001250", 3) -> "1.250", ("5", 2) -> "0.05", ("0120", 0) -> "120".
func formatDecimal(v string, decimals int) string {
	if len(v) <= decimals {
		v = strings.Repeat("0", decimals-len(v)+1) + v
	}
	whole, frac := strings.TrimLeft(v[:len(v)-decimals], "0"), v[len(v)-decimals:]
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
