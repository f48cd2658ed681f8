// Haven clinician dashboard (served as a file: the CSP forbids inline script).
// Shows the clinician's alert inbox from GET /v1/clinician/alerts (alerts stay there until acknowledged, even
// if a live push never arrived) and opens the clinician's own room socket, which pops new alerts
// as they arrive and refreshes the inbox. Alerts carry a patient id, severity and time only.
(() => {
  const $ = (id) => document.getElementById(id);
  const list = $("alert-list");
  const status = $("alert-status");
  if (!list) return;
  const seen = new Set();
  let lastSeq = 0;
  let retry = 0;
  // Alerts up to the room's seq when the page first connected are history; later ones pop.
  let openedAt = null;

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function row(a) {
    const li = document.createElement("li");
    li.className = "card";
    const who = document.createElement("a");
    who.href = `/clinician/patients/${encodeURIComponent(String(a.patientId))}`;
    who.textContent = a.patientName || `Patient ${String(a.patientId).slice(0, 8)}…`;
    const meta = document.createElement("span");
    meta.textContent =
      a.severity === "wearable"
        ? ` — wearable anomaly at ${new Date(a.createdAt).toLocaleString()} `
        : ` — ${a.severity} risk at ${new Date(a.createdAt).toLocaleString()} `;
    if (a.severity === "wearable") {
      const link = document.createElement("a");
      link.href = `/wearables?patient=${encodeURIComponent(a.patientId)}`;
      link.textContent = "Open wearables";
      meta.append(link, " ");
    }
    const ack = document.createElement("button");
    ack.type = "button";
    ack.className = "secondary";
    ack.textContent = "Acknowledge";
    ack.addEventListener("click", () => acknowledge(a.id, ack));
    li.append(who, meta, ack);
    return li;
  }

  async function loadInbox() {
    const res = await fetch("/v1/clinician/alerts", { credentials: "same-origin" }).catch(() => null);
    if (!res?.ok) {
      $("inbox-error").textContent = "Your alert inbox could not be loaded. It will be retried.";
      return;
    }
    $("inbox-error").textContent = "";
    const { alerts } = await res.json();
    list.replaceChildren(...alerts.map(row));
    $("inbox-empty").hidden = alerts.length > 0;
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    const res = await fetch(`/v1/clinician/alerts/${encodeURIComponent(id)}/acknowledge`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": csrf() },
    }).catch(() => null);
    if (!res?.ok) {
      button.disabled = false;
      $("inbox-error").textContent = "The alert could not be acknowledged. Please try again.";
      return;
    }
    await loadInbox();
  }

  function pop(f) {
    $("alert-banner").hidden = false;
    $("alert-text").textContent =
      f.severity === "wearable"
        ? "Wearable alert: a patient on your care team has a wearable anomaly. Review their readings."
        : `Crisis alert: a patient on your care team (${f.severity} risk). Review now.`;
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Haven crisis alert", { body: `${f.severity} risk — open your dashboard` });
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
        loadInbox();
      }
      if (f.type === "notification") {
        document.dispatchEvent(new CustomEvent("haven:notification", { detail: f }));
        return;
      }
      if (f.type !== "crisis_alert" || seen.has(f.seq)) return;
      seen.add(f.seq);
      lastSeq = Math.max(lastSeq, f.seq);
      if (f.seq > (openedAt ?? 0)) {
        pop(f);
        loadInbox();
      }
    };
    ws.onclose = () => {
      status.textContent = "Reconnecting…";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  }
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  loadInbox();
  // The inbox is the record: refresh it now and then even if the socket is down.
  setInterval(loadInbox, 60_000);
  connect();
})();
