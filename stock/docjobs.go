package stock

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"pandian/jobs"
)

// The job kinds of the domain (package jobs runs them; server registers
// their handlers): CSV imports (JobsImports + the import's kind), reading
// and filing the documents that are read (purchase orders, delivery notes,
// invoices: only processes with an OCR engine handle them), filing the
// others, and making the SKU folders of the object store (recurring).
const (
	JobsImports    = "import:"
	JobsDocuments  = "document.read"
	JobsFiling     = "document.file"
	JobsSKUFolders = "skus.folders"
)

// DocumentRetry is the first wait before a document job that failed on an
// outage (object store or database) is tried again (it doubles after).
const DocumentRetry = 15 * time.Second

// RunDocumentJob is the handler of the document jobs (package jobs): it
// reads (when its kind is read), matches and files the document whose id
// is the job's payload. The document's result and the job's end are
// written in one transaction under the run's lease: a runner that was
// taken over cannot overwrite them. A failure of the object store or the
// database returns an error (the job is retried); a document that cannot
// be read ends failed.
func (s *Service) RunDocumentJob(ctx context.Context, run *jobs.Run) error {
	retry, err := s.runDocumentJob(ctx, run)
	if err != nil && !retry {
		return jobs.Permanent(err)
	}
	return err
}

func (s *Service) runDocumentJob(ctx context.Context, run *jobs.Run) (retry bool, err error) {
	id := string(run.Payload)
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
		ex, err := s.readDocument(ctx, d, run.Lease)
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
		d.Status = DocDone // read, or filed only
		settleStatus(&d)
	}
	now := s.Now().UTC()
	d.Progress, d.Updated, d.Filed = 1, now, now
	err = s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error {
		if err := tx.FinishJob(run.Lease, jobs.Outcome{Status: jobs.StatusDone, At: now}); err != nil {
			return err
		}
		// Locked: nothing else rewrites a document being read (confirming
		// and receiving wait for its lines), but should anything have
		// settled it meanwhile, what it wrote stands.
		cur, err := tx.DocumentForUpdate(d.ID)
		if err != nil {
			return err
		}
		if cur.Status != DocProcessing {
			return nil
		}
		return tx.UpdateDocument(d)
	})
	if errors.Is(err, jobs.ErrLeaseLost) {
		return true, err
	}
	if err == nil {
		run.Finished()
	}
	return true, err
}

// readDocument runs the reader over the original, saving progress.
func (s *Service) readDocument(ctx context.Context, d Document, l jobs.Lease) (Extraction, error) {
	f, err := s.files.Open(ctx, d.BlobKey)
	if err != nil {
		return Extraction{}, err
	}
	defer f.Close()
	last := time.Time{}
	progress := func(p float64) {
		if time.Since(last) < time.Second || p >= 1 {
			return
		}
		last = time.Now()
		slog.Info("document progress", "document", d.ID, "progress", p)
		err := s.store.Write(ctx, func(tx Tx) error {
			if err := tx.SetJobProgress(l, p, s.Now().UTC()); err != nil {
				return err // taken over: the other runner reports progress
			}
			return tx.SetDocumentProgress(d.ID, p, s.Now().UTC())
		})
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
		// Only confirmed matches (barcode, SKU code) make the document
		// one of the SKU's, filed in its folder: a description-only guess
		// waits for a person (ConfirmMatch).
		if l.MatchConfirmed && l.MatchedSKU != "" && !slices.Contains(d.SKUs, l.MatchedSKU) {
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
