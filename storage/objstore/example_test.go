package objstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"pandian/storage/objstore"
)

// Filing a document for a SKU: the upload is stored once by content, and a
// small JSON record under the SKU points at it.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "objstore-example")
	defer os.RemoveAll(dir)
	st, err := objstore.NewLocal(dir, nil, "https://pandian.example.com")
	if err != nil {
		panic(err)
	}

	upload := strings.NewReader("%PDF-1.7 certificate of analysis") // the request body
	blob, err := objstore.PutContent(ctx, st, upload, 20<<20, "application/pdf")
	switch {
	case errors.Is(err, objstore.ErrTooLarge): // 413
	case errors.Is(err, objstore.ErrUnavailable): // 503 + Retry-After
	case err != nil: // 500
	}
	record, _ := json.Marshal(map[string]any{"blob": blob.Key, "sha256": blob.SHA256, "name": "證書.pdf"})
	if _, err := objstore.PutBytes(ctx, st, "skus/4891028164456/documents/d1.json", record, "application/json"); err != nil {
		panic(err)
	}

	docs, _ := objstore.ListAll(ctx, st, "skus/4891028164456/documents/")
	url, _ := st.PresignGet(ctx, blob.Key, 5*time.Minute, "證書.pdf")
	fmt.Println(blob.Key)
	fmt.Println(len(docs), docs[0].Key)
	fmt.Println(strings.HasPrefix(url, "https://pandian.example.com/v1/files/blobs/sha256/"))
	// Output:
	// blobs/sha256/eb/ebbc92e2c986da711d1c96da36313c3ae89d682ae4484440f971f6ebdd76affb
	// 1 skus/4891028164456/documents/d1.json
	// true
}
