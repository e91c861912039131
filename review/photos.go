package review

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// PhotoViewer is optional: when the Service also implements it (as
// *stock.Service does), a scan's photo is shown inline on the pages, with
// a box drawn where each barcode was found, instead of downloaded.
type PhotoViewer interface {
	ScanPhotoInfo(ctx context.Context, actor stock.Actor, countID, photoID string) (stock.ScanPhotoInfo, error)
	// ScanPhotoImage opens the photo (the caller closes it) with its media type.
	ScanPhotoImage(ctx context.Context, actor stock.Actor, countID, photoID string) (io.ReadCloser, string, error)
}

// photoBox is a barcode's outline on a photo, in the photo's pixels.
type photoBox struct {
	N            int    // 1-based, as in the caption
	Points       string // SVG polygon points
	LabelX       float64
	LabelY       float64
	Text, Format string
	SKU          string
}

// photoView is a photo with its barcodes, for the "photofig" template.
type photoView struct {
	CountID, ID   string
	Src           string // the image, served by the pages
	Page          string // the photo's own page
	Width, Height int
	Font, Stroke  float64 // label size and outline in the photo's pixels
	Boxes         []photoBox
}

// photoMaxInline is how many photos a drill-down shows inline.
const photoMaxInline = 6

// twoD are the 2D symbologies: their points are corners (or finder
// patterns); a 1D barcode's first two points are the ends of its scan
// line (further ones come from the search for an add-on).
var twoD = map[string]bool{"QR_CODE": true, "DATA_MATRIX": true, "AZTEC": true, "PDF_417": true, "MAXICODE": true}

// outline turns the points where a barcode of format was found into a
// polygon: a 1D barcode's scan line into a band across its bars, three
// points (a QR code's finder patterns) into the square they span, one into
// a small square; more as they are.
func outline(format string, pts [][2]float64, w, h int) [][2]float64 {
	if !twoD[format] && len(pts) > 2 {
		pts = pts[:2]
	}
	side := float64(max(w, h))
	switch len(pts) {
	case 0:
		return nil
	case 1:
		d := side / 60
		p := pts[0]
		return [][2]float64{{p[0] - d, p[1] - d}, {p[0] + d, p[1] - d}, {p[0] + d, p[1] + d}, {p[0] - d, p[1] + d}}
	case 2:
		a, b := pts[0], pts[1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			return outline(format, pts[:1], w, h)
		}
		// Bars are across the scan line: a band a third of the code's
		// length high, and a little longer than the line.
		hh := math.Max(l*0.2, side/100)
		nx, ny := -dy/l*hh, dx/l*hh
		ex, ey := dx/l*l*0.04, dy/l*l*0.04
		return [][2]float64{{a[0] - ex + nx, a[1] - ey + ny}, {b[0] + ex + nx, b[1] + ey + ny}, {b[0] + ex - nx, b[1] + ey - ny}, {a[0] - ex - nx, a[1] - ey - ny}}
	case 3:
		a, b, c := pts[0], pts[1], pts[2]
		return [][2]float64{a, b, c, {a[0] + c[0] - b[0], a[1] + c[1] - b[1]}}
	}
	return pts
}

// newPhotoView lays out a photo's barcodes as boxes.
func newPhotoView(prefix, countID string, info stock.ScanPhotoInfo) photoView {
	base := prefix + "/counts/" + url.PathEscape(countID) + "/photos/" + url.PathEscape(info.ID)
	v := photoView{CountID: countID, ID: info.ID, Src: base + "/image", Page: base, Width: info.Width, Height: info.Height}
	side := float64(max(info.Width, info.Height))
	v.Font, v.Stroke = math.Round(math.Max(side/40, 12)), math.Round(math.Max(side/300, 2))
	for i, b := range info.Barcodes {
		poly := outline(b.Format, b.Points, info.Width, info.Height)
		box := photoBox{N: i + 1, Text: b.Text, Format: b.Format, SKU: b.SKU}
		if len(poly) > 0 && info.Width > 0 && info.Height > 0 {
			var sb strings.Builder
			minX, minY := math.Inf(1), math.Inf(1)
			for j, p := range poly {
				x := math.Min(math.Max(p[0], 0), float64(info.Width))
				y := math.Min(math.Max(p[1], 0), float64(info.Height))
				if j > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64))
				minX, minY = math.Min(minX, x), math.Min(minY, y)
			}
			box.Points = sb.String()
			box.LabelX, box.LabelY = math.Round(minX), math.Round(math.Max(minY-v.Font/3, v.Font))
		}
		// Texts as decoded may carry GS1 separators: shown as spaces.
		box.Text = strings.Map(func(r rune) rune {
			if r < 0x20 {
				return ' '
			}
			return r
		}, box.Text)
		v.Boxes = append(v.Boxes, box)
	}
	return v
}

// photoPage shows a scan's photo inline with its barcodes' boxes (or,
// without a PhotoViewer, sends the browser to a download link).
func (h *Pages) photo(q *req) error {
	id, pid := param(q.c, "id"), param(q.c, "photo")
	pv, ok := h.svc.(PhotoViewer)
	if !ok {
		if h.photos == nil {
			return h.renderError(q.c, q.L, http.StatusNotFound, "")
		}
		u, err := h.photos.ScanPhoto(q.ctx, q.actor, id, pid)
		if err != nil {
			return h.pageError(q, err)
		}
		return q.c.Redirect(u, http.StatusSeeOther)
	}
	info, err := pv.ScanPhotoInfo(q.ctx, q.actor, id, pid)
	if err != nil {
		return h.pageError(q, err)
	}
	p := h.newPage(q, q.L.T("photo.title"))
	p.D = newPhotoView(h.opts.Prefix, id, info)
	return h.render(q.c, "photo", p)
}

// photoImage answers the photo itself, to be shown inline: its media
// type, inline disposition with a file name that has its extension.
func (h *Pages) photoImage(q *req) error {
	pv, ok := h.svc.(PhotoViewer)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	pid := param(q.c, "photo")
	// Streamed to the client after the handler returns, under a deadline
	// of its own (the request's ends with the handler); closing the body
	// stream, which the server does once it is sent, ends it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(q.ctx), h.opts.Timeout)
	r, media, err := pv.ScanPhotoImage(ctx, q.actor, param(q.c, "id"), pid)
	if err != nil {
		cancel()
		return h.pageError(q, err)
	}
	ext := map[string]string{stock.MediaJPEG: ".jpg", stock.MediaPNG: ".png", stock.MediaWebP: ".webp"}[media]
	disp := "inline"
	if ext == "" {
		// Not an image the pages show: a download.
		disp = "attachment"
	}
	q.c.Set(fiber.HeaderContentType, media)
	q.c.Set(fiber.HeaderContentDisposition, disp+`; filename="photo-`+safeFilename(pid)+ext+`"`)
	q.c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	q.c.Response().SetBodyStream(cancelOnClose{r, cancel}, -1)
	return nil
}

// cancelOnClose is a body stream that ends its context when closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}

// photoViews are the photos a line's scans were read from (the first
// photoMaxInline), laid out for the drill-down.
func (h *Pages) photoViews(q *req, countID string, scans []stock.Scan) []photoView {
	pv, ok := h.svc.(PhotoViewer)
	if !ok {
		return nil
	}
	var out []photoView
	seen := map[string]bool{}
	for _, s := range scans {
		pid := PhotoID(s)
		if pid == "" || seen[pid] || len(out) >= photoMaxInline {
			continue
		}
		seen[pid] = true
		info, err := pv.ScanPhotoInfo(q.ctx, q.actor, countID, pid)
		if err != nil {
			if stock.ErrorCode(err) != stock.ENotFound {
				h.opts.Logger.Warn("review photo", "count", countID, "photo", pid, "err", err)
			}
			continue
		}
		out = append(out, newPhotoView(h.opts.Prefix, countID, info))
	}
	return out
}
