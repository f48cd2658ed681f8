// Draws every <canvas data-score-chart="…"> with Chart.js: the scores as a line over shaded
// severity bands (chartjs-plugin-annotation boxes). The same data is in a table beside it.
(() => {
  const Chart = window.Chart;
  if (!Chart) return;
  const annotation = window["chartjs-plugin-annotation"];
  if (annotation) Chart.register(annotation);
  const fmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  for (const canvas of document.querySelectorAll("canvas[data-score-chart]")) {
    let spec;
    try {
      spec = JSON.parse(canvas.getAttribute("data-score-chart") || "");
    } catch {
      continue;
    }
    const boxes = {};
    spec.bands.forEach((b, i) => {
      boxes[`band${i}`] = {
        type: "box",
        yMin: b.min,
        yMax: b.max + (i === spec.bands.length - 1 ? 0 : 1),
        backgroundColor: b.color,
        borderWidth: 0,
        drawTime: "beforeDatasetsDraw",
        label: {
          display: true,
          content: b.label,
          position: { x: "start", y: "center" },
          color: "#555",
          font: { size: 11 },
        },
      };
    });
    new Chart(canvas, {
      type: "line",
      data: {
        labels: spec.points.map((p) => fmt.format(new Date(p.t))),
        datasets: [
          {
            label: spec.label,
            data: spec.points.map((p) => p.y),
            borderColor: "#1f4e79",
            backgroundColor: "#1f4e79",
            pointRadius: 4,
            tension: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: spec.max, title: { display: true, text: "score" } } },
        plugins: {
          legend: { display: false },
          annotation: { annotations: boxes },
          tooltip: { callbacks: { afterLabel: (ctx) => spec.points[ctx.dataIndex]?.band ?? "" } },
        },
      },
    });
  }
})();
