package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"pandian/fixtures"
	"pandian/stock"
)

// seedDemo loads the fixture data set (locations, catalog, employees, book
// stock) through the domain, as an import by the system, and says whether
// it did. Unless force is set it loads only into an empty database (no
// SKU and no location): one that already holds the demo (its first SKU)
// or anything else is left alone.
func seedDemo(ctx context.Context, svc *stock.Service, force bool) (loaded bool, err error) {
	system := stock.Actor{Employee: stock.Employee{Code: "system", Role: stock.RoleAdmin}}
	if !force {
		if _, err := svc.SKU(ctx, system, "SKU-000001"); err == nil {
			slog.Info("demo data already loaded")
			return false, nil
		}
		skus, _, err := svc.CatalogPage(ctx, system, stock.PageRequest{Limit: 1})
		if err != nil {
			return false, err
		}
		locs, err := svc.LocationsPage(ctx, system, "", stock.PageRequest{Limit: 1})
		if err != nil {
			return false, err
		}
		if len(skus.Items) > 0 || len(locs.Items) > 0 {
			slog.Warn("demo data not loaded: the database already holds data (PANDIAN_DEMO loads into an empty database only)")
			return false, nil
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
			return false, err
		}
		slog.Info("demo data", "file", f.file, "rows", res.Rows, "created", res.Created, "updated", res.Updated, "errors", len(res.Errors))
		for _, e := range res.Errors {
			slog.Warn("demo row skipped", "file", f.file, "line", e.Line, "error", e.Message)
		}
	}
	return true, nil
}

// loadDemo loads the demo data set (seedDemo) and, only when it loaded it
// in this same call, its count history (seedDemoHistory): a database that
// already held data, the demo's or a real chain's, gets no history.
func loadDemo(ctx context.Context, svc *stock.Service, force bool, now time.Time) error {
	loaded, err := seedDemo(ctx, svc, force)
	if err != nil || !loaded {
		return err
	}
	if err := seedDemoHistory(ctx, svc, now); err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	return nil
}
