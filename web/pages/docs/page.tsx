/** The interactive API reference: Swagger UI served from our own origin (no CDN, works offline). */
export function DocsPage() {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <title>Haven API reference</title>
        <link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css" />
      </head>
      <body>
        <div id="swagger-ui" data-spec="/openapi.json">
          <noscript>
            The interactive reference needs JavaScript. The OpenAPI document is at{" "}
            <a href="/openapi.json">/openapi.json</a>.
          </noscript>
        </div>
        <script src="/vendor/swagger-ui/swagger-ui-bundle.js" defer />
        <script src="/assets/docs.js" defer />
      </body>
    </html>
  );
}
