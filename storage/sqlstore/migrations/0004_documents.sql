-- Documents: uploaded originals (in the object store under blob_key), what
-- reading them found (content, JSON), and their goods receipt (JSON).
CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    location      TEXT NOT NULL,
    location_path TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    progress      DOUBLE PRECISION NOT NULL,
    pages         INTEGER NOT NULL,
    error         TEXT NOT NULL,
    content       TEXT NOT NULL,
    filed_at      BIGINT NOT NULL,
    receipt       TEXT NOT NULL,
    receipt_hash  TEXT NOT NULL
);
CREATE INDEX documents_sha256 ON documents (sha256);

-- The SKUs each document concerns (given at upload or matched from its lines).
CREATE TABLE document_skus (
    document_id TEXT NOT NULL REFERENCES documents (id),
    sku         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (document_id, sku)
);
CREATE INDEX document_skus_sku ON document_skus (sku, created_at);

-- When each SKU's folder was made in the object store (0: not yet).
ALTER TABLE skus ADD COLUMN folder_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX skus_folder ON skus (folder_at);
