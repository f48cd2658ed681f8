// Notification centre: inbox + unread count, mark read, Web Push subscribe/unsubscribe, quiet hours.
(() => {
  const $ = (id) => document.getElementById(id);
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  const api = (path, init = {}) =>
    fetch(path, {
      credentials: "same-origin",
      ...init,
      headers: { "content-type": "application/json", "x-csrf-token": csrf(), ...(init.headers || {}) },
    });

  function setUnread(n) {
    $("unread").textContent = n > 0 ? `${n} unread` : "";
    document.dispatchEvent(new CustomEvent("haven:unread", { detail: n }));
  }

  function item(n) {
    const li = document.createElement("li");
    li.className = n.readAt ? "card" : "card unread";
    if (n.critical) li.classList.add("critical");
    const h = document.createElement("strong");
    h.textContent = n.title;
    const p = document.createElement("p");
    p.textContent = n.text;
    const meta = document.createElement("p");
    meta.className = "muted";
    meta.textContent = new Date(n.createdAt).toLocaleString();
    li.append(h, p, meta);
    if (!n.readAt) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = "Mark read";
      b.addEventListener("click", () => mark({ ids: [n.id] }));
      li.append(b);
    }
    return li;
  }

  async function load() {
    const res = await api("/v1/me/notifications").catch(() => null);
    if (!res?.ok) {
      $("inbox-error").textContent = "Your notifications could not be loaded.";
      return;
    }
    $("inbox-error").textContent = "";
    const body = await res.json();
    $("inbox").replaceChildren(...body.notifications.map(item));
    $("inbox-empty").hidden = body.notifications.length > 0;
    setUnread(body.unread);
  }

  async function mark(body) {
    const res = await api("/v1/me/notifications/read", { method: "POST", body: JSON.stringify(body) }).catch(
      () => null,
    );
    if (res?.ok) await load();
  }
  $("mark-all").addEventListener("click", () => mark({ all: true }));
  document.addEventListener("haven:notification", () => load());

  // ---- Web Push ----
  const b64ToBytes = (s) => {
    const pad = "=".repeat((4 - (s.length % 4)) % 4);
    const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  };
  const status = (t) => {
    $("push-status").textContent = t;
  };

  async function pushOn() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window))
      return status("This browser cannot receive push notifications.");
    const perm = await Notification.requestPermission();
    if (perm !== "granted")
      return status("Notifications are blocked for this site in your browser settings.");
    const key = await (await api("/v1/notifications/vapid-public-key")).json();
    if (!key.publicKey) return status("Push notifications are not configured on this server.");
    const reg = await navigator.serviceWorker.ready;
    let sub;
    try {
      sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: b64ToBytes(key.publicKey),
      });
    } catch {
      return status("Your browser's push service could not be reached. Try again when you're online.");
    }
    const res = await api("/v1/me/push-subscriptions", {
      method: "POST",
      body: JSON.stringify(sub.toJSON()),
    });
    if (!res.ok) return status("This device could not be registered.");
    localStorage.setItem("haven-push-id", (await res.json()).id);
    $("push-off").hidden = false;
    status("Push notifications are on for this device.");
  }

  async function pushOff() {
    const id = localStorage.getItem("haven-push-id");
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) await sub.unsubscribe();
    if (id) await api(`/v1/me/push-subscriptions/${encodeURIComponent(id)}`, { method: "DELETE" });
    localStorage.removeItem("haven-push-id");
    $("push-off").hidden = true;
    status("Push notifications are off for this device.");
  }
  $("push-on").addEventListener("click", () => pushOn().catch(() => status("Something went wrong.")));
  $("push-off").addEventListener("click", () => pushOff().catch(() => status("Something went wrong.")));
  $("push-off").hidden = !localStorage.getItem("haven-push-id");

  // ---- settings ----
  const form = $("settings");
  api("/v1/me/notification-settings")
    .then((r) => (r.ok ? r.json() : null))
    .then((s) => {
      if (!s) return;
      form.timeZone.value =
        s.timeZone === "UTC" ? Intl.DateTimeFormat().resolvedOptions().timeZone : s.timeZone;
      form.quietStart.value = s.quietStart || "";
      form.quietEnd.value = s.quietEnd || "";
    });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { timeZone: form.timeZone.value };
    if (form.quietStart.value && form.quietEnd.value) {
      body.quietStart = form.quietStart.value;
      body.quietEnd = form.quietEnd.value;
    } else {
      body.quietStart = null;
      body.quietEnd = null;
    }
    const res = await api("/v1/me/notification-settings", { method: "PATCH", body: JSON.stringify(body) });
    $("settings-status").textContent = res.ok ? "Saved." : "Check the time zone and times.";
  });

  load();
})();
