package main

import (
	"context"
	"log/slog"

	"pandian/fixtures"
	"pandian/stock"
)

// seedDemo loads the fixture data set (locations, catalog, employees, book
// stock) through the domain, as an import by the system. Unless force is
// set it does nothing when the catalog already holds the first demo SKU.
func seedDemo(ctx context.Context, svc *stock.Service, force bool) error {
	system := stock.Actor{Employee: stock.Employee{Code: "system", Role: stock.RoleAdmin}}
	if !force {
		if _, err := svc.SKU(ctx, system, "SKU-000001"); err == nil {
			slog.Info("demo data already loaded")
			return nil
		}
	}
	for _, f := range []struct {
		kind, file string
		data       []byte
	}{
		{stock.ImportLocations, fixtures.LocationsFile, fixtures.Locations()},
		{stock.ImportCatalog, fixtures.CatalogFile, fixtures.Catalog()},
		{stock.ImportEmployees, fixtures.EmployeesFile, fixtures.Employees()},
		{stock.ImportStock, fixtures.StockFile, fixtures.Stock()},
	} {
		res, err := svc.Import(ctx, system, f.kind, f.data, nil)
		if err != nil {
			return err
		}
		slog.Info("demo data", "file", f.file, "rows", res.Rows, "created", res.Created, "updated", res.Updated, "errors", len(res.Errors))
		for _, e := range res.Errors {
			slog.Warn("demo row skipped", "file", f.file, "line", e.Line, "error", e.Message)
		}
	}
	return nil
}
