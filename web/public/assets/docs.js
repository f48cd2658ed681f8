// Boots Swagger UI on /docs. Kept as a file (not inline) so the page CSP can forbid inline script.
window.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("swagger-ui");
  SwaggerUIBundle({ url: el.dataset.spec, domNode: el, deepLinking: true, tryItOutEnabled: true });
});
