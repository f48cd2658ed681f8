// Registers the service worker (install, offline crisis page, Web Push) and keeps the nav's unread
// badge current: on load, and live when a page's socket receives a "notification" frame.
(() => {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  const link = document.querySelector('nav a[href="/notifications"]');
  if (!link) return;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.id = "nav-unread";
  badge.hidden = true;
  link.append(" ", badge);
  const show = (n) => {
    badge.hidden = !(n > 0);
    badge.textContent = n > 0 ? String(n) : "";
    badge.setAttribute("aria-label", `${n} unread`);
  };
  document.addEventListener("haven:notification", (e) => show(e.detail.unread));
  document.addEventListener("haven:unread", (e) => show(e.detail));
  if (!/(?:^|;\s*)haven_csrf=/.test(document.cookie)) return;
  fetch("/v1/me/notifications", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((b) => b && show(b.unread))
    .catch(() => undefined);
})();
