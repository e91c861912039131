package main

import (
	"encoding/json"
	"testing"

	"pandian/scan"
)

// The domain's GS1 and measure data answer the same JSON as the barcode
// engine's, field for field (the lookup and photo answers are unchanged).
func TestCodesConvertGS1AndMeasure(t *testing.T) {
	c := codes{p: &scan.Parser{}}
	for _, raw := range []string{
		"]C10109501101530003" + "11250101" + "13250102" + "15270630" + "17270331" + "10LOT-7\x1d" + "21SER9\x1d" + "3103001250\x1d" + "3932344" + "1250\x1d" + "3712",
		"]C1" + "00" + "123456789012345675" + "02" + "09501101530003" + "3710",
		"https://id.example.hk/01/09501101530003/10/X1?17=270115",
	} {
		code, err := c.p.Parse(raw)
		if err != nil || code.GS1 == nil {
			t.Fatalf("%q: %v %+v", raw, err, code)
		}
		pc, err := c.ParseCode(raw)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(code.GS1)
		got, _ := json.Marshal(pc.GS1)
		if string(got) != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", raw, got, want)
		}
		if pc.Lot != code.GS1.Lot || pc.Expiry != code.GS1.Expiry {
			t.Errorf("%q: lot %q expiry %q", raw, pc.Lot, pc.Expiry)
		}
	}
	code, err := c.p.Parse("2109262012344")
	if err != nil || code.Measure == nil {
		t.Fatalf("variable measure: %v %+v", err, code)
	}
	pc, err := c.ParseCode("2109262012344")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(code.Measure)
	got, _ := json.Marshal(pc.Measure)
	if string(got) != string(want) || pc.GS1 != nil {
		t.Errorf("measure: got %s (gs1 %v), want %s", got, pc.GS1, want)
	}
}
