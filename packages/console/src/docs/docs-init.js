// Swagger UI over this server's own OpenAPI document (relative, so it works under a path prefix too).
window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: "none",
  tryItOutEnabled: false,
});
