import { api, el, table, usd, num, field, formValues } from './api.js';

export async function arms(root) {
  const [list, stats] = await Promise.all([api('/admin/arms'), api('/admin/stats').catch(() => ({ arms: [] }))]);
  const statOf = name => stats.arms.find(a => a.name === name) ?? {};
  const liveOf = name => (list.live ?? []).find(a => a.name === name) ?? {};
  const checkpoint = list.predictions?.checkpoint;
  const quality = live => checkpoint ? num(live.predictedQuality, 3) : 'no checkpoint';
  const circuit = live => live.circuit === 'open' && live.circuitRetryInSeconds !== null ? `open (trial in ${num(live.circuitRetryInSeconds, 0)} s)` : (live.circuit ?? '—');
  const message = el('p', { id: 'arms-message', role: 'status' });
  const act = async (what, call) => {
    try { await call(); message.className = 'ok'; message.textContent = what; await reload(); }
    catch (e) { message.className = 'error'; message.textContent = e.message; }
  };
  const reload = async () => { root.replaceChildren(); await arms(root); root.querySelector('#arms-message').replaceWith(message); };
  const enc = encodeURIComponent;
  const rows = list.arms.map(a => {
    const s = statOf(a.name);
    const live = liveOf(a.name);
    return [a.name, a.provider, `${a.inputPricePerMillion} / ${a.outputPricePerMillion}`, a.enabled ? 'enabled' : 'disabled',
      live.inFlight === null || live.inFlight === undefined ? '—' : String(live.inFlight), circuit(live),
      String(s.requests ?? 0), usd(s.spendUsd ?? 0), s.meanLatencySeconds ? num(1000 * s.meanLatencySeconds, 0) : '—',
      quality(live),
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
  // The fields show the selected arm's current values as placeholders; an empty field is left as it is.
  const showCurrent = () => {
    const arm = list.arms.find(a => a.name === edit.elements.arm.value);
    for (const k of ['inputPricePerMillion', 'outputPricePerMillion', 'maxConcurrency']) edit.elements[k].placeholder = arm?.[k] ?? '';
  };
  edit.elements.arm.addEventListener('change', showCurrent);
  showCurrent();
  edit.addEventListener('submit', e => {
    e.preventDefault();
    const { arm, ...rest } = formValues(edit);
    const body = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Number(v)]));
    act(`${arm} updated`, () => api(`/admin/arms/${enc(arm)}`, { method: 'PATCH', body }));
  });

  root.append(el('h1', {}, 'Arms'), message,
    table(['arm', 'provider', 'price in/out $/1M', 'state', 'in flight', 'circuit', 'requests', 'spend', 'mean latency ms', 'predicted quality', ''], rows, { id: 'arms-table' }),
    el('p', { class: 'muted', id: 'arms-note' }, `Registry version ${list.version}. In flight and circuit are this replica's; requests, spend and latency are folded from the shared learning log. `,
      checkpoint ? `Predicted quality is the engine's mean prediction (checkpoint ${checkpoint}) over the ${list.predictions.prompts} validation prompts of the Policy page.`
        : 'Predicted quality needs a checkpoint (Router:CheckpointPath); this engine started untrained.'),
    el('h2', {}, 'Hot-add an arm'), add, el('h2', {}, 'Edit an arm'), edit);
}
