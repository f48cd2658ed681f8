// Session note editor: SOAP/DAP/BIRP sections and a risk assessment, autosaved as a draft (1 s after
// the last keystroke), an AI draft from bullet points (marked until edited), sign and lock, addenda
// after signing, and the clinician's private psychotherapy note kept apart.
(() => {
  const root = document.getElementById("note");
  if (!root) return;
  const id = root.dataset.session;
  const $ = (x) => document.getElementById(x);
  const status = $("note-status");
  const SECTIONS = {
    soap: ["subjective", "objective", "assessment", "plan"],
    dap: ["data", "assessment", "plan"],
    birp: ["behavior", "intervention", "response", "plan"],
  };
  const RISK = {
    suicidalIdeation: ["none", "passive", "active"],
    selfHarm: ["none", "past", "current"],
    harmToOthers: ["none", "present"],
    level: ["low", "moderate", "high"],
  };
  const LABEL = {
    suicidalIdeation: "Suicidal ideation",
    selfHarm: "Self-harm",
    harmToOthers: "Harm to others",
    level: "Overall risk",
  };
  let note = null;
  let timer = null;
  const say = (t) => {
    status.textContent = t;
  };
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        "content-type": "application/json",
        ...(method === "GET" ? {} : { "x-csrf-token": csrf() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { ok: res.ok, status: res.status, data: await res.json().catch(() => ({})) };
  }
  const base = `/v1/therapy-sessions/${encodeURIComponent(id)}`;

  function renderSections(format, values = {}) {
    const box = $("sections");
    box.replaceChildren();
    for (const key of SECTIONS[format]) {
      const label = document.createElement("label");
      label.textContent = key[0].toUpperCase() + key.slice(1);
      const ta = document.createElement("textarea");
      ta.id = `section-${key}`;
      ta.rows = 4;
      ta.value = values[key] || "";
      ta.addEventListener("input", schedule);
      label.append(ta);
      box.append(label);
    }
  }
  function renderRisk(values = {}) {
    const box = $("risk");
    box.replaceChildren();
    for (const [key, options] of Object.entries(RISK)) {
      const label = document.createElement("label");
      label.textContent = LABEL[key];
      const sel = document.createElement("select");
      sel.id = `risk-${key}`;
      for (const o of options) sel.append(new Option(o, o, false, values[key] === o));
      sel.addEventListener("change", schedule);
      label.append(sel);
      box.append(label);
    }
    const label = document.createElement("label");
    label.textContent = "Safety plan";
    const ta = document.createElement("textarea");
    ta.id = "risk-safetyPlan";
    ta.rows = 2;
    ta.value = values.safetyPlan || "";
    ta.addEventListener("input", schedule);
    label.append(ta);
    box.append(label);
  }
  function content() {
    const format = $("format").value;
    const sections = {};
    for (const key of SECTIONS[format]) sections[key] = $(`section-${key}`).value;
    const risk = { safetyPlan: $("risk-safetyPlan").value };
    for (const key of Object.keys(RISK)) risk[key] = $(`risk-${key}`).value;
    return { format, sections, risk };
  }
  function show(n) {
    note = n;
    $("format").value = n.format;
    renderSections(n.format, n.sections);
    renderRisk(n.risk);
    $("ai-flag").hidden = !n.aiGenerated;
    const locked = n.status === "signed";
    for (const el of document.querySelectorAll(
      "#note-form textarea, #note-form select, #sign, #draft-form *",
    ))
      el.disabled = locked;
    $("addenda-section").hidden = !locked;
    const list = $("addenda");
    list.replaceChildren();
    for (const a of n.addenda) {
      const li = document.createElement("li");
      li.textContent = `${new Date(a.createdAt).toLocaleString()}: ${a.text}`;
      list.append(li);
    }
    say(
      locked
        ? `Signed ${new Date(n.signedAt).toLocaleString()}. Locked: add an addendum to change it.`
        : `Draft, version ${n.version}.`,
    );
  }
  function schedule() {
    if (note && note.status === "signed") return;
    clearTimeout(timer);
    say("Saving…");
    timer = setTimeout(save, 1000);
  }
  async function save() {
    const r = await api("PUT", `${base}/note`, content());
    if (r.ok) {
      note = r.data;
      $("ai-flag").hidden = !r.data.aiGenerated;
      say(`Saved ${new Date().toLocaleTimeString()} (draft, version ${r.data.version}).`);
    } else say(r.data.detail || "Could not save the draft.");
  }

  $("format").addEventListener("change", () => {
    renderSections($("format").value);
    schedule();
  });
  $("draft-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    say("Drafting…");
    const transcript = $("transcript").value.trim();
    const r = await api("POST", `${base}/note/ai-draft`, {
      format: $("format").value,
      bullets: $("bullets").value,
      ...(transcript ? { transcript } : {}),
    });
    if (!r.ok) return say(r.data.detail || "Drafting failed.");
    show(r.data.note);
    say(
      r.data.transcriptRisk === "none" || r.data.transcriptRisk === "check_in"
        ? "AI draft ready: review and edit it."
        : "AI draft ready. The transcript contains crisis language: a risk event was recorded for the care team.",
    );
  });
  $("sign").addEventListener("click", async () => {
    clearTimeout(timer);
    await save();
    const r = await api("POST", `${base}/note/sign`);
    if (!r.ok) return say(r.data.detail || "Could not sign.");
    show(r.data);
    say(`Signed ${new Date(r.data.signedAt).toLocaleString()}.`);
  });
  $("add-addendum").addEventListener("click", async () => {
    const text = $("addendum").value.trim();
    if (!text) return;
    const r = await api("POST", `${base}/note/addenda`, { text });
    if (!r.ok) return say(r.data.detail || "Could not add the addendum.");
    $("addendum").value = "";
    show(r.data);
  });
  $("save-psy").addEventListener("click", async () => {
    const r = await api("PUT", `${base}/psychotherapy-note`, { text: $("psychotherapy").value });
    say(r.ok ? "Private note saved." : r.data.detail || "Could not save the private note.");
  });

  (async () => {
    const [n, psy] = await Promise.all([
      api("GET", `${base}/note`),
      api("GET", `${base}/psychotherapy-note`),
    ]);
    if (n.ok) show(n.data);
    else {
      renderSections("soap");
      renderRisk();
      say(n.status === 404 ? "No note yet: start typing, or draft one with AI." : n.data.detail);
    }
    if (psy.ok) $("psychotherapy").value = psy.data.text;
  })();
})();
