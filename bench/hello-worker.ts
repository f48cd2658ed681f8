/**
 * The baseline of `npm run bench`: a bare Hono Worker answering what Haven's `/health` answers
 * (a small JSON body), built and run exactly like Haven (esbuild bundle, same compatibility date
 * and flags, Miniflare → workerd). Every ratio the bench prints is "Haven's Worker CPU per request
 * ÷ this Worker's CPU per request, in the same run".
 */
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ status: "ok" }));
app.get("/health", (c) => c.json({ status: "ok" }));

export default app;
