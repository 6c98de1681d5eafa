import { api, el, table, usd, field, formValues } from './api.js';

export async function keys(root) {
  // Requests per key from the usage history (1-day buckets from the first of the UTC month; all replicas on Redis).
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).getTime();
  const [list, usage] = await Promise.all([
    api('/admin/keys'),
    api(`/admin/usage?bucket=1d&group_by=key&from=${encodeURIComponent(monthStart)}`).catch(() => ({ buckets: [] })),
  ]);
  const requestsOf = (id, since) => usage.buckets.filter(b => b.key === id && Date.parse(b.start) >= since).reduce((t, b) => t + b.requests, 0);
  const message = el('p', { id: 'keys-message', role: 'status' });
  const secret = el('p', { id: 'new-secret' });
  const reload = async () => { root.replaceChildren(); await keys(root); root.querySelector('#keys-message').replaceWith(message); root.querySelector('#new-secret').replaceWith(secret); };
  const cap = (spent, c) => c === null || c === undefined ? usd(spent) : `${usd(spent)} of ${usd(c)}`;
  const rows = list.data.map(k => [k.id, k.name, k.prefix ?? '', k.revokedAt ? 'revoked' : 'active',
    cap(k.spendTodayUsd ?? 0, k.dailySpendCapUsd), cap(k.spendMonthUsd ?? 0, k.monthlySpendCapUsd),
    String(requestsOf(k.id, today)), String(requestsOf(k.id, 0)),
    [k.requestsPerMinute ? `${k.requestsPerMinute} requests/min` : '', k.tokensPerMinute ? `${k.tokensPerMinute} tokens/min` : ''].filter(Boolean).join(', ') || '—',
    k.revokedAt ? '' : el('button', { type: 'button', on: { click: async () => {
      if (!confirm(`Revoke ${k.id}?`)) return;
      try { await api(`/admin/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' }); message.textContent = `${k.id} revoked`; await reload(); } catch (e) { message.textContent = e.message; }
    } } }, 'Revoke')]);
  const create = el('form', { class: 'inline', id: 'create-key' },
    field('Name', 'name', { required: true }),
    field('Daily cap $', 'dailySpendCapUsd', { type: 'number', step: 'any', min: 0 }),
    field('Monthly cap $', 'monthlySpendCapUsd', { type: 'number', step: 'any', min: 0 }),
    field('Requests/min', 'requestsPerMinute', { type: 'number', min: 1 }),
    field('Tokens/min', 'tokensPerMinute', { type: 'number', min: 1 }),
    el('button', { type: 'submit' }, 'Create key'));
  create.addEventListener('submit', async e => {
    e.preventDefault();
    const v = formValues(create);
    for (const k of ['dailySpendCapUsd', 'monthlySpendCapUsd', 'requestsPerMinute', 'tokensPerMinute']) if (k in v) v[k] = Number(v[k]);
    try {
      const made = await api('/admin/keys', { method: 'POST', body: v });
      secret.textContent = `Secret of ${made.id} (shown once): ${made.key}`;
      message.textContent = `${made.id} created`;
      await reload();
    } catch (err) { message.textContent = err.message; }
  });
  root.append(el('h1', {}, 'Keys'), message, secret,
    table(['id', 'name', 'prefix', 'state', 'spend today', 'spend this month', 'requests today', 'requests this month', 'rate limit', ''], rows, { id: 'keys-table' }),
    el('h2', {}, 'Create a key'), create);
}
