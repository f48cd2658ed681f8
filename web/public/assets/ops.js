// Haven ops view (served as a file: the CSP forbids inline script). Polls the admin ops API and
// computes rates, error ratios and latency quantiles from the difference between two polls of the
// cumulative counters and histograms. Everything shown is ids, codes and counts: no PHI exists here.
(() => {
  const $ = (id) => document.getElementById(id);
  if (!$("routes")) return;
  const POLL_MS = 5000;
  let previous = null;
  let requestId = "";

  const key = (s) =>
    `${s.name}|${Object.entries(s.labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}`;
  const fmtMs = (s) =>
    s === null || Number.isNaN(s) ? "–" : s === Infinity ? "> 10 s" : `${Math.round(s * 1000)} ms`;
  const fmtRate = (r) => (r >= 10 ? r.toFixed(0) : r.toFixed(2));
  const text = (tag, value, cls) => {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  };

  function quantile(q, buckets) {
    // buckets: [[le, cumulativeCount]] ascending; the same estimate as Prometheus' histogram_quantile.
    const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
    if (!total) return null;
    const rank = q * total;
    let prevLe = 0;
    let prevCount = 0;
    for (const [le, count] of buckets) {
      if (count >= rank) {
        if (le === Infinity) return prevLe || Infinity;
        return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1);
      }
      prevLe = le;
      prevCount = count;
    }
    return null;
  }

  function render(now, seconds) {
    const cur = new Map(now.series.map((s) => [key(s), s]));
    const delta = (s) => {
      const before = previous?.get(key(s));
      return before ? Math.max(s.value - before.value, 0) : 0;
    };
    // Routes
    const routes = new Map();
    for (const s of now.series) {
      if (s.name === "http_requests_total") {
        const r = routes.get(s.labels.route) ?? { n: 0, e: 0, buckets: new Map() };
        const d = delta(s);
        r.n += d;
        if (s.labels.status?.startsWith("5")) r.e += d;
        routes.set(s.labels.route, r);
      } else if (s.name === "http_request_duration_seconds_bucket") {
        const r = routes.get(s.labels.route) ?? { n: 0, e: 0, buckets: new Map() };
        const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
        r.buckets.set(le, (r.buckets.get(le) ?? 0) + delta(s));
        routes.set(s.labels.route, r);
      }
    }
    let total = 0;
    let errors = 0;
    const rows = [...routes.entries()]
      .map(([route, r]) => {
        total += r.n;
        errors += r.e;
        const b = [...r.buckets.entries()].sort((a, c) => a[0] - c[0]);
        return {
          route,
          rate: r.n / seconds,
          err: r.n ? r.e / r.n : 0,
          p50: quantile(0.5, b),
          p95: quantile(0.95, b),
        };
      })
      .filter((r) => r.rate > 0)
      .sort((a, b) => b.rate - a.rate)
      .slice(0, 20);
    $("traffic-summary").textContent = previous
      ? `${fmtRate(total / seconds)} requests/s, ${(total ? (100 * errors) / total : 0).toFixed(1)} % 5xx over the last ${Math.round(seconds)} s.`
      : "Measuring… (rates need two polls)";
    $("routes").tBodies[0].replaceChildren(
      ...rows.map((r) => {
        const tr = document.createElement("tr");
        tr.append(
          text("td", r.route),
          text("td", fmtRate(r.rate)),
          text("td", `${(r.err * 100).toFixed(1)} %`, r.err > 0.05 ? "error" : ""),
          text("td", fmtMs(r.p50)),
          text("td", fmtMs(r.p95), r.p95 > 0.5 ? "error" : ""),
        );
        return tr;
      }),
    );
    // Dependencies
    const deps = new Map();
    for (const s of now.series) {
      if (s.name === "upstream_requests_total") {
        const d = deps.get(s.labels.dependency) ?? { ok: 0, bad: 0, open: [] };
        if (s.labels.outcome === "ok") d.ok += delta(s);
        else d.bad += delta(s);
        deps.set(s.labels.dependency, d);
      } else if (s.name === "circuit_breaker_open" && s.value > 0) {
        const d = deps.get(s.labels.dependency) ?? { ok: 0, bad: 0, open: [] };
        d.open.push(s.labels.region);
        deps.set(s.labels.dependency, d);
      }
    }
    $("deps").replaceChildren(
      ...(deps.size
        ? [...deps.entries()].map(([name, d]) => {
            const calls = d.ok + d.bad;
            const state = d.open.length
              ? `circuit open (${d.open.join(", ")})`
              : calls
                ? `${((100 * d.bad) / calls).toFixed(1)} % failing`
                : "no calls in this interval";
            return text(
              "li",
              `${name}: ${state}`,
              d.open.length || (calls && d.bad / calls > 0.5) ? "error" : "",
            );
          })
        : [text("li", "No dependency calls recorded yet.", "muted")]),
    );
    // Gauges
    const gauge = (name, labels = {}) =>
      now.series
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((n, s) => n + s.value, 0);
    const queues = now.series.filter((s) => s.name === "queue_depth");
    $("gauges").replaceChildren(
      ...queues.map((q) =>
        text(
          "li",
          `queue ${q.labels.queue}: ${q.value}`,
          q.labels.queue === "dead_letter" && q.value > 0 ? "error" : "",
        ),
      ),
      text("li", `live sockets: ${gauge("active_sessions")}`),
      text(
        "li",
        `unacknowledged high-risk alerts: ${gauge("care_alerts_unacknowledged", { measure: "count" })}`,
      ),
      text("li", `crisis detections since start: ${gauge("crisis_detections_total")}`),
      ...(cur.has("compliance_score|")
        ? [text("li", `compliance score: ${(gauge("compliance_score") * 100).toFixed(0)} %`)]
        : []),
    );
    previous = cur;
  }

  async function getJson(path) {
    const res = await fetch(path, { credentials: "same-origin" }).catch(() => null);
    if (!res) throw new Error("network");
    if (res.status === 401 || res.status === 404 || res.status === 403) throw new Error("forbidden");
    if (!res.ok) throw new Error(`status ${res.status}`);
    return res.json();
  }

  async function loadAlerts() {
    const { alerts } = await getJson("/v1/ops/alerts");
    $("alerts-empty").hidden = alerts.length > 0;
    $("alerts").replaceChildren(
      ...alerts.slice(0, 20).map((a) => {
        const li = text("li", "", "card");
        li.append(
          text("strong", `${a.alertname} `),
          text(
            "span",
            `${a.status} · ${a.severity} · since ${new Date(a.startsAt).toLocaleString()} — ${a.summary}`,
          ),
        );
        return li;
      }),
    );
  }

  async function loadEvents() {
    const q = requestId ? `?requestId=${encodeURIComponent(requestId)}&limit=100` : "?limit=50";
    const { events } = await getJson(`/v1/ops/events${q}`);
    $("events").tBodies[0].replaceChildren(
      ...events.map((e) => {
        const tr = document.createElement("tr");
        tr.append(
          text("td", new Date(e.time).toLocaleTimeString()),
          text("td", e.level, e.level === "error" ? "error" : ""),
          text("td", e.event),
          text("td", e.code ?? ""),
          text("td", e.route ?? ""),
          text("td", e.requestId ?? ""),
        );
        return tr;
      }),
    );
  }

  let last = 0;
  async function poll() {
    try {
      const overview = await getJson("/v1/ops/overview");
      const now = Date.now();
      render(overview, last ? (now - last) / 1000 : POLL_MS / 1000);
      last = now;
      await Promise.all([loadAlerts(), loadEvents()]);
      $("ops-status").textContent = `Updated ${new Date().toLocaleTimeString()} (every ${POLL_MS / 1000} s).`;
      $("ops-error").textContent = "";
    } catch (err) {
      $("ops-error").textContent =
        err.message === "forbidden"
          ? "The ops view is for administrators signed in with two-factor authentication."
          : "The ops figures could not be loaded; retrying.";
    }
  }

  $("log-search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    requestId = $("request-id").value.trim();
    loadEvents().catch(() => undefined);
  });
  $("log-search").addEventListener("reset", () => {
    requestId = "";
    setTimeout(() => loadEvents().catch(() => undefined), 0);
  });
  poll();
  setInterval(poll, POLL_MS);
})();
