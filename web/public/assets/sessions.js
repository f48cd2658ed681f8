// Sessions page. Patients: upcoming sessions (join, reschedule, cancel, calendar file) and booking
// from free slots shown in their own time zone. Clinicians: day/week calendar with status, notes
// due, links to the visit and the note. Everything goes through the API with the session cookie.
(() => {
  const root = document.getElementById("sessions");
  if (!root) return;
  const role = root.dataset.role;
  const $ = (id) => document.getElementById(id);
  const status = $("sessions-status");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
  const say = (t) => {
    status.textContent = t;
  };
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  async function api(method, path, body, headers = {}) {
    const res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        ...(body ? { "content-type": "application/json" } : {}),
        ...(method === "GET" ? {} : { "x-csrf-token": csrf() }),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const data = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, data };
  }
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  const STATUS = { booked: "Booked", cancelled: "Cancelled", completed: "Completed", no_show: "No-show" };

  // ---- patient ------------------------------------------------------------------------------------
  async function loadUpcoming() {
    const r = await api("GET", "/v1/me/therapy-sessions");
    const list = $("upcoming");
    list.replaceChildren();
    const sessions = (r.data.sessions || []).filter((s) => s.status === "booked");
    if (sessions.length === 0) list.append(el("li", { class: "muted", text: "No sessions booked." }));
    for (const s of sessions) {
      const reason = () => window.prompt("Reason (shared with your clinician):", "") || "";
      const actions = el(
        "div",
        { class: "toolbar" },
        el("a", { class: "button", href: `/sessions/${s.id}/visit`, text: "Join visit" }),
        el("a", { href: `/v1/therapy-sessions/${s.id}/calendar.ics`, text: "Add to calendar" }),
        el("button", {
          type: "button",
          text: "Cancel",
          onclick: async () => {
            const why = reason();
            if (!why) return;
            const c = await api("POST", `/v1/therapy-sessions/${s.id}/cancel`, { reason: why });
            say(c.ok ? (c.data.lateCancel ? "Cancelled (late cancellation)." : "Cancelled.") : c.data.detail);
            loadUpcoming();
          },
        }),
        el("button", {
          type: "button",
          text: "Reschedule",
          onclick: () => {
            rescheduling = s;
            say("Choose a new time below; your current booking stays until the new one is confirmed.");
            $("slot-date").focus();
          },
        }),
      );
      list.append(
        el(
          "li",
          { class: "card", "data-session": s.id },
          el("p", { text: `${fmt.format(new Date(s.start))} · ${s.sessionType}` }),
          actions,
        ),
      );
    }
  }

  let rescheduling = null;
  async function loadClinicians() {
    const r = await api("GET", "/v1/me/care-team");
    const select = $("clinician");
    select.replaceChildren();
    for (const m of (r.data.members || []).filter((x) => x.status === "active"))
      select.append(el("option", { value: m.clinicianId, text: m.clinicianDisplayName || "Your clinician" }));
    if (select.options.length === 0) say("You have no clinician on your care team yet.");
  }

  async function findSlots(e) {
    e.preventDefault();
    const clinician = $("clinician").value;
    const type = $("session-type").value;
    const date = $("slot-date").value;
    if (!clinician || !date) return;
    // The clinician's days may straddle yours: ask a day either side, then keep your own date.
    const d = new Date(`${date}T00:00:00`);
    const iso = (x) => x.toISOString().slice(0, 10);
    const from = iso(new Date(d.getTime() - 86_400_000));
    const to = iso(new Date(d.getTime() + 86_400_000));
    const r = await api(
      "GET",
      `/v1/clinicians/${clinician}/slots?sessionType=${encodeURIComponent(type)}&from=${from}&to=${to}`,
    );
    const list = $("slots");
    list.replaceChildren();
    if (!r.ok) return say(r.data.detail || "Could not load free times.");
    const mine = r.data.slots.filter((s) => {
      const local = new Date(s.start);
      return (
        local.getFullYear() === d.getFullYear() &&
        local.getMonth() === d.getMonth() &&
        local.getDate() === d.getDate()
      );
    });
    say(mine.length ? `${mine.length} free times.` : "No free times that day. Try another date.");
    for (const s of mine)
      list.append(
        el(
          "li",
          {},
          el("button", {
            type: "button",
            class: "slot",
            "data-start": s.start,
            text: `${timeFmt.format(new Date(s.start))}–${timeFmt.format(new Date(s.end))}`,
            onclick: () => book(clinician, type, s.start),
          }),
        ),
      );
  }

  async function book(clinicianId, sessionType, start) {
    say("Booking…");
    let r;
    if (rescheduling) {
      const why = window.prompt("Reason for moving the session:", "") || "Rescheduled by patient";
      r = await api("POST", `/v1/therapy-sessions/${rescheduling.id}/reschedule`, { start, reason: why });
      rescheduling = null;
    } else {
      r = await api(
        "POST",
        "/v1/therapy-sessions",
        { clinicianId, sessionType, start },
        {
          "idempotency-key": `web-${crypto.randomUUID()}`,
        },
      );
    }
    if (r.ok) say(`Booked for ${fmt.format(new Date(r.data.start))}.`);
    else
      say(r.status === 409 ? `${r.data.detail} Refreshing free times…` : r.data.detail || "Booking failed.");
    await loadUpcoming();
    $("find-form").requestSubmit();
  }

  // ---- clinician ----------------------------------------------------------------------------------
  let view = "week";
  const anchor = new Date();
  anchor.setHours(0, 0, 0, 0);
  async function loadCalendar() {
    const from = new Date(anchor);
    if (view === "week") from.setDate(from.getDate() - ((from.getDay() + 6) % 7));
    const to = new Date(from);
    to.setDate(to.getDate() + (view === "week" ? 7 : 1));
    $("view-day").setAttribute("aria-pressed", String(view === "day"));
    $("view-week").setAttribute("aria-pressed", String(view === "week"));
    $("range").textContent =
      `${from.toLocaleDateString()} – ${new Date(to.getTime() - 1).toLocaleDateString()} (${zone})`;
    const r = await api("GET", `/v1/clinician/calendar?from=${from.toISOString()}&to=${to.toISOString()}`);
    const list = $("calendar");
    list.replaceChildren();
    const sessions = r.data.sessions || [];
    if (sessions.length === 0) list.append(el("li", { class: "muted", text: "No sessions." }));
    for (const s of sessions) {
      const li = el(
        "li",
        { class: `card status-${s.status}`, "data-session": s.id },
        el("p", {
          text: `${fmt.format(new Date(s.start))} · ${s.sessionType} · ${STATUS[s.status]}${s.lateCancel ? " (late)" : ""}`,
        }),
      );
      const tools = el("div", { class: "toolbar" });
      if (s.status === "booked")
        tools.append(el("a", { class: "button", href: `/sessions/${s.id}/visit`, text: "Open visit" }));
      if (s.status !== "cancelled") tools.append(el("a", { href: `/sessions/${s.id}/note`, text: "Note" }));
      if (s.status === "booked" && new Date(s.start) < new Date())
        tools.append(
          el("button", {
            type: "button",
            text: "Mark no-show",
            onclick: async () => {
              const m = await api("POST", `/v1/therapy-sessions/${s.id}/mark`, { status: "no_show" });
              say(m.ok ? "Marked as no-show." : m.data.detail);
              loadCalendar();
            },
          }),
        );
      li.append(tools);
      list.append(li);
    }
  }
  async function loadReminders() {
    const r = await api("GET", "/v1/clinician/reminders");
    const list = $("reminders");
    list.replaceChildren();
    const due = r.data.missingNotes || [];
    if (due.length === 0) list.append(el("li", { class: "muted", text: "No notes due." }));
    for (const n of due)
      list.append(
        el(
          "li",
          {},
          el("a", {
            href: `/sessions/${n.sessionId}/note`,
            text: `Session ended ${fmt.format(new Date(n.endedAt))}: note not signed`,
          }),
        ),
      );
  }

  // ---- calendar subscription (secret URL; both roles) --------------------------------------------
  async function loadFeed() {
    const r = await api("GET", "/v1/me/calendar-feed");
    const active = Boolean(r.ok && r.data.active);
    $("feed-state").textContent = active
      ? `A subscription address is on (made ${fmt.format(new Date(r.data.createdAt))}).`
      : "No subscription address.";
    $("feed-make").textContent = active
      ? "Replace the address (the old one stops working)"
      : "Make a subscription address";
    $("feed-revoke").hidden = !active;
  }
  $("feed-make").addEventListener("click", async () => {
    const r = await api("POST", "/v1/me/calendar-feed");
    if (!r.ok) return say(r.data.detail || "Could not make the address.");
    $("feed-url").value = r.data.url;
    $("feed-url-row").hidden = false;
    $("feed-url").select();
    say('Copy the address into your calendar app\'s "subscribe to calendar" setting.');
    loadFeed();
  });
  $("feed-revoke").addEventListener("click", async () => {
    const r = await api("DELETE", "/v1/me/calendar-feed");
    $("feed-url").value = "";
    $("feed-url-row").hidden = true;
    say(r.ok ? "The subscription address is off." : r.data.detail || "Could not turn it off.");
    loadFeed();
  });
  loadFeed();

  if (role === "patient") {
    $("my-zone").textContent = zone;
    const today = new Date();
    $("slot-date").value =
      `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
    $("find-form").addEventListener("submit", findSlots);
    loadClinicians();
    loadUpcoming();
  } else {
    const shift = (n) => {
      anchor.setDate(anchor.getDate() + n * (view === "week" ? 7 : 1));
      loadCalendar();
    };
    $("prev").addEventListener("click", () => shift(-1));
    $("next").addEventListener("click", () => shift(1));
    $("view-day").addEventListener("click", () => {
      view = "day";
      loadCalendar();
    });
    $("view-week").addEventListener("click", () => {
      view = "week";
      loadCalendar();
    });
    loadCalendar();
    loadReminders();
  }
})();
