import { api, el, table, usd, field, formValues } from './api.js';

export async function keys(root) {
  const list = await api('/admin/keys');
  const message = el('p', { id: 'keys-message', role: 'status' });
  const secret = el('p', { id: 'new-secret' });
  const reload = async () => { root.replaceChildren(); await keys(root); root.querySelector('#keys-message').replaceWith(message); root.querySelector('#new-secret').replaceWith(secret); };
  const cap = (spent, c) => c === null || c === undefined ? usd(spent) : `${usd(spent)} of ${usd(c)}`;
  const rows = list.data.map(k => [k.id, k.name, k.prefix ?? '', k.revokedAt ? 'revoked' : 'active',
    cap(k.spendTodayUsd ?? 0, k.dailySpendCapUsd), cap(k.spendMonthUsd ?? 0, k.monthlySpendCapUsd),
    k.requestsPerMinute ? `${k.requestsPerMinute}/min` : '—',
    k.revokedAt ? '' : el('button', { type: 'button', on: { click: async () => {
      if (!confirm(`Revoke ${k.id}?`)) return;
      try { await api(`/admin/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' }); message.textContent = `${k.id} revoked`; await reload(); } catch (e) { message.textContent = e.message; }
    } } }, 'Revoke')]);
  const create = el('form', { class: 'inline', id: 'create-key' },
    field('Name', 'name', { required: true }),
    field('Daily cap $', 'dailySpendCapUsd', { type: 'number', step: 'any', min: 0 }),
    field('Monthly cap $', 'monthlySpendCapUsd', { type: 'number', step: 'any', min: 0 }),
    field('Requests/min', 'requestsPerMinute', { type: 'number', min: 1 }),
    el('button', { type: 'submit' }, 'Create key'));
  create.addEventListener('submit', async e => {
    e.preventDefault();
    const v = formValues(create);
    for (const k of ['dailySpendCapUsd', 'monthlySpendCapUsd', 'requestsPerMinute']) if (k in v) v[k] = Number(v[k]);
    try {
      const made = await api('/admin/keys', { method: 'POST', body: v });
      secret.textContent = `Secret of ${made.id} (shown once): ${made.key}`;
      message.textContent = `${made.id} created`;
      await reload();
    } catch (err) { message.textContent = err.message; }
  });
  root.append(el('h1', {}, 'Keys'), message, secret,
    table(['id', 'name', 'prefix', 'state', 'spend today', 'spend this month', 'rate limit', ''], rows, { id: 'keys-table' }),
    el('h2', {}, 'Create a key'), create);
}
