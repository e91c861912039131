package stock

// ParsedCode is what the barcode engine understood of a raw scan.
type ParsedCode struct {
	Text      string   // data after any symbology prefix
	Symbology string   // AIM identifier, "" if none
	Format    string   // symbology name when known
	Keys      []string // catalog lookup keys, best first
	GTIN      string   // GTIN-14 when the code carries one
	Lot       string   // GS1 AI 10
	Expiry    string   // GS1 AI 17, "2006-01-02"
	GS1       *GS1     // the parsed GS1 data, for lookup answers; nil when the code carries none
	Measure   *Measure // variable-measure data (price or weight), for lookup answers; nil otherwise
}

// CodeParser turns raw scans and catalog codes into lookup keys. The
// barcode engine (package scan) implements it through an adaptor that
// server wires in (scan does not know this package).
type CodeParser interface {
	ParseCode(raw string) (ParsedCode, error)
	// Key is the lookup key of a barcode as the catalog lists it.
	Key(code string) (string, error)
}

// GS1 is the GS1 data of a code (element string or Digital Link) as the
// lookup and photo answers show it.
type GS1 struct {
	Elements []GS1Element `json:"elements,omitempty"` // every element, in the order received

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

	Count    int           `json:"count,omitempty"`    // AI 30 or 37, whichever comes first; 0 when absent
	Measures []GS1Quantity `json:"measures,omitempty"` // AIs 31nn–36nn, in order
	Price    string        `json:"price,omitempty"`    // AI 392n or 393n as a decimal string, e.g. "12.50"
	Currency string        `json:"currency,omitempty"` // ISO 4217 numeric currency of AI 393n ("344" HKD, "446" MOP), "" otherwise
}

// GS1Element is one Application Identifier and its value as carried in
// the code, e.g. {AI: "17", Value: "270331"}.
type GS1Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// GS1Quantity is a trade measure (AIs 31nn–36nn), e.g. {AI: "3103", Unit:
// "kg", Value: "1.250"}.
type GS1Quantity struct {
	AI    string `json:"ai"`
	Unit  string `json:"unit"`
	Value string `json:"value"`
}

// Measure is the data of a variable-measure EAN-13 (in-store prefixes
// 20–29): the price or weight printed into the code.
type Measure struct {
	Kind  string `json:"kind"`  // "price" or "weight"
	Value string `json:"value"` // decimal string, e.g. "12.34" (price) or "0.765" (kg)
	Item  string `json:"item"`  // the item reference digits
	Base  string `json:"base"`  // the 13-digit code the catalog lists for the item
}
