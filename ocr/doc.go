// Package ocr reads photos and PDF pages of bilingual (Traditional Chinese and
// English) purchase orders, delivery notes and invoices and turns them into
// structured line items.
//
// The package is an engine only: it knows nothing about HTTP, SQL, stock
// counts or the catalog. The pipeline is
//
//	LoadImage / RasterizePDF  bounded decoding of untrusted files
//	preprocess                paper detection and perspective rectification,
//	                          scaling by character height when the fixed
//	                          widths would leave it far from the size
//	                          Tesseract reads best, illumination flattening,
//	                          ruling-line removal
//	Engine.ReadPage           Tesseract's orientation detection (osd) once;
//	                          the page turned only when the detector says so
//	                          (read both ways and the better kept when it is
//	                          unsure); Tesseract (eng+chi_tra, psm 6) word
//	                          boxes with confidences, plus a second,
//	                          independent reading of every item-code-like
//	                          word (eng, one line, code characters only)
//	Extract                   rows from word positions. Pages with item
//	                          codes: column titles found by bilingual
//	                          keywords, qty × price = amount and EAN-13
//	                          checks, the document's code pattern,
//	                          subtotal − discount = total. Pages without
//	                          (receipts, any supplier's invoice): rows ending
//	                          in an amount in the amounts' column above the
//	                          totals, quantity, unit and price before it,
//	                          two-line items, discounts; labelled totals
//	                          (English and Chinese) confirmed by the lines,
//	                          cash less change or the subtotal and taxes.
//	                          Repairs only where a check confirms them; a
//	                          line that fails a check is returned flagged.
//	                          Header: dates in the common forms, day first
//	                          (Hong Kong, Macau) and flagged when ambiguous;
//	                          the document number from its label; the
//	                          supplier from the letterhead.
//
// Engine keeps one Tesseract client per worker, because a client is not safe
// for concurrent use, and parallelises across pages. Tesseract's own OpenMP
// threading is switched off (OMP_THREAD_LIMIT=1, set by NewEngine before the
// first client exists): on a shared machine it costs far more than it gains,
// and page-level parallelism scales better.
//
// Money is exposed as decimal strings with two decimals ("12.50"), never as
// floating point; quantities are int64.
package ocr
