// Haven service worker: installability, an offline page that still shows crisis lines, and Web Push.
// It caches only the offline page and the stylesheet: never API answers, never anything personal.
const CACHE = "haven-offline-v1";
const OFFLINE = "/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll([OFFLINE, "/assets/haven.css", "/favicon.svg"]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Page navigations go to the network; when it fails, the cached offline page (crisis lines) answers.
self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(() => caches.match(OFFLINE, { ignoreSearch: true })));
    return;
  }
  const url = new URL(req.url);
  if (
    url.origin === self.location.origin &&
    (url.pathname === "/assets/haven.css" || url.pathname === "/favicon.svg")
  ) {
    event.respondWith(fetch(req).catch(() => caches.match(req)));
  }
});

// RFC 8030 push, decrypted by the browser (RFC 8291). The payload carries fixed wording only
// ("Haven: urgent care-team alert"), a notification id as tag, and a same-origin link.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === "string" ? data.title : "Haven";
  const url =
    typeof data.url === "string" && new URL(data.url, self.location.origin).origin === self.location.origin
      ? data.url
      : "/notifications";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "Open Haven to see what's new.",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: "/favicon.svg",
      requireInteraction: data.critical === true,
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url || "/notifications";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((wins) => {
      for (const w of wins)
        if (new URL(w.url).pathname === new URL(url, self.location.origin).pathname) return w.focus();
      return self.clients.openWindow(url);
    }),
  );
});
