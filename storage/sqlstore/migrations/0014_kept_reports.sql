-- A held count's report, kept for its pages (issue 13: a page of a
-- 100k-line count in well under 300 ms, first request included).
--
-- Once a count is closed (in review) or posted, its report changes only
-- when its inputs do: its state (a recount, the approval), its counted
-- scans and unknown codes (counters kept at ingest, migration 0012; late
-- scans are not the report's), its SKUs in the catalog (their change_seq
-- after the catalog_clock it was kept at, migration 0010); movements after the close do not count, except under
-- reject_changed, whose reports are not kept. The domain computes the
-- report once (the same computeLines as every report) and keeps its lines
-- here with the stamp of those inputs; a page sorts, filters and pages
-- them in SQL and sums the matching ones in one aggregate query (none
-- without a filter: the summary has the whole report's). The columns a
-- page filters, sorts and sums by are in count_report_lines, narrow, so
-- that a query over every line reads little; each line as the report has
-- it (JSON) is in count_report_json, read for the page's lines only. Both
-- are stored in (count_id, sku) order on SQLite (WITHOUT ROWID): a pass
-- over a count's lines reads them in place. A stamp
-- that no longer matches means the kept lines are not used (and are
-- computed again).
CREATE TABLE count_reports (
    count_id TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    built_at BIGINT NOT NULL,
    summary  TEXT NOT NULL  -- JSON: totals, the by-role groups, unresolved codes, lots, filter lists
);
CREATE TABLE count_report_lines (
    count_id    TEXT NOT NULL,
    sku         TEXT {{C}} NOT NULL,
    sku_lc      TEXT NOT NULL,     -- lower-cased, for the search
    name_lc     TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    category    TEXT NOT NULL,
    status      TEXT NOT NULL,
    zones       TEXT NOT NULL,     -- '|Z1|Z2|', for the filters
    roles       TEXT NOT NULL,
    counted_by  TEXT NOT NULL,
    variance_qty   BIGINT NOT NULL,
    abs_qty        BIGINT NOT NULL,
    variance_value BIGINT NOT NULL,
    abs_value      BIGINT NOT NULL,
    within_tol  INTEGER NOT NULL,
    recounted   INTEGER NOT NULL,
    postable    INTEGER NOT NULL,  -- not ignored, a variance, no recount required
    PRIMARY KEY (count_id, sku)
) {{CLUSTERED}};
CREATE TABLE count_report_json (
    count_id TEXT NOT NULL,
    sku      TEXT {{C}} NOT NULL,
    line     TEXT NOT NULL,
    PRIMARY KEY (count_id, sku)
) {{CLUSTERED}};
-- The page's orders, each covering the folding and the variance filter
-- (a page of them reads the index alone).
CREATE INDEX count_report_lines_abs ON count_report_lines (count_id, abs_value DESC, sku, status, variance_qty);
CREATE INDEX count_report_lines_qty ON count_report_lines (count_id, abs_qty DESC, sku, status, variance_qty);
CREATE INDEX count_report_lines_sku ON count_report_lines (count_id, sku, status, variance_qty);
