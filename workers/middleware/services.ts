import type { MiddlewareHandler } from "hono";
import { loadConfig } from "../lib/config";
import type { AppEnv } from "../lib/context";
import { createDatabase, type Database } from "../lib/db";
import { createRedis } from "../lib/redis";
import type { Region } from "../lib/vocabulary";

/**
 * Validates configuration and exposes per-request, lazily built clients. Nothing connects here:
 * a route that never touches Redis never builds a Redis client.
 */
export const services: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = loadConfig(c.env, c.get("log"));
  c.set("config", config);
  const dbs = new Map<Region, Database>();
  c.set("db", (region) => {
    let db = dbs.get(region);
    if (!db) {
      db = createDatabase(config, region);
      dbs.set(region, db);
    }
    return db;
  });
  let redis: ReturnType<typeof createRedis> | undefined;
  c.set("redis", () => {
    redis ??= createRedis(config);
    return redis;
  });
  await next();
};
