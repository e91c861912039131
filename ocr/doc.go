// Package ocr reads photos and PDF pages of bilingual (Traditional Chinese and
// English) purchase orders, delivery notes and invoices and turns them into
// structured line items.
//
// The package is an engine only: it knows nothing about HTTP, SQL, stock
// counts or the catalog. The pipeline is
//
//	LoadImage / RasterizePDF  bounded decoding of untrusted files
//	preprocess                paper detection and perspective rectification,
//	                          illumination flattening, ruling-line removal
//	Engine.ReadPage           Tesseract (eng+chi_tra, psm 6) word boxes with
//	                          confidences, plus a second, independent reading
//	                          of every item-code-like word (eng, one line,
//	                          code characters only)
//	Extract                   rows from word positions, column titles found by
//	                          bilingual keywords, qty × price = amount and
//	                          EAN-13 checks, repairs only where a check
//	                          confirms them, the document's code pattern,
//	                          subtotal − discount = total, review flags
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
