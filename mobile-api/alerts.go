package mobileapi

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"pandian/alerts"
	"pandian/stock"
)

// AlertService is what the API needs of the alerts: their rules and the
// outbox of deliveries with its log; *alerts.Service implements it (and
// enforces the roles: admins write, admins and auditors read).
type AlertService interface {
	Rules(ctx context.Context, a stock.Actor) ([]alerts.RuleView, error)
	Rule(ctx context.Context, a stock.Actor, id string) (alerts.RuleView, error)
	PutRule(ctx context.Context, a stock.Actor, id string, in alerts.RuleInput) (alerts.RuleView, bool, error)
	DeleteRule(ctx context.Context, a stock.Actor, id string) error
	Test(ctx context.Context, a stock.Actor, id string) ([]alerts.Delivery, error)
	Deliveries(ctx context.Context, a stock.Actor, f alerts.DeliveryFilter) ([]alerts.Delivery, error)
	Delivery(ctx context.Context, a stock.Actor, id string) (alerts.DeliveryView, error)
	Retry(ctx context.Context, a stock.Actor, id string) (alerts.DeliveryView, error)
}

var _ AlertService = (*alerts.Service)(nil)

// alertsOf returns the alert service, or an unavailable error when this
// server has none.
func (a *API) alertsOf() (AlertService, error) {
	if a.opts.Alerts == nil {
		return nil, stock.Errorf(stock.EUnavailable, "alerts are not available on this server")
	}
	return a.opts.Alerts, nil
}

func (a *API) listAlertRules(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	rules, err := al.Rules(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	if rules == nil {
		rules = []alerts.RuleView{}
	}
	return c.JSON(fiber.Map{"rules": rules})
}

func (a *API) getAlertRule(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	r, err := al.Rule(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (a *API) putAlertRule(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	var in alerts.RuleInput
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	r, created, err := al.PutRule(c.UserContext(), actorOf(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	if created {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(r)
}

func (a *API) deleteAlertRule(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	if err := al.DeleteRule(c.UserContext(), actorOf(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) testAlertRule(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	ds, err := al.Test(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []alerts.Delivery{}
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"deliveries": ds})
}

func (a *API) getAlertDelivery(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	d, err := al.Delivery(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if d.AttemptLog == nil {
		d.AttemptLog = []alerts.Attempt{}
	}
	return c.JSON(d)
}

func (a *API) retryAlertDelivery(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	d, err := al.Retry(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if d.AttemptLog == nil {
		d.AttemptLog = []alerts.Attempt{}
	}
	return c.JSON(d)
}
