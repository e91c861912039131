package main

import (
	"errors"

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
		pc.GS1 = domainGS1(code.GS1)
	}
	if m := code.Measure; m != nil {
		pc.Measure = &stock.Measure{Kind: m.Kind, Value: m.Value, Item: m.Item, Base: m.Base}
	}
	return pc, nil
}

// domainGS1 converts the barcode engine's GS1 data to the domain's.
func domainGS1(g *scan.GS1) *stock.GS1 {
	d := &stock.GS1{
		SSCC: g.SSCC, GTIN: g.GTIN, Content: g.Content, Lot: g.Lot, Serial: g.Serial,
		ProductionDate: g.ProductionDate, PackagingDate: g.PackagingDate, BestBefore: g.BestBefore, Expiry: g.Expiry,
		Count: g.Count, Price: g.Price, Currency: g.Currency,
	}
	for _, e := range g.Elements {
		d.Elements = append(d.Elements, stock.GS1Element{AI: e.AI, Value: e.Value})
	}
	for _, q := range g.Measures {
		d.Measures = append(d.Measures, stock.GS1Quantity{AI: q.AI, Unit: q.Unit, Value: q.Value})
	}
	return d
}

// Key is the lookup key of a catalog barcode (scan.CatalogKey: numeric
// codes of GTIN length must carry a correct check digit).
func (c codes) Key(code string) (string, error) {
	k, err := scan.CatalogKey(code)
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return "", stock.Errorf(stock.EInvalid, "%s", pe.Reason)
	}
	return k, err
}

func parseError(err error) error {
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return stock.Errorf(stock.EInvalid, "%s", pe.Error())
	}
	return stock.Errorf(stock.EInvalid, "%s", err.Error())
}
