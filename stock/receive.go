package stock

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ReceiveInput is a reviewed goods receipt of a document.
type ReceiveInput struct {
	Location string        `json:"location"`
	Lines    []ReceiptLine `json:"lines"`
}

// ReceiptLine is one reviewed line: qty units of MatchedSKU or, without
// one, SKU. The other fields of a DocLine are accepted and ignored, so that
// a client may send the document's lines back as they are.
type ReceiptLine struct {
	SKU        string `json:"sku"`
	MatchedSKU string `json:"matched_sku,omitempty"`
	Qty        int64  `json:"qty"`
	UnitPrice  string `json:"unit_price,omitempty"`

	Barcode     string   `json:"barcode,omitempty"`
	Description string   `json:"description,omitempty"`
	Amount      string   `json:"amount,omitempty"`
	Confidence  float64  `json:"confidence,omitempty"`
	MatchedBy   string   `json:"matched_by,omitempty"`
	NeedsReview bool     `json:"needs_review,omitempty"`
	Problems    []string `json:"problems,omitempty"`
}

// sku is the SKU the line receives.
func (l ReceiptLine) sku() string { return strings.TrimSpace(cmp.Or(l.MatchedSKU, l.SKU)) }

// Receipt is a posted goods receipt.
type Receipt struct {
	// ID names the receipt: "rcp_" and its document's id without "doc_"
	// (a document is received once).
	ID         string        `json:"id"`
	DocumentID string        `json:"document_id"`
	Location   string        `json:"location"`
	Lines      []ReceiptLine `json:"lines"`
	Movements  int           `json:"movements"`
	By         string        `json:"by"`
	At         time.Time     `json:"at"`
	// Duplicate is set when this answer repeats an earlier identical
	// receipt (nothing was posted again).
	Duplicate bool `json:"duplicate,omitempty"`
	// Hash identifies the receipt's content.
	Hash string `json:"-"`
}

// maxReceiptLines bounds one receipt.
const maxReceiptLines = 2000

// ReceiveDocument posts the reviewed lines of a document as one goods
// receipt into book stock, atomically. It is idempotent per document: the
// same receipt again answers the first one; a different one is a conflict.
func (s *Service) ReceiveDocument(ctx context.Context, actor Actor, id string, in ReceiveInput) (Receipt, error) {
	if err := actor.Require(PermReceive); err != nil {
		return Receipt{}, err
	}
	if len(in.Lines) == 0 {
		return Receipt{}, Errorf(EInvalid, "a receipt needs at least one line").With("field", "lines")
	}
	if len(in.Lines) > maxReceiptLines {
		return Receipt{}, Errorf(ETooLarge, "at most %d lines per receipt", maxReceiptLines)
	}
	keys := make([]string, 0, len(in.Lines)+1)
	keys = append(keys, in.Location)
	for i, l := range in.Lines {
		bad := func(format string, args ...any) error {
			return Errorf(EInvalid, "line %d: "+format, append([]any{i}, args...)...).With("index", i)
		}
		if l.sku() == "" {
			return Receipt{}, bad("sku is required")
		}
		if l.Qty <= 0 || l.Qty > 1_000_000 {
			return Receipt{}, bad("qty must be between 1 and 1000000")
		}
		if l.UnitPrice != "" {
			if _, err := ParseMoney(l.UnitPrice); err != nil {
				return Receipt{}, bad("unit_price: %s", ErrorMessage(err))
			}
		}
		keys = append(keys, fmt.Sprintf("%s\x00%d\x00%s", l.sku(), l.Qty, l.UnitPrice))
	}
	sort.Strings(keys[1:])
	hash := hashFields(keys...)
	var rec Receipt
	err := s.store.Write(ctx, func(tx Tx) error {
		// Before any location is read (see HoldLocations).
		if err := tx.HoldLocations(); err != nil {
			return err
		}
		d, err := s.documentInScopeLocked(tx, actor, id, true) // no confirmation in between
		if err != nil {
			return err
		}
		if d.Receipt != nil {
			if d.Receipt.Hash != hash {
				return Errorf(EConflict, "document %s was received before with other lines", id)
			}
			rec = *d.Receipt
			rec.ID, rec.DocumentID = receiptID(d.ID), d.ID
			rec.Duplicate = true
			return nil
		}
		if d.Status == DocProcessing {
			return Errorf(EConflict, "document %s is still being read; receive it once its lines are there", id)
		}
		if !d.Kind.Read() {
			return Errorf(EConflict, "a %s is not received into stock", d.Kind)
		}
		loc, err := s.locationInScope(tx, actor, in.Location)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		ms := make([]Movement, len(in.Lines))
		for i, l := range in.Lines {
			ms[i] = Movement{MovementID: fmt.Sprintf("rcv-%s-%d", d.ID, i), SKU: l.sku(), Location: loc.Code, QtyDelta: l.Qty,
				Kind: MoveReceipt, At: now, Reason: "goods_receipt", Ref: "document:" + d.ID, By: actor.Employee.Code, Posted: now}
		}
		if err := s.checkMovements(tx, actor, ms); err != nil {
			return err
		}
		hashes := make([]string, len(ms))
		for i, m := range ms {
			hashes[i] = m.Hash()
		}
		if err := tx.ApplyMovements(ms, hashes); err != nil {
			return err
		}
		lines := make([]ReceiptLine, len(in.Lines))
		for i, l := range in.Lines {
			lines[i] = ReceiptLine{SKU: l.sku(), Qty: l.Qty, UnitPrice: l.UnitPrice}
		}
		rec = Receipt{ID: receiptID(d.ID), DocumentID: d.ID, Location: loc.Code, Lines: lines, Movements: len(ms), By: actor.Employee.Code, At: now, Hash: hash}
		d.Receipt, d.Updated = &rec, now
		if err := tx.UpdateDocument(d); err != nil {
			return err
		}
		return s.audit(tx, actor, "document.receive", "document:"+d.ID, map[string]any{"location": loc.Code, "lines": len(ms)})
	})
	return rec, err
}

// receiptID is the id of the receipt of document docID.
func receiptID(docID string) string { return "rcp_" + strings.TrimPrefix(docID, "doc_") }
