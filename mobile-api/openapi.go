package mobileapi

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// OpenAPI is the OpenAPI 3 document of this API, served at
// /v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func openapi(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(OpenAPI)
}
