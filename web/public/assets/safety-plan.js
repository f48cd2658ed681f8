// The print button of /safety-plan (the page prints without it too; print CSS drops the editor).
(() => {
  const button = document.getElementById("print-plan");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
})();
