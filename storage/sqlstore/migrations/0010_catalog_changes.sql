-- Catalog sync: every write to the catalog (a SKU, its barcodes) takes the
-- next number of catalog_clock, one per transaction, and stamps the SKUs it
-- touched with it. The row lock on catalog_clock makes writers take turns
-- until they commit, so numbers become visible in order: a device that has
-- seen everything up to n asks for change_seq > n and misses nothing.
-- SKUs are never deleted (nothing in the API or imports removes one), so
-- there are no tombstones: a changed name or barcode list moves the SKU to
-- the end of the change order.
ALTER TABLE skus ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX skus_change ON skus (change_seq, sku);
CREATE TABLE catalog_clock (
    id  INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO catalog_clock (id, seq) VALUES (1, 0);
-- Keyset paging of the lists: each ORDER BY has an index.
CREATE INDEX counts_opened ON counts (opened_at, id);
CREATE INDEX documents_created ON documents (created_at, id);
CREATE INDEX locations_path_code ON locations (path, code);
