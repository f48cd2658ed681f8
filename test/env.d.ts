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

export {};

declare module "*?raw" {
  const text: string;
  export default text;
}
