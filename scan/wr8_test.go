package scan

import (
	"strings"
	"testing"
)

// advWrong returns the reads of adversarial photo seed (advComposeScene)
// that name no symbol placed in it, and every read.
func advWrong(t *testing.T, seed int64) (wrong, all []string) {
	sc := advComposeScene(t, seed)
	in := map[string]bool{}
	for _, s := range sc.syms {
		in[s.format+" "+s.text] = true
	}
	all = advCodes(sc.g)
	for _, c := range all {
		if !in[c] {
			wrong = append(wrong, c)
		}
	}
	return wrong, all
}

// TestShortAcrossTurnedEAN13: an EAN-13 at 1.6 px a module turned 30°
// (adversarial photo 100, TestAdvSweepStop) whose bars are short enough
// that a row goes in at its start guard and out over the bars' tops just
// after the centre guard: the row reads the left half as UPC-E 19941123,
// with paper past both ends on that row (the quiet zones clear), on three
// binarizations of the one line. shortBarsAcross looks at the lines
// three modules above and below, where one sees the EAN-13's next bars
// past the UPC-E's end guard: no read, not a wrong one.
func TestShortAcrossTurnedEAN13(t *testing.T) {
	wrong, all := advWrong(t, 100)
	if len(wrong) > 0 {
		t.Errorf("wrong reads %v (all %v)", wrong, all)
	}
	defer func(on bool) { shortAcross = on }(shortAcross)
	shortAcross = false
	wrong, _ = advWrong(t, 100)
	t.Logf("without shortAcross: wrong %v", wrong)
}

// TestEmptyQRDropped: a QR Code at 4.3 px a module in perspective
// (adversarial photo 836) that the enlarged whole-image stage decodes
// to an empty message: a read with no text names nothing (the API's
// barcode is its text), so it is dropped and does not end the cascade.
func TestEmptyQRDropped(t *testing.T) {
	wrong, all := advWrong(t, 836)
	for _, c := range all {
		if strings.TrimSpace(strings.TrimPrefix(c, strings.Fields(c)[0])) == "" {
			t.Errorf("read with empty text %q (all %v)", c, all)
		}
	}
	if len(wrong) > 0 {
		t.Errorf("wrong reads %v (all %v)", wrong, all)
	}
	defer func(on bool) { dropEmpty = on }(dropEmpty)
	dropEmpty = false
	wrong, _ = advWrong(t, 836)
	t.Logf("without dropEmpty: wrong %v", wrong)
}
