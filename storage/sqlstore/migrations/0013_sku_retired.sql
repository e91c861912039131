-- Retiring a SKU (DELETE /v1/skus/{sku}): the row stays, so that its
-- scans, movements, counts and reports keep their product, and is stamped
-- with retired_at (NULL: in the catalog) and a new change_seq, so that
-- catalog sync hands it to devices as a tombstone. Putting the SKU again
-- (PUT or a catalog import) clears retired_at.
ALTER TABLE skus ADD COLUMN retired_at BIGINT;
