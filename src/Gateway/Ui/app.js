import { api, ApiError } from './api.js';
import { overview } from './overview.js';
import { arms } from './arms.js';
import { keys } from './keys.js';
import { policy } from './policy.js';
import { decisions } from './decisions.js';

const pages = { overview, arms, keys, policy, decisions };
const page = document.getElementById('page');
const login = document.getElementById('login');
const nav = document.getElementById('nav');

function showLogin(message = '') {
  nav.hidden = true;
  page.replaceChildren();
  login.hidden = false;
  document.getElementById('login-error').textContent = message;
}

async function render() {
  const name = (location.hash || '#overview').slice(1);
  const show = pages[name] ?? overview;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === `#${name}`);
  const container = document.createElement('div');
  container.id = `page-${name}`;
  page.replaceChildren(container);
  try {
    await show(container);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) container.append(Object.assign(document.createElement('p'), { className: 'error', textContent: e.message }));
  }
}

async function loggedIn() {
  login.hidden = true;
  nav.hidden = false;
  await render();
}

login.addEventListener('submit', async event => {
  event.preventDefault();
  const key = document.getElementById('admin-key').value;
  try {
    await api('/ui/login', { method: 'POST', body: { key } });
    document.getElementById('admin-key').value = '';
    await loggedIn();
  } catch (e) {
    showLogin(e.status === 401 ? 'Wrong admin key.' : e.message);
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  await api('/ui/logout', { method: 'POST' }).catch(() => {});
  showLogin('Logged out.');
});

window.addEventListener('console-logged-out', () => showLogin('Your session ended; log in again.'));
window.addEventListener('hashchange', () => { if (!nav.hidden) render(); });

try {
  await api('/ui/session');
  await loggedIn();
} catch {
  showLogin();
}
