// A small typed client of the pandian API, as a handheld app would write
// it: types generated from the server's /v1/openapi.json (api.d.ts, by
// openapi-typescript), requests through openapi-fetch. tsc must compile it
// with no error, then it runs against the server and prints what it saw
// as JSON for server/tsclient_test.go to check.
//
//   node build/client.js BASE_URL EMPLOYEE_CODE PIN
import createClient from "openapi-fetch";
import type { paths, components } from "./api.js";

type Scan = components["schemas"]["ScanInput"];

const [baseUrl, code, pin] = process.argv.slice(2);
if (!baseUrl || !code || !pin) {
  throw new Error("usage: client.js BASE_URL EMPLOYEE_CODE PIN");
}

const api = createClient<paths>({ baseUrl });

function fail(what: string, error: unknown, status: number): never {
  throw new Error(`${what}: ${status} ${JSON.stringify(error)}`);
}

const signin = await api.POST("/v1/auth/token", {
  body: { employee_code: code, pin, device_id: "ts-client" },
});
if (!signin.data) fail("sign in", signin.error, signin.response.status);
const token: string = signin.data.token;
api.use({
  onRequest({ request }) {
    request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
});

const me = await api.GET("/v1/me");
if (!me.data) fail("me", me.error, me.response.status);
const store = me.data.employee.scope[0] ?? "HK-TST";

// Catalog sync: the whole catalog page by page, then only what changed.
// A retired SKU comes as a tombstone (deleted: true): remove it.
const catalog = new Map<string, components["schemas"]["SKU"]>();
let cursor: string | undefined;
let syncCursor = "";
let pages = 0;
let tombstones = 0;
for (;;) {
  const page = await api.GET("/v1/skus", { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } });
  if (!page.data) fail("catalog", page.error, page.response.status);
  for (const item of page.data.skus) {
    if ("deleted" in item) {
      catalog.delete(item.sku);
      tombstones++;
    } else {
      catalog.set(item.sku, item);
    }
  }
  syncCursor = page.data.sync_cursor;
  pages++;
  if (!page.data.next_cursor) break;
  cursor = page.data.next_cursor;
}
const changed = await api.GET("/v1/skus", { params: { query: { cursor: syncCursor } } });
if (!changed.data) fail("catalog changes", changed.error, changed.response.status);

// What a handheld resolves offline: the product of the code it scans.
const scanned = "4894033001501";
const offline = [...catalog.values()].find((s) => s.barcodes.some((b) => b.code === scanned));
const lookup = await api.GET("/v1/lookup", { params: { query: { code: scanned } } });
if (!lookup.data) fail("lookup", lookup.error, lookup.response.status);

const opened = await api.POST("/v1/counts", {
  body: { location: store, scope: { categories: ["beverage"] } },
});
if (!opened.data) fail("open a count", opened.error, opened.response.status);
const countId = opened.data.id;

const stamp = Date.now();
const scans: Scan[] = [
  { event_id: `ts-${stamp}-1`, code: lookup.data.code, qty: 2, scanned_at: new Date().toISOString() },
  { event_id: `ts-${stamp}-2`, code: lookup.data.code, qty: 3, scanned_at: new Date().toISOString() },
];
const posted = await api.POST("/v1/counts/{id}/scans", {
  params: { path: { id: countId } },
  body: { scans },
});
if (!posted.data) fail("post scans", posted.error, posted.response.status);
// Sent again, as after a lost answer: nothing is counted twice.
const again = await api.POST("/v1/counts/{id}/scans", {
  params: { path: { id: countId } },
  body: { scans },
});
if (!again.data) fail("post scans again", again.error, again.response.status);

const report = await api.GET("/v1/counts/{id}/report", {
  params: { path: { id: countId }, query: { group_by: "sku" } },
});
if (!report.data) fail("report", report.error, report.response.status);
// The report is JSON unless CSV or XLSX is asked for.
if (typeof report.data === "string") throw new Error("report: not JSON");
const sku = lookup.data.sku;
const line = report.data.lines.find((l) => l.sku === sku);

// The audit log, page by page, to its end.
let auditEntries = 0;
let auditPages = 0;
let auditCursor: string | undefined;
for (;;) {
  const page = await api.GET("/v1/audit", { params: { query: { limit: 50, ...(auditCursor ? { cursor: auditCursor } : {}) } } });
  if (!page.data) fail("audit", page.error, page.response.status);
  auditEntries += page.data.entries.length;
  auditPages++;
  if (!page.data.next_cursor) break;
  auditCursor = page.data.next_cursor;
}

console.log(JSON.stringify({
  catalog: catalog.size,
  catalog_pages: pages,
  tombstones,
  changed_since_sync: changed.data.skus.length,
  offline_sku: offline?.sku ?? null,
  audit_entries: auditEntries,
  audit_pages: auditPages,
  employee: me.data.employee.code,
  sku: lookup.data.sku,
  count: countId,
  accepted: posted.data.accepted,
  duplicates: again.data.duplicates,
  counted: line?.counted_qty ?? null,
}));
