/**
 * Local monitoring for `npm run dev -- --monitoring`: Debian's Prometheus scraping the dev Worker's
 * `/metrics` with Haven's alert rules loaded, and Alertmanager sending alerts to the Worker's
 * webhook, so a developer sees alerts fire locally (and in the admin console's ops view).
 * The configuration is generated from `ops/` into `<data-dir>/monitoring/` with the dev port
 * and the local secrets; nothing is written into `ops/`. If the packages are missing it tries
 * `apt-get install prometheus prometheus-alertmanager` (root only) and otherwise says how.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Monitoring {
  prometheusUrl: string;
  alertmanagerUrl: string;
  close(): void;
}

const has = (bin: string) => spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;

/** Debian installs Alertmanager as `prometheus-alertmanager`; upstream builds call it `alertmanager`. */
const alertmanagerBin = () => (has("prometheus-alertmanager") ? "prometheus-alertmanager" : "alertmanager");

function ensureInstalled(): string | null {
  if (has("prometheus") && has(alertmanagerBin())) return null;
  if (process.getuid?.() === 0) {
    console.log("monitoring: installing Debian packages prometheus and prometheus-alertmanager…");
    const r = spawnSync(
      "apt-get",
      ["install", "-y", "--no-install-recommends", "prometheus", "prometheus-alertmanager"],
      { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
    );
    if (r.status === 0 && has("prometheus") && has(alertmanagerBin())) return null;
  }
  return "monitoring skipped: Prometheus/Alertmanager are not installed (sudo apt-get install prometheus prometheus-alertmanager)";
}

export function startMonitoring(opts: {
  root: string;
  dataDir: string;
  workerUrl: string;
  metricsToken: string;
  webhookToken: string;
  prometheusPort?: number;
  alertmanagerPort?: number;
  /**
   * Local only (`--alert-for 15s`, used by `npm run e2e:alerts`): every rule's `for:` becomes this,
   * and Alertmanager regroups every 10 s, so an injected failure fires and resolves within a
   * minute or two instead of the production rules' 2–30 minutes. Never in `ops/`.
   */
  alertFor?: string;
}): Monitoring | string {
  const missing = ensureInstalled();
  if (missing) return missing;
  const dir = join(opts.dataDir, "monitoring");
  mkdirSync(join(dir, "rules"), { recursive: true });
  const promPort = opts.prometheusPort ?? 9090;
  const amPort = opts.alertmanagerPort ?? 9093;
  const worker = new URL(opts.workerUrl);
  writeFileSync(join(dir, "metrics-token"), opts.metricsToken, { mode: 0o600 });
  writeFileSync(join(dir, "webhook-token"), opts.webhookToken, { mode: 0o600 });
  const rules = readFileSync(join(opts.root, "ops/prometheus/rules/haven.yml"), "utf8");
  const alertFor = opts.alertFor && /^\d+[smh]$/.test(opts.alertFor) ? opts.alertFor : undefined;
  writeFileSync(
    join(dir, "rules/haven.yml"),
    alertFor ? rules.replace(/^(\s+)for: \S+$/gm, `$1for: ${alertFor}`) : rules,
  );
  // Same rules as production; scraped and evaluated every 5 s so local changes show quickly.
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 5s",
      "  evaluation_interval: 5s",
      "rule_files:",
      "  - rules/haven.yml",
      "alerting:",
      "  alertmanagers:",
      "    - static_configs:",
      `        - targets: ["127.0.0.1:${amPort}"]`,
      "scrape_configs:",
      "  - job_name: haven",
      "    metrics_path: /metrics",
      `    scheme: ${worker.protocol.replace(":", "")}`,
      "    authorization:",
      "      type: Bearer",
      `      credentials_file: ${join(dir, "metrics-token")}`,
      "    static_configs:",
      `      - targets: ["${worker.host}"]`,
      "        labels: { environment: local }",
      "",
    ].join("\n"),
  );
  const am = readFileSync(join(opts.root, "ops/alertmanager/alertmanager.yml"), "utf8")
    .replaceAll("https://app.haven.example/ops/alertmanager", `${opts.workerUrl}/ops/alertmanager`)
    .replaceAll("/etc/alertmanager/haven-ops-webhook-token", join(dir, "webhook-token"))
    .replace(/group_wait: 1m/, "group_wait: 10s")
    .replace(/group_interval: (1m|5m)/g, alertFor ? "group_interval: 10s" : "group_interval: $1");
  writeFileSync(join(dir, "alertmanager.yml"), am);

  const children: ChildProcess[] = [];
  const run = (bin: string, args: string[]) => {
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let tail = "";
    child.stderr?.on("data", (d: Buffer) => {
      tail = (tail + d.toString()).slice(-2_000);
    });
    child.on("exit", (code) => {
      if (code && code !== 0 && code !== 143)
        console.error(`monitoring: ${bin} exited with ${code}\n${tail}`);
    });
    children.push(child);
  };
  if (!existsSync(join(dir, "prometheus-data"))) mkdirSync(join(dir, "prometheus-data"));
  run("prometheus", [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "prometheus-data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--storage.tsdb.retention.time=2d",
  ]);
  run(alertmanagerBin(), [
    `--config.file=${join(dir, "alertmanager.yml")}`,
    `--storage.path=${join(dir, "alertmanager-data")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    "--cluster.listen-address=",
  ]);
  return {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    close: () => {
      for (const c of children) c.kill("SIGTERM");
    },
  };
}
