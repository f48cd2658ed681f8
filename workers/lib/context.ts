import type { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "./config";
import type { Database } from "./db";
import type { Logger } from "./logger";
import type { Principal } from "./principal";
import type { Region } from "./vocabulary";

/**
 * Per-request variables. Clients are built lazily per request by the `services` middleware
 * (constructing them opens no connection: Neon HTTP and Upstash REST are plain fetches).
 */
export interface AppVariables {
  requestId: string;
  log: Logger;
  config: Config;
  db: (region: Region) => Database;
  redis: () => Redis;
  /** Set by `authenticate` when a valid access token was presented. */
  principal?: Principal;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
