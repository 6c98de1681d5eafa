import { api, el, table, usd, num, field, formValues } from './api.js';

export async function arms(root) {
  const [list, stats, frontier] = await Promise.all([
    api('/admin/arms'),
    api('/admin/stats').catch(() => ({ arms: [] })),
    api('/admin/policy/frontier').catch(() => ({ arms: [] })),
  ]);
  const statOf = name => stats.arms.find(a => a.name === name) ?? {};
  const qualityOf = name => frontier.arms.find(a => a.arm === name)?.predictedQuality;
  const message = el('p', { id: 'arms-message', role: 'status' });
  const act = async (what, call) => {
    try { await call(); message.className = 'ok'; message.textContent = what; await reload(); }
    catch (e) { message.className = 'error'; message.textContent = e.message; }
  };
  const reload = async () => { root.replaceChildren(); await arms(root); root.querySelector('#arms-message').replaceWith(message); };
  const enc = encodeURIComponent;
  const rows = list.arms.map(a => {
    const s = statOf(a.name);
    return [a.name, a.provider, `${a.inputPricePerMillion} / ${a.outputPricePerMillion}`, a.enabled ? 'enabled' : 'disabled',
      String(s.requests ?? 0), usd(s.spendUsd ?? 0), s.meanLatencySeconds ? num(1000 * s.meanLatencySeconds, 0) : '—',
      num(qualityOf(a.name), 3),
      el('span', {},
        el('button', { type: 'button', 'data-arm': a.name, class: 'toggle', on: { click: () => act(`${a.name} ${a.enabled ? 'disabled' : 'enabled'}`, () => api(`/admin/arms/${enc(a.name)}`, { method: 'PATCH', body: { enabled: !a.enabled } })) } }, a.enabled ? 'Disable' : 'Enable'), ' ',
        el('button', { type: 'button', class: 'remove', on: { click: () => confirm(`Remove ${a.name}?`) && act(`${a.name} removed`, () => api(`/admin/arms/${enc(a.name)}`, { method: 'DELETE' })) } }, 'Remove'))];
  });

  const add = el('form', { class: 'inline', id: 'add-arm' },
    field('Name', 'name', { required: true }),
    el('label', {}, 'Provider', el('select', { name: 'provider' }, ['simulated', 'openai', 'azure-openai', 'anthropic'].map(p => el('option', { value: p }, p)))),
    field('Base URL', 'baseUrl', { placeholder: 'https://…/v1' }),
    field('Upstream model', 'upstreamModel'),
    field('API key env var', 'apiKeyEnv'),
    field('Input $/1M', 'inputPricePerMillion', { type: 'number', step: 'any', min: 0, required: true }),
    field('Output $/1M', 'outputPricePerMillion', { type: 'number', step: 'any', min: 0, required: true }),
    el('button', { type: 'submit' }, 'Add arm'));
  add.addEventListener('submit', e => {
    e.preventDefault();
    const v = formValues(add);
    v.inputPricePerMillion = Number(v.inputPricePerMillion);
    v.outputPricePerMillion = Number(v.outputPricePerMillion);
    act(`${v.name} added`, () => api('/admin/arms', { method: 'POST', body: v }));
  });

  const edit = el('form', { class: 'inline', id: 'edit-arm' },
    el('label', {}, 'Arm', el('select', { name: 'arm' }, list.arms.map(a => el('option', { value: a.name }, a.name)))),
    field('Input $/1M', 'inputPricePerMillion', { type: 'number', step: 'any', min: 0 }),
    field('Output $/1M', 'outputPricePerMillion', { type: 'number', step: 'any', min: 0 }),
    field('Max concurrency', 'maxConcurrency', { type: 'number', min: 1 }),
    el('button', { type: 'submit' }, 'Save'));
  edit.addEventListener('submit', e => {
    e.preventDefault();
    const { arm, ...rest } = formValues(edit);
    const body = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Number(v)]));
    act(`${arm} updated`, () => api(`/admin/arms/${enc(arm)}`, { method: 'PATCH', body }));
  });

  root.append(el('h1', {}, 'Arms'), message,
    table(['arm', 'provider', 'price in/out $/1M', 'state', 'requests', 'spend', 'mean latency ms', 'predicted quality', ''], rows, { id: 'arms-table' }),
    el('p', { class: 'muted' }, `Registry version ${list.version}. Requests, spend and latency are folded from the shared learning log; predicted quality is the engine's mean prediction over the ${frontier.prompts ?? 0} validation prompts of the Policy page.`),
    el('h2', {}, 'Hot-add an arm'), add, el('h2', {}, 'Edit an arm'), edit);
}
