import { api, el, table, usd, usdTicks, num } from './api.js';
import { lineChart } from './chart.js';

const ranges = { hour: { bucket: '1m', ms: 3600e3 }, day: { bucket: '1h', ms: 86400e3 }, week: { bucket: '1h', ms: 7 * 86400e3 } };

export async function overview(root) {
  const range = sessionStorage.getItem('range') || 'hour';
  const select = el('select', { id: 'range', on: { change: e => { sessionStorage.setItem('range', e.target.value); overview(root.replaceChildren() ?? root); } } },
    Object.keys(ranges).map(r => el('option', { value: r, selected: r === range }, `last ${r}`)));
  const { bucket, ms } = ranges[range];
  const from = new Date(Date.now() - ms).toISOString();
  const [usage, policy] = await Promise.all([
    api(`/admin/usage?bucket=${bucket}&group_by=arm&from=${encodeURIComponent(from)}`),
    api('/admin/policy'),
  ]);
  const buckets = usage.buckets;
  const requests = buckets.reduce((s, b) => s + b.requests, 0);
  const errors = buckets.reduce((s, b) => s + b.errors, 0);
  const spend = buckets.reduce((s, b) => s + b.costUsd, 0);
  const latest = buckets.filter(b => b.start === buckets.at(-1)?.start);
  const weighted = (key) => latest.length ? latest.reduce((s, b) => s + (b[key] ?? 0) * b.requests, 0) / latest.reduce((s, b) => s + b.requests, 0) : null;
  const card = (label, value, id) => el('div', { class: 'card', id }, el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));
  root.append(
    el('h1', {}, 'Overview ', select),
    el('div', { class: 'cards' },
      card('requests', String(requests), 'card-requests'),
      card('error rate', requests ? `${(100 * errors / requests).toFixed(1)}%` : '—', 'card-errors'),
      card('spend', usd(spend), 'card-spend'),
      card('spend per hour (range mean)', usd(spend / (ms / 3600e3)), 'card-spend-hour'),
      card('cost per 1k requests', requests ? usd(1000 * spend / requests) : '—', 'card-cost-1k'),
      card('p50 latency, latest bucket (ms)', num(weighted('latencyP50Ms'), 0), 'card-p50'),
      card('p99 latency, latest bucket (ms)', num(latest.length ? Math.max(...latest.map(b => b.latencyP99Ms ?? 0)) : null, 0), 'card-p99'),
      card('λ (global, effective)', num(policy.effective?.lambda, 3), 'card-lambda')),
  );

  // One x value per bucket start, one series per arm.
  const starts = [...new Set(buckets.map(b => b.start))].sort();
  const x = starts.map(s => Date.parse(s) / 1000);
  const xRange = [Date.parse(from) / 1000, Date.now() / 1000];
  const armNames = [...new Set(buckets.map(b => b.arm))].sort();
  const cell = (arm, start) => buckets.find(b => b.arm === arm && b.start === start);
  const width = bucket === '1m' ? 60 : 3600;
  const totals = starts.map(s => buckets.filter(b => b.start === s).reduce((t, b) => t + b.requests, 0));
  const charts = el('div', { class: 'charts' });
  root.append(charts);
  const box = id => { const d = el('div', { class: 'chart', id }); charts.append(d); return d; };
  const rate = box('chart-rate'), errorRate = box('chart-error-rate'), latency = box('chart-latency'), spendChart = box('chart-spend'), share = box('chart-share');
  const errorsAt = starts.map(s => buckets.filter(b => b.start === s).reduce((t, b) => t + b.errors, 0));
  const percent = (splits) => splits.map(v => v === null || v === undefined ? '' : `${Number(v.toFixed(2))}%`);
  await lineChart(rate, 'Requests per second', x, [
    { label: 'requests/s', values: totals.map(t => t / width) },
    { label: 'errors/s', values: errorsAt.map(e => e / width) }], { range: xRange });
  await lineChart(errorRate, 'Error rate (% of the bucket\'s requests)', x, [
    { label: 'error rate', values: errorsAt.map((e, i) => totals[i] ? 100 * e / totals[i] : null) }],
  { range: xRange, yRange: [0, 100], yTicks: percent, yValue: v => `${v.toFixed(1)}%` });
  await lineChart(latency, 'Latency (ms)', x, [
    { label: 'p50 (request-weighted over arms)', values: starts.map((s, i) => buckets.filter(b => b.start === s).reduce((t, b) => t + (b.latencyP50Ms ?? 0) * b.requests, 0) / (totals[i] || 1)) },
    { label: 'p99 (max over arms)', values: starts.map(s => Math.max(0, ...buckets.filter(b => b.start === s).map(b => b.latencyP99Ms ?? 0))) }],
  { range: xRange, yValue: v => `${v.toFixed(0)} ms` });
  await lineChart(spendChart, `Spend per ${bucket === '1m' ? 'minute' : 'hour'} per arm (USD)`, x,
    armNames.map(a => ({ label: a, values: starts.map(s => cell(a, s)?.costUsd ?? 0) })), { range: xRange, yTicks: usdTicks, yValue: usd });
  await lineChart(share, 'Routed share per arm (%)', x,
    armNames.map(a => ({ label: a, values: starts.map((s, i) => totals[i] ? 100 * (cell(a, s)?.requests ?? 0) / totals[i] : null) })),
  { range: xRange, yRange: [0, 100], yTicks: percent, yValue: v => `${v.toFixed(1)}%` });

  root.append(el('h2', {}, 'Routed share in range'), table(['arm', 'requests', 'share', 'errors', 'spend'],
    armNames.map(a => {
      const rows = buckets.filter(b => b.arm === a);
      const n = rows.reduce((t, b) => t + b.requests, 0);
      return [a, String(n), requests ? `${(100 * n / requests).toFixed(1)}%` : '—', String(rows.reduce((t, b) => t + b.errors, 0)), usd(rows.reduce((t, b) => t + b.costUsd, 0))];
    }), { id: 'share-table' }));
}
