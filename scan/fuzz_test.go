package scan

import (
	"errors"
	"reflect"
	"testing"
)

// checkInvariants asserts what must hold for any Parse result.
func checkInvariants(t *testing.T, p *Parser, raw string, c Code, err error) {
	t.Helper()
	if c.Raw != raw {
		t.Fatalf("Raw = %q, want %q", c.Raw, raw)
	}
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason == "" || pe.Raw != raw {
			t.Fatalf("error %#v is not a *ParseError with a reason and Raw", err)
		}
		if c.GTIN != "" || c.GTINs != nil || c.GS1 != nil || c.Measure != nil {
			t.Fatalf("failed parse carries data: %+v", c)
		}
		return
	}
	if (c.GTIN == "") != (len(c.GTINs) == 0) || (c.GTIN != "" && c.GTINs[0] != c.GTIN) {
		t.Fatalf("GTIN %q inconsistent with GTINs %q", c.GTIN, c.GTINs)
	}
	for _, g := range c.GTINs {
		if len(g) != 14 || !ValidGTIN(g) {
			t.Fatalf("candidate GTIN %q is not a valid GTIN-14", g)
		}
	}
	if c.GS1 != nil {
		if c.GS1.GTIN != c.GTIN {
			t.Fatalf("GS1.GTIN %q != GTIN %q", c.GS1.GTIN, c.GTIN)
		}
		checkRoundTrip(t, p, c)
	}
	if c.Measure != nil && "0"+c.Measure.Base != c.GTIN {
		t.Fatalf("Measure.Base %q does not match GTIN %q", c.Measure.Base, c.GTIN)
	}
}

// checkRoundTrip asserts that the bracketed and GS-separated forms of c's
// GS1 data parse to the same GS1 data.
func checkRoundTrip(t *testing.T, p *Parser, c Code) {
	t.Helper()
	for _, raw := range []string{c.GS1.String(), "]C1" + c.GS1.ElementString()} {
		again, err := p.Parse(raw)
		if err != nil {
			t.Fatalf("re-parsing %q (from %q): %v", raw, c.Raw, err)
		}
		if !reflect.DeepEqual(again.GS1, c.GS1) {
			t.Fatalf("re-parsing %q (from %q):\n got %+v\nwant %+v", raw, c.Raw, again.GS1, c.GS1)
		}
	}
}

// seeds returns every raw input of the table tests.
func seeds() []string {
	var s []string
	for _, tc := range parseCases {
		s = append(s, tc.raw)
	}
	for _, tc := range gs1Cases {
		s = append(s, tc.raw)
	}
	for _, tc := range dlCases {
		s = append(s, tc.raw)
	}
	return append(s, "(10)A\\(B(21)(", "]C1\x1d\x1d10A\x1d", "(01)09501101530003(3103)001250(10)x<GS>")
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	p := testParser()
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := p.Parse(raw)
		checkInvariants(t, p, raw, c, err)
	})
}

// FuzzElementString steers the fuzzer into GS1 element strings.
func FuzzElementString(f *testing.F) {
	for _, tc := range gs1Cases {
		f.Add(tc.raw)
	}
	p := testParser()
	f.Fuzz(func(t *testing.T, data string) {
		raw := "]C1" + data
		c, err := p.Parse(raw)
		checkInvariants(t, p, raw, c, err)
	})
}

// FuzzDigitalLink steers the fuzzer into Digital Link URIs.
func FuzzDigitalLink(f *testing.F) {
	for _, tc := range dlCases {
		f.Add(tc.raw)
	}
	p := testParser()
	f.Fuzz(func(t *testing.T, uri string) {
		c, err := p.Parse(uri)
		checkInvariants(t, p, uri, c, err)
	})
}
