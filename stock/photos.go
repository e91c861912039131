package stock

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"sort"
	"strings"
)

// PhotoBarcode is a barcode found in a photo, with the SKU it names.
type PhotoBarcode struct {
	Format  string       `json:"format"`
	Text    string       `json:"text"` // exactly as decoded (GS1 separators as 0x1D)
	Points  [][2]float64 `json:"points"`
	SKU     string       `json:"sku,omitempty"`
	PackQty int64        `json:"pack_qty,omitempty"`
	GTIN    string       `json:"gtin,omitempty"`
	GS1     *GS1         `json:"gs1,omitempty"`
	// Raw is the code as a scanner would send it (with its AIM symbology
	// identifier), what a scan of this barcode records.
	Raw    string     `json:"-"`
	Parsed ParsedCode `json:"-"`
}

// PhotoDecoder finds the barcodes in a photo. The barcode engine's
// bounded pool implements it (wired in server); its errors carry domain
// codes: invalid, too_large, unsupported_media, rate_limited.
type PhotoDecoder interface {
	DecodePhoto(ctx context.Context, photo io.Reader) ([]PhotoBarcode, error)
}

// PhotoSizer is optional on a PhotoDecoder: the size in pixels of a
// photo upright (after its EXIF orientation), the frame the points of its
// barcodes are in. It may be given only the photo's first bytes (its
// header and EXIF): it answers from those, as image.DecodeConfig does.
type PhotoSizer interface {
	PhotoSize(photo []byte) (width, height int, err error)
}

// ScanPhotoInfo describes a kept photo of photo scans: its media type,
// its upright size (0 when unknown) and the barcodes found in it, with
// the points where each was found (PhotoBarcode.Points, in pixels of
// that size).
type ScanPhotoInfo struct {
	ID        string         `json:"id"`
	MediaType string         `json:"media_type"`
	Width     int            `json:"width"`
	Height    int            `json:"height"`
	Barcodes  []PhotoBarcode `json:"barcodes"`
}

// PhotoResult answers a photo upload: the barcodes, and with a quantity
// the scans recorded for them.
type PhotoResult struct {
	Barcodes []PhotoBarcode `json:"barcodes"`
	Scans    *ScanResult    `json:"scans,omitempty"`
}

// PhotoScan asks to record every barcode of a photo as a scan.
type PhotoScan struct {
	Qty int64
	Bin string
}

// CountPhoto decodes the barcodes of a photo taken during a count and,
// when record is set, records each as a scan of record.Qty. The scans'
// event ids derive from the photo's bytes, so uploading the same photo
// again counts nothing twice.
func (s *Service) CountPhoto(ctx context.Context, actor Actor, countID string, photo io.Reader, record *PhotoScan) (PhotoResult, error) {
	res := PhotoResult{Barcodes: []PhotoBarcode{}}
	if err := actor.Require(PermScan); err != nil {
		return res, err
	}
	if s.photos == nil {
		return res, Errorf(EUnavailable, "photo decoding is not configured on this server")
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		_, err := s.countInScope(tx, actor, countID, false)
		return err
	})
	if err != nil {
		return res, err
	}
	h := sha256.New()
	var kept bytes.Buffer // the photo, kept for the reviewer when it is recorded
	src := io.TeeReader(photo, h)
	if record != nil && s.files != nil {
		src = io.TeeReader(src, &kept)
	}
	found, err := s.photos.DecodePhoto(ctx, src)
	if err != nil {
		return res, err
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Format != found[j].Format {
			return found[i].Format < found[j].Format
		}
		return found[i].Text < found[j].Text
	})
	var keys []string
	for _, b := range found {
		keys = append(keys, b.Parsed.Keys...)
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		matches, err := tx.LookupBarcodes(keys)
		if err != nil {
			return err
		}
		for i := range found {
			b := &found[i]
			b.GTIN, b.GS1 = b.Parsed.GTIN, b.Parsed.GS1
			for _, k := range b.Parsed.Keys {
				if m, ok := matches[k]; ok {
					b.SKU, b.PackQty = m.SKU, m.PackQty
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Barcodes = found
	if record == nil || len(found) == 0 {
		return res, nil
	}
	photoID := hex.EncodeToString(h.Sum(nil))[:24]
	if kept.Len() > 0 {
		// Best effort: the scans count even when the object store is away.
		media := cmp.Or(SniffMedia(kept.Bytes()), "application/octet-stream")
		if err := s.files.PutBytes(ctx, scanPhotoKey(countID, photoID), kept.Bytes(), media); err != nil {
			slog.Warn("count photo not kept", "count", countID, "photo", photoID, "err", err)
		} else {
			// Beside it, where its barcodes were found, for the reviewer.
			info := ScanPhotoInfo{ID: photoID, MediaType: media, Barcodes: found}
			if sz, ok := s.photos.(PhotoSizer); ok {
				info.Width, info.Height, _ = sz.PhotoSize(kept.Bytes())
			}
			if b, err := json.Marshal(info); err == nil {
				if err := s.files.PutBytes(ctx, scanPhotoKey(countID, photoID)+".json", b, "application/json"); err != nil {
					slog.Warn("count photo's barcodes not kept", "count", countID, "photo", photoID, "err", err)
				}
			}
		}
	}
	scans := make([]ScanInput, len(found))
	for i, b := range found {
		scans[i] = ScanInput{EventID: "photo-" + photoID + "-" + itoa(int64(i)), Code: b.Raw, Qty: record.Qty, Bin: record.Bin, DeviceID: actor.DeviceID}
	}
	sr, err := s.IngestScans(ctx, actor, countID, scans)
	if err != nil {
		return res, err
	}
	res.Scans = &sr
	return res, nil
}

// scanPhotoKey is where the photo of photo scans is kept.
func scanPhotoKey(countID, photoID string) string { return "counts/" + countID + "/photos/" + photoID }

// scanPhotoCheck checks that the actor may see the photos of a count and
// that photoID names one.
func (s *Service) scanPhotoCheck(ctx context.Context, actor Actor, countID, photoID string) error {
	if err := actor.Require(PermReadReports); err != nil {
		return err
	}
	if len(photoID) != 24 || strings.Trim(photoID, "0123456789abcdef") != "" {
		return Errorf(ENotFound, "photo %s not found", photoID)
	}
	if err := s.store.Read(ctx, func(tx Tx) error {
		_, err := s.countInScope(tx, actor, countID, false)
		return err
	}); err != nil {
		return err
	}
	if s.files == nil {
		return Errorf(ENotFound, "photo %s not found", photoID)
	}
	return nil
}

// scanPhotoHead is how much of a kept photo without its side file is read
// to tell its size: the header and (JPEG) the EXIF orientation come first,
// so a photo of any size costs at most this much memory.
const scanPhotoHead = 256 << 10

// ScanPhotoImage opens the photo that scans of a count were read from, for
// the reviewer of the count to see inline: a reader of its bytes (streamed
// from the file store, never held whole; the caller closes it) and its
// media type, sniffed from its first bytes.
func (s *Service) ScanPhotoImage(ctx context.Context, actor Actor, countID, photoID string) (io.ReadCloser, string, error) {
	if err := s.scanPhotoCheck(ctx, actor, countID, photoID); err != nil {
		return nil, "", err
	}
	r, err := s.files.Open(ctx, scanPhotoKey(countID, photoID))
	if err != nil {
		return nil, "", err
	}
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(16)
	if err != nil && err != io.EOF {
		r.Close()
		return nil, "", err
	}
	return struct {
		io.Reader
		io.Closer
	}{br, r}, cmp.Or(SniffMedia(head), "application/octet-stream"), nil
}

// ScanPhotoInfo describes the photo that scans of a count were read from:
// its size and the barcodes found in it, with where (kept beside the
// photo when it was recorded; a photo kept before that has its size, when
// the decoder can tell it from the photo's first scanPhotoHead bytes, and
// no barcodes).
func (s *Service) ScanPhotoInfo(ctx context.Context, actor Actor, countID, photoID string) (ScanPhotoInfo, error) {
	info := ScanPhotoInfo{ID: photoID, Barcodes: []PhotoBarcode{}}
	if err := s.scanPhotoCheck(ctx, actor, countID, photoID); err != nil {
		return info, err
	}
	if r, err := s.files.Open(ctx, scanPhotoKey(countID, photoID)+".json"); err == nil {
		defer r.Close()
		var kept ScanPhotoInfo
		b, err := io.ReadAll(io.LimitReader(r, 4<<20))
		if err == nil && json.Unmarshal(b, &kept) == nil {
			kept.ID = photoID
			if kept.Barcodes == nil {
				kept.Barcodes = []PhotoBarcode{}
			}
			return kept, nil
		}
	} else if ErrorCode(err) != ENotFound {
		return info, err
	}
	r, err := s.files.Open(ctx, scanPhotoKey(countID, photoID))
	if err != nil {
		return info, err
	}
	defer r.Close()
	head, err := io.ReadAll(io.LimitReader(r, scanPhotoHead))
	if err != nil {
		return info, err
	}
	info.MediaType = cmp.Or(SniffMedia(head), "application/octet-stream")
	if sz, ok := s.photos.(PhotoSizer); ok {
		info.Width, info.Height, _ = sz.PhotoSize(head)
	}
	return info, nil
}

// ScanPhoto returns a short-lived download link of the photo that scans of
// a count were read from (photoID: the middle of their event ids
// "photo-<id>-<n>"), for the reviewer of the count.
func (s *Service) ScanPhoto(ctx context.Context, actor Actor, countID, photoID string) (string, error) {
	if err := s.scanPhotoCheck(ctx, actor, countID, photoID); err != nil {
		return "", err
	}
	// The file name has the photo's extension when its kind was kept.
	name := "photo-" + photoID
	if r, err := s.files.Open(ctx, scanPhotoKey(countID, photoID)+".json"); err == nil {
		var kept ScanPhotoInfo
		if json.NewDecoder(io.LimitReader(r, 4<<20)).Decode(&kept) == nil {
			name += map[string]string{MediaJPEG: ".jpg", MediaPNG: ".png", MediaWebP: ".webp"}[kept.MediaType]
		}
		r.Close()
	}
	return s.files.URL(ctx, scanPhotoKey(countID, photoID), s.docOpts.URLTTL, name)
}
