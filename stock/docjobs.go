package stock

import (
	"context"
	"log/slog"
	"slices"
	"time"
)

// The job kinds RunJobs can claim: CSV imports, reading and filing the
// documents that are read (purchase orders, delivery notes, invoices: only
// processes with an OCR engine should claim them), and filing the others.
const (
	JobsImports   = "import:"
	JobsDocuments = "doc:"
	JobsFiling    = "file:"
)

// jobRetry is how long a job that failed on an outage (object store or
// database) waits before it is tried again.
const jobRetry = 15 * time.Second

// runDocumentJob reads (when its kind is read), matches and files the
// document of job j. A failure of the object store leaves the job for a
// retry; a document that cannot be read ends failed.
func (s *Service) runDocumentJob(ctx context.Context, j Job, heartbeat func()) (retry bool, err error) {
	id := string(j.Input)
	var d Document
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		d, err = tx.Document(id)
		return err
	}); err != nil {
		return ErrorCode(err) != ENotFound, err
	}
	if d.Status != DocProcessing {
		return false, nil // done before (a job taken over after a crash)
	}
	if s.files == nil {
		return true, Errorf(EUnavailable, "document storage is not configured")
	}
	if d.Kind.Read() {
		if s.reader == nil {
			return true, Errorf(EUnavailable, "this process cannot read documents")
		}
		ex, err := s.readDocument(ctx, d, heartbeat)
		if err != nil {
			if c := ErrorCode(err); c == EUnavailable || ctx.Err() != nil {
				return true, err
			}
			d.Status, d.Error = DocFailed, "the document could not be read: "+ErrorMessage(err)
			slog.Warn("document unreadable", "document", d.ID, "err", err)
		} else if err := s.matchDocument(ctx, &d, ex); err != nil {
			return true, err
		}
	}
	if err := s.fileDocument(ctx, d); err != nil {
		return true, err
	}
	if d.Status == DocProcessing {
		d.Status = DocDone
		if d.NeedsReview {
			d.Status = DocNeedsReview
		}
	}
	d.Progress, d.Updated, d.Filed = 1, s.Now().UTC(), s.Now().UTC()
	return true, s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error { return tx.UpdateDocument(d) })
}

// readDocument runs the reader over the original, saving progress.
func (s *Service) readDocument(ctx context.Context, d Document, heartbeat func()) (Extraction, error) {
	f, err := s.files.Open(ctx, d.BlobKey)
	if err != nil {
		return Extraction{}, err
	}
	defer f.Close()
	last := time.Time{}
	progress := func(p float64) {
		heartbeat()
		if time.Since(last) < time.Second || p >= 1 {
			return
		}
		last = time.Now()
		slog.Info("document progress", "document", d.ID, "progress", p)
		err := s.store.Write(ctx, func(tx Tx) error { return tx.SetDocumentProgress(d.ID, p, s.Now().UTC()) })
		if err != nil {
			slog.Warn("document progress", "document", d.ID, "err", err)
		}
	}
	t0 := time.Now()
	ex, err := s.reader.ReadDocument(ctx, f, d.ContentType, progress)
	if err == nil {
		slog.Info("document read", "document", d.ID, "pages", ex.Pages, "lines", len(ex.Lines), "needs_review", ex.NeedsReview, "seconds", time.Since(t0).Seconds())
	}
	return ex, err
}

// matchDocument matches the lines of ex to the catalog and sets them, the
// header and the SKUs on d.
func (s *Service) matchDocument(ctx context.Context, d *Document, ex Extraction) error {
	lines := ex.Lines
	err := s.store.Read(ctx, func(tx Tx) error { return s.matchLines(tx, lines) })
	if err != nil {
		return err
	}
	h := ex.Header
	d.Header, d.Lines, d.Pages, d.Warnings = &h, lines, ex.Pages, ex.Warnings
	d.NeedsReview = ex.NeedsReview
	for _, l := range lines {
		d.NeedsReview = d.NeedsReview || l.NeedsReview
		if l.MatchedSKU != "" && !slices.Contains(d.SKUs, l.MatchedSKU) {
			d.SKUs = append(d.SKUs, l.MatchedSKU)
		}
	}
	if d.Lines == nil {
		d.Lines = []DocLine{}
	}
	if len(lines) == 0 {
		d.NeedsReview = true
		d.Warnings = append(d.Warnings, "no line items were found")
	}
	return nil
}
