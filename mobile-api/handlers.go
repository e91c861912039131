package mobileapi

import (
	"io"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pandian/export"
	"pandian/stock"
)

type loginBody struct {
	EmployeeCode string `json:"employee_code"`
	PIN          string `json:"pin"`
	DeviceID     string `json:"device_id"`
}

func (a *API) login(c *fiber.Ctx) error {
	var b loginBody
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	// Attempts are throttled per employee and device, or per client
	// address when the app sends no device ID.
	source := "device:" + b.DeviceID
	if b.DeviceID == "" {
		source = "ip:" + c.IP()
	}
	res, err := a.auth.LoginFrom(c.UserContext(), b.EmployeeCode, b.PIN, b.DeviceID, source)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// unlockEmployee clears an employee's sign-in locks (admin).
func (a *API) unlockEmployee(c *fiber.Ctx) error {
	res, err := a.admin.UnlockEmployee(c.UserContext(), actorOf(c), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(res)
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
	DeviceID     string `json:"device_id"`
}

// refresh trades a refresh token for new tokens.
func (a *API) refresh(c *fiber.Ctx) error {
	var b refreshBody
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	res, err := a.auth.Refresh(c.UserContext(), b.RefreshToken, b.DeviceID)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

type logoutBody struct {
	EmployeeCode string `json:"employee_code"`
}

// logout revokes the caller's token, or with an employee code every
// session of that employee.
func (a *API) logout(c *fiber.Ctx) error {
	if len(c.Body()) > 0 {
		var b logoutBody
		if err := a.readJSON(c, &b); err != nil {
			return err
		}
		if b.EmployeeCode != "" {
			res, err := a.auth.LogoutEverywhere(c.UserContext(), actorOf(c), b.EmployeeCode)
			if err != nil {
				return err
			}
			return c.JSON(res)
		}
	}
	token, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if err := a.auth.Logout(c.UserContext(), strings.TrimSpace(token)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) me(c *fiber.Ctx) error {
	act := actorOf(c)
	return c.JSON(fiber.Map{"employee": act.Employee, "device_id": act.DeviceID})
}

// created answers 201 for a new resource and 200 for a replaced one.
func created(c *fiber.Ctx, isNew bool, v any) error {
	if isNew {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(v)
}

func (a *API) putLocation(c *fiber.Ctx) error {
	var b stock.LocationInput
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	l, isNew, err := a.admin.PutLocation(c.UserContext(), actorOf(c), c.Params("code"), b)
	if err != nil {
		return err
	}
	return created(c, isNew, l)
}

func (a *API) getLocation(c *fiber.Ctx) error {
	l, err := a.admin.Location(c.UserContext(), actorOf(c), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (a *API) putSKU(c *fiber.Ctx) error {
	var b stock.SKUInput
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	s, isNew, err := a.admin.PutSKU(c.UserContext(), actorOf(c), c.Params("sku"), b)
	if err != nil {
		return err
	}
	return created(c, isNew, s)
}

// retireSKU takes a SKU out of the catalog and answers it, with its
// retired_at (it stays readable).
func (a *API) retireSKU(c *fiber.Ctx) error {
	s, err := a.admin.RetireSKU(c.UserContext(), actorOf(c), c.Params("sku"))
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (a *API) getSKU(c *fiber.Ctx) error {
	s, err := a.admin.SKU(c.UserContext(), actorOf(c), c.Params("sku"))
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (a *API) putEmployee(c *fiber.Ctx) error {
	var b stock.EmployeeInput
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	e, isNew, err := a.admin.PutEmployee(c.UserContext(), actorOf(c), c.Params("code"), b)
	if err != nil {
		return err
	}
	return created(c, isNew, e)
}

// importCSV applies small imports at once and queues large ones as jobs
// (202 with the job to poll at Location).
func (a *API) importCSV(c *fiber.Ctx) error {
	act := actorOf(c)
	if err := act.Require(stock.PermMasterData); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mt != "text/csv" && mt != "application/csv") {
		return stock.Errorf(stock.EUnsupported, "send the import as text/csv")
	}
	// The body is used (parsed, or stored as a job) before the handler
	// returns: no copy of it, whatever its size.
	body := c.Body()
	async := c.Query("async")
	if async == "true" || (async != "false" && len(body) >= stock.AsyncImportBytes) {
		j, err := a.imports.SubmitImport(c.UserContext(), act, c.Params("kind"), body)
		if err != nil {
			return err
		}
		c.Location("/v1/jobs/" + j.ID)
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"job": j})
	}
	res, err := a.imports.Import(c.UserContext(), act, c.Params("kind"), body, nil)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (a *API) getJob(c *fiber.Ctx) error {
	j, err := a.imports.GetJob(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(j)
}

func (a *API) lookup(c *fiber.Ctx) error {
	res, err := a.admin.Lookup(c.UserContext(), actorOf(c), c.Query("code"))
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (a *API) postMovements(c *fiber.Ctx) error {
	var ms []stock.Movement
	if err := a.readJSON(c, &ms); err != nil {
		return err
	}
	res, err := a.book.PostMovements(c.UserContext(), actorOf(c), ms)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (a *API) openCount(c *fiber.Ctx) error {
	var b stock.CountInput
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	cnt, err := a.counts.OpenCount(c.UserContext(), actorOf(c), b)
	if err != nil {
		return err
	}
	c.Location("/v1/counts/" + cnt.ID)
	return c.Status(fiber.StatusCreated).JSON(cnt)
}

func (a *API) getCount(c *fiber.Ctx) error {
	v, err := a.counts.Count(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type scansBody struct {
	Scans []stock.ScanInput `json:"scans"`
}

func (a *API) postScans(c *fiber.Ctx) error {
	var b scansBody
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	res, err := a.counts.IngestScans(c.UserContext(), actorOf(c), c.Params("id"), b.Scans)
	if err != nil {
		return err
	}
	if a.opts.Observer != nil {
		a.opts.Observer.Scans(res)
	}
	return c.JSON(res)
}

// closeCount answers the count view, as every count action does (its
// progress comes from counters kept at ingest: no pass over the scans).
func (a *API) closeCount(c *fiber.Ctx) error {
	v, err := a.counts.CloseCount(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// approvedView is the answer to an approval: the count view (as
// GET /v1/counts/{id}) and what the approval posted.
type approvedView struct {
	stock.CountView
	Approval approval `json:"approval"`
}

type approval struct {
	PostedLines     int         `json:"posted_lines"`
	PostedValue     stock.Money `json:"posted_value"`
	RecountRequired []string    `json:"recount_required"`
}

func (a *API) recount(c *fiber.Ctx) error {
	var b stock.RecountInput
	if err := a.readJSON(c, &b); err != nil {
		return err
	}
	v, err := a.counts.OrderRecount(c.UserContext(), actorOf(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// approve posts a count's adjustments, or with dry_run=true previews them.
func (a *API) approve(c *fiber.Ctx) error {
	var b stock.ApproveInput
	if len(c.Body()) > 0 {
		if err := a.readJSON(c, &b); err != nil {
			return err
		}
	}
	if b.IfMatch == "" {
		b.IfMatch = strings.Trim(strings.TrimPrefix(strings.TrimSpace(c.Get("If-Match")), "W/"), `"`)
	}
	switch c.Query("dry_run") {
	case "", "false":
	case "true":
		p, err := a.counts.PreviewApproval(c.UserContext(), actorOf(c), c.Params("id"), b)
		if err != nil {
			return err
		}
		c.Set("ETag", `"`+p.Fingerprint+`"`)
		return c.JSON(p)
	default:
		return stock.Errorf(stock.EInvalid, "dry_run must be true or false").With("field", "dry_run")
	}
	res, err := a.counts.Approve(c.UserContext(), actorOf(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	v, err := a.counts.Count(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(approvedView{CountView: v, Approval: approval{PostedLines: res.PostedLines, PostedValue: res.PostedValue, RecountRequired: res.RecountRequired}})
}

func (a *API) report(c *fiber.Ctx) error {
	format := c.Query("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		return stock.Errorf(stock.EInvalid, "format must be json, csv or xlsx").With("field", "format")
	}
	xo, err := xlsxOptions(c)
	if err != nil {
		return err
	}
	var opts stock.ReportOptions
	switch c.Query("lots") {
	case "", "false":
	case "true":
		opts.Lots = true
	default:
		return stock.Errorf(stock.EInvalid, "lots must be true or false").With("field", "lots")
	}
	near, err := queryInt(c, "near_days", 30)
	if err != nil {
		return err
	}
	if near < 0 || near > 3650 {
		return stock.Errorf(stock.EInvalid, "near_days must be 0 to 3650").With("field", "near_days")
	}
	opts.NearDays = near
	r, err := a.reports.Report(c.UserContext(), actorOf(c), c.Params("id"), c.Query("group_by", "sku"), opts)
	if err != nil {
		return err
	}
	if format == "xlsx" {
		if c.Query("currency") == "" {
			xo.Currency = string(r.Currency)
		}
		return streamXLSX(c, "count-"+r.CountID+"-"+r.GroupBy+".xlsx", func(w io.Writer) error { return export.WriteCountReportXLSX(w, r, xo) })
	}
	if format == "csv" {
		rows := c.Query("rows")
		if rows == "" {
			rows = "lines"
			if r.GroupBy != "sku" {
				rows = "groups"
			}
		}
		if rows != "lines" && rows != "groups" && rows != "lots" {
			return stock.Errorf(stock.EInvalid, "rows must be lines, groups or lots").With("field", "rows")
		}
		if rows == "lots" && !opts.Lots {
			return stock.Errorf(stock.EInvalid, "rows=lots needs lots=true").With("field", "rows")
		}
		name := "count-" + r.CountID + "-" + r.GroupBy + ".csv"
		if rows == "lots" {
			return streamCSV(c, "count-"+r.CountID+"-lots.csv", func(cw *export.CSV) error { return export.WriteLotsCSV(cw, r.Lots) })
		}
		if rows == "groups" {
			return streamCSV(c, name, func(cw *export.CSV) error {
				return export.WriteGroupsCSV(cw, r.GroupBy, r.Groups, r.Totals, r.Masked)
			})
		}
		return streamCSV(c, name, func(cw *export.CSV) error { return export.WriteLinesCSV(cw, r.Lines, r.Masked) })
	}
	return streamReport(c, r)
}

// parseTime reads an RFC 3339 time or a date (2006-01-02) query parameter.
func parseTime(c *fiber.Ctx, name string, def time.Time) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, stock.Errorf(stock.EInvalid, "%s must be an RFC 3339 time or a date like 2026-11-23", name).With("field", name)
}

func (a *API) discrepancies(c *fiber.Ctx) error {
	now := stock.Now()
	from, err := parseTime(c, "from", now.AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	to, err := parseTime(c, "to", now.Add(time.Minute))
	if err != nil {
		return err
	}
	if c.Query("to") != "" && !strings.Contains(c.Query("to"), "T") {
		to = to.AddDate(0, 0, 1) // a date means the whole day
	}
	format := c.Query("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		return stock.Errorf(stock.EInvalid, "format must be json, csv or xlsx").With("field", "format")
	}
	xo, err := xlsxOptions(c)
	if err != nil {
		return err
	}
	r, err := a.reports.Discrepancies(c.UserContext(), actorOf(c), from, to, c.Query("location"), c.Query("group_by", "role"))
	if err != nil {
		return err
	}
	if format == "xlsx" {
		return streamXLSX(c, "discrepancies-"+r.GroupBy+".xlsx", func(w io.Writer) error { return export.WriteCrossReportXLSX(w, r, xo) })
	}
	if format == "csv" {
		return streamCSV(c, "discrepancies-"+r.GroupBy+".csv", func(cw *export.CSV) error {
			return export.WriteGroupsCSV(cw, r.GroupBy, r.Groups, r.Totals, false)
		})
	}
	return c.JSON(r)
}
