package scan

import (
	"reflect"
	"testing"
)

func TestPriceCheckDigit(t *testing.T) {
	// Examples of GS1 General Specifications 7.9.3.
	for v, want := range map[string]byte{"2875": '9', "14685": '6', "0000": '0', "00000": '0'} {
		if got := priceCheckDigit(v); got != want {
			t.Errorf("priceCheckDigit(%s) = %c, want %c", v, got, want)
		}
	}
}

func TestVariableMeasure(t *testing.T) {
	custom := []VariableMeasureLayout{
		{Prefix: "2", ItemDigits: 6, ValueDigits: 5, Kind: "price", Decimals: 2},
		{Prefix: "21", ItemDigits: 5, ValueDigits: 5, Kind: "weight", Decimals: 3},
		{Prefix: "22", ItemDigits: 4, PriceCheck: true, ValueDigits: 5, Kind: "price", Decimals: 2},
		{Prefix: "23", ItemDigits: 5, PriceCheck: true, ValueDigits: 4, Kind: "price", Decimals: 2},
	}
	for _, tc := range []struct {
		name    string
		layouts []VariableMeasureLayout
		raw     string
		want    *Measure
		gtins   []string
	}{
		{
			name: "default layout: 20 IIIII PPPPP C, price with 2 decimals",
			raw:  withCheck("201234501234"),
			want: &Measure{Kind: "price", Value: "12.34", Item: "12345", Base: withCheck("201234500000")},
		},
		{
			name: "default layout under ]E0",
			raw:  "]E0" + withCheck("291234500999"),
			want: &Measure{Kind: "price", Value: "9.99", Item: "12345", Base: withCheck("291234500000")},
		},
		{
			name: "zero value: base and scanned code coincide",
			raw:  withCheck("201234500000"),
			want: &Measure{Kind: "price", Value: "0.00", Item: "12345", Base: withCheck("201234500000")},
		},
		{
			name:    "disabled: an ordinary EAN-13",
			layouts: []VariableMeasureLayout{},
			raw:     withCheck("201234501234"),
			gtins:   []string{"0" + withCheck("201234501234")},
		},
		{
			name:    "longest prefix wins: 21 is weight in kg",
			layouts: custom,
			raw:     withCheck("211234500765"),
			want:    &Measure{Kind: "weight", Value: "0.765", Item: "12345", Base: withCheck("211234500000")},
		},
		{
			name:    "prefix 2 with a 6-digit item reference",
			layouts: custom,
			raw:     withCheck("251234501234"),
			want:    &Measure{Kind: "price", Value: "12.34", Item: "512345", Base: withCheck("251234500000")},
		},
		{
			name:    "5-digit price with price check digit",
			layouts: custom,
			raw:     withCheck("220123" + "6" + "14685"),
			want:    &Measure{Kind: "price", Value: "146.85", Item: "0123", Base: withCheck("220123000000")},
		},
		{
			name:    "4-digit price with price check digit",
			layouts: custom,
			raw:     withCheck("2312345" + "9" + "2875"),
			want:    &Measure{Kind: "price", Value: "28.75", Item: "12345", Base: withCheck("231234500000")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testParser()
			p.VariableMeasure = tc.layouts
			c, err := p.Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Measure, tc.want) {
				t.Fatalf("Measure = %+v, want %+v", c.Measure, tc.want)
			}
			want := tc.gtins
			if tc.want != nil {
				want = []string{"0" + tc.want.Base}
				if scanned := "0" + c.Text; scanned != want[0] {
					want = append(want, scanned)
				}
			}
			if !reflect.DeepEqual(c.GTINs, want) || c.Format != FormatEAN13 {
				t.Errorf("GTINs = %q, Format %q; want %q, EAN_13", c.GTINs, c.Format, want)
			}
		})
	}
}

func TestVariableMeasureErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout VariableMeasureLayout
		raw    string
		reason string
	}{
		{"wrong price check digit", VariableMeasureLayout{Prefix: "22", ItemDigits: 4, PriceCheck: true, ValueDigits: 5, Kind: "price", Decimals: 2},
			withCheck("220123" + "5" + "14685"), "price check digit is 5, expected 6"},
		{"wrong weight check digit", VariableMeasureLayout{Prefix: "23", ItemDigits: 5, PriceCheck: true, ValueDigits: 4, Kind: "weight", Decimals: 3},
			withCheck("2312345" + "1" + "2875"), "weight check digit is 1, expected 9"},
		{"layout too short", VariableMeasureLayout{Prefix: "21", ItemDigits: 4, ValueDigits: 5, Kind: "price", Decimals: 2},
			withCheck("211234501234"), "variable-measure layout 21: prefix, item, value and check digits add up to 12, not 13"},
		{"bad EAN-13 check digit", VariableMeasureLayout{Prefix: "21", ItemDigits: 5, ValueDigits: 5, Kind: "price", Decimals: 2},
			"2112345012340", "GTIN check digit is 0, expected 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testParser()
			p.VariableMeasure = []VariableMeasureLayout{tc.layout}
			_, err := p.Parse(tc.raw)
			wantReason(t, err, tc.reason)
		})
	}
}

func TestVariableMeasureLayoutValidate(t *testing.T) {
	for _, l := range DefaultVariableMeasure() {
		if err := l.Validate(); err != nil {
			t.Errorf("default layout %+v: %v", l, err)
		}
	}
	for _, tc := range []struct {
		l      VariableMeasureLayout
		reason string
	}{
		{VariableMeasureLayout{Prefix: "1", ItemDigits: 6, ValueDigits: 5, Kind: "price"}, `variable-measure layout: prefix "1" must be digits starting with 2`},
		{VariableMeasureLayout{Prefix: "", ItemDigits: 6, ValueDigits: 5, Kind: "price"}, `variable-measure layout: prefix "" must be digits starting with 2`},
		{VariableMeasureLayout{Prefix: "20", ItemDigits: 10, ValueDigits: 0, Kind: "price"}, "variable-measure layout 20: item and value need at least 1 digit each"},
		{VariableMeasureLayout{Prefix: "20", ItemDigits: 5, ValueDigits: 5, Kind: "count"}, `variable-measure layout 20: kind must be "price" or "weight", got "count"`},
		{VariableMeasureLayout{Prefix: "20", ItemDigits: 5, ValueDigits: 5, Kind: "price", Decimals: 6}, "variable-measure layout 20: 6 decimals do not fit in 5 value digits"},
		{VariableMeasureLayout{Prefix: "2", ItemDigits: 4, ValueDigits: 6, Kind: "price", PriceCheck: true}, "variable-measure layout 2: a price check digit needs 4 or 5 value digits, not 6"},
	} {
		wantReason(t, tc.l.Validate(), tc.reason)
	}
}
