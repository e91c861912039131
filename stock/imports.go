package stock

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Import kinds.
const (
	ImportCatalog   = "catalog"
	ImportStock     = "stock"
	ImportEmployees = "employees"
	ImportLocations = "locations"
)

// importColumns are the required header columns of each import.
var importColumns = map[string][]string{
	ImportCatalog:   {"sku", "name", "name_zh", "category", "unit_cost", "barcode", "pack_qty"},
	ImportStock:     {"sku", "location", "qty"},
	ImportEmployees: {"code", "name", "role", "scope", "pin"},
	ImportLocations: {"code", "name", "kind", "parent", "approval_limit"},
}

// ImportError is a row that was not imported, with its CSV line number.
type ImportError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportResult summarises an import. Rows with errors are skipped; the
// others are applied together in one transaction. Errors lists the first
// MaxImportErrors of them; ErrorCount counts them all.
type ImportResult struct {
	Rows       int           `json:"rows"`
	Created    int           `json:"created"`
	Updated    int           `json:"updated"`
	ErrorCount int           `json:"error_count"`
	Errors     []ImportError `json:"errors"`
}

// tally counts a row as created or updated.
func (r *ImportResult) tally(created bool) {
	if created {
		r.Created++
	} else {
		r.Updated++
	}
}

// fail records a row that was not imported: counted always, listed while
// fewer than MaxImportErrors are.
func (r *ImportResult) fail(line int, err error) {
	r.ErrorCount++
	if len(r.Errors) < MaxImportErrors {
		r.Errors = append(r.Errors, ImportError{Line: line, Message: ErrorMessage(err)})
	}
}

// mark returns a function that puts the result back as it is now: a
// transaction that is run again (a retry) must not count its rows twice.
func (r *ImportResult) mark() func() {
	rows, created, updated, count, listed := r.Rows, r.Created, r.Updated, r.ErrorCount, len(r.Errors)
	return func() {
		r.Rows, r.Created, r.Updated, r.ErrorCount, r.Errors = rows, created, updated, count, r.Errors[:listed]
	}
}

// auditImport records an applied import in the audit log.
func (s *Service) auditImport(tx AuditStore, actor Actor, kind string, res *ImportResult) error {
	return s.audit(tx, actor, "import."+kind, kind, map[string]any{"rows": res.Rows, "created": res.Created, "updated": res.Updated, "errors": res.ErrorCount})
}

// MaxImportErrors bounds the errors listed in a result.
const MaxImportErrors = 1000

// MaxImportRecord bounds one CSV record (a line, or the lines of a quoted
// field) of an import: a longer one is not master data, and refusing it
// keeps memory bounded whatever the file holds.
const MaxImportRecord = 64 << 10

// importChunk is how many rows an import looks up in the database at once.
const importChunk = 1000

// csvRow is a parsed data row with its line number, fields by column name.
type csvRow struct {
	line int
	f    map[string]string
}

// importInput hands an import's body to the CSV reader, checking on the
// way that it is UTF-8 and that no record grows past MaxImportRecord.
type importInput struct {
	b       []byte
	pos     int // bytes handed out
	checked int // bytes checked as UTF-8
	mark    int // offset of the end of the last record read
	line    int // line of the last record read
}

func (in *importInput) Read(p []byte) (int, error) {
	if in.pos >= len(in.b) {
		return 0, io.EOF
	}
	// The CSV reader reads ahead by its buffer (4 KiB): past that, the
	// bytes after the last record are one record that is too long.
	if in.pos-in.mark > MaxImportRecord+8<<10 {
		if in.line == 0 {
			return 0, Errorf(EInvalid, "the header row is longer than %d KiB; check the file is an import CSV", MaxImportRecord>>10).With("line", 1)
		}
		return 0, Errorf(EInvalid, "the record after line %d is longer than %d KiB; check the file is an import CSV", in.line, MaxImportRecord>>10).With("line", in.line+1)
	}
	n := copy(p, in.b[in.pos:])
	end := in.pos + n
	for end < len(in.b) && end-in.pos-n < utf8.UTFMax && !utf8.RuneStart(in.b[end]) {
		end++ // finish the rune the chunk cuts
	}
	if end > in.checked {
		if chunk := in.b[in.checked:end]; !utf8.Valid(chunk) {
			off := in.checked + firstInvalidUTF8(chunk)
			line := bytes.Count(in.b[:off], []byte("\n")) + 1
			return 0, Errorf(EInvalid, "the file is not UTF-8 (line %d); save it as CSV UTF-8", line).With("line", line)
		}
		in.checked = end
	}
	in.pos += n
	return n, nil
}

// rowReader reads an import's data rows one at a time: a file of any
// length is read in bounded memory.
type rowReader struct {
	cols  []string
	index map[string]int
	in    *importInput
	r     *csv.Reader
}

// openCSV checks the header of an import. Any problem of the file (a bad
// header, encoding or CSV syntax) is fatal: nothing is imported.
func openCSV(kind string, body []byte) (*rowReader, error) {
	cols, ok := importColumns[kind]
	if !ok {
		return nil, Errorf(ENotFound, "unknown import %q: use catalog, stock, employees or locations", kind)
	}
	in := &importInput{b: bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))}
	rr := &rowReader{cols: cols, index: map[string]int{}, in: in, r: csv.NewReader(in)}
	rr.r.FieldsPerRecord = -1
	rr.r.ReuseRecord = true
	header, err := rr.read()
	if err == io.EOF {
		return nil, Errorf(EInvalid, "the file is empty; it needs a header row: %s", strings.Join(cols, ","))
	}
	if err != nil {
		return nil, err
	}
	for i, h := range header {
		rr.index[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range cols {
		if _, ok := rr.index[c]; !ok {
			return nil, Errorf(EInvalid, "the header has no column %q; expected %s", c, strings.Join(cols, ",")).With("line", 1)
		}
	}
	return rr, nil
}

// read reads one record and notes where it ended.
func (rr *rowReader) read() ([]string, error) {
	rec, err := rr.r.Read()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, csvError(err)
	}
	rr.in.mark = int(rr.r.InputOffset())
	rr.in.line, _ = rr.r.FieldPos(len(rec) - 1)
	return rec, nil
}

// next returns the next data row (blank lines are skipped), io.EOF after
// the last one.
func (rr *rowReader) next() (csvRow, error) {
	for {
		rec, err := rr.read()
		if err != nil {
			return csvRow{}, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := rr.r.FieldPos(0)
		f := make(map[string]string, len(rr.cols))
		for _, c := range rr.cols {
			if i := rr.index[c]; i < len(rec) {
				f[c] = strings.TrimSpace(rec[i])
			}
		}
		return csvRow{line: line, f: f}, nil
	}
}

// done is the share of the file read.
func (rr *rowReader) done() float64 {
	if len(rr.in.b) == 0 {
		return 1
	}
	return float64(rr.in.pos) / float64(len(rr.in.b))
}

// noProgress is the progress of work done inside a write transaction: a
// job's progress is itself a write, which would wait for that transaction
// (SQLite has one writer), so none is reported there.
func noProgress(float64) {}

// each calls fn for every data row, counting them in res.Rows and telling
// progress (from 0.1 to 0.9) the share read.
func (rr *rowReader) each(res *ImportResult, progress func(float64), fn func(csvRow) error) error {
	for {
		r, err := rr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		res.Rows++
		if res.Rows%10000 == 0 {
			progress(0.1 + 0.8*rr.done())
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Errorf(EInvalid, "malformed CSV at line %d: %s", pe.Line, pe.Err).With("line", pe.Line)
	}
	return Errorf(EInvalid, "malformed CSV: %s", err)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// Import applies a CSV import (admin). progress, when not nil, is told the
// share of the work done. The rows are read one at a time: memory grows
// with the rows that are applied, not with the file (a file of failing
// rows keeps only the first MaxImportErrors errors and their count).
func (s *Service) Import(ctx context.Context, actor Actor, kind string, body []byte, progress func(float64)) (ImportResult, error) {
	res := ImportResult{Errors: []ImportError{}}
	if err := actor.Require(PermMasterData); err != nil {
		return res, err
	}
	rr, err := openCSV(kind, body)
	if err != nil {
		return res, err
	}
	if progress == nil {
		progress = func(float64) {}
	}
	progress(0.1)
	slog.Info("import started", "kind", kind, "bytes", len(body), "actor", actor.Employee.Code)
	switch kind {
	case ImportCatalog:
		err = s.importCatalog(ctx, actor, rr, &res, progress)
	case ImportStock:
		err = s.importStock(ctx, actor, body, &res)
	case ImportEmployees:
		err = s.importEmployees(ctx, actor, body, &res, progress)
	case ImportLocations:
		err = s.importLocations(ctx, actor, body, &res)
	}
	if err != nil {
		return ImportResult{Errors: []ImportError{}}, err
	}
	slog.Info("import done", "kind", kind, "rows", res.Rows, "created", res.Created, "updated", res.Updated, "errors", res.ErrorCount)
	progress(1)
	return res, nil
}

func (s *Service) importCatalog(ctx context.Context, actor Actor, rr *rowReader, res *ImportResult, progress func(float64)) error {
	type item struct {
		sku   SKU
		keys  []string
		lines []int
		first int
	}
	items := map[string]*item{}
	var order []string
	rowErr := func(r csvRow, err error) { res.fail(r.line, err) }
	err := rr.each(res, progress, func(r csvRow) error {
		pack := int64(1)
		if p := r.f["pack_qty"]; p != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				rowErr(r, Errorf(EInvalid, "pack_qty %q is not a whole number", p))
				return nil
			}
			pack = n
		}
		cost, err := ParseMoney(r.f["unit_cost"])
		if err != nil {
			rowErr(r, err)
			return nil
		}
		in := SKUInput{Name: r.f["name"], NameZh: r.f["name_zh"], Category: r.f["category"], UnitCost: &cost}
		if r.f["barcode"] != "" {
			in.Barcodes = []Barcode{{Code: r.f["barcode"], PackQty: pack}}
		}
		sku, keys, err := s.validateSKU(r.f["sku"], in)
		if err != nil {
			rowErr(r, err)
			return nil
		}
		it := items[sku.SKU]
		if it == nil {
			it = &item{sku: sku, first: r.line}
			it.sku.Barcodes = nil
			items[sku.SKU] = it
			order = append(order, sku.SKU)
		} else if it.sku.Name != sku.Name || it.sku.UnitCost != sku.UnitCost || it.sku.Category != sku.Category || it.sku.NameZh != sku.NameZh {
			rowErr(r, Errorf(EInvalid, "SKU %s is listed with other name, category or cost on line %d", sku.SKU, it.first))
			return nil
		}
		if len(keys) == 1 {
			if contains(it.keys, keys[0]) {
				rowErr(r, Errorf(EInvalid, "barcode %s is listed twice for %s", sku.Barcodes[0].Code, sku.SKU))
				return nil
			}
			it.sku.Barcodes = append(it.sku.Barcodes, sku.Barcodes[0])
			it.keys = append(it.keys, keys[0])
			it.lines = append(it.lines, r.line)
		}
		return nil
	})
	if err != nil {
		return err
	}
	restore := res.mark()
	return s.store.Write(ctx, func(tx Tx) error {
		restore()
		existing, err := tx.SKUs(order)
		if err != nil {
			return err
		}
		var allKeys []string
		owner := map[string]string{}
		for _, k := range order {
			for i, key := range items[k].keys {
				if o, ok := owner[key]; ok && o != k {
					res.fail(items[k].lines[i], Errorf(EInvalid, "barcode %s is already given to %s in this file", items[k].sku.Barcodes[i].Code, o))
					items[k].keys[i] = ""
					continue
				}
				owner[key] = k
				allKeys = append(allKeys, key)
			}
		}
		taken, err := tx.LookupBarcodes(allKeys)
		if err != nil {
			return err
		}
		batch := make([]SKU, 0, len(order))
		batchKeys := make([][]string, 0, len(order))
		for _, k := range order {
			it := items[k]
			var bcs []Barcode
			var keys []string
			for i, key := range it.keys {
				if key == "" {
					continue
				}
				if m, ok := taken[key]; ok && m.SKU != k {
					res.fail(it.lines[i], Errorf(EInvalid, "barcode %s belongs to %s", it.sku.Barcodes[i].Code, m.SKU))
					continue
				}
				bcs = append(bcs, it.sku.Barcodes[i])
				keys = append(keys, key)
			}
			it.sku.Barcodes = bcs
			batch = append(batch, it.sku)
			batchKeys = append(batchKeys, keys)
			_, ok := existing[k]
			res.tally(!ok)
		}
		if err := tx.PutSKUs(batch, batchKeys); err != nil {
			return err
		}
		return s.auditImport(tx, actor, ImportCatalog, res)
	})
}

func (s *Service) importStock(ctx context.Context, actor Actor, body []byte, res *ImportResult) error {
	type set struct {
		line     int
		sku, loc string
		cat      string // the SKU's category (a count's scope)
		qty      int64
		bad      error // the row is refused as it is read
	}
	now := s.Now().UTC()
	// The file is read inside the transaction, a chunk of rows at a time
	// (its SKUs and locations looked up together); the rows that pass are
	// kept (at most Config.MaxStockImportLevels) and applied once the file is
	// read, in key order: each chunk of levels is locked first
	// (LockLevels) and its movements computed from the levels as locked,
	// so a posting committed while the file was read is not overwritten,
	// and the import takes the levels in a posting's order (applied a
	// chunk at a time in the file's order, an import of more than a chunk
	// deadlocked with postings of levels in two of its chunks).
	return s.store.Write(ctx, func(tx Tx) error {
		// Before any location is read (see HoldLocations).
		if err := tx.HoldLocations(); err != nil {
			return err
		}
		*res = ImportResult{Errors: []ImportError{}}
		rr, err := openCSV(ImportStock, body)
		if err != nil {
			return err
		}
		frozen, err := tx.OpenCounts(PolicyFreeze)
		if err != nil {
			return err
		}
		locs := map[string]Location{}
		seen := map[[2]string]int{}
		chunk := make([]set, 0, importChunk)
		var sets []set
		limit := s.cfg.MaxStockImportLevels
		if limit <= 0 {
			limit = DefaultConfig().MaxStockImportLevels
		}
		check := func() error {
			var skuCodes, locCodes []string
			for _, st := range chunk {
				if st.bad != nil {
					continue
				}
				skuCodes = append(skuCodes, st.sku)
				if _, ok := locs[st.loc]; !ok {
					locCodes = append(locCodes, st.loc)
				}
			}
			skus, err := tx.SKUs(skuCodes)
			if err != nil {
				return err
			}
			found, err := tx.LocationsByCode(locCodes)
			if err != nil {
				return err
			}
			for code, l := range found {
				locs[code] = l
			}
			for _, st := range chunk {
				if st.bad != nil {
					res.fail(st.line, st.bad)
					continue
				}
				sku, ok := skus[st.sku]
				if !ok {
					res.fail(st.line, Errorf(EInvalid, "SKU %s does not exist", st.sku))
					continue
				}
				loc, ok := locs[st.loc]
				if !ok {
					res.fail(st.line, Errorf(EInvalid, "location %s does not exist", st.loc))
					continue
				}
				key := [2]string{st.loc, st.sku}
				if line, dup := seen[key]; dup {
					res.fail(st.line, Errorf(EInvalid, "%s at %s is already set on line %d", st.sku, st.loc, line))
					continue
				}
				seen[key] = st.line
				if c := frozenBy(frozen, loc, sku); c != nil {
					res.fail(st.line, frozenRow(c, st.sku))
					continue
				}
				st.cat = sku.Category
				if len(sets) == limit {
					return Errorf(ETooLarge, "a stock import sets at most %d levels (line %d is one more); split the file by location", limit, st.line).With("line", st.line)
				}
				sets = append(sets, st)
			}
			chunk = chunk[:0]
			return nil
		}
		err = rr.each(res, noProgress, func(r csvRow) error {
			// Errors are listed in line order: a refused row waits in
			// the chunk for the lookups of the rows before it.
			st := set{line: r.line, sku: r.f["sku"], loc: r.f["location"]}
			q, err := strconv.ParseInt(r.f["qty"], 10, 64)
			if err != nil || q < 0 || q > 1_000_000_000 {
				st.bad = Errorf(EInvalid, "qty %q must be a whole number from 0", r.f["qty"])
			}
			st.qty = q
			chunk = append(chunk, st)
			if len(chunk) == importChunk {
				return check()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := check(); err != nil {
			return err
		}
		seen = nil
		// The freeze counts again, under the stock locks of the stores
		// written (LockStoreStock): a count opened at one of them since the
		// file was first checked is seen here and its rows are refused as
		// above; one opened from now on waits for this import.
		used := map[string]Location{}
		for _, st := range sets {
			used[st.loc] = locs[st.loc]
		}
		if err := tx.LockStoreStock(storeCodes(used), false); err != nil {
			return err
		}
		again, err := tx.OpenCounts(PolicyFreeze)
		if err != nil {
			return err
		}
		var since []Count
		for _, c := range again {
			if !slices.ContainsFunc(frozen, func(o Count) bool { return o.ID == c.ID }) {
				since = append(since, c)
			}
		}
		if len(since) > 0 {
			kept := sets[:0]
			for _, st := range sets {
				if c := frozenBy(since, locs[st.loc], SKU{SKU: st.sku, Category: st.cat}); c != nil {
					res.fail(st.line, frozenRow(c, st.sku))
					continue
				}
				kept = append(kept, st)
			}
			sets = kept
			// Errors are listed in line order.
			slices.SortStableFunc(res.Errors, func(a, b ImportError) int { return a.Line - b.Line })
		}
		slices.SortFunc(sets, func(a, b set) int {
			if c := strings.Compare(a.loc, b.loc); c != 0 {
				return c
			}
			return strings.Compare(a.sku, b.sku)
		})
		keys := make([][2]string, 0, importChunk)
		moves := make([]Movement, 0, importChunk)
		hashes := make([]string, 0, importChunk)
		for len(sets) > 0 {
			part := sets[:min(importChunk, len(sets))]
			sets = sets[len(part):]
			keys, moves, hashes = keys[:0], moves[:0], hashes[:0]
			for _, st := range part {
				keys = append(keys, [2]string{st.loc, st.sku})
			}
			levels, err := tx.LockLevels(keys)
			if err != nil {
				return err
			}
			for _, st := range part {
				cur := levels[[2]string{st.loc, st.sku}]
				created := cur.Version == 0
				res.tally(created)
				if !created && cur.Qty == st.qty {
					continue
				}
				m := setStock(cur, st.sku, st.loc, st.qty, now, actor.Employee.Code, "import")
				moves = append(moves, m)
				hashes = append(hashes, m.Hash())
			}
			if err := tx.ApplyMovements(moves, hashes); err != nil {
				return err
			}
		}
		return s.auditImport(tx, actor, ImportStock, res)
	})
}

// frozenRow is the error of an import row that count c freezes.
func frozenRow(c *Count, sku string) error {
	return Errorf(EConflict, "count %s freezes %s at %s", c.ID, sku, c.Location)
}

// employeeRow reads an employee from an import row.
func employeeRow(r csvRow) (code, pin string, in EmployeeInput) {
	var scope []string
	if sc := r.f["scope"]; sc != "" {
		for _, c := range strings.Split(sc, "|") {
			if c = strings.TrimSpace(c); c != "" {
				scope = append(scope, c)
			}
		}
	}
	return r.f["code"], r.f["pin"], EmployeeInput{Name: r.f["name"], Role: Role(r.f["role"]), Scope: scope}
}

// validPIN checks a PIN's form (as hashPIN does) without hashing it.
func validPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return Errorf(EInvalid, "pin must be 4 to 12 digits").With("field", "pin")
	}
	return nil
}

// importEmployees reads the file twice. First, before the transaction,
// the PINs of the rows that pass the checks needing no lookup are hashed
// (deliberately slow: spread over the cores, a chunk at a time); only the
// hashes are kept, so a file of failing rows costs neither memory nor
// bcrypt time. Then the rows are applied in one transaction.
func (s *Service) importEmployees(ctx context.Context, actor Actor, body []byte, res *ImportResult, progress func(float64)) error {
	type job struct {
		line int
		pin  string
	}
	hashes := map[int]string{} // by line
	chunk := make([]job, 0, 256)
	hashChunk := func() error {
		out := make([]string, len(chunk))
		errs := make([]error, len(chunk))
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < runtime.NumCPU(); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					out[i], errs[i] = s.hashPIN(chunk[i].pin)
				}
			}()
		}
		for i := range chunk {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, j := range chunk {
			if errs[i] != nil {
				return errs[i]
			}
			hashes[j.line] = out[i]
		}
		chunk = chunk[:0]
		return ctx.Err()
	}
	rr, err := openCSV(ImportEmployees, body)
	if err != nil {
		return err
	}
	err = rr.each(&ImportResult{}, func(float64) {}, func(r csvRow) error {
		code, pin, in := employeeRow(r)
		if pin == "" || validPIN(pin) != nil {
			return nil
		}
		if _, err := checkEmployee(code, in); err != nil {
			return nil
		}
		chunk = append(chunk, job{line: r.line, pin: pin})
		if len(chunk) == cap(chunk) {
			progress(0.1 + 0.7*rr.done())
			return hashChunk()
		}
		return nil
	})
	if err == nil {
		err = hashChunk()
	}
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		*res = ImportResult{Errors: []ImportError{}}
		rr, err := openCSV(ImportEmployees, body)
		if err != nil {
			return err
		}
		seen := map[string]int{}
		// The rows are written after the file is checked, in code order:
		// on PostgreSQL two imports of the same employees in other orders
		// would otherwise deadlock (each holding rows the other waits for).
		type put struct {
			e    Employee
			hash string
		}
		var puts []put
		err = rr.each(res, noProgress, func(r csvRow) error {
			code, pin, in := employeeRow(r)
			if pin != "" {
				if err := validPIN(pin); err != nil {
					res.fail(r.line, err)
					return nil
				}
			}
			e, err := s.validateEmployee(tx, code, in)
			if err != nil {
				res.fail(r.line, err)
				return nil
			}
			if line, dup := seen[e.Code]; dup {
				res.fail(r.line, Errorf(EInvalid, "employee %s is already on line %d", e.Code, line))
				return nil
			}
			seen[e.Code] = r.line
			_, getErr := tx.Employee(e.Code)
			exists := getErr == nil
			if getErr != nil && ErrorCode(getErr) != ENotFound {
				return getErr
			}
			hash := hashes[r.line]
			if !exists && hash == "" {
				res.fail(r.line, Errorf(EInvalid, "pin is required for a new employee"))
				return nil
			}
			puts = append(puts, put{e, hash})
			res.tally(!exists)
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(puts, func(a, b put) int { return strings.Compare(a.e.Code, b.e.Code) })
		for _, p := range puts {
			if _, err := tx.PutEmployee(p.e, p.hash); err != nil {
				return err
			}
		}
		return s.auditImport(tx, actor, ImportEmployees, res)
	})
}

func (s *Service) importLocations(ctx context.Context, actor Actor, body []byte, res *ImportResult) error {
	return s.store.Write(ctx, func(tx Tx) error {
		*res = ImportResult{Errors: []ImportError{}}
		rr, err := openCSV(ImportLocations, body)
		if err != nil {
			return err
		}
		// Before any location is read: see SerializeLocationWrites.
		if err := tx.SerializeLocationWrites(); err != nil {
			return err
		}
		rowErr := func(r csvRow, err error) { res.fail(r.line, err) }
		err = rr.each(res, noProgress, func(r csvRow) error {
			in := LocationInput{Name: r.f["name"], Kind: LocationKind(r.f["kind"]), Parent: r.f["parent"]}
			if v := r.f["approval_limit"]; v != "" {
				m, err := ParseMoney(v)
				if err != nil {
					rowErr(r, err)
					return nil
				}
				in.ApprovalLimit = &m
			}
			_, created, err := s.putLocation(tx, r.f["code"], in)
			if ErrorCode(err) == EInvalid || ErrorCode(err) == EConflict {
				rowErr(r, err)
				return nil
			} else if err != nil {
				return err
			}
			res.tally(created)
			return nil
		})
		if err != nil {
			return err
		}
		return s.auditImport(tx, actor, ImportLocations, res)
	})
}
