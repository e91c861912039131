package stock

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"runtime"
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
// others are applied together in one transaction.
type ImportResult struct {
	Rows    int           `json:"rows"`
	Created int           `json:"created"`
	Updated int           `json:"updated"`
	Errors  []ImportError `json:"errors"`
}

// tally counts a row as created or updated.
func (r *ImportResult) tally(created bool) {
	if created {
		r.Created++
	} else {
		r.Updated++
	}
}

// auditImport records an applied import in the audit log.
func (s *Service) auditImport(tx Tx, actor Actor, kind string, res *ImportResult) error {
	return s.audit(tx, actor, "import."+kind, kind, map[string]any{"rows": res.Rows, "created": res.Created, "updated": res.Updated, "errors": len(res.Errors)})
}

// MaxImportErrors bounds the errors listed in a result.
const MaxImportErrors = 1000

// csvRow is a parsed data row with its line number, fields by column name.
type csvRow struct {
	line int
	f    map[string]string
}

// parseCSV checks encoding and header and returns the data rows. Any problem
// here is fatal: nothing is imported.
func parseCSV(kind string, body []byte) ([]csvRow, error) {
	cols, ok := importColumns[kind]
	if !ok {
		return nil, Errorf(ENotFound, "unknown import %q: use catalog, stock, employees or locations", kind)
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) {
		line := bytes.Count(body[:firstInvalidUTF8(body)], []byte("\n")) + 1
		return nil, Errorf(EInvalid, "the file is not UTF-8 (line %d); save it as CSV UTF-8", line).With("line", line)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		return nil, Errorf(EInvalid, "the file is empty; it needs a header row: %s", strings.Join(cols, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	index := map[string]int{}
	for i, h := range header {
		index[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range cols {
		if _, ok := index[c]; !ok {
			return nil, Errorf(EInvalid, "the header has no column %q; expected %s", c, strings.Join(cols, ",")).With("line", 1)
		}
	}
	var rows []csvRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		f := make(map[string]string, len(cols))
		for _, c := range cols {
			if i := index[c]; i < len(rec) {
				f[c] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, csvRow{line: line, f: f})
	}
	return rows, nil
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
// share of the work done.
func (s *Service) Import(ctx context.Context, actor Actor, kind string, body []byte, progress func(float64)) (ImportResult, error) {
	res := ImportResult{Errors: []ImportError{}}
	if err := actor.Require(PermMasterData); err != nil {
		return res, err
	}
	rows, err := parseCSV(kind, body)
	if err != nil {
		return res, err
	}
	res.Rows = len(rows)
	if progress == nil {
		progress = func(float64) {}
	}
	rowErr := func(r csvRow, err error) {
		if len(res.Errors) < MaxImportErrors {
			res.Errors = append(res.Errors, ImportError{Line: r.line, Message: ErrorMessage(err)})
		}
	}
	progress(0.1)
	slog.Info("import started", "kind", kind, "rows", len(rows), "actor", actor.Employee.Code)
	switch kind {
	case ImportCatalog:
		err = s.importCatalog(ctx, actor, rows, &res, rowErr)
	case ImportStock:
		err = s.importStock(ctx, actor, rows, &res, rowErr)
	case ImportEmployees:
		err = s.importEmployees(ctx, actor, rows, &res, rowErr, progress)
	case ImportLocations:
		err = s.importLocations(ctx, actor, rows, &res, rowErr)
	}
	if err != nil {
		return ImportResult{Errors: []ImportError{}}, err
	}
	slog.Info("import done", "kind", kind, "rows", res.Rows, "created", res.Created, "updated", res.Updated, "errors", len(res.Errors))
	progress(1)
	return res, nil
}

func (s *Service) importCatalog(ctx context.Context, actor Actor, rows []csvRow, res *ImportResult, rowErr func(csvRow, error)) error {
	type item struct {
		sku   SKU
		keys  []string
		rows  []csvRow
		first csvRow
	}
	items := map[string]*item{}
	var order []string
	for _, r := range rows {
		pack := int64(1)
		if p := r.f["pack_qty"]; p != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				rowErr(r, Errorf(EInvalid, "pack_qty %q is not a whole number", p))
				continue
			}
			pack = n
		}
		cost, err := ParseMoney(r.f["unit_cost"])
		if err != nil {
			rowErr(r, err)
			continue
		}
		in := SKUInput{Name: r.f["name"], NameZh: r.f["name_zh"], Category: r.f["category"], UnitCost: &cost}
		if r.f["barcode"] != "" {
			in.Barcodes = []Barcode{{Code: r.f["barcode"], PackQty: pack}}
		}
		sku, keys, err := s.validateSKU(r.f["sku"], in)
		if err != nil {
			rowErr(r, err)
			continue
		}
		it := items[sku.SKU]
		if it == nil {
			it = &item{sku: sku, first: r}
			it.sku.Barcodes = nil
			items[sku.SKU] = it
			order = append(order, sku.SKU)
		} else if it.sku.Name != sku.Name || it.sku.UnitCost != sku.UnitCost || it.sku.Category != sku.Category || it.sku.NameZh != sku.NameZh {
			rowErr(r, Errorf(EInvalid, "SKU %s is listed with other name, category or cost on line %d", sku.SKU, it.first.line))
			continue
		}
		if len(keys) == 1 {
			if contains(it.keys, keys[0]) {
				rowErr(r, Errorf(EInvalid, "barcode %s is listed twice for %s", sku.Barcodes[0].Code, sku.SKU))
				continue
			}
			it.sku.Barcodes = append(it.sku.Barcodes, sku.Barcodes[0])
			it.keys = append(it.keys, keys[0])
			it.rows = append(it.rows, r)
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		res.Created, res.Updated = 0, 0
		existing, err := tx.SKUs(order)
		if err != nil {
			return err
		}
		var allKeys []string
		owner := map[string]string{}
		for _, k := range order {
			for i, key := range items[k].keys {
				if o, ok := owner[key]; ok && o != k {
					rowErr(items[k].rows[i], Errorf(EInvalid, "barcode %s is already given to %s in this file", items[k].sku.Barcodes[i].Code, o))
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
					rowErr(it.rows[i], Errorf(EInvalid, "barcode %s belongs to %s", it.sku.Barcodes[i].Code, m.SKU))
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

func (s *Service) importStock(ctx context.Context, actor Actor, rows []csvRow, res *ImportResult, rowErr func(csvRow, error)) error {
	type set struct {
		r        csvRow
		sku, loc string
		qty      int64
	}
	var sets []set
	for _, r := range rows {
		q, err := strconv.ParseInt(r.f["qty"], 10, 64)
		if err != nil || q < 0 || q > 1_000_000_000 {
			rowErr(r, Errorf(EInvalid, "qty %q must be a whole number from 0", r.f["qty"]))
			continue
		}
		sets = append(sets, set{r: r, sku: r.f["sku"], loc: r.f["location"], qty: q})
	}
	now := s.Now().UTC()
	return s.store.Write(ctx, func(tx Tx) error {
		res.Created, res.Updated = 0, 0
		var skuCodes, locCodes []string
		for _, st := range sets {
			skuCodes = append(skuCodes, st.sku)
			locCodes = append(locCodes, st.loc)
		}
		skus, err := tx.SKUs(skuCodes)
		if err != nil {
			return err
		}
		locs, err := tx.LocationsByCode(locCodes)
		if err != nil {
			return err
		}
		frozen, err := tx.OpenCounts(PolicyFreeze)
		if err != nil {
			return err
		}
		var paths []string
		for _, l := range locs {
			paths = append(paths, l.Path)
		}
		current := map[[2]string]StockLevel{}
		if len(paths) > 0 {
			levels, err := tx.StockLevels(StockFilter{Paths: paths})
			if err != nil {
				return err
			}
			for _, l := range levels {
				current[[2]string{l.Location, l.SKU}] = l
			}
		}
		seen := map[[2]string]int{}
		var moves []Movement
		var hashes []string
		for _, st := range sets {
			sku, ok := skus[st.sku]
			if !ok {
				rowErr(st.r, Errorf(EInvalid, "SKU %s does not exist", st.sku))
				continue
			}
			loc, ok := locs[st.loc]
			if !ok {
				rowErr(st.r, Errorf(EInvalid, "location %s does not exist", st.loc))
				continue
			}
			key := [2]string{st.loc, st.sku}
			if line, dup := seen[key]; dup {
				rowErr(st.r, Errorf(EInvalid, "%s at %s is already set on line %d", st.sku, st.loc, line))
				continue
			}
			seen[key] = st.r.line
			blocked := false
			for _, c := range frozen {
				if c.covers(loc, sku) {
					rowErr(st.r, Errorf(EConflict, "count %s freezes %s at %s", c.ID, st.sku, c.Location))
					blocked = true
					break
				}
			}
			if blocked {
				continue
			}
			cur, exists := current[key]
			res.tally(!exists)
			if exists && cur.Qty == st.qty {
				continue
			}
			m := setStock(cur, st.sku, st.loc, st.qty, now, actor.Employee.Code, "import")
			moves = append(moves, m)
			hashes = append(hashes, m.Hash())
		}
		if err := tx.ApplyMovements(moves, hashes); err != nil {
			return err
		}
		return s.auditImport(tx, actor, ImportStock, res)
	})
}

func (s *Service) importEmployees(ctx context.Context, actor Actor, rows []csvRow, res *ImportResult, rowErr func(csvRow, error), progress func(float64)) error {
	// PIN hashing is deliberately slow: spread it over the cores first.
	hashes := make([]string, len(rows))
	errs := make([]error, len(rows))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if pin := rows[i].f["pin"]; pin != "" {
					hashes[i], errs[i] = s.hashPIN(pin)
				}
			}
		}()
	}
	for i := range rows {
		work <- i
		if i%50 == 0 {
			progress(0.1 + 0.7*float64(i)/float64(len(rows)))
		}
	}
	close(work)
	wg.Wait()
	return s.store.Write(ctx, func(tx Tx) error {
		res.Created, res.Updated = 0, 0
		seen := map[string]int{}
		for i, r := range rows {
			if errs[i] != nil {
				rowErr(r, errs[i])
				continue
			}
			var scope []string
			if sc := r.f["scope"]; sc != "" {
				for _, c := range strings.Split(sc, "|") {
					if c = strings.TrimSpace(c); c != "" {
						scope = append(scope, c)
					}
				}
			}
			in := EmployeeInput{Name: r.f["name"], Role: Role(r.f["role"]), Scope: scope}
			e, err := s.validateEmployee(tx, r.f["code"], in)
			if err != nil {
				rowErr(r, err)
				continue
			}
			if line, dup := seen[e.Code]; dup {
				rowErr(r, Errorf(EInvalid, "employee %s is already on line %d", e.Code, line))
				continue
			}
			seen[e.Code] = r.line
			_, getErr := tx.Employee(e.Code)
			exists := getErr == nil
			if getErr != nil && ErrorCode(getErr) != ENotFound {
				return getErr
			}
			if !exists && hashes[i] == "" {
				rowErr(r, Errorf(EInvalid, "pin is required for a new employee"))
				continue
			}
			if _, err := tx.PutEmployee(e, hashes[i]); err != nil {
				return err
			}
			res.tally(!exists)
		}
		return s.auditImport(tx, actor, ImportEmployees, res)
	})
}

func (s *Service) importLocations(ctx context.Context, actor Actor, rows []csvRow, res *ImportResult, rowErr func(csvRow, error)) error {
	return s.store.Write(ctx, func(tx Tx) error {
		res.Created, res.Updated = 0, 0
		for _, r := range rows {
			in := LocationInput{Name: r.f["name"], Kind: LocationKind(r.f["kind"]), Parent: r.f["parent"]}
			if v := r.f["approval_limit"]; v != "" {
				m, err := ParseMoney(v)
				if err != nil {
					rowErr(r, err)
					continue
				}
				in.ApprovalLimit = &m
			}
			_, created, err := s.putLocation(tx, r.f["code"], in)
			if ErrorCode(err) == EInvalid || ErrorCode(err) == EConflict {
				rowErr(r, err)
				continue
			} else if err != nil {
				return err
			}
			res.tally(created)
		}
		return s.auditImport(tx, actor, ImportLocations, res)
	})
}
