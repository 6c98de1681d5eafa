// Thin wrapper over the vendored uPlot (window.uPlot from vendor/uPlot.iife.min.js).
const palette = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00'];

let loading;
function loadUPlot() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'vendor/uPlot.iife.min.js';
    script.onload = () => resolve(window.uPlot);
    script.onerror = reject;
    document.head.append(script);
  });
  return loading;
}

// series: [{ label, values }], x: seconds (time) or numbers; options: time axis, points, width, x range, and
// yRange [min, max] fixes the y scale; yTicks / xTicks(splits, step) → labels (e.g. usdTicks), yValue(v) → the legend's value (e.g. usd). The y labels drawn last are kept in data-y-ticks (the canvas has no text
// a test or a screen reader could read).
export async function lineChart(container, title, x, series, { time = true, points = false, width = 540, range, yRange, yTicks, xTicks, yValue } = {}) {
  const uPlot = await loadUPlot();
  container.replaceChildren();
  container.dataset.points = String(x.length);
  container.dataset.series = series.map(s => s.label).join(',');
  const opts = {
    title, width, height: 240,
    scales: { x: range ? { time, range: () => range } : { time }, ...(yRange ? { y: { range: () => yRange } } : {}) },
    series: [{}, ...series.map((s, i) => ({
      label: s.label, stroke: palette[i % palette.length], width: 2,
      points: { show: points || x.length < 3, size: s.markSize ?? 5 },
      paths: s.dotsOnly ? () => null : undefined,
      ...(yValue ? { value: (u, v) => v === null || v === undefined ? '—' : yValue(v) } : {}),
    }))],
  };
  const y = {};
  if (yTicks) {
    y.values = (u, splits, axis, space, step) => {
      const labels = yTicks(splits, step);
      container.dataset.yTicks = labels.join('|');
      return labels;
    };
    // Wide enough for the longest label (uPlot's default 50 px cuts "$0.000025").
    y.size = (u, values) => 22 + 8 * Math.max(4, ...(values ?? []).map(v => String(v).length));
  }
  const xAxis = xTicks ? { values: (u, splits, axis, space, step) => xTicks(splits, step) } : {};
  opts.axes = [xAxis, y];
  return new uPlot(opts, [x, ...series.map(s => s.values)], container);
}
