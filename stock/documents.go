package stock

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"pandian/jobs"
)

// DocumentKind says what a document is; purchase orders, delivery notes and
// invoices are read into line items, the others are filed as they are.
type DocumentKind string

// The document kinds of the contract.
const (
	DocPurchaseOrder    DocumentKind = "purchase_order"
	DocDeliveryNote     DocumentKind = "delivery_note"
	DocInvoice          DocumentKind = "invoice"
	DocContract         DocumentKind = "contract"
	DocInspectionReport DocumentKind = "inspection_report"
	DocPhoto            DocumentKind = "photo"
)

// DocumentKinds lists every kind.
var DocumentKinds = []DocumentKind{DocPurchaseOrder, DocDeliveryNote, DocInvoice, DocContract, DocInspectionReport, DocPhoto}

// Valid reports whether k is a known kind.
func (k DocumentKind) Valid() bool { return slices.Contains(DocumentKinds, k) }

// Read reports whether documents of kind k are OCR'd into line items.
func (k DocumentKind) Read() bool {
	return k == DocPurchaseOrder || k == DocDeliveryNote || k == DocInvoice
}

// accepts reports whether a file of media type mt may be filed as kind k.
func (k DocumentKind) accepts(mt string) bool {
	switch k {
	case DocPhoto:
		return mt == MediaJPEG || mt == MediaPNG || mt == MediaWebP
	default:
		return mt == MediaJPEG || mt == MediaPNG || mt == MediaWebP || mt == MediaPDF
	}
}

// The media types documents may have, recognised from their first bytes.
const (
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
	MediaWebP = "image/webp"
	MediaPDF  = "application/pdf"
)

// SniffMedia returns the media type of a file from its first bytes (at least
// 12), "" when it is none of the accepted ones. The client's Content-Type
// is never trusted.
func SniffMedia(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return MediaJPEG
	case len(head) >= 8 && string(head[:8]) == "\x89PNG\r\n\x1a\n":
		return MediaPNG
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return MediaWebP
	case len(head) >= 5 && string(head[:5]) == "%PDF-":
		return MediaPDF
	}
	return ""
}

// Document statuses. A document is processing until its job has read and
// filed it; needs_review when a check on its line items failed.
const (
	DocProcessing  = "processing"
	DocDone        = "done"
	DocFailed      = "failed"
	DocNeedsReview = "needs_review"
)

// Document is an uploaded file, what was read from it, and its receipt.
type Document struct {
	ID          string       `json:"id"`
	Kind        DocumentKind `json:"kind"`
	Status      string       `json:"status"`
	Location    string       `json:"location,omitempty"`
	Filename    string       `json:"filename"`
	ContentType string       `json:"content_type"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"`
	// SKUs are the SKUs the document concerns: given at upload, then the
	// ones its line items matched.
	SKUs       []string  `json:"skus"`
	UploadedBy string    `json:"uploaded_by"`
	Created    time.Time `json:"created_at"`
	Updated    time.Time `json:"updated_at"`
	// Progress is the share of the reading done, 0 to 1.
	Progress float64 `json:"progress"`
	Pages    int     `json:"pages,omitempty"`
	Error    string  `json:"error,omitempty"`
	DocumentContent
	// URL is a short-lived download link of the original.
	URL        string    `json:"url,omitempty"`
	URLExpires time.Time `json:"url_expires_at,omitzero"`
	Receipt    *Receipt  `json:"receipt,omitempty"`

	// BlobKey is where the original is in the object store.
	BlobKey string `json:"-"`
	// LocationPath is Location's path ("" for company-wide documents).
	LocationPath string `json:"-"`
	// Filed is when the document was filed in its SKUs' folders.
	Filed time.Time `json:"-"`
	// UploadSKUs are the SKUs given at upload (a correction of a line's
	// match never takes the document out of their folders).
	UploadSKUs []string `json:"-"`
}

// DocumentContent is what reading a document found.
type DocumentContent struct {
	Header      *DocHeader `json:"header,omitempty"`
	Lines       []DocLine  `json:"lines"`
	NeedsReview bool       `json:"needs_review"`
	Warnings    []string   `json:"warnings,omitempty"`
}

// DocHeader holds the header fields of a purchase order, delivery note or
// invoice ("" when not found).
type DocHeader struct {
	Supplier string `json:"supplier"`
	PONumber string `json:"po_number"`
	Date     string `json:"date"`
	// DatePrinted is the date as printed; DateAmbiguous is set when it is
	// numeric and valid with day and month either way round (Date then
	// follows the location's default: day first in Hong Kong and Macau).
	DatePrinted   string `json:"date_printed,omitempty"`
	DateAmbiguous bool   `json:"date_ambiguous,omitempty"`
	Total         string `json:"total"`
	Currency      string `json:"currency,omitempty"`
	// Confidence per field ("supplier", "po_number", "date", "total"), 0–1.
	Confidence map[string]float64 `json:"confidence,omitempty"`
}

// DocLine is one line item read from a document and matched to the catalog.
type DocLine struct {
	SKU         string  `json:"sku"`
	Barcode     string  `json:"barcode"`
	Description string  `json:"description"`
	Qty         int64   `json:"qty"`
	UnitPrice   string  `json:"unit_price"`
	Amount      string  `json:"amount"`
	Confidence  float64 `json:"confidence"`
	// FieldConfidence is the confidence (0–1) of each field read: code,
	// qty, unit_price, amount. Confidence is the lowest of them.
	FieldConfidence map[string]float64 `json:"field_confidence,omitempty"`
	MatchedSKU      string             `json:"matched_sku"`
	// MatchedBy says how: "barcode", "sku" or "description" ("" unmatched),
	// or "person" once someone confirmed or corrected the match.
	MatchedBy string `json:"matched_by,omitempty"`
	// MatchConfirmed is set when the match may be relied on: a barcode or
	// SKU-code match, or one a person confirmed or corrected. Only
	// confirmed matches file the document in the SKU's folder; a
	// description-only guess waits for a person (ConfirmMatch).
	MatchConfirmed bool       `json:"match_confirmed"`
	ConfirmedBy    string     `json:"confirmed_by,omitempty"`
	ConfirmedAt    *time.Time `json:"confirmed_at,omitempty"`
	NeedsReview    bool       `json:"needs_review"`
	Problems       []string   `json:"problems,omitempty"`
}

// Extraction is what the OCR engine read from a document, before catalog
// matching.
type Extraction struct {
	Header      DocHeader
	Lines       []DocLine // MatchedSKU and MatchedBy empty
	Pages       int
	NeedsReview bool
	Warnings    []string
}

// FileInfo describes a stored original.
type FileInfo struct {
	Key         string
	SHA256      string
	Size        int64
	ContentType string
}

// Files is the object store as the domain needs it (storage/objstore,
// adapted in server/). Errors carry the domain's codes: ETooLarge,
// EUnavailable, ENotFound.
type Files interface {
	// PutContent stores the bytes of r, at most maxBytes of them, once
	// under a key derived from their SHA-256; nothing is left behind when
	// it fails.
	PutContent(ctx context.Context, r io.Reader, maxBytes int64, contentType string) (FileInfo, error)
	// PutBytes stores a small object under key.
	PutBytes(ctx context.Context, key string, b []byte, contentType string) error
	// Open reads an object.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// URL returns a download link valid for ttl.
	URL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)
	// Delete removes an object (no error when it is not there).
	Delete(ctx context.Context, key string) error
}

// DocumentReader reads line items from a document (the OCR engine, adapted
// in server/). progress gets the share done, 0 to 1.
type DocumentReader interface {
	ReadDocument(ctx context.Context, r io.Reader, mediaType string, progress func(float64)) (Extraction, error)
}

// DocumentChecker checks an upload is a whole, decodable file within the
// limits (pixels, pages), so that a hostile file is refused at upload
// with ETooLarge or EInvalid rather than failing later.
type DocumentChecker interface {
	CheckDocument(ctx context.Context, r io.Reader, mediaType string) error
}

// DocumentInput is an upload's form fields.
type DocumentInput struct {
	Kind     DocumentKind
	SKUs     []string
	Location string
	Filename string
}

// DocumentOptions are the limits and lifetimes of documents.
type DocumentOptions struct {
	MaxBytes int64         // largest original accepted
	URLTTL   time.Duration // lifetime of download links
}

// SetDocuments configures the object store, the upload checker (nil: none)
// and the reader (nil: this process does not read documents; their jobs
// wait for a worker).
func (s *Service) SetDocuments(files Files, checker DocumentChecker, reader DocumentReader, opts DocumentOptions) {
	s.checker = checker
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 50 << 20
	}
	if opts.URLTTL <= 0 {
		opts.URLTTL = 15 * time.Minute
	}
	s.files, s.reader, s.docOpts = files, reader, opts
}

// maxDocumentSKUs bounds the SKUs given with an upload.
const maxDocumentSKUs = 200

// UploadDocument validates an upload's fields, stores the original (read
// from body, which starts with the file's bytes) and queues the job that
// reads and files it. Nothing is stored when the input is refused.
func (s *Service) UploadDocument(ctx context.Context, actor Actor, in DocumentInput, body io.Reader) (Document, error) {
	if err := actor.Require(PermUploadDocuments); err != nil {
		return Document{}, err
	}
	if s.files == nil {
		return Document{}, Errorf(EUnavailable, "document storage is not configured on this server")
	}
	d, err := s.prepareDocument(ctx, actor, in)
	if err != nil {
		return Document{}, err
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(body, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		if err == io.EOF {
			return Document{}, Errorf(EInvalid, "the file is empty").With("field", "file")
		}
		return Document{}, Errorf(EInvalid, "the file could not be read: %v", err).With("field", "file")
	}
	head = head[:n]
	mt := SniffMedia(head)
	if mt == "" || !d.Kind.accepts(mt) {
		what := "JPEG, PNG, WebP or PDF"
		if d.Kind == DocPhoto {
			what = "JPEG, PNG or WebP"
		}
		return Document{}, Errorf(EUnsupported, "a %s must be a %s file (recognised from its content)", d.Kind, what).With("field", "file")
	}
	info, err := s.files.PutContent(ctx, io.MultiReader(bytes.NewReader(head), body), s.docOpts.MaxBytes, mt)
	if err != nil {
		return Document{}, err
	}
	d.ContentType, d.Size, d.SHA256, d.BlobKey = mt, info.Size, info.SHA256, info.Key
	if err := s.checkUpload(ctx, d); err != nil {
		return Document{}, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.CreateDocument(d); err != nil {
			return err
		}
		kind := JobsFiling
		if d.Kind.Read() {
			kind = JobsDocuments
		}
		j := Job{ID: newID("job_"), Kind: kind, Status: "queued", Actor: actor.Employee.Code, Input: []byte(d.ID), Created: d.Created, Updated: d.Created}
		if err := tx.CreateJob(j); err != nil {
			return err
		}
		return s.audit(tx, actor, "document.upload", "document:"+d.ID, map[string]any{"kind": d.Kind, "bytes": d.Size, "sha256": d.SHA256})
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}

// prepareDocument checks the fields of an upload and returns the new
// document they describe.
func (s *Service) prepareDocument(ctx context.Context, actor Actor, in DocumentInput) (Document, error) {
	if !in.Kind.Valid() {
		return Document{}, Errorf(EInvalid, "kind must be one of purchase_order, delivery_note, invoice, contract, inspection_report, photo").With("field", "kind")
	}
	if len(in.SKUs) > maxDocumentSKUs {
		return Document{}, Errorf(EInvalid, "at most %d skus per document", maxDocumentSKUs).With("field", "skus")
	}
	in.Filename = strings.TrimSpace(in.Filename)
	if err := validText("filename", in.Filename, false, 200); err != nil {
		return Document{}, err
	}
	now := s.Now().UTC()
	d := Document{ID: newID("doc_"), Kind: in.Kind, Status: DocProcessing, Filename: in.Filename,
		UploadedBy: actor.Employee.Code, Created: now, Updated: now, DocumentContent: DocumentContent{Lines: []DocLine{}}}
	if d.Filename == "" {
		d.Filename = string(in.Kind)
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		loc := in.Location
		if loc == "" && !actor.Role().WholeCompany() && len(actor.Employee.Scope) == 1 {
			loc = actor.Employee.Scope[0]
		}
		if loc == "" && in.Kind.Read() {
			return Errorf(EInvalid, "location is required for a %s (the store it is for)", in.Kind).With("field", "location")
		}
		if loc != "" {
			l, err := s.locationInScope(tx, actor, loc)
			if err != nil {
				return err
			}
			d.Location, d.LocationPath = l.Code, l.Path
		}
		seen := map[string]bool{}
		for _, sku := range in.SKUs {
			if sku = strings.TrimSpace(sku); sku != "" && !seen[sku] {
				seen[sku] = true
				d.SKUs = append(d.SKUs, sku)
			}
		}
		d.UploadSKUs = slices.Clone(d.SKUs)
		found, err := tx.SKUInfo(d.SKUs)
		if err != nil {
			return err
		}
		for _, sku := range d.SKUs {
			if _, ok := found[sku]; !ok {
				return Errorf(EInvalid, "unknown sku %q", sku).With("field", "skus")
			}
		}
		return nil
	})
	if d.SKUs == nil {
		d.SKUs = []string{}
	}
	return d, err
}

// Document returns a document in the actor's scope with a fresh download
// link.
func (s *Service) Document(ctx context.Context, actor Actor, id string) (Document, error) {
	d, err := s.documentForActor(ctx, actor, id)
	if err != nil {
		return d, err
	}
	return d, s.withURL(ctx, &d)
}

// documentForActor reads a document the actor may read (PermReadDocuments, in
// scope).
func (s *Service) documentForActor(ctx context.Context, actor Actor, id string) (Document, error) {
	if err := actor.Require(PermReadDocuments); err != nil {
		return Document{}, err
	}
	var d Document
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		d, err = s.documentInScope(tx, actor, id)
		return err
	})
	return d, err
}

// documentInScope loads a document, not found when it belongs to a store
// outside the actor's scope.
func (s *Service) documentInScope(tx DocumentStore, actor Actor, id string) (Document, error) {
	return s.documentInScopeLocked(tx, actor, id, false)
}

// documentInScopeLocked is documentInScope; lock reads the document with
// DocumentForUpdate (a write transaction that rewrites it).
func (s *Service) documentInScopeLocked(tx DocumentStore, actor Actor, id string, lock bool) (Document, error) {
	get := tx.Document
	if lock {
		get = tx.DocumentForUpdate
	}
	d, err := get(id)
	if err != nil {
		return d, err
	}
	if d.Location != "" && !actor.InScope(Location{Code: d.Location, Path: d.LocationPath}) {
		return Document{}, Errorf(ENotFound, "document %s not found", id)
	}
	return d, nil
}

// withURL sets the document's download link.
func (s *Service) withURL(ctx context.Context, d *Document) error {
	if s.files == nil {
		return Errorf(EUnavailable, "document storage is not configured on this server")
	}
	u, err := s.files.URL(ctx, d.BlobKey, s.docOpts.URLTTL, d.Filename)
	if err != nil {
		return err
	}
	d.URL, d.URLExpires = u, s.Now().UTC().Add(s.docOpts.URLTTL).Truncate(time.Second)
	return nil
}

// SKUDocuments lists the documents that concern a SKU, in the actor's
// scope, newest first, with download links.
func (s *Service) SKUDocuments(ctx context.Context, actor Actor, sku string, limit int) ([]Document, error) {
	if err := actor.Require(PermReadDocuments); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var out []Document
	err := s.store.Read(ctx, func(tx Tx) error {
		if m, err := tx.SKUInfo([]string{sku}); err != nil || len(m) == 0 {
			if err == nil {
				err = Errorf(ENotFound, "sku %s not found", sku)
			}
			return err
		}
		paths, err := s.scopePaths(tx, actor)
		if err != nil {
			return err
		}
		out, err = tx.DocumentsForSKU(sku, paths, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.withURL(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []Document{}
	}
	return out, nil
}

// skuFolderKey is where a document is filed in a SKU's folder.
func skuFolderKey(sku, docID string) string { return "skus/" + sku + "/documents/" + docID + ".json" }

// SKUFolderMarker is the object that makes a SKU's folder exist from the
// SKU's creation on (object stores have no empty folders).
func SKUFolderMarker(sku string) string { return "skus/" + sku + "/sku.json" }

// filingNote is the pointer object filed in each SKU's folder.
type filingNote struct {
	Document    string       `json:"document"`
	Kind        DocumentKind `json:"kind"`
	Filename    string       `json:"filename"`
	ContentType string       `json:"content_type"`
	SHA256      string       `json:"sha256"`
	Object      string       `json:"object"`
	Location    string       `json:"location,omitempty"`
	Uploaded    time.Time    `json:"uploaded_at"`
}

// fileDocument writes the document's pointer into the folder of each of
// its SKUs.
func (s *Service) fileDocument(ctx context.Context, d Document) error {
	note, _ := json.Marshal(filingNote{Document: d.ID, Kind: d.Kind, Filename: d.Filename, ContentType: d.ContentType,
		SHA256: d.SHA256, Object: d.BlobKey, Location: d.Location, Uploaded: d.Created})
	for _, sku := range d.SKUs {
		if err := s.files.PutBytes(ctx, skuFolderKey(sku, d.ID), note, "application/json"); err != nil {
			return err
		}
	}
	return nil
}

// RunSKUFolderJob is the handler of the recurring job that makes the SKU
// folders (JobsSKUFolders): 500 at a time, again at once while there are
// more, else in every.
func (s *Service) RunSKUFolderJob(every time.Duration) func(ctx context.Context, run *jobs.Run) error {
	return func(ctx context.Context, run *jobs.Run) error {
		n, err := s.SyncSKUFolders(ctx, 500)
		if n > 0 {
			slog.Info("SKU folders made", "count", n)
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return jobs.Again(0)
		}
		return jobs.Again(every)
	}
}

// SyncSKUFolders creates the folder marker of every SKU that has none yet,
// at most limit of them; it returns how many it made.
func (s *Service) SyncSKUFolders(ctx context.Context, limit int) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var skus []SKU
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		skus, err = tx.SKUsWithoutFolder(limit)
		return err
	})
	if err != nil || len(skus) == 0 {
		return 0, err
	}
	done := make([]string, 0, len(skus))
	for _, k := range skus {
		b, _ := json.Marshal(map[string]any{"sku": k.SKU, "name": k.Name, "name_zh": k.NameZh, "category": k.Category})
		if err = s.files.PutBytes(ctx, SKUFolderMarker(k.SKU), b, "application/json"); err != nil {
			break
		}
		done = append(done, k.SKU)
	}
	if len(done) == 0 {
		return 0, err
	}
	now := s.Now().UTC()
	return len(done), s.store.Write(ctx, func(tx Tx) error { return tx.MarkSKUFolders(done, now) })
}

// checkUpload runs the checker over a stored original; a refused file is
// removed again unless another document has the same bytes.
func (s *Service) checkUpload(ctx context.Context, d Document) error {
	if s.checker == nil {
		return nil
	}
	f, err := s.files.Open(ctx, d.BlobKey)
	if err != nil {
		return err
	}
	err = s.checker.CheckDocument(ctx, f, d.ContentType)
	f.Close()
	if err == nil || ErrorCode(err) == EUnavailable {
		return err
	}
	var shared bool
	if rerr := s.store.Read(ctx, func(tx Tx) error {
		var err error
		shared, err = tx.DocumentWithContent(d.SHA256)
		return err
	}); rerr == nil && !shared {
		if derr := s.files.Delete(ctx, d.BlobKey); derr != nil {
			slog.Warn("refused upload left in the object store", "key", d.BlobKey, "err", derr)
		}
	}
	return err
}
