package stock_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"pandian/stock"
)

// runDocJobs runs the queued document jobs (reading and filing) until
// none is left, and returns how many ran.
func (w *world) runDocJobs() int {
	w.t.Helper()
	n := 0
	for ; n < 50; n++ {
		ran, err := w.svc.RunOneJob(ctx, stock.JobsDocuments, stock.JobsFiling, stock.JobsRefile)
		if err != nil {
			w.t.Fatalf("run document job: %v", err)
		}
		if !ran {
			return n
		}
	}
	w.t.Fatal("document jobs keep coming")
	return n
}

// A purchase order is stored, read into line items matched to the catalog
// (by barcode, SKU code, or description, which needs review), filed in the
// folders of its confirmed matches (a description-only guess once a person
// confirmed it), and received into book stock exactly once.
func TestDocumentReadMatchedAndReceived(t *testing.T) {
	w := newWorld(t)
	w.withDocuments()
	m := w.actor("M001")
	d, err := w.svc.UploadDocument(ctx, m, stock.DocumentInput{Kind: stock.DocPurchaseOrder, Filename: " po-1.png "}, doc(
		"Tea Co;PO-1;2026-03-01;44.00",
		"4890000000011;;Lemon tea;5;2.00",
		";SKU-B;Milk tea;3;5.00",
		";;Seaweed Snack;2;3.00",
		";;Mystery thing;1;1.00",
	))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != stock.DocProcessing || d.Location != "HK-TST" || d.ContentType != stock.MediaPNG || d.Filename != "po-1.png" || len(d.SHA256) != 64 {
		t.Fatalf("uploaded %+v", d)
	}
	_, err = w.svc.ReceiveDocument(ctx, m, d.ID, stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-A", Qty: 5}}})
	wantCode(t, err, stock.EConflict) // still being read
	if n := w.runDocJobs(); n != 1 {
		t.Fatalf("%d jobs ran, want 1", n)
	}
	got, err := w.svc.Document(ctx, m, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != stock.DocNeedsReview || got.Progress != 1 || got.Header == nil || got.Header.PONumber != "PO-1" || len(got.Lines) != 4 || got.URL == "" {
		t.Fatalf("read document: %+v", got)
	}
	want := []struct{ sku, by string }{{"SKU-A", "barcode"}, {"SKU-B", "sku"}, {"SKU-E", "description"}, {"", ""}}
	for i, x := range want {
		l := got.Lines[i]
		if l.MatchedSKU != x.sku || l.MatchedBy != x.by || l.NeedsReview != (i >= 2) {
			t.Errorf("line %d: %+v, want %s by %q", i, l, x.sku, x.by)
		}
	}
	if strings.Join(got.SKUs, ",") != "SKU-A,SKU-B" {
		t.Errorf("document SKUs %v: not the guess SKU-E", got.SKUs)
	}
	if rc, _, err := w.objs.Open(ctx, "skus/SKU-E/documents/"+d.ID+".json"); err == nil {
		rc.Close()
		t.Errorf("filed under the guess SKU-E before anyone confirmed it")
	}
	if docs, err := w.svc.SKUDocuments(ctx, w.actor("C001"), "SKU-E", 0); err != nil || len(docs) != 0 {
		t.Errorf("SKU-E's documents before the confirmation: %d %v", len(docs), err)
	}
	_, err = w.svc.ConfirmMatch(ctx, w.actor("C001"), d.ID, 2, stock.MatchInput{SKU: "SKU-E"})
	wantCode(t, err, stock.EForbidden)
	if _, err := w.svc.ConfirmMatch(ctx, m, d.ID, 2, stock.MatchInput{SKU: "SKU-E"}); err != nil {
		t.Fatal(err)
	}
	if n := w.runDocJobs(); n != 1 {
		t.Fatalf("%d jobs ran after the confirmation, want 1 (filing)", n)
	}
	if rc, _, err := w.objs.Open(ctx, "skus/SKU-E/documents/"+d.ID+".json"); err != nil {
		t.Errorf("not filed under SKU-E once confirmed: %v", err)
	} else {
		rc.Close()
	}
	// Filed in each SKU's folder: a note pointing at the original.
	rc, _, err := w.objs.Open(ctx, "skus/SKU-B/documents/"+d.ID+".json")
	if err != nil {
		t.Fatalf("filing note: %v", err)
	}
	var note struct{ Document, Object, SHA256 string }
	err = json.NewDecoder(rc).Decode(&note)
	rc.Close()
	if err != nil || note.Document != d.ID || note.Object != d.BlobKey || note.SHA256 != d.SHA256 {
		t.Errorf("filing note %+v %v", note, err)
	}
	docs, err := w.svc.SKUDocuments(ctx, w.actor("C001"), "SKU-E", 0)
	if err != nil || len(docs) != 1 || docs[0].ID != d.ID {
		t.Errorf("SKU-E's documents: %+v %v", docs, err)
	}
	if docs, err := w.svc.SKUDocuments(ctx, w.actor("C003"), "SKU-E", 0); err != nil || len(docs) != 0 {
		t.Errorf("another store's counter sees %d documents (%v)", len(docs), err)
	}
	_, err = w.svc.Document(ctx, w.actor("C003"), d.ID)
	wantCode(t, err, stock.ENotFound)
	_, err = w.svc.SKUDocuments(ctx, m, "SKU-NONE", 0)
	wantCode(t, err, stock.ENotFound)

	in := stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-A", Qty: 5, UnitPrice: "2.00"}, {MatchedSKU: "SKU-B", SKU: "ignored", Qty: 3}}}
	_, err = w.svc.ReceiveDocument(ctx, w.actor("C001"), d.ID, in)
	wantCode(t, err, stock.EForbidden)
	for _, bad := range []stock.ReceiveInput{
		{Location: "HK-TST"},
		{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-A", Qty: 0}}},
		{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "", Qty: 1}}},
		{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-A", Qty: 1, UnitPrice: "two"}}},
		{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-NONE", Qty: 1}}},
	} {
		_, err := w.svc.ReceiveDocument(ctx, m, d.ID, bad)
		wantCode(t, err, stock.EInvalid)
	}
	rec, err := w.svc.ReceiveDocument(ctx, m, d.ID, in)
	if err != nil || rec.Movements != 2 || rec.Duplicate || rec.By != "M001" {
		t.Fatalf("receive: %+v %v", rec, err)
	}
	again, err := w.svc.ReceiveDocument(ctx, m, d.ID, stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{in.Lines[1], in.Lines[0]}})
	if err != nil || !again.Duplicate || again.Movements != 2 {
		t.Fatalf("the same receipt again (lines reordered): %+v %v", again, err)
	}
	_, err = w.svc.ReceiveDocument(ctx, m, d.ID, stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-A", Qty: 6}}})
	wantCode(t, err, stock.EConflict)
	if w.book("SKU-A", "HK-TST") != 15 || w.book("SKU-B", "HK-TST") != 23 {
		t.Errorf("books after the receipt: A %d B %d, want 15 23", w.book("SKU-A", "HK-TST"), w.book("SKU-B", "HK-TST"))
	}
	if got, _ := w.svc.Document(ctx, m, d.ID); got.Receipt == nil || got.Receipt.Movements != 2 {
		t.Errorf("document's receipt %+v", got.Receipt)
	}
}

// Uploads are checked before anything is stored: kind, media type from
// the content, size, location and SKUs; a photo is filed, not read, and
// not received; an unreadable document ends failed.
func TestDocumentUploadsChecked(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.UploadDocument(ctx, w.actor("M001"), stock.DocumentInput{Kind: stock.DocPhoto}, doc("x"))
	wantCode(t, err, stock.EUnavailable) // no object store configured
	w.withDocuments()
	m, admin := w.actor("M001"), w.actor("A001")
	for _, c := range []struct {
		in   stock.DocumentInput
		body io.Reader
		want string
	}{
		{stock.DocumentInput{Kind: "menu"}, doc("x"), stock.EInvalid},
		{stock.DocumentInput{Kind: stock.DocInvoice}, strings.NewReader("just text, not an image"), stock.EUnsupported},
		{stock.DocumentInput{Kind: stock.DocPhoto}, strings.NewReader("%PDF-1.7 a pdf is no photo"), stock.EUnsupported},
		{stock.DocumentInput{Kind: stock.DocInvoice}, strings.NewReader(""), stock.EInvalid},
		{stock.DocumentInput{Kind: stock.DocInvoice, SKUs: []string{"SKU-NONE"}}, doc("x"), stock.EInvalid},
		{stock.DocumentInput{Kind: stock.DocInvoice, Location: "HK-MK"}, doc("x"), stock.ENotFound},
		{stock.DocumentInput{Kind: stock.DocInvoice}, bytes.NewReader(append([]byte(pngMagic), make([]byte, 2<<20)...)), stock.ETooLarge},
	} {
		if _, err := w.svc.UploadDocument(ctx, m, c.in, c.body); stock.ErrorCode(err) != c.want {
			t.Errorf("upload %+v: %v, want %s", c.in, err, c.want)
		}
	}
	_, err = w.svc.UploadDocument(ctx, admin, stock.DocumentInput{Kind: stock.DocPurchaseOrder}, doc("x"))
	wantCode(t, err, stock.EInvalid) // which store it is for
	_, err = w.svc.UploadDocument(ctx, w.actor("U001"), stock.DocumentInput{Kind: stock.DocPhoto}, doc("x"))
	wantCode(t, err, stock.EForbidden)

	photo, err := w.svc.UploadDocument(ctx, admin, stock.DocumentInput{Kind: stock.DocPhoto, SKUs: []string{"SKU-D", "SKU-D", " SKU-E "}}, doc("shelf"))
	if err != nil || photo.Location != "" || strings.Join(photo.SKUs, ",") != "SKU-D,SKU-E" {
		t.Fatalf("photo: %+v %v", photo, err)
	}
	bad, err := w.svc.UploadDocument(ctx, m, stock.DocumentInput{Kind: stock.DocDeliveryNote}, doc("UNREADABLE"))
	if err != nil {
		t.Fatal(err)
	}
	if n := w.runDocJobs(); n != 2 {
		t.Fatalf("%d jobs ran, want 2", n)
	}
	if got, err := w.svc.Document(ctx, m, photo.ID); err != nil || got.Status != stock.DocDone || len(got.Lines) != 0 {
		t.Errorf("filed photo: %+v %v", got, err)
	}
	if _, _, err := w.objs.Open(ctx, "skus/SKU-E/documents/"+photo.ID+".json"); err != nil {
		t.Errorf("photo not filed under SKU-E: %v", err)
	}
	_, err = w.svc.ReceiveDocument(ctx, m, photo.ID, stock.ReceiveInput{Location: "HK-TST", Lines: []stock.ReceiptLine{{SKU: "SKU-D", Qty: 1}}})
	wantCode(t, err, stock.EConflict)
	if got, _ := w.svc.Document(ctx, m, bad.ID); got.Status != stock.DocFailed || !strings.Contains(got.Error, "no text found") {
		t.Errorf("unreadable document: %+v", got)
	}

	// Every SKU gets its folder marker once.
	n, err := w.svc.SyncSKUFolders(ctx, 100)
	if err != nil || n != 6 {
		t.Fatalf("folder sync made %d (%v), want 6", n, err)
	}
	if n, err := w.svc.SyncSKUFolders(ctx, 100); err != nil || n != 0 {
		t.Errorf("second folder sync made %d (%v), want 0", n, err)
	}
	if _, _, err := w.objs.Open(ctx, stock.SKUFolderMarker("SKU-F")); err != nil {
		t.Errorf("SKU-F has no folder: %v", err)
	}
}
