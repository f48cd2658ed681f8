import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import compliance from "../ops/grafana/dashboards/compliance.json";
import data from "../ops/grafana/dashboards/data.json";
import overview from "../ops/grafana/dashboards/overview.json";
import safety from "../ops/grafana/dashboards/safety.json";
import rulesText from "../ops/prometheus/rules/haven.yml?raw";
import { exportedSeriesNames } from "../workers/lib/metrics/registry";

type Dashboard = { uid: string; panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
const DASHBOARDS = [overview, safety, data, compliance] as Dashboard[];

/** Metric names selected by a PromQL expression, read with Prometheus' own PromQL grammar. */
function selectedMetrics(expr: string): { names: string[]; errors: number } {
  const names: string[] = [];
  let errors = 0;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
      if (n.name === "VectorSelector") {
        const id = n.node.getChild("Identifier");
        if (id) names.push(expr.slice(id.from, id.to));
      }
    },
  });
  return { names, errors };
}

describe("Grafana dashboards as code", () => {
  const exported = new Set(exportedSeriesNames());

  it("every panel query parses and selects only metrics Haven exports", () => {
    const unknown: string[] = [];
    let queries = 0;
    for (const d of DASHBOARDS) {
      for (const p of d.panels) {
        for (const t of p.targets) {
          queries++;
          const { names, errors } = selectedMetrics(t.expr);
          expect(errors, `${d.uid} / ${p.title}: ${t.expr}`).toBe(0);
          expect(names.length, `${d.uid} / ${p.title} selects no metric`).toBeGreaterThan(0);
          for (const n of names) if (!exported.has(n)) unknown.push(`${d.uid} / ${p.title}: ${n}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it("the check catches a query for a metric that does not exist", () => {
    const { names } = selectedMetrics('sum(rate(http_requests_totl{status=~"5.."}[5m]))');
    expect(names.filter((n) => !exported.has(n))).toEqual(["http_requests_totl"]);
  });

  it("dashboards have unique uids and use the provisioned Prometheus data source", () => {
    expect(new Set(DASHBOARDS.map((d) => d.uid)).size).toBe(DASHBOARDS.length);
    for (const d of DASHBOARDS)
      for (const p of d.panels as Array<{ datasource?: { uid?: string } }>)
        expect(p.datasource?.uid).toBe("haven-prometheus");
  });
});

describe("Prometheus alert rules", () => {
  it("every rule selects only metrics Haven exports (or Prometheus' own `up`)", () => {
    const exported = new Set([...exportedSeriesNames(), "up"]);
    const doc = parseYaml(rulesText) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(9);
    for (const r of rules) {
      const { names, errors } = selectedMetrics(r.expr);
      expect(errors, r.alert).toBe(0);
      expect(
        names.filter((n) => !exported.has(n)),
        r.alert,
      ).toEqual([]);
    }
  });
});
