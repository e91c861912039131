package objstore

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidateKey(t *testing.T) {
	for _, k := range []string{
		"a", "skus/ABC123/documents/d1.json", "skus/維他檸檬茶/說明書 v2.pdf",
		"blobs/sha256/ab/ab" + strings.Repeat("0", 62), "a..b/.c/..d", "tmpx/a", "x/tmp/a",
	} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", "/a", "a/", "a//b", "..", "a/../b", "./a", `a\b`, "a\x00", "a\tb", "\xc3", "tmp/a"} {
		if err := ValidateKey(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v", k, err)
		}
	}
}

func TestBlobSHA(t *testing.T) {
	h := "ab" + strings.Repeat("c", 62)
	if got := blobSHA(BlobKey(h)); got != h {
		t.Errorf("blobSHA(BlobKey) = %q", got)
	}
	for _, k := range []string{"blobs/sha256/ac/" + h, "blobs/sha256/ab/" + h + "0", "blobs/sha256/AB/AB" + h[2:], "skus/a"} {
		if got := blobSHA(k); got != "" {
			t.Errorf("blobSHA(%q) = %q", k, got)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "attachment",
		"a.pdf":             `attachment; filename=a.pdf`,
		"a b.pdf":           `attachment; filename="a b.pdf"`,
		"../../etc/passwd":  `attachment; filename=.._.._etc_passwd`,
		"x\r\nSet-Cookie:1": `attachment; filename="xSet-Cookie:1"`,
		"維他.pdf":            `attachment; filename*=utf-8''%E7%B6%AD%E4%BB%96.pdf`,
	} {
		if got := ContentDisposition(in); got != want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLimitReader(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 100)
	for _, c := range []struct {
		max     int64
		tooLong bool
	}{{99, true}, {100, false}, {101, false}, {1, true}} {
		// One byte at a time and in large reads.
		for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
			got, err := io.ReadAll(&limitReader{r: r, n: c.max, max: c.max})
			if c.tooLong != errors.Is(err, ErrTooLarge) || int64(len(got)) > c.max {
				t.Errorf("max %d: %d bytes, %v", c.max, len(got), err)
			}
		}
	}
}
