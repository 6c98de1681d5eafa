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

export const usd = x => x === null || x === undefined ? '—' : `$${Number(x).toFixed(x < 0.01 ? 6 : 4)}`;
export const num = (x, d = 2) => x === null || x === undefined ? '—' : Number(x).toFixed(d);

export function field(label, name, attrs = {}) {
  return el('label', {}, label, el('input', { name, ...attrs }));
}

export function formValues(form) {
  const values = {};
  for (const [k, v] of new FormData(form)) if (v !== '') values[k] = v;
  return values;
}
