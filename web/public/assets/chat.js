// Haven companion chat (served as a file: the CSP forbids inline script).
// Opens the user's room over a cookie-authenticated WebSocket, streams replies, replays missed
// events after a reconnect (by seq, de-duplicated) and falls back to HTTP + SSE without WebSockets.
// Message text is only ever set with textContent. Nothing is stored in the browser: a reload replays
// the conversation from the room.
(() => {
  const $ = (id) => document.getElementById(id);
  const log = $("chat-log");
  const form = $("chat-form");
  const input = $("chat-input");
  const status = $("chat-status");
  const errorBox = $("chat-error");
  if (!log || !form || !input) return;

  const seen = new Set();
  const streaming = new Map(); // replyTo seq -> element
  const pending = new Map(); // clientId -> element
  let lastSeq = 0;
  let offline = false;
  let ws = null;
  let retry = 0;
  let refused = false; // consent withdrawn: stop reconnecting until the page is reloaded
  function showConsent() {
    refused = true;
    const box = $("chat-consent");
    if (box) {
      box.hidden = false;
      box.scrollIntoView({ block: "nearest" });
    }
    status.textContent = "Chat is off until you turn consent back on.";
  }

  fetch("/v1/meta", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((m) => {
      offline = Boolean(m?.companionOffline);
      const note = $("chat-offline");
      if (note) note.hidden = !offline;
      // Replies replayed before this answer arrived get the right label too.
      for (const label of log.querySelectorAll(".chat-companion > strong"))
        label.textContent = companionLabel();
    })
    .catch(() => {});

  const bySeq = new Map(); // seq of a message -> its bubble, so safety events appear right after it

  // kind: "you" | "companion" | "clinician" | "system" (styling only; the label says who).
  function bubble(who, text, kind, seq) {
    const li = document.createElement("li");
    li.className = `card chat-bubble chat-${kind}`;
    const label = document.createElement("strong");
    label.textContent = who;
    const body = document.createElement("p");
    body.textContent = text;
    li.append(label, body);
    log.append(li);
    if (typeof seq === "number") bySeq.set(seq, li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  // Under a companion reply: the library item it drew on (a link to the item) and a helpful /
  // not helpful rating (no text is sent; a reason comes from a short list).
  function replyExtras(li, f) {
    if (Array.isArray(f.citations) && f.citations.length > 0) {
      const cite = document.createElement("p");
      cite.className = "chat-citation muted";
      cite.append("From Haven's library: ");
      const a = document.createElement("a");
      a.href = `/library/${encodeURIComponent(f.citations[0].slug)}`;
      a.textContent = f.citations[0].title;
      cite.append(a);
      li.append(cite);
    }
    if (f.outcome !== "ok" || typeof f.seq !== "number") return;
    const box = document.createElement("div");
    box.className = "chat-feedback";
    const send = async (helpful, reason) => {
      const body = { seq: f.seq, helpful };
      if (reason) body.reason = reason;
      if (f.citations?.[0]) body.librarySlug = f.citations[0].slug;
      const res = await fetch("/v1/chat/feedback", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf() },
        body: JSON.stringify(body),
      }).catch(() => null);
      box.replaceChildren(
        document.createTextNode(res?.ok ? "Thanks for the feedback." : "Feedback could not be saved."),
      );
    };
    const yes = document.createElement("button");
    yes.type = "button";
    yes.className = "link";
    yes.textContent = "Helpful";
    yes.addEventListener("click", () => send(true));
    const no = document.createElement("button");
    no.type = "button";
    no.className = "link";
    no.textContent = "Not helpful";
    no.addEventListener("click", () => {
      const select = document.createElement("select");
      select.setAttribute("aria-label", "Why was it not helpful?");
      for (const [value, label] of [
        ["", "Why? (optional)"],
        ["not_relevant", "Not relevant"],
        ["not_accurate", "Not accurate"],
        ["too_long", "Too long"],
        ["not_kind", "Not kind"],
        ["unsafe", "Felt unsafe"],
        ["other", "Other"],
      ]) {
        const o = document.createElement("option");
        o.value = value;
        o.textContent = label;
        select.append(o);
      }
      const ok = document.createElement("button");
      ok.type = "button";
      ok.className = "secondary";
      ok.textContent = "Send";
      ok.addEventListener("click", () => send(false, select.value || undefined));
      box.replaceChildren(select, ok);
      select.focus();
    });
    box.append(yes, " · ", no);
    li.append(box);
  }

  // Safety events (crisis responses, check-ins) go right after the message they answer, after any
  // earlier ones for the same message; at the end when that message is not on the page.
  function placeAfter(about, el) {
    const mine = bySeq.get(about);
    let anchor = mine && mine.parentNode === log ? mine : null;
    while (anchor?.nextElementSibling?.dataset.about === String(about)) anchor = anchor.nextElementSibling;
    el.dataset.about = String(about);
    if (anchor) anchor.after(el);
    else log.append(el);
  }
  const setText = (li, text) => {
    li.lastChild.textContent = text;
  };
  function markFailed(clientId) {
    const el = pending.get(clientId);
    if (!el) return;
    pending.delete(clientId);
    el.classList.add("chat-failed");
    el.firstChild.textContent = "You (not sent)";
  }
  // Without consent to the AI companion the room refuses messages: say where to turn it on.
  function showError(message, code) {
    errorBox.textContent = message;
    if (code !== "consent_required") return;
    const a = document.createElement("a");
    a.href = "/account";
    a.textContent = "Turn on the AI companion in your account";
    errorBox.append(" ", a, ".");
  }
  const companionLabel = () => (offline ? "Companion (offline model)" : "Companion");

  function resourceItems(resources) {
    const items = [];
    for (const r of Array.isArray(resources) ? resources : []) {
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = r.name || "Help line";
      li.append(name);
      const ways = [];
      if (r.phone) {
        const a = document.createElement("a");
        a.href = `tel:${String(r.phone).replace(/[^0-9+]/g, "")}`;
        a.textContent = `Call ${r.phone}`;
        ways.push(a);
      }
      if (r.text) ways.push(document.createTextNode(String(r.text)));
      if (r.url && /^https?:\/\//.test(String(r.url))) {
        const a = document.createElement("a");
        a.href = r.url;
        a.rel = "noopener";
        a.textContent = String(r.url).replace(/^https?:\/\//, "");
        ways.push(a);
      }
      if (r.available) ways.push(document.createTextNode(`(${r.available})`));
      for (const w of ways) li.append(" ", w);
      items.push(li);
    }
    return items;
  }

  // Only a definite answer is shown: "pending" (or no field) says nothing about the care team.
  function showAlerted(el, value) {
    if (!el) return;
    el.hidden = value !== true && value !== false;
    el.classList.toggle("error", value === false);
    el.textContent =
      value === true
        ? "Your care team has been alerted."
        : value === false
          ? "No clinician on a care team was alerted: you have no care team on Haven yet. Please use the resources above."
          : "";
  }

  const crisisBlocks = new Map(); // about (message seq) -> inline crisis block
  let bannerAbout = null;

  // The banner keeps the latest response and resources at the top; the inline block shows each
  // response where it happened. Live responses are scrolled into view every time, also when the
  // banner is already showing (on a phone the banner is usually far above the new message).
  function showCrisis(f, live) {
    const banner = $("chat-crisis");
    banner.hidden = false;
    $("chat-crisis-text").textContent = f.response || "";
    $("chat-crisis-resources").replaceChildren(...resourceItems(f.resources));
    bannerAbout = f.about;
    showAlerted($("chat-crisis-alerted"), f.careTeamAlerted);

    const li = document.createElement("li");
    li.className = "card chat-bubble chat-crisis";
    const label = document.createElement("strong");
    label.textContent = "Haven · support right now";
    const text = document.createElement("p");
    text.textContent = f.response || "";
    const list = document.createElement("ul");
    list.append(...resourceItems(f.resources));
    const alerted = document.createElement("p");
    alerted.className = "chat-crisis-alerted";
    showAlerted(alerted, f.careTeamAlerted);
    const screener = document.createElement("p");
    screener.className = "chat-crisis-screener";
    screener.hidden = true;
    const a = document.createElement("a");
    a.href = "/screeners/c-ssrs";
    a.textContent = "Take a short safety check (C-SSRS)";
    screener.append(a);
    li.append(label, text, list, alerted, screener);
    placeAfter(f.about, li);
    if (typeof f.about === "number") crisisBlocks.set(f.about, li);
    if (live) li.scrollIntoView({ block: "start" });
  }

  // The patient's own safety plan, shown first in a crisis response (the crisis lines stay below it).
  const PLAN_SECTIONS = [
    ["warningSigns", "My warning signs"],
    ["copingStrategies", "Things I can do on my own"],
    ["distractions", "People and places that take my mind off things"],
    ["helpContacts", "People I can ask for help"],
    ["professionals", "Professionals I can contact"],
    ["safeEnvironment", "Making my surroundings safe"],
    ["reasonsForLiving", "My reasons for living"],
  ];
  function planBlock(f) {
    const box = document.createElement("section");
    box.className = "chat-safety-plan";
    box.setAttribute("aria-label", "Your safety plan");
    const h = document.createElement("strong");
    h.textContent = "Your safety plan";
    box.append(h);
    const sections = f.sections && typeof f.sections === "object" ? f.sections : {};
    for (const [key, title] of PLAN_SECTIONS) {
      const items = Array.isArray(sections[key]) ? sections[key] : [];
      if (items.length === 0) continue;
      const p = document.createElement("p");
      p.className = "chat-safety-plan-title";
      p.textContent = title;
      const ul = document.createElement("ul");
      for (const item of items) {
        const li = document.createElement("li");
        if (item && typeof item === "object") {
          li.append(String(item.name || ""));
          if (item.phone) {
            const a = document.createElement("a");
            a.href = `tel:${String(item.phone).replace(/[^\d+]/g, "")}`;
            a.textContent = String(item.phone);
            li.append(": ", a);
          }
        } else li.textContent = String(item);
        ul.append(li);
      }
      box.append(p, ul);
    }
    const link = document.createElement("a");
    link.href = "/safety-plan";
    link.textContent = "Open my whole plan";
    box.append(link);
    return box;
  }
  function showSafetyPlan(f) {
    const block = crisisBlocks.get(f.about);
    if (block) {
      block.querySelector(".chat-safety-plan")?.remove();
      block.firstChild.after(planBlock(f));
    }
    if (f.about === bannerAbout) {
      const slot = $("chat-crisis-plan");
      slot.replaceChildren(planBlock(f));
      slot.hidden = false;
    }
  }

  function crisisStatus(f) {
    showAlerted(crisisBlocks.get(f.about)?.querySelector(".chat-crisis-alerted"), f.careTeamAlerted);
    if (f.about === bannerAbout) showAlerted($("chat-crisis-alerted"), f.careTeamAlerted);
  }

  // The companion asking directly about suicidal thoughts: a companion bubble at that point in the
  // conversation, announced by the log's live region, with a button that moves focus to the reply box.
  function checkIn(f, live) {
    const li = document.createElement("li");
    li.className = "card chat-bubble chat-companion chat-check-in";
    const label = document.createElement("strong");
    label.textContent = companionLabel();
    const body = document.createElement("p");
    body.textContent = f.text || "";
    const reply = document.createElement("button");
    reply.type = "button";
    reply.className = "link";
    reply.textContent = "Answer";
    reply.addEventListener("click", () => input.focus());
    li.append(label, body, reply);
    placeAfter(f.about, li);
    if (live) li.scrollIntoView({ block: "nearest" });
  }

  // live: false while a reconnect or reload replays history (replayed frames have seq <= welcome's).
  let replayThrough = 0;
  function handle(f) {
    if (f.type === "notification") {
      document.dispatchEvent(new CustomEvent("haven:notification", { detail: f }));
      return;
    }
    if (typeof f.seq === "number" && f.type !== "ack") {
      if (seen.has(f.seq)) return;
      seen.add(f.seq);
      lastSeq = Math.max(lastSeq, f.seq);
    }
    switch (f.type) {
      case "welcome":
        replayThrough = f.lastSeq;
        status.textContent = "Connected";
        return;
      case "ack": {
        const el = pending.get(f.clientId);
        if (el) {
          pending.delete(f.clientId);
          bySeq.set(f.seq, el);
          seen.add(f.seq);
          lastSeq = Math.max(lastSeq, f.seq);
        }
        return;
      }
      case "message":
        if (f.role === "clinician") bubble("Your clinician", f.text, "clinician", f.seq);
        // An empty text is the placeholder for a crisis message sent while consent was off (not stored).
        else bubble("You", f.text || "(message not kept: chat consent is off)", "you", f.seq);
        return;
      case "token": {
        let el = streaming.get(f.replyTo);
        if (!el) {
          el = bubble(companionLabel(), "", "companion");
          streaming.set(f.replyTo, el);
        }
        el.lastChild.textContent += f.delta;
        return;
      }
      case "assistant": {
        let el = streaming.get(f.replyTo);
        streaming.delete(f.replyTo);
        if (el) setText(el, f.text);
        else el = bubble(companionLabel(), f.text, "companion");
        replyExtras(el, f);
        return;
      }
      case "crisis":
        showCrisis(f, f.seq > replayThrough);
        return;
      case "crisis_status":
        crisisStatus(f);
        return;
      case "safety_plan":
        showSafetyPlan(f);
        return;
      case "check_in":
        checkIn(f, f.seq > replayThrough);
        return;
      case "screener_offer": {
        $("chat-screener").hidden = false;
        const offer = crisisBlocks.get(f.about)?.querySelector(".chat-crisis-screener");
        if (offer) offer.hidden = false;
        return;
      }
      case "clinician_joined":
        bubble("Haven", "A clinician from your care team joined the conversation.", "system");
        return;
      case "error":
        if (f.code === "consent_required") showConsent();
        else showError(f.message || "Something went wrong.", f.code);
        if (f.clientId) markFailed(f.clientId);
        return;
      default:
    }
  }

  function connect() {
    if (!("WebSocket" in window)) {
      status.textContent = "Connected (compatibility mode)";
      return;
    }
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/chat/ws`;
    ws = new WebSocket(url);
    ws.onopen = () => {
      retry = 0;
      ws.send(JSON.stringify({ type: "hello", lastSeq }));
    };
    ws.onmessage = (e) => {
      try {
        handle(JSON.parse(e.data));
      } catch {
        // ignore malformed frames
      }
    };
    ws.onclose = (e) => {
      ws = null;
      if (refused || e.code === 4403) return showConsent();
      status.textContent = "Reconnecting…";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  async function sendOverHttp(text, clientId) {
    const res = await fetch("/v1/chat/messages", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify({ text, clientId }),
    });
    if (!res.ok || !res.body) {
      const p = await res.json().catch(() => ({}));
      if (p.crisis) handle(p.crisis);
      if (p.consent) showConsent();
      else showError(p.detail || p.message || "Your message could not be sent.", p.code);
      markFailed(clientId);
      return;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i = buf.indexOf("\n\n");
      while (i >= 0) {
        const data = buf
          .slice(0, i)
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("");
        buf = buf.slice(i + 2);
        if (data) handle(JSON.parse(data));
        i = buf.indexOf("\n\n");
      }
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    errorBox.textContent = "";
    if (!text) return;
    if (text.length > 4000) {
      errorBox.textContent = "Messages are limited to 4,000 characters.";
      return;
    }
    const clientId = crypto.randomUUID();
    pending.set(clientId, bubble("You", text, "you"));
    input.value = "";
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "message", text, clientId }));
    else
      sendOverHttp(text, clientId).catch(() => {
        errorBox.textContent = "Your message could not be sent.";
        markFailed(clientId);
      });
  });

  // Own messages arrive both as the local bubble and as a "message" event on replay: the ack's seq
  // is marked seen so the echo is skipped live; after a page reload the history comes from replay.
  connect();
})();
