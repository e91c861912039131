package ocr

import (
	"bytes"
	"compress/zlib"
	"io"
)

// pdfDrawingBytes adds up the size of the streams of a PDF other than
// images (page and form drawing operators, fonts, metadata), inflated
// when Flate-compressed, stopping once the total passes limit. It reads the
// file as bytes, without a PDF parser: what it needs is the dictionary
// before each "stream" keyword. The size of the drawing operators is what
// rendering a page costs, and a small file can inflate to gigabytes of
// them; images are bounded by their pixel count instead, and streams in
// other encodings are left to the rendering time limit.
func pdfDrawingBytes(b []byte, limit int64) int64 {
	var total int64
	for at := 0; ; {
		k := bytes.Index(b[at:], []byte("stream"))
		if k < 0 {
			return total
		}
		k += at
		at = k + len("stream")
		if k >= 3 && string(b[k-3:k]) == "end" {
			continue
		}
		// The data starts after an end of line (CRLF or LF).
		data := at
		switch {
		case bytes.HasPrefix(b[data:], []byte("\r\n")):
			data += 2
		case bytes.HasPrefix(b[data:], []byte("\n")), bytes.HasPrefix(b[data:], []byte("\r")):
			data++
		default:
			continue
		}
		// Its dictionary: from the object's start to the keyword.
		from := max(0, k-64<<10)
		o := bytes.LastIndex(b[from:k], []byte("obj"))
		if o < 0 {
			continue
		}
		dict := compactPDF(b[from+o : k])
		if !bytes.HasSuffix(bytes.TrimSpace(b[from+o:k]), []byte(">>")) || bytes.Contains(dict, []byte("/Subtype/Image")) {
			continue
		}
		if !bytes.Contains(dict, []byte("/Filter")) {
			// Not compressed: its bytes as they are, to its end.
			end := bytes.Index(b[data:], []byte("endstream"))
			if end < 0 {
				end = len(b) - data
			}
			if total += int64(end); total > limit {
				return total
			}
			continue
		}
		if !bytes.Contains(dict, []byte("/FlateDecode")) {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(b[data:]))
		if err != nil {
			continue
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, limit-total+1))
		zr.Close()
		if total += n; total > limit {
			return total
		}
	}
}

// compactPDF drops the white space of a dictionary's text, so that
// "/Subtype /Image" and "/Subtype/Image" read the same.
func compactPDF(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '\f', 0:
		default:
			out = append(out, c)
		}
	}
	return out
}
