// Haven clinician dashboard (served as a file: the CSP forbids inline script).
// Opens the clinician's own room socket (their alert inbox) and pops crisis alerts as they arrive.
// Alerts carry a patient id, severity and time only: never message text.
(() => {
  const $ = (id) => document.getElementById(id);
  const list = $("alert-list");
  const status = $("alert-status");
  if (!list) return;
  const seen = new Set();
  let lastSeq = 0;
  let retry = 0;

  function pop(f, live) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/patients/${encodeURIComponent(f.patientId)}`;
    a.textContent = `Patient ${String(f.patientId).slice(0, 8)}…`;
    const meta = document.createElement("span");
    meta.textContent = ` — ${f.severity} risk at ${new Date(f.at).toLocaleString()}`;
    li.append(a, meta);
    list.prepend(li);
    if (live) {
      $("alert-banner").hidden = false;
      $("alert-text").textContent =
        `Crisis alert: a patient on your care team (${f.severity} risk). Review now.`;
      if ("Notification" in window && Notification.permission === "granted") {
        new Notification("Haven crisis alert", { body: `${f.severity} risk — open your dashboard` });
      }
    }
  }

  function connect() {
    const ws = new WebSocket(
      `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/chat/ws`,
    );
    let replaying = true;
    ws.onopen = () => {
      retry = 0;
      ws.send(JSON.stringify({ type: "hello", lastSeq }));
      setTimeout(() => {
        replaying = false;
      }, 500);
    };
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f.type === "welcome") status.textContent = "Live: alerts appear here as they happen.";
      if (f.type !== "crisis_alert" || seen.has(f.seq)) return;
      seen.add(f.seq);
      lastSeq = Math.max(lastSeq, f.seq);
      pop(f, !replaying);
    };
    ws.onclose = () => {
      status.textContent = "Reconnecting…";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  }
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  connect();
})();
