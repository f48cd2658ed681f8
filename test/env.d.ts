/** Local-only vars the test stack adds on top of wrangler.toml (see scripts/local-stack). */
declare global {
  namespace Cloudflare {
    interface Env {
      NEON_LOCAL_FETCH_ENDPOINT?: string;
      NEON_LOCAL_WS_PROXY?: string;
      OPENAI_OFFLINE?: string;
      DEV_SEED_TOKEN?: string;
    }
  }
}

/** Vite's `?raw` imports (a file's text), e.g. web/public/_headers in the header test. */
declare module "*?raw" {
  const text: string;
  export default text;
}

export {};

declare module "*?raw" {
  const text: string;
  export default text;
}
