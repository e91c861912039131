package stock_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"pandian/jobs"
	"pandian/stock"
)

// hookedFiles is the local object store with a hook run (once) before
// the deletion of a given key: it lets a test make something happen at
// exactly that moment of a job.
type hookedFiles struct {
	files
	key  string
	hook func()
}

func (f *hookedFiles) Delete(ctx context.Context, key string) error {
	if key == f.key && f.hook != nil {
		h := f.hook
		f.hook = nil
		h()
	}
	return f.files.Delete(ctx, key)
}

// refileRun is a run of a refile job of document id taking it out of the
// folders of unfile (what ConfirmMatch queues).
func refileRun(t *testing.T, id string, unfile ...string) *jobs.Run {
	t.Helper()
	b, err := json.Marshal(map[string]any{"document": id, "unfile": unfile})
	if err != nil {
		t.Fatal(err)
	}
	return &jobs.Run{Job: jobs.Job{ID: "job_test", Kind: stock.JobsRefile, Payload: b}}
}

func (w *world) filed(sku, id string) bool {
	rc, _, err := w.objs.Open(ctx, "skus/"+sku+"/documents/"+id+".json")
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

// TestRefileJobsOfOneDocumentOverlap: a line corrected SKU-A → SKU-F, then
// back to SKU-A while the first refile job runs; the second refile job
// runs to its end in between (another runner), before the first deletes
// SKU-A's pointer. The first job, reading the document again after its
// work, sees its SKUs changed and goes again: the document ends filed
// under SKU-A, not SKU-F.
func TestRefileJobsOfOneDocumentOverlap(t *testing.T) {
	w := newWorld(t)
	w.withDocuments()
	hf := &hookedFiles{files: files{w.objs}}
	w.svc.SetDocuments(hf, nil, textReader{}, stock.DocumentOptions{MaxBytes: 1 << 20})
	m := w.actor("M001")
	d, err := w.svc.UploadDocument(ctx, m, stock.DocumentInput{Kind: stock.DocPurchaseOrder, Filename: "po.png"}, doc(
		"Tea Co;PO-9;2026-03-01;10.00", "4890000000011;;Lemon tea;5;2.00"))
	if err != nil {
		t.Fatal(err)
	}
	w.runDocJobs()
	if !w.filed("SKU-A", d.ID) {
		t.Fatal("not filed under SKU-A after reading")
	}
	if _, err := w.svc.ConfirmMatch(ctx, m, d.ID, 0, stock.MatchInput{SKU: "SKU-F"}); err != nil {
		t.Fatal(err)
	}
	hf.key = "skus/SKU-A/documents/" + d.ID + ".json"
	hf.hook = func() {
		w.advance(1)
		if _, err := w.svc.ConfirmMatch(ctx, m, d.ID, 0, stock.MatchInput{SKU: "SKU-A"}); err != nil {
			t.Error(err)
		}
		if err := w.svc.RunRefileJob(ctx, refileRun(t, d.ID, "SKU-F")); err != nil {
			t.Error(err)
		}
	}
	if err := w.svc.RunRefileJob(ctx, refileRun(t, d.ID, "SKU-A")); err != nil {
		t.Fatal(err)
	}
	if hf.hook != nil {
		t.Fatal("the first job never deleted SKU-A's pointer")
	}
	got, err := w.svc.Document(ctx, m, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.SKUs, []string{"SKU-A"}) {
		t.Fatalf("skus %v, want [SKU-A]", got.SKUs)
	}
	if !w.filed("SKU-A", d.ID) || w.filed("SKU-F", d.ID) {
		t.Fatalf("filed under SKU-A %v, SKU-F %v: want SKU-A only", w.filed("SKU-A", d.ID), w.filed("SKU-F", d.ID))
	}
}

// TestCorrectionKeepsUploadSKUs: a SKU given at upload stays the
// document's (and its folder keeps it) when the line that also matched it
// is corrected; a SKU only that line's match named goes, whether the
// match was confirmed (a barcode) or a guess a person had confirmed.
func TestCorrectionKeepsUploadSKUs(t *testing.T) {
	w := newWorld(t)
	w.withDocuments()
	m := w.actor("M001")
	d, err := w.svc.UploadDocument(ctx, m, stock.DocumentInput{Kind: stock.DocPurchaseOrder, Filename: "po.png", SKUs: []string{"SKU-A"}}, doc(
		"Tea Co;PO-8;2026-03-01;16.00",
		"4890000000011;;Lemon tea;5;2.00",
		";;Seaweed Snack;2;3.00"))
	if err != nil {
		t.Fatal(err)
	}
	w.runDocJobs()
	// Line 0 matched SKU-A by barcode, which the upload named too.
	if _, err := w.svc.ConfirmMatch(ctx, m, d.ID, 0, stock.MatchInput{SKU: "SKU-F"}); err != nil {
		t.Fatal(err)
	}
	// Line 1's guess (SKU-E) confirmed, then corrected: SKU-E goes.
	if _, err := w.svc.ConfirmMatch(ctx, m, d.ID, 1, stock.MatchInput{SKU: "SKU-E"}); err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.ConfirmMatch(ctx, m, d.ID, 1, stock.MatchInput{SKU: "SKU-D"})
	if err != nil {
		t.Fatal(err)
	}
	w.runDocJobs()
	want := []string{"SKU-A", "SKU-F", "SKU-D"}
	if !slices.Equal(got.SKUs, want) {
		t.Fatalf("skus %v, want %v (SKU-A named at upload)", got.SKUs, want)
	}
	for _, k := range []string{"SKU-A", "SKU-F", "SKU-D", "SKU-E"} {
		if w.filed(k, d.ID) != slices.Contains(want, k) {
			t.Errorf("filed under %s: %v", k, w.filed(k, d.ID))
		}
	}
}
