package scan

import (
	"errors"
	"time"
)

// Code is what Parse understood from one scan.
type Code struct {
	Raw       string // as received
	Symbology string // AIM symbology identifier without ']' (e.g. "E0", "E4", "C1", "d2", "Q3", "e0", "I1", "A0"), "" if none
	// Format is one of the Format constants. It comes from the symbology
	// identifier when there is one; without one it is inferred from the
	// data's shape: 8 digits EAN_8 or UPC_E (the first candidate), 12
	// UPC_A, 13 EAN_13 (UPC_A when starting with 0), 14 ITF, a Digital Link
	// DIGITAL_LINK; otherwise "" (unknown, e.g. typed by hand or a GS1
	// element string from an unknown symbology).
	Format string
	Text   string   // the data after the AIM prefix and trimming (GS 0x1D and substitutes such as "<GS>" kept)
	GTIN   string   // GTIN-14 of the item, "" when the code carries none
	GTINs  []string // candidate GTIN-14 keys in priority order; GTIN == GTINs[0]; nil when GTIN is ""
	GS1    *GS1     // parsed element string or Digital Link; nil otherwise
	// Measure is set for a variable-measure EAN-13 (prefixes 20–29); GTIN
	// then is the base item's GTIN-14 and GTINs[1] the scanned code itself.
	Measure *Measure
	AddOn   string // 2- or 5-digit EAN/UPC add-on sent with ]E3, "" otherwise
}

// Parser turns raw scanner strings into Codes. The zero value is ready to
// use. A Parser is safe for concurrent use as long as its fields are not
// changed.
type Parser struct {
	// VariableMeasure lists the store's variable-measure EAN-13 layouts;
	// nil means DefaultVariableMeasure(), an empty non-nil slice means
	// prefixes 20–29 are ordinary EAN-13s.
	VariableMeasure []VariableMeasureLayout
	// Now gives the current time for the GS1 century rule of two-digit
	// years; nil means time.Now. Set it in tests for stable results.
	Now func() time.Time
}

var defaultParser Parser

// Parse parses raw with a zero Parser; see Parser.Parse.
func Parse(raw string) (Code, error) {
	return defaultParser.Parse(raw)
}

// Parse understands one raw scan as sent by a scanner, keyboard wedge or a
// person typing:
//
//   - An AIM symbology identifier "]cm" at the start is reported in
//     Symbology and stripped; surrounding whitespace and control characters
//     (CR, LF, tab …) except GS are trimmed.
//   - http(s) URIs that are GS1 Digital Links give GTIN and GS1; other URLs
//     are plain text.
//   - GS1 data: after ]C1, ]e0, ]d2, ]d5, ]Q3 or ]Q4; in bracketed form
//     "(01)…(17)…"; or with FNC1 written as GS (0x1D), "<GS>" or "~1".
//     Without a symbology identifier, text starting with 01 or 02 and a valid
//     GTIN-14, or 00 and a valid SSCC, is also read as an element string.
//   - Digits: 8 (UPC-E and/or EAN-8), 12 (UPC-A), 13 (EAN-13, or
//     variable-measure when a layout matches), 14 (GTIN-14 with its
//     indicator digit kept). A wrong check digit is an error, except under
//     symbologies that are not EAN/UPC/ITF (Code 128, Code 39, QR …), where
//     such digits are just an internal code. ]E0 with 7 digits is a UPC-E
//     without its check digit.
//   - Anything else (Code 39 "SKU-00123", URLs) is a Code with no GTIN.
//
// Errors are *ParseError. On error the Code still carries Raw, Symbology,
// Format and Text, but no GTIN.
func (p *Parser) Parse(raw string) (Code, error) {
	if p == nil {
		p = &defaultParser
	}
	c := Code{Raw: raw}
	if err := p.parse(&c); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) && pe.Raw == "" {
			pe.Raw = raw
		}
		c.GTIN, c.GTINs, c.GS1, c.Measure = "", nil, nil, nil
		return c, err
	}
	return c, nil
}

func (p *Parser) thisYear() int {
	if p.Now != nil {
		return p.Now().Year()
	}
	return time.Now().Year()
}

func (p *Parser) parse(c *Code) error {
	s := trimScan(c.Raw)
	if s == "" {
		return fail("the scan is empty")
	}
	c.Symbology, c.Text = splitAIM(s)
	if c.Text == "" {
		return fail("nothing follows the symbology identifier ]%s", c.Symbology)
	}
	c.Format = aimFormat(c.Symbology)

	if isHTTPURL(c.Text) {
		g, isDL, err := parseDigitalLink(c.Text, p.thisYear())
		if err != nil {
			return err
		}
		if isDL {
			c.Format = FormatDigitalLink
			c.setGS1(g)
		}
		return nil
	}
	if looksGS1(c.Symbology, c.Text) {
		g, err := parseGS1Text(c.Text, p.thisYear())
		if err != nil {
			return err
		}
		c.setGS1(g)
		return nil
	}
	if c.Symbology != "" && c.Symbology[0] == 'E' {
		return p.eanUPC(c)
	}
	if isDigits(c.Text) {
		strict := c.Symbology == "" || c.Symbology[0] == 'I'
		return p.digits(c, c.Text, strict)
	}
	return nil
}

// looksGS1 decides whether text is to be read as GS1 data.
func looksGS1(sym, text string) bool {
	if aimIsGS1(sym) {
		return true
	}
	if !aimMayHoldGS1(sym) {
		return false
	}
	t := trimLeadingSeparators(text)
	if sym == "" {
		if bracketAIEnd(text, 0) > 0 || t != text && t != "" {
			return true
		}
		if hasSeparator(text) && t != "" && t[0] >= '0' && t[0] <= '9' {
			return true
		}
	}
	// A primary key with a valid check digit: 01/02 + GTIN-14, 00 + SSCC.
	switch {
	case len(t) >= 16 && (t[:2] == "01" || t[:2] == "02") && isDigits(t[2:16]):
		return checkProblem("", t[2:16]) == ""
	case len(t) >= 20 && t[:2] == "00" && isDigits(t[2:20]):
		return checkProblem("", t[2:20]) == ""
	}
	return false
}

// setGS1 records parsed GS1 data and its GTIN.
func (c *Code) setGS1(g *GS1) {
	c.GS1 = g
	if g.GTIN != "" {
		c.setGTINs(g.GTIN)
	}
}

// setGTINs records the candidate GTIN-14s, best first.
func (c *Code) setGTINs(gtins ...string) {
	if len(gtins) == 2 && gtins[0] == gtins[1] {
		gtins = gtins[:1]
	}
	c.GTIN, c.GTINs = gtins[0], gtins
}

// setFormat sets the format inferred from the data unless the symbology
// identifier gave one.
func (c *Code) setFormat(f string) {
	if c.Format == "" {
		c.Format = f
	}
}

// eanUPC handles data under an EAN/UPC symbology identifier: ]E0 (EAN-13,
// UPC-A, UPC-E), ]E4 (EAN-8), ]E3 (with add-on), ]E1/]E2 (add-on alone).
func (p *Parser) eanUPC(c *Code) error {
	s, sym := c.Text, c.Symbology
	if !isDigits(s) {
		return fail("EAN/UPC data (]%s) must be digits, got %q", sym, clip(s, 20))
	}
	switch sym[1] {
	case '1', '2':
		return nil // an add-on read on its own carries no GTIN
	case '4':
		if len(s) != 8 {
			return fail("EAN-8 (]E4) needs 8 digits, got %d", len(s))
		}
		return p.eight(c, s, false, true, true)
	case '3':
		main, addOn := splitAddOn(s)
		if main == "" {
			return fail("EAN/UPC with add-on (]E3) cannot have %d digits", len(s))
		}
		c.AddOn = addOn
		if len(main) == 8 {
			return p.eight(c, main, true, true, true)
		}
		return p.digits(c, main, true)
	}
	switch len(s) {
	case 7:
		if s[0] != '0' && s[0] != '1' {
			return fail("UPC-E number system must be 0 or 1, got %c", s[0])
		}
		a := upceBody(s[0], s[1:7])
		c.setFormat(FormatUPCE)
		c.setGTINs("00" + a + string(CheckDigit(a)))
		return nil
	case 8:
		return p.eight(c, s, true, false, true)
	case 12, 13:
		return p.digits(c, s, true)
	}
	return fail("EAN/UPC (]%s) sent %d digits; expected 7, 8, 12 or 13", sym, len(s))
}

// splitAddOn splits EAN/UPC data with a 2- or 5-digit add-on; main is ""
// when the length fits no combination.
func splitAddOn(s string) (main, addOn string) {
	switch len(s) {
	case 10, 14, 15:
		return s[:len(s)-2], s[len(s)-2:]
	case 13, 17, 18:
		return s[:len(s)-5], s[len(s)-5:]
	}
	return "", ""
}

// digits reads an all-digit s by its length. When strict, a wrong check
// digit is an error; otherwise such digits are just not a GTIN.
func (p *Parser) digits(c *Code, s string, strict bool) error {
	switch len(s) {
	case 8:
		return p.eight(c, s, true, true, strict)
	case 12:
		return gtin(c, s, FormatUPCA, strict)
	case 13:
		format := FormatEAN13
		if s[0] == '0' {
			format = FormatUPCA
		}
		if strict && s[0] == '2' && ValidGTIN(s) {
			m, ok, err := p.variableMeasure(s)
			if err != nil {
				return err
			}
			if ok {
				c.Measure = m
				c.setFormat(FormatEAN13)
				c.setGTINs("0"+m.Base, "0"+s)
				return nil
			}
		}
		return gtin(c, s, format, strict)
	case 14:
		return gtin(c, s, FormatITF, strict)
	}
	return nil
}

// gtin records s as a GTIN after checking its check digit.
func gtin(c *Code, s, format string, strict bool) error {
	if problem := checkProblem("GTIN", s); problem != "" {
		if strict {
			return fail("%s", problem)
		}
		return nil
	}
	g, _ := ToGTIN14(s)
	c.setFormat(format)
	c.setGTINs(g)
	return nil
}

// eight reads 8 digits as UPC-E and/or EAN-8. When both are allowed and both
// check digits are right, UPC-E comes first: GTIN-8s starting with 0 are
// restricted-circulation (in-store) numbers, while UPC-E is common on
// imported goods.
func (p *Parser) eight(c *Code, s string, upce, ean8, strict bool) error {
	var gtins, problems []string
	format := ""
	if upce && (s[0] == '0' || s[0] == '1' || !ean8) {
		if a, problem := upceToUPCA(s); problem == "" {
			gtins, format = append(gtins, "00"+a), FormatUPCE
		} else {
			problems = append(problems, problem)
		}
	}
	if ean8 {
		if problem := checkProblem("EAN-8", s); problem == "" {
			gtins = append(gtins, "000000"+s)
			if format == "" {
				format = FormatEAN8
			}
		} else {
			problems = append(problems, problem)
		}
	}
	switch {
	case len(gtins) > 0:
		c.setFormat(format)
		c.setGTINs(gtins...)
		return nil
	case !strict:
		return nil
	case len(problems) == 2:
		return fail("neither a valid UPC-E nor a valid EAN-8: %s; %s", problems[0], problems[1])
	}
	return fail("%s", problems[0])
}
