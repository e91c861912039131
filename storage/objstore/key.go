package objstore

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Key limits. MaxKeyLen is the S3 limit; MaxSegmentLen keeps every segment
// a legal file name on the local backend.
const (
	MaxKeyLen     = 1024
	MaxSegmentLen = 255
)

// BlobPrefix is where PutContent files content by its SHA-256.
const BlobPrefix = "blobs/sha256/"

// tmpPrefix holds in-flight uploads on S3 (expired by a bucket lifecycle
// rule). It is reserved on every backend so keys mean the same everywhere.
const tmpPrefix = "tmp/"

// ValidateKey reports whether key is acceptable: valid UTF-8 of at most
// MaxKeyLen bytes, made of non-empty slash-separated segments of at most
// MaxSegmentLen bytes, none of them "." or "..", with no leading or
// trailing slash, no backslash and no control characters (NUL included),
// and not under the reserved "tmp/". The error wraps ErrInvalidKey.
func ValidateKey(key string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, truncate(key), why)
	}
	switch {
	case key == "":
		return bad("empty")
	case len(key) > MaxKeyLen:
		return bad(fmt.Sprintf("longer than %d bytes", MaxKeyLen))
	case !utf8.ValidString(key):
		return bad("not UTF-8")
	case strings.HasPrefix(key, tmpPrefix):
		return bad("tmp/ is reserved")
	}
	for _, r := range key {
		switch {
		case r == '\\':
			return bad("backslash")
		case r < 0x20 || r == 0x7f:
			return bad("control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return bad("empty segment (leading, trailing or double slash)")
		case seg == "." || seg == "..":
			return bad(`"." or ".." segment`)
		case len(seg) > MaxSegmentLen:
			return bad(fmt.Sprintf("segment longer than %d bytes", MaxSegmentLen))
		}
	}
	return nil
}

// validPrefix checks a List prefix: "" or a prefix of some valid key.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	// A prefix may end in a slash or in a partial segment; checking it
	// with a final segment appended covers both.
	if err := ValidateKey(prefix + "x"); err != nil {
		return fmt.Errorf("%w (prefix)", err)
	}
	return nil
}

// BlobKey returns the key PutContent uses for content with the given
// lowercase hex SHA-256: "blobs/sha256/<h[0:2]>/<h>".
func BlobKey(sha256Hex string) string {
	return BlobPrefix + sha256Hex[:2] + "/" + sha256Hex
}

// blobSHA returns the hash named by a blob key, or "".
func blobSHA(key string) string {
	rest, ok := strings.CutPrefix(key, BlobPrefix)
	if !ok || len(rest) != 3+64 || rest[2] != '/' || rest[:2] != rest[3:5] {
		return ""
	}
	h := rest[3:]
	for i := 0; i < len(h); i++ {
		if !('0' <= h[i] && h[i] <= '9' || 'a' <= h[i] && h[i] <= 'f') {
			return ""
		}
	}
	return h
}

func truncate(s string) string {
	if len(s) <= 80 {
		return s
	}
	return s[:80] + "…"
}
