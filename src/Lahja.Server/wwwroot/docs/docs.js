// Interactive API docs from the server's own OpenAPI document, with the bundled swagger-ui (no CDN, works offline).
"use strict";
window.ui = SwaggerUIBundle({
  url: "/openapi/v1.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
  // The validator badge would call an outside service.
  validatorUrl: null,
});
