package mobileapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// OpenAPI is the OpenAPI 3 document of this API, served at
// /v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

// documentServers is the `servers` entry of OpenAPI as written: the server
// that serves the document.
const documentServers = `"servers": [
    {
      "url": "/",
      "description": "The server that serves this document."
    }
  ],`

// OpenAPIFor returns OpenAPI with publicURL as its one server (OpenAPI
// itself when publicURL is empty).
func OpenAPIFor(publicURL string) ([]byte, error) {
	if publicURL == "" {
		return OpenAPI, nil
	}
	if !bytes.Contains(OpenAPI, []byte(documentServers)) {
		return nil, errors.New("openapi.json: its servers entry is not the one OpenAPIFor replaces")
	}
	entry, err := json.MarshalIndent([]map[string]string{{"url": strings.TrimRight(publicURL, "/"), "description": "This server."}}, "  ", "  ")
	if err != nil {
		return nil, err
	}
	return bytes.Replace(OpenAPI, []byte(documentServers), []byte(`"servers": `+string(entry)+","), 1), nil
}

func (a *API) openapiDocument(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(a.openapi)
}
