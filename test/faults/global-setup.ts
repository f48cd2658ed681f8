import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import {
  FAULT_MODES,
  type FaultMode,
  type FaultProxy,
  startFaultProxy,
} from "../../scripts/local-stack/fault-proxy.ts";
import { spawnLocalStack } from "../../scripts/local-stack/spawn.ts";

/**
 * The fault suite's stack: the same local stack as `npm test`, with a controllable proxy in front
 * of the Neon HTTP endpoint, the Upstash endpoint and the model server, and short deadlines so
 * an outage is noticed in about a second. Tests switch a proxy's mode through a small control
 * server: `POST /<neon|upstash|openai>` with `{"mode":"hang"}`.
 */
export default async function setup(project: TestProject) {
  const stack = await spawnLocalStack("test");
  const proxies: Record<string, FaultProxy> = {};
  const bindings = { ...stack.bindings };
  const front = async (name: string, key: string) => {
    const original = bindings[key] as string;
    const url = new URL(original);
    const proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port) });
    proxies[name] = proxy;
    bindings[key] = original.replace(`${url.hostname}:${url.port}`, `${url.hostname}:${proxy.port}`);
  };
  await front("neon", "NEON_LOCAL_FETCH_ENDPOINT");
  await front("upstash", "UPSTASH_REDIS_REST_URL");
  await front("openai", "OPENAI_BASE_URL");
  Object.assign(bindings, {
    DB_TIMEOUT_MS: "1000",
    REDIS_TIMEOUT_MS: "500",
    BREAKER_COOLDOWN_MS: "1000",
    REQUEST_DEADLINE_MS: "2000",
  });

  const control = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1);
    const proxy = proxies[name];
    if (!proxy) {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", async () => {
      if (req.method === "POST") {
        const next = JSON.parse(body || "{}") as {
          mode?: FaultMode;
          delayMs?: number;
          bytes?: number;
          match?: string;
        };
        if (next.mode && !FAULT_MODES.includes(next.mode)) {
          res.writeHead(422).end();
          return;
        }
        await proxy.set(next);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...proxy.settings, connections: proxy.connections }));
    });
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const { port } = control.address() as AddressInfo;
  console.log(
    `[haven fault stack]\n  ${stack.summary.join("\n  ")}\n  fault control http://127.0.0.1:${port}`,
  );
  project.provide("workerBindings", bindings);
  project.provide("openaiControlUrl", stack.openaiControlUrl);
  project.provide("faultControlUrl", `http://127.0.0.1:${port}`);
  project.provide("fuzzRuns", 0);
  project.provide("fuzzSeed", 0);
  return async () => {
    control.close();
    for (const p of Object.values(proxies)) await p.close();
    await stack.stop();
  };
}
