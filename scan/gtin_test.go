package scan

import "testing"

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		body string
		want byte
	}{
		{"400638133393", '1'},  // EAN-13 4006381333931
		{"0950110153000", '3'}, // GTIN-14 09501101530003 (GS1 General Specifications)
		{"0950600013435", '2'}, // GTIN-14 09506000134352 (GS1 Digital Link standard)
		{"03600029145", '2'},   // UPC-A 036000291452
		{"9501101", '1'},       // EAN-8 95011011
		{"00950110153000000", '7'},
		{"", '0'},
		{"12a4", 0},
	} {
		if got := CheckDigit(tc.body); got != tc.want {
			t.Errorf("CheckDigit(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestValidGTINAndToGTIN14(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"95011011", "00000095011011"},
		{"036000291452", "00036000291452"},
		{"4006381333931", "04006381333931"},
		{"09501101530003", "09501101530003"},
		{"19501101530000", "19501101530000"},
		{"4006381333937", ""},
		{"400638133393", ""},   // 12 digits, wrong check
		{"4006381333931 ", ""}, // untrimmed
		{"40063813339a1", ""},
		{"1234567", ""},
		{"", ""},
	} {
		got, ok := ToGTIN14(tc.in)
		if got != tc.want || ok != (tc.want != "") || ValidGTIN(tc.in) != ok {
			t.Errorf("ToGTIN14(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		" 4006381333931\r\n": "04006381333931",
		"036000291452":       "00036000291452",
		"19501101530000":     "19501101530000",
		"01234565":           "00000001234565", // as an EAN-8: Key cannot know a catalog means UPC-E
		"SKU-00123 ":         "SKU-00123",
		"4006381333937":      "4006381333937", // bad check digit: an internal code
		"":                   "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpandUPCE(t *testing.T) {
	for _, tc := range []struct{ upce, upca string }{
		{"01234565", "012345000065"}, // GS1 example
		{"04252614", "042100005264"}, // 1: manufacturer 42100, product 00526
		{"0" + "123453" + chk("01230000045"), "01230000045" + chk("01230000045")}, // 3: 3-digit manufacturer
		{"0" + "123454" + chk("01234000005"), "01234000005" + chk("01234000005")}, // 4: 4-digit manufacturer
		{"1" + "123450" + chk("11200000345"), "11200000345" + chk("11200000345")}, // 0–2, number system 1
	} {
		got, err := ExpandUPCE(tc.upce)
		if err != nil || got != tc.upca {
			t.Errorf("ExpandUPCE(%q) = %q, %v; want %q", tc.upce, got, err, tc.upca)
		}
	}
	for _, tc := range []struct{ in, reason string }{
		{"0123456", "UPC-E needs 8 digits, got 7"},
		{"0123456A", `UPC-E must be digits, got "0123456A"`},
		{"21234565", "UPC-E number system must be 0 or 1, got 2"},
		{"01234566", "UPC-E check digit is 6, expected 5"},
	} {
		_, err := ExpandUPCE(tc.in)
		wantReason(t, err, tc.reason)
	}
}

func chk(body string) string { return string(CheckDigit(body)) }
