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
  // Alerts up to the room's seq when the page first connected are history (listed, not popped);
  // anything later, including alerts replayed after a reconnect, arrived while the page was open.
  let openedAt = null;

  function pop(f, live) {
    const li = document.createElement("li");
    // Plain text until a patient page exists (a link would 404).
    const who = document.createElement("strong");
    who.textContent = `Patient ${String(f.patientId).slice(0, 8)}…`;
    who.title = String(f.patientId);
    const meta = document.createElement("span");
    meta.textContent = ` — ${f.severity} risk at ${new Date(f.at).toLocaleString()}`;
    li.append(who, meta);
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
    ws.onopen = () => {
      retry = 0;
      ws.send(JSON.stringify({ type: "hello", lastSeq }));
    };
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f.type === "welcome") {
        openedAt ??= f.lastSeq;
        status.textContent = "Live: alerts appear here as they happen.";
      }
      if (f.type !== "crisis_alert" || seen.has(f.seq)) return;
      seen.add(f.seq);
      lastSeq = Math.max(lastSeq, f.seq);
      pop(f, f.seq > (openedAt ?? 0));
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
