// One question per screen for assessment forms: progress ("Question 3 of 9"), Back/Next buttons,
// focus moved to each question, Enter goes to the next question. Skip logic: a fieldset with
// data-show-if="name=value" is asked only when that answer was given (and its answers are cleared
// when skipped, so nothing hidden is submitted). Without JavaScript the whole form shows at once.
(() => {
  for (const root of document.querySelectorAll("[data-stepper-root]")) {
    const form = root.closest("form");
    const submit = form?.querySelector('button[type="submit"]');
    const steps = [...root.querySelectorAll("fieldset[data-step]")];
    if (!form || !submit || steps.length === 0) continue;
    form.setAttribute("data-stepping", "");

    const progress = document.createElement("div");
    progress.className = "stepper-progress";
    const text = document.createElement("p");
    text.setAttribute("aria-live", "polite");
    const bar = document.createElement("progress");
    progress.append(text, bar);
    root.before(progress);

    const nav = document.createElement("div");
    nav.className = "stepper-nav";
    const back = document.createElement("button");
    back.type = "button";
    back.className = "secondary";
    back.textContent = "Back";
    const next = document.createElement("button");
    next.type = "button";
    next.textContent = "Next";
    nav.append(back, next);
    root.after(nav);
    nav.append(submit);

    const value = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value;
    const applies = (step) => {
      const cond = step.getAttribute("data-show-if");
      if (!cond) return true;
      const [name, want] = cond.split("=");
      return value(name) === want;
    };
    const active = () => steps.filter(applies);
    const answered = (step) => step.hasAttribute("data-optional") || step.querySelector("input:checked");
    let current = steps.findIndex((s) => s.querySelector(".field-error"));
    if (current < 0) current = 0;

    const show = (focus) => {
      for (const step of steps) {
        if (!applies(step)) for (const input of step.querySelectorAll("input")) input.checked = false;
      }
      const list = active();
      const step = steps[current];
      const position = list.indexOf(step);
      for (const s of steps) s.hidden = s !== step;
      text.textContent = `Question ${position + 1} of ${list.length}`;
      bar.max = list.length;
      bar.value = position + 1;
      bar.setAttribute("aria-label", text.textContent);
      back.hidden = position === 0;
      const last = position === list.length - 1;
      next.hidden = last;
      submit.hidden = !last;
      if (focus) step.querySelector("legend")?.focus();
    };
    const move = (delta) => {
      const list = active();
      const target = list[list.indexOf(steps[current]) + delta];
      if (!target) return;
      current = steps.indexOf(target);
      show(true);
    };
    const needAnswer = () => {
      const step = steps[current];
      if (answered(step)) return false;
      let note = step.querySelector(".stepper-error");
      if (!note) {
        note = document.createElement("p");
        note.className = "field-error stepper-error";
        note.setAttribute("role", "alert");
        note.textContent = "Please choose an answer to continue.";
        step.querySelector("legend")?.after(note);
      }
      step.querySelector("input")?.focus();
      return true;
    };
    next.addEventListener("click", () => {
      if (!needAnswer()) move(1);
    });
    back.addEventListener("click", () => move(-1));
    form.addEventListener("change", () => {
      steps[current].querySelector(".stepper-error")?.remove();
      show(false);
    });
    form.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.target?.type !== "radio") return;
      e.preventDefault();
      if (!next.hidden) next.click();
      else if (!needAnswer()) form.requestSubmit(submit);
    });
    show(false);
  }
})();
