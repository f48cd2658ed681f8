// Draws <canvas data-outcomes="[…months…]"> with Chart.js: one line per outcome share (0–100 %).
(() => {
  const Chart = window.Chart;
  if (!Chart) return;
  const series = [
    ["reliableImprovement", "Reliable improvement", "#1f4e79"],
    ["response", "Response", "#2e7d32"],
    ["remission", "Remission", "#6a1b9a"],
    ["completion", "Completion", "#c75000"],
    ["engagement", "Engagement", "#555555"],
  ];
  for (const canvas of document.querySelectorAll("canvas[data-outcomes]")) {
    let months;
    try {
      months = JSON.parse(canvas.getAttribute("data-outcomes") || "[]");
    } catch {
      continue;
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: months.map((m) => m.month),
        datasets: series.map(([key, label, color]) => ({
          label,
          data: months.map((m) => (m[key] === null ? null : Math.round(m[key] * 100))),
          borderColor: color,
          backgroundColor: color,
          spanGaps: true,
          tension: 0,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "% of patients" } } },
      },
    });
  }
})();
