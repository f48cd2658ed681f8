/**
 * The browser origins the dev Worker trusts (CORS_ORIGINS), derived from the port and host it
 * really runs on. wrangler.toml's list names :8787; a dev server started with `--port 8870`
 * used to trust :8787 (someone else's server on this machine) and not itself.
 *
 * @example devCorsOrigins("127.0.0.1", 8870) // "http://127.0.0.1:8870,http://localhost:8870"
 */
export function devCorsOrigins(host: string, port: number): string {
  const hosts = new Set([host, "127.0.0.1", "localhost"]);
  if (host === "0.0.0.0" || host === "::") hosts.delete(host);
  return [...hosts].map((h) => `http://${h.includes(":") ? `[${h}]` : h}:${port}`).join(",");
}
