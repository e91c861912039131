package main

import (
	"errors"
	"strings"

	"pandian/scan"
	"pandian/stock"
)

// codes adapts the barcode engine (package scan) to the domain.
type codes struct{ p *scan.Parser }

// ParseCode reads a raw scan: symbology prefix, GS1 data, GTIN candidates.
func (c codes) ParseCode(raw string) (stock.ParsedCode, error) {
	code, err := c.p.Parse(raw)
	if err != nil {
		return stock.ParsedCode{}, parseError(err)
	}
	pc := stock.ParsedCode{Text: code.Text, Symbology: code.Symbology, Format: code.Format, GTIN: code.GTIN, Keys: code.GTINs}
	if len(pc.Keys) == 0 {
		pc.Keys = []string{scan.Key(code.Text)}
	}
	if code.GS1 != nil {
		pc.Lot, pc.Expiry = code.GS1.Lot, code.GS1.Expiry
		pc.GS1 = code.GS1
	}
	if code.Measure != nil {
		pc.Measure = code.Measure
	}
	return pc, nil
}

// Key is the lookup key of a catalog barcode: numeric codes of GTIN length
// must carry a correct check digit.
func (c codes) Key(code string) (string, error) {
	code = strings.TrimSpace(code)
	if isDigits(code) && (len(code) == 8 || len(code) == 12 || len(code) == 13 || len(code) == 14) && !scan.ValidGTIN(code) {
		want := scan.CheckDigit(code[:len(code)-1])
		return "", stock.Errorf(stock.EInvalid, "GTIN check digit is %c, expected %c", code[len(code)-1], want)
	}
	return scan.Key(code), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseError(err error) error {
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return stock.Errorf(stock.EInvalid, "%s", pe.Error())
	}
	return stock.Errorf(stock.EInvalid, "%s", err.Error())
}
