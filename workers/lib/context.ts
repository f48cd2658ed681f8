import type { Config } from "./config";
import type { Logger } from "./logger";
import type { Principal } from "./principal";
import type { Scope } from "./scope";

/**
 * Per-request variables. Services never see these: routes hand them the `scope` (built once per
 * request by the `services` middleware, completed with the principal by `authenticate`).
 */
export interface AppVariables {
  requestId: string;
  log: Logger;
  config: Config;
  scope: Scope;
  /** Set by `authenticate` when a valid access token was presented. */
  principal?: Principal;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
