package main

import (
	"encoding/json"
	"strings"
	"testing"

	"pandian/ocr"
)

// TestExtractionKeepsDateAmbiguity: the engine's printed date and its
// day/month ambiguity reach the domain and the API's JSON
// (header.date_printed, header.date_ambiguous); an unambiguous date
// leaves both out.
func TestExtractionKeepsDateAmbiguity(t *testing.T) {
	doc := &ocr.Document{Pages: 1, Header: ocr.Header{Date: "2024-03-05", DatePrinted: "05/03/2024", DateAmbiguous: true,
		Confidence: map[string]float64{"date": 0.5, "doc_number": 0.9}}}
	ex := extraction(doc)
	if ex.Header.Date != "2024-03-05" || ex.Header.DatePrinted != "05/03/2024" || !ex.Header.DateAmbiguous {
		t.Fatalf("header %+v: the printed date or its ambiguity was lost", ex.Header)
	}
	if ex.Header.Confidence["po_number"] != 0.9 || ex.Header.Confidence["date"] != 0.5 {
		t.Errorf("confidence %v", ex.Header.Confidence)
	}
	b, err := json.Marshal(ex.Header)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"date_printed":"05/03/2024"`) || !strings.Contains(s, `"date_ambiguous":true`) {
		t.Errorf("JSON %s lacks date_printed/date_ambiguous", s)
	}
	doc.Header.DateAmbiguous, doc.Header.DatePrinted = false, "2024-03-05"
	b, _ = json.Marshal(extraction(doc).Header)
	if strings.Contains(string(b), "date_ambiguous") {
		t.Errorf("an unambiguous date reports date_ambiguous: %s", b)
	}
}
