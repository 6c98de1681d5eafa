// Every call the console makes: same-origin, with the session cookie and the CSRF header the gateway requires.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'X-Router-Console': '1', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event('console-logged-out'));
    throw new ApiError(response.status, json);
  }
  return json;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [e, f] of Object.entries(v)) node.addEventListener(e, f);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return node;
}

export function table(headers, rows, attrs = {}) {
  return el('table', attrs, el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(c => el('td', {}, c))))));
}

// Dollars with sensible precision: cents from $1, four decimals from $0.01, below that three significant digits
// (LLM requests cost fractions of a cent: $0.0000858 must not print as $0.000000).
export function usd(x) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return '—';
  const v = Number(x), a = Math.abs(v);
  const decimals = a === 0 ? 2 : a >= 1 ? 2 : a >= 0.01 ? 4 : Math.min(12, 2 - Math.floor(Math.log10(a)));
  return `${v < 0 ? '-' : ''}$${a.toFixed(decimals)}`;
}

// Axis ticks in dollars: as many decimals as the tick step needs (step 0.00002 → 5), at least 2, so neighbouring
// ticks never print alike and none prints more digits than the step has.
export function usdTicks(splits, step) {
  const decimals = step > 0 ? Math.min(12, Math.max(2, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  return splits.map(v => v === null || v === undefined ? '' : `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(decimals)}`);
}
export const num = (x, d = 2) => x === null || x === undefined ? '—' : Number(x).toFixed(d);

export function field(label, name, attrs = {}) {
  return el('label', {}, label, el('input', { name, ...attrs }));
}

export function formValues(form) {
  const values = {};
  for (const [k, v] of new FormData(form)) if (v !== '') values[k] = v;
  return values;
}
