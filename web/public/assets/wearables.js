// Haven wearables page (served as a file: the CSP forbids inline script). Reads the patient's
// series from the API (access decided and audited there), draws them with uPlot (/vendor/uplot),
// shades the personal baseline (28-day median ± 1.4826 × MAD of hourly means), marks anomalies
// from the risk timeline, and appends live readings from the patient's stream socket.
(() => {
  const root = document.getElementById("wearables");
  if (!root || typeof uPlot === "undefined") return;
  const patient = root.dataset.patient;
  const $ = (id) => document.getElementById(id);
  const HOUR = 3600e3;
  const DAY = 24 * HOUR;
  let range = "day";
  let anomalies = [];
  const charts = {};
  const data = {};

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };

  async function series(type, resolution, fromMs, toMs) {
    const q = new URLSearchParams({
      type,
      resolution,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
    const res = await fetch(`/v1/patients/${patient}/telemetry?${q}`, { credentials: "same-origin" });
    if (!res.ok) throw new Error(String(res.status));
    return (await res.json()).points;
  }

  async function baseline(type) {
    if (type === "steps" || type === "sleep_stage") return null;
    const now = Date.now();
    const pts = await series(type, "hour", now - 28 * DAY, now);
    if (pts.length < 24) return null;
    const values = pts.map((p) => p.value);
    const m = median(values);
    const sd = 1.4826 * median(values.map((v) => Math.abs(v - m)));
    return { lo: m - sd, hi: m + sd };
  }

  function anomalyPlugin() {
    return {
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = "#c0392b";
            ctx.lineWidth = 2 * devicePixelRatio;
            for (const a of anomalies) {
              const x = u.valToPos(a.at / 1000, "x", true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function draw(type, xs, ys, band) {
    const el = $(`chart-${type}`);
    const width = Math.max(280, el.clientWidth || root.clientWidth || 600);
    const lo = xs.map(() => (band ? band.lo : null));
    const hi = xs.map(() => (band ? band.hi : null));
    const bars = type === "steps" || type === "sleep_stage";
    if (charts[type]) charts[type].destroy();
    delete charts[type];
    if (xs.length === 0) {
      const note = document.createElement("p");
      note.className = "muted";
      note.textContent = "No readings in this range.";
      el.replaceChildren(note);
      return;
    }
    const opts = {
      width,
      height: 180,
      // The figure's caption names the series; uPlot's legend greys hidden series below contrast.
      legend: { show: false },
      plugins: [anomalyPlugin()],
      scales: { x: { time: true } },
      series: [
        {},
        {
          label: type,
          stroke: "#2b6cb0",
          width: 1.5,
          ...(bars ? { paths: uPlot.paths.bars({ size: [0.8, 40] }), fill: "rgba(43,108,176,0.35)" } : {}),
        },
        { label: "usual low", stroke: "rgba(56,161,105,0.5)", width: 1, show: Boolean(band) },
        { label: "usual high", stroke: "rgba(56,161,105,0.5)", width: 1, show: Boolean(band) },
      ],
      bands: band ? [{ series: [3, 2], fill: "rgba(56,161,105,0.12)" }] : [],
    };
    data[type] = [xs, ys, lo, hi];
    el.replaceChildren();
    charts[type] = new uPlot(opts, data[type], el);
  }

  async function load() {
    const now = Date.now();
    const from = now - (range === "day" ? DAY : 7 * DAY);
    $("wearables-error").textContent = "";
    try {
      const res = await fetch(`/v1/patients/${patient}/wearables/anomalies`, { credentials: "same-origin" });
      const list = res.ok ? (await res.json()).anomalies : [];
      anomalies = list.map((a) => ({ at: Date.parse(a.createdAt), rule: a.ruleIds[0] }));
      $("anomaly-list").replaceChildren(
        ...list.slice(0, 20).map((a) => {
          const li = document.createElement("li");
          li.textContent = `${new Date(a.createdAt).toLocaleString()}: ${String(a.ruleIds[0]).replace("wearable.", "").replaceAll("_", " ")}`;
          return li;
        }),
      );
      for (const type of ["heart_rate", "hrv_rmssd", "steps", "sleep_stage"]) {
        const resolution =
          range === "day" && (type === "heart_rate" || type === "hrv_rmssd") ? "minute" : "hour";
        const pts = await series(type, resolution, from, now);
        const xs = pts.map((p) => Date.parse(p.ts) / 1000);
        const ys = pts.map((p) => (type === "sleep_stage" ? p.value / 3600 : Math.round(p.value * 10) / 10));
        draw(type, xs, ys, await baseline(type));
      }
    } catch {
      $("wearables-error").textContent = "The readings could not be loaded. They will be retried.";
      setTimeout(load, 10_000);
    }
  }

  function showAnomaly(a) {
    $("anomaly-banner").hidden = false;
    $("anomaly-text").textContent =
      `New wearable anomaly: ${a.rule.replaceAll("_", " ")}. The care team has been told.`;
    anomalies.push({ at: a.end, rule: a.rule });
    for (const c of Object.values(charts)) c.redraw();
  }

  let retry = 0;
  function connect() {
    const ws = new WebSocket(
      `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/patients/${patient}/wearables/live`,
    );
    ws.onopen = () => {
      retry = 0;
      $("live-status").textContent = "Live";
    };
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f.type === "anomaly") showAnomaly(f.anomaly);
      if (f.type === "reading" && range === "day") {
        const d = data[f.reading.type];
        const chart = charts[f.reading.type];
        if (!d || !chart || f.reading.type === "steps" || f.reading.type === "sleep_stage") return;
        d[0].push(f.reading.ts / 1000);
        d[1].push(f.reading.value);
        d[2].push(d[2][0] ?? null);
        d[3].push(d[3][0] ?? null);
        chart.setData(d);
        $("live-status").textContent = `Live · last ${f.reading.type.replace("_", " ")} ${f.reading.value}`;
      }
    };
    ws.onclose = () => {
      $("live-status").textContent = "Reconnecting…";
      setTimeout(connect, Math.min(30_000, 1000 * 2 ** retry++));
    };
  }

  for (const [id, value] of [
    ["range-day", "day"],
    ["range-week", "week"],
  ]) {
    $(id).addEventListener("click", () => {
      range = value;
      $("range-day").setAttribute("aria-pressed", String(value === "day"));
      $("range-week").setAttribute("aria-pressed", String(value === "week"));
      load();
    });
  }
  load();
  connect();
})();
