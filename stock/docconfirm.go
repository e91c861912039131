package stock

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"pandian/jobs"
)

// JobsRefile is the job kind that brings a document's filing up to date
// after a person confirmed or corrected a line's match: it files the
// document in the folders of its SKUs and takes it out of the folders of
// the SKUs it no longer concerns.
const JobsRefile = "document.refile"

// refilePayload is a refile job's input.
type refilePayload struct {
	Document string   `json:"document"`
	Unfile   []string `json:"unfile,omitempty"`
}

// MatchInput confirms or corrects the catalog match of one line of a
// document: SKU is the SKU the line is (the one matched: a confirmation;
// another: a correction).
type MatchInput struct {
	SKU string `json:"sku"`
}

// Match problems a person's confirmation settles.
const (
	problemDescriptionOnly = "matched by description only"
	problemNoMatch         = "no catalog match"
)

// ConfirmMatch confirms or corrects the catalog match of line (0-based)
// of a document, audited. A confirmed match files the document in the
// SKU's folder (a job, JobsRefile); a corrected one also takes it out of
// the folder of the SKU the line named before, unless another confirmed
// line or the upload still names it (documentSKUs). A received document's
// matches are final (conflict), as are those of a document still being
// read. The document is read locked, so that concurrent confirmations and
// a receipt of the same document wait for each other.
func (s *Service) ConfirmMatch(ctx context.Context, actor Actor, id string, line int, in MatchInput) (Document, error) {
	if err := actor.Require(PermReceive); err != nil {
		return Document{}, err
	}
	sku := strings.TrimSpace(in.SKU)
	if sku == "" {
		return Document{}, Errorf(EInvalid, "sku is required").With("field", "sku")
	}
	var d Document
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if d, err = s.documentInScopeLocked(tx, actor, id, true); err != nil {
			return err
		}
		if d.Status == DocProcessing {
			return Errorf(EConflict, "document %s is still being read; confirm its matches once its lines are there", id)
		}
		if d.Receipt != nil {
			return Errorf(EConflict, "document %s was received: its matches are final", id).With("field", "line")
		}
		if line < 0 || line >= len(d.Lines) {
			return Errorf(ENotFound, "document %s has no line %d", id, line).With("field", "line")
		}
		m, err := tx.SKUInfo([]string{sku})
		if err != nil {
			return err
		}
		if _, ok := m[sku]; !ok {
			return Errorf(EInvalid, "unknown sku %q", sku).With("field", "sku")
		}
		before := slices.Clone(d.SKUs)
		l := &d.Lines[line]
		from, fromBy := l.MatchedSKU, l.MatchedBy
		now := s.Now().UTC()
		if from != sku || !l.MatchConfirmed {
			l.MatchedBy = "person"
		}
		l.MatchedSKU, l.MatchConfirmed, l.ConfirmedBy, l.ConfirmedAt = sku, true, actor.Employee.Code, &now
		l.Problems = slices.DeleteFunc(l.Problems, func(p string) bool { return p == problemDescriptionOnly || p == problemNoMatch })
		if len(l.Problems) == 0 {
			l.Problems = nil
			l.NeedsReview = false
		}
		d.SKUs = documentSKUs(d, line, from)
		d.NeedsReview = len(d.Lines) == 0 || slices.ContainsFunc(d.Lines, func(l DocLine) bool { return l.NeedsReview })
		if !linesAddUp(d) {
			d.NeedsReview = true
		}
		settleStatus(&d)
		d.Updated = now
		var unfile []string
		for _, k := range before {
			if !slices.Contains(d.SKUs, k) {
				unfile = append(unfile, k)
			}
		}
		if len(unfile) > 0 {
			if err := tx.RemoveDocumentSKUs(d.ID, unfile); err != nil {
				return err
			}
		}
		if err := tx.UpdateDocument(d); err != nil {
			return err
		}
		payload, _ := json.Marshal(refilePayload{Document: d.ID, Unfile: unfile})
		j := Job{ID: newID("job_"), Kind: JobsRefile, Status: "queued", Actor: actor.Employee.Code, Input: payload, Created: now, Updated: now}
		if err := tx.CreateJob(j); err != nil {
			return err
		}
		action := "document.match.confirm"
		if from != sku {
			action = "document.match.correct"
		}
		return s.audit(tx, actor, action, "document:"+d.ID, map[string]any{"line": line, "from": from, "from_by": fromBy, "to": sku})
	})
	if err != nil {
		return Document{}, err
	}
	return d, s.withURL(ctx, &d)
}

// linesAddUp reports whether a document's lines' amounts add up to the
// total read from it (a document is done only then).
func linesAddUp(d Document) bool {
	if d.Header == nil {
		return false
	}
	total, err := ParseMoney(d.Header.Total)
	if err != nil {
		return false
	}
	var sum Money
	for _, l := range d.Lines {
		m, err := ParseMoney(l.Amount)
		if err != nil {
			return false
		}
		sum += m
	}
	return sum == total
}

// settleStatus is the one rule of a read document's status once its
// reading ended (the read job and ConfirmMatch both apply it): done when
// it needs no review, needs_review otherwise. Warnings (a page read
// turned, say) are shown but do not hold a document back: what needs a
// person sets NeedsReview. Failed and still-processing documents keep
// their status.
func settleStatus(d *Document) {
	switch d.Status {
	case DocProcessing, DocFailed:
		return
	}
	d.Status = DocDone
	if d.NeedsReview {
		d.Status = DocNeedsReview
	}
}

// documentSKUs is the SKUs a document concerns after line's match went
// from a SKU to its current one: the ones before and the line's new SKU;
// the old one goes when neither a confirmed line nor the upload names it
// any more (whether the line's old match was confirmed or not: an
// unconfirmed guess never filed it, and a confirmed one is now wrong).
func documentSKUs(d Document, line int, from string) []string {
	out := slices.Clone(d.SKUs)
	if out == nil {
		out = []string{}
	}
	to := d.Lines[line].MatchedSKU
	if from != "" && from != to && !slices.Contains(d.UploadSKUs, from) &&
		!slices.ContainsFunc(d.Lines, func(l DocLine) bool { return l.MatchConfirmed && l.MatchedSKU == from }) {
		out = slices.DeleteFunc(out, func(k string) bool { return k == from })
	}
	if !slices.Contains(out, to) {
		out = append(out, to)
	}
	return out
}

// RunRefileJob is the handler of JobsRefile: it writes the document's
// pointer into the folder of each of its SKUs and removes it from the
// folders of the SKUs it no longer concerns. Outages are retried.
//
// Refile jobs of one document may run at once on several runners (a line
// corrected A→B then B→A): each works from the document as it is, and
// reads it again after its deletes and puts; when its SKUs changed in
// between, it goes again (what it did may have been undone or made stale
// by the other job), taking out of their folders the SKUs dropped
// meanwhile. So every delete and put a job ends with was made while the
// document's SKUs were what it read, and the last change's job, which
// starts after it, files the final state.
func (s *Service) RunRefileJob(ctx context.Context, run *jobs.Run) error {
	var p refilePayload
	if err := json.Unmarshal(run.Payload, &p); err != nil || p.Document == "" {
		return jobs.Permanent(Errorf(EInvalid, "refile job: bad payload"))
	}
	if s.files == nil {
		return Errorf(EUnavailable, "document storage is not configured")
	}
	read := func() (Document, error) {
		var d Document
		err := s.store.Read(ctx, func(tx Tx) error {
			var err error
			d, err = tx.Document(p.Document)
			return err
		})
		if ErrorCode(err) == ENotFound {
			return d, jobs.Permanent(err)
		}
		return d, err
	}
	d, err := read()
	if err != nil {
		return err
	}
	unfile := slices.Clone(p.Unfile)
	for range maxRefilePasses {
		if err := s.refile(ctx, d, unfile); err != nil {
			return err
		}
		now, err := read()
		if err != nil {
			return err
		}
		if sameSKUs(d.SKUs, now.SKUs) {
			return nil
		}
		for _, k := range d.SKUs {
			if !slices.Contains(now.SKUs, k) && !slices.Contains(unfile, k) {
				unfile = append(unfile, k)
			}
		}
		d = now
	}
	return Errorf(EUnavailable, "document %s: its SKUs kept changing while it was filed", d.ID)
}

// maxRefilePasses bounds the passes of a refile job over a document whose
// SKUs keep changing (it is retried after).
const maxRefilePasses = 5

// refile takes d out of the folders of unfile it does not concern and
// puts it in those of its SKUs.
func (s *Service) refile(ctx context.Context, d Document, unfile []string) error {
	for _, k := range unfile {
		if slices.Contains(d.SKUs, k) {
			continue // named again since
		}
		if err := s.files.Delete(ctx, skuFolderKey(k, d.ID)); err != nil {
			return err
		}
	}
	return s.fileDocument(ctx, d)
}

// sameSKUs reports whether a and b hold the same SKUs.
func sameSKUs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// SearchCatalog finds SKUs for a picker: by barcode (exact), by SKU code
// (exact, then prefix) and by name (English or Chinese, any part), at most
// limit (1–50, default 20), exact matches first.
func (s *Service) SearchCatalog(ctx context.Context, actor Actor, q string, limit int) ([]SKU, error) {
	if err := actor.Require(PermReadDocuments); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	if len([]rune(q)) > 100 {
		return nil, Errorf(EInvalid, "search at most 100 characters").With("field", "q")
	}
	out := []SKU{}
	if q == "" {
		return out, nil
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		seen := map[string]bool{}
		add := func(k SKU) {
			if !seen[k.SKU] && len(out) < limit {
				seen[k.SKU] = true
				out = append(out, k)
			}
		}
		if sku, ok, err := s.matchCode(tx, q); err != nil {
			return err
		} else if ok {
			m, err := tx.SKUInfo([]string{sku})
			if err != nil {
				return err
			}
			if k, ok := m[sku]; ok {
				add(k)
			}
		}
		found, err := tx.SearchSKUs(q, limit)
		if err != nil {
			return err
		}
		for _, k := range found {
			if strings.EqualFold(k.SKU, q) {
				add(k)
			}
		}
		for _, k := range found {
			add(k)
		}
		return nil
	})
	return out, err
}

// OpenDocument opens a document's original for display: the bytes, and the
// document (its ContentType and Size describe them).
func (s *Service) OpenDocument(ctx context.Context, actor Actor, id string) (io.ReadCloser, Document, error) {
	if err := actor.Require(PermReadDocuments); err != nil {
		return nil, Document{}, err
	}
	if s.files == nil {
		return nil, Document{}, Errorf(EUnavailable, "document storage is not configured on this server")
	}
	d, err := s.documentForActor(ctx, actor, id)
	if err != nil {
		return nil, d, err
	}
	r, err := s.files.Open(ctx, d.BlobKey)
	return r, d, err
}
