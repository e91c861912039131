package stock

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// hashFields hashes an ordered list of fields unambiguously (each is length
// prefixed), for idempotency keys.
func hashFields(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
