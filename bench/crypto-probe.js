/**
 * Worker entry bundled by bench/crypto.ts (esbuild) and run in workerd via Miniflare. It runs the
 * real auth code N times per request, so the caller can time N ops minus the 0-op request.
 * Plain JS on purpose: the imported Worker modules use bundler-style (extensionless) imports,
 * which the Node-side `tsc -p scripts` program cannot follow.
 */
import { signAccessToken, verifyAccessToken } from "../workers/features/auth/jwt";
import { hashPassword, verifyPassword } from "../workers/features/auth/password";

const PASSWORD = "correct horse battery staple";
const SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const TOKEN_OPTS = { issuer: "haven", audience: "haven-api" };
let stored = "";
let token = "";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "0");
    switch (url.pathname) {
      case "/setup":
        stored = await hashPassword(PASSWORD);
        token = await signAccessToken(
          {
            sub: crypto.randomUUID(),
            role: "patient",
            region: "us",
            sid: crypto.randomUUID(),
            jti: crypto.randomUUID(),
          },
          SECRET,
          { ttlSeconds: 900, ...TOKEN_OPTS },
        );
        return new Response("ok");
      case "/hash":
        for (let i = 0; i < n; i++) await hashPassword(PASSWORD);
        return new Response("ok");
      case "/verify":
        for (let i = 0; i < n; i++) {
          if (!(await verifyPassword(PASSWORD, stored)).ok)
            return new Response("verify failed", { status: 500 });
        }
        return new Response("ok");
      case "/verify-token":
        for (let i = 0; i < n; i++) {
          if (!(await verifyAccessToken(token, [SECRET], TOKEN_OPTS)).ok)
            return new Response("bad token", { status: 500 });
        }
        return new Response("ok");
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
