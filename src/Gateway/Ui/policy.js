import { api, el, table, num, usd, usdTicks } from './api.js';
import { lineChart } from './chart.js';

export async function policy(root) {
  const [current, frontier] = await Promise.all([api('/admin/policy'), api('/admin/policy/frontier').catch(e => ({ error: e.message, points: [] }))]);
  const message = el('p', { id: 'policy-message', role: 'status' });
  const reload = async () => { root.replaceChildren(); await policy(root); root.querySelector('#policy-message').replaceWith(message); };
  const lambda = el('input', { id: 'lambda', name: 'lambda', type: 'number', step: 'any', min: 0, value: current.global?.lambda ?? current.effective?.lambda ?? '' });
  const form = el('form', { class: 'inline', id: 'lambda-form' }, el('label', { for: 'lambda' }, 'λ (budget weight: higher buys quality)', lambda), el('button', { type: 'submit' }, 'Save λ'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const saved = await api('/admin/policy', { method: 'PUT', body: { ...(current.global ?? {}), lambda: Number(lambda.value) } });
      message.className = 'ok'; message.textContent = `λ set to ${saved.global.lambda} (registry version ${saved.version})`;
      await reload();
    } catch (err) { message.className = 'error'; message.textContent = err.message; }
  });

  const chart = el('div', { class: 'chart', id: 'chart-frontier' });
  root.append(el('h1', {}, 'Policy'), message, form,
    el('p', { class: 'muted' }, `Effective global policy: λ ${num(current.effective?.lambda, 3)}, α ${num(current.effective?.alpha, 3)}, β ${num(current.effective?.beta, 3)}.`),
    el('h2', {}, 'Quality vs cost frontier of the loaded engine'), chart,
    el('p', { class: 'muted' }, frontier.error ?? `Each point is one λ: the mean predicted quality and cost of the arms the engine would choose over ${frontier.prompts} validation prompts (${frontier.promptSet}). The large marker is the λ in force. These are the engine's predictions, not measured outcomes.`));
  if (frontier.points.length) {
    const pts = [...frontier.points].sort((a, b) => a.predictedCostUsd - b.predictedCostUsd);
    const cur = frontier.points.find(p => p.current);
    const x = pts.map(p => p.predictedCostUsd);
    await lineChart(chart, 'Predicted quality vs predicted cost per request (USD)', x, [
      { label: 'frontier (one point per λ)', values: pts.map(p => p.predictedQuality) },
      { label: `current λ = ${cur?.lambda}`, values: pts.map(p => p === cur ? p.predictedQuality : null), dotsOnly: true, markSize: 12 },
    ], { time: false, points: true, xTicks: usdTicks });
    root.append(table(['λ', 'predicted quality', 'predicted cost / request', 'arms chosen'],
      frontier.points.map(p => [p.current ? `${p.lambda} (current)` : String(p.lambda), num(p.predictedQuality, 3), usd(p.predictedCostUsd),
        Object.entries(p.chosen).map(([a, n]) => `${a}: ${n}`).join(', ')]), { id: 'frontier-table' }));
  }

  const keyId = el('input', { name: 'keyId', required: true, placeholder: 'key_…' });
  const keyLambda = el('input', { name: 'lambda', type: 'number', step: 'any', min: 0, required: true });
  const overrides = el('form', { class: 'inline', id: 'key-policy' }, el('label', {}, 'Key id', keyId), el('label', {}, 'λ', keyLambda), el('button', { type: 'submit' }, 'Set override'));
  overrides.addEventListener('submit', async e => {
    e.preventDefault();
    try { await api(`/admin/policy/keys/${encodeURIComponent(keyId.value)}`, { method: 'PUT', body: { lambda: Number(keyLambda.value) } }); message.textContent = `override set for ${keyId.value}`; await reload(); }
    catch (err) { message.className = 'error'; message.textContent = err.message; }
  });
  const keyRows = Object.entries(current.keys ?? {}).map(([id, p]) => [id, num(p.lambda, 3),
    el('button', { type: 'button', on: { click: async () => { await api(`/admin/policy/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }); await reload(); } } }, 'Remove')]);
  root.append(el('h2', {}, 'Per-key overrides'), table(['key', 'λ', ''], keyRows, { id: 'key-policy-table' }), overrides);
}
