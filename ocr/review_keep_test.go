package ocr

import "testing"

// TestKeepPageGray: of a document's pages read, only the last keeps its
// preprocessed image (the total's crop look's) until the document is
// read; the others' are dropped as soon as each is read.
func TestKeepPageGray(t *testing.T) {
	out := make([]*Page, 3)
	for i := range out {
		keepPage(out, i, &Page{gray: &grayImg{w: 1, h: 1, pix: []byte{0}}})
	}
	for i, p := range out {
		if kept := p.gray != nil; kept != (i == len(out)-1) {
			t.Errorf("page %d of %d: image kept %v", i+1, len(out), kept)
		}
	}
}
