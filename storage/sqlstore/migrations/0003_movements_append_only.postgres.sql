-- Book movements (sales, receipts, transfers, count adjustments) are a
-- ledger: rows are only ever added.
CREATE FUNCTION movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'movements are append-only';
END
$$;
CREATE TRIGGER movements_no_change BEFORE UPDATE OR DELETE ON movements
FOR EACH ROW EXECUTE FUNCTION movements_append_only();
