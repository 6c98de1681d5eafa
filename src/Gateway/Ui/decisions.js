import { api, el, table, num, usd } from './api.js';

// GET /admin/decisions (the durable decision log): time, key, chosen arm, per-arm scores, outcome, feedback.
export async function decisions(root) {
  const form = el('form', { class: 'inline', id: 'decision-search' },
    el('label', {}, 'Request id', el('input', { name: 'requestId' })),
    el('label', {}, 'Key', el('input', { name: 'key' })),
    el('label', {}, 'Arm', el('input', { name: 'arm' })),
    el('button', { type: 'submit' }, 'Search'));
  const results = el('div', { id: 'decision-results' });
  root.append(el('h1', {}, 'Decisions'), form, results);
  const load = async () => {
    const q = new URLSearchParams({ limit: '50' });
    for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
    try {
      const { decisions: list } = await api(`/admin/decisions?${q}`);
      results.replaceChildren(table(['time', 'request', 'key', 'policy', 'λ', 'chosen', 'propensity', 'scores', 'status', 'latency ms', 'cost', 'feedback'],
        list.map(d => [new Date(d.time).toLocaleString(), d.requestId, d.keyId ?? '', d.policy, num(d.lambda, 2), d.chosenArm, num(d.propensity, 2),
          el('div', { class: 'scores' }, (d.candidates ?? []).map(c => el('div', { class: c.arm === d.chosenArm ? 'chosen' : undefined },
            `${c.arm}: ${num(c.score, 3)}${c.excludedReason ? ` (${c.excludedReason})` : ''}`))),
          d.outcome ? String(d.outcome.status) : '', d.outcome ? num(d.outcome.latencyMs, 0) : '', d.outcome ? usd(d.outcome.costUsd) : '',
          d.feedback ? `${d.feedback.kind} ${d.feedback.score}` : ''])));
    } catch (e) {
      results.replaceChildren(el('p', { class: 'error' }, e.status === 404 ? 'This gateway has no decision log (GET /admin/decisions answered 404).' : e.message));
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(); });
  await load();
}
