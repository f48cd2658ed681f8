/** A registered route as Hono lists it in `app.routes`. */
export interface RouteEntry {
  method: string;
  path: string;
}

const compiled = new Map<string, RegExp>();

/** Compiles a Hono path pattern (`/v1/x/:id`, `/v1/x/:id{[0-9]+}`, `/assets/*`) to a RegExp. */
function compile(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const source = pattern
    .split("/")
    .map((part) => {
      if (part === "*") return ".*";
      const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?\??$/.exec(part);
      if (param) return param[1] ? `(?:${param[1]})` : "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  re = new RegExp(`^${source}/?$`);
  compiled.set(pattern, re);
  return re;
}

/**
 * The methods registered for `path`, for a 405 with `Allow`. Middleware (method ALL) is not a
 * route, so a path that only middleware matches stays a 404.
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.endsWith("*")) continue;
    if (compile(r.path).test(path)) methods.add(r.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
