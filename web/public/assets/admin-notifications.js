// Admin console: notification dead letters (ids and codes), inspect, retry, discard.
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
      headers: { "x-csrf-token": csrf(), ...(init.headers || {}) },
    });

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text ?? "—";
    return td;
  }
  function button(label, onClick, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  async function act(id, action) {
    const res = await api(`/v1/admin/notifications/dead-letters/${encodeURIComponent(id)}/${action}`, {
      method: "POST",
    });
    $("dl-status").textContent = res.ok
      ? `Dead letter ${action === "retry" ? "retried" : "discarded"}.`
      : "That did not work (already resolved?).";
    await load();
  }

  async function inspect(id) {
    const res = await api(`/v1/admin/notifications/dead-letters/${encodeURIComponent(id)}`);
    $("dl-detail").textContent = res.ok ? JSON.stringify(await res.json(), null, 2) : "Could not load it.";
  }

  async function load() {
    const res = await api("/v1/admin/notifications/dead-letters?status=open").catch(() => null);
    if (!res?.ok) {
      $("dl-status").textContent = "Dead letters could not be loaded (admins only).";
      return;
    }
    const { deadLetters } = await res.json();
    $("dl-rows").replaceChildren(
      ...deadLetters.map((d) => {
        const tr = document.createElement("tr");
        const actions = document.createElement("td");
        actions.append(
          button("Inspect", () => inspect(d.id), "secondary"),
          " ",
          button("Retry", () => act(d.id, "retry")),
          " ",
          button("Discard", () => act(d.id, "discard"), "secondary"),
        );
        tr.append(
          cell(new Date(d.createdAt).toLocaleString()),
          cell(d.region),
          cell(d.eventType),
          cell(d.channel),
          cell(d.errorCode),
          cell(String(d.attempts)),
          actions,
        );
        return tr;
      }),
    );
    if (!$("dl-status").textContent) $("dl-status").textContent = `${deadLetters.length} open.`;
  }
  load();
})();
