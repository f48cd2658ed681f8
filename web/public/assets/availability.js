// Availability editor: weekly hours per weekday in the clinician's IANA zone, two session types,
// the booking policy, time off and closed dates; published with PUT /v1/clinician/availability.
(() => {
  const form = document.getElementById("availability");
  if (!form) return;
  const $ = (x) => document.getElementById(x);
  const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  const POLICY = [
    ["bufferBeforeMinutes", "Buffer before (minutes)", 0],
    ["bufferAfterMinutes", "Buffer after (minutes)", 10],
    ["minNoticeHours", "Minimum notice (hours)", 24],
    ["horizonDays", "Booking horizon (days)", 60],
    ["dailyMax", "Most sessions a day", 8],
    ["slotStepMinutes", "Start times every (minutes)", 30],
    ["lateCancelHours", "Late-cancel window (hours)", 24],
  ];
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  const field = (labelText, input) => {
    const l = document.createElement("label");
    l.textContent = labelText;
    l.append(input);
    return l;
  };
  const input = (attrs) => Object.assign(document.createElement("input"), attrs);

  function render(a) {
    $("tz").value = a.timeZone;
    const weekly = $("weekly");
    weekly.replaceChildren();
    DAYS.forEach((day, i) => {
      const rule = a.weekly.find((w) => w.weekday === i + 1);
      const row = document.createElement("div");
      row.className = "grid-3";
      row.append(
        field(day, input({ type: "checkbox", id: `day-${i + 1}`, checked: Boolean(rule) })),
        field("From", input({ type: "time", id: `start-${i + 1}`, value: rule ? rule.start : "09:00" })),
        field("To", input({ type: "time", id: `end-${i + 1}`, value: rule ? rule.end : "17:00" })),
      );
      weekly.append(row);
    });
    const types = $("types");
    types.replaceChildren();
    a.sessionTypes.forEach((t, i) => {
      const row = document.createElement("div");
      row.className = "grid-3";
      row.append(
        field("Id", input({ id: `type-id-${i}`, value: t.id })),
        field("Name", input({ id: `type-label-${i}`, value: t.label })),
        field("Minutes", input({ type: "number", min: 15, max: 240, id: `type-min-${i}`, value: t.minutes })),
      );
      types.append(row);
    });
    const policy = $("policy");
    policy.replaceChildren();
    for (const [key, label, dflt] of POLICY)
      policy.append(field(label, input({ type: "number", min: 0, id: `p-${key}`, value: a[key] ?? dflt })));
    $("timeoff").replaceChildren();
    for (const o of a.timeOff || []) addOff(o);
    $("closed").value = (a.overrides || [])
      .filter((o) => o.windows.length === 0)
      .map((o) => o.date)
      .join(", ");
    form.dataset.types = String(a.sessionTypes.length);
  }
  function addOff(o = { from: "", to: "" }) {
    const li = document.createElement("li");
    li.className = "grid-3";
    const local = (iso) => (iso ? new Date(iso).toISOString().slice(0, 16) : "");
    const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Remove" });
    remove.addEventListener("click", () => li.remove());
    li.append(
      field("From (UTC)", input({ type: "datetime-local", className: "off-from", value: local(o.from) })),
      field("To (UTC)", input({ type: "datetime-local", className: "off-to", value: local(o.to) })),
      remove,
    );
    $("timeoff").append(li);
  }
  function collect() {
    const weekly = [];
    for (let d = 1; d <= 7; d++)
      if ($(`day-${d}`).checked)
        weekly.push({ weekday: d, start: $(`start-${d}`).value, end: $(`end-${d}`).value });
    const sessionTypes = [];
    for (let i = 0; i < Number(form.dataset.types); i++)
      sessionTypes.push({
        id: $(`type-id-${i}`).value.trim(),
        label: $(`type-label-${i}`).value.trim(),
        minutes: Number($(`type-min-${i}`).value),
      });
    const timeOff = [...document.querySelectorAll("#timeoff li")]
      .map((li) => ({ from: li.querySelector(".off-from").value, to: li.querySelector(".off-to").value }))
      .filter((o) => o.from && o.to)
      .map((o) => ({ from: `${o.from}:00Z`, to: `${o.to}:00Z` }));
    const overrides = $("closed")
      .value.split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((date) => ({ date, windows: [] }));
    const body = { timeZone: $("tz").value.trim(), weekly, sessionTypes, timeOff, overrides };
    for (const [key] of POLICY) body[key] = Number($(`p-${key}`).value);
    return body;
  }
  $("add-off").addEventListener("click", () => addOff());
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await fetch("/v1/clinician/availability", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify(collect()),
    });
    const data = await res.json().catch(() => ({}));
    $("availability-status").textContent = res.ok
      ? "Published."
      : `Not saved: ${(data.errors || []).map((x) => `${x.path} ${x.message}`).join("; ") || data.detail}`;
  });
  (async () => {
    const res = await fetch("/v1/clinician/availability", { credentials: "same-origin" });
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    render(
      res.ok
        ? await res.json()
        : {
            timeZone: zone,
            weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
            sessionTypes: [
              { id: "intake", label: "Intake", minutes: 60 },
              { id: "follow-up", label: "Follow-up", minutes: 50 },
            ],
          },
    );
  })();
})();
