// Entry: sign-in, navigation by URL hash, and which sections the key's scopes allow.
import { api, session } from './api.js';
import { clearError, say } from './dom.js';
import * as batches from './batches.js';
import * as batch from './batch.js';
import * as pipeline from './pipeline.js';
import * as suppressions from './suppressions.js';
import * as keys from './keys.js';

const routes = [
  { re: /^#\/batches\/([A-Za-z0-9_-]+)$/, need: 'read', view: batch.render },
  { re: /^#\/batches$/, need: 'read', view: batches.render },
  { re: /^#\/new$/, need: 'send', view: batches.renderNew },
  { re: /^#\/pipeline$/, need: 'admin', view: pipeline.render },
  { re: /^#\/suppressions$/, need: 'suppressions', view: suppressions.render },
  { re: /^#\/keys$/, need: 'admin', view: keys.render },
];

let me = null;
let cleanup = null;

const $ = (id) => document.getElementById(id);
/** admin implies every scope, as on the server */
const can = (scope) => !!me && (me.scopes.includes(scope) || me.scopes.includes('admin'));

function showSignedIn(signedIn) {
  $('sign-in').hidden = signedIn;
  $('nav').hidden = !signedIn;
  $('who').hidden = !signedIn;
  if (!signedIn) $('view').replaceChildren();
}

async function signIn(key) {
  session.set(key);
  try {
    me = await api('GET', '/me');
  } catch (e) {
    session.clear();
    me = null;
    throw e;
  }
  $('who-text').textContent = `Tenant ${me.tenantId} · ${me.operator ? 'operator · ' : ''}${me.scopes.join(', ')}`;
  document.querySelectorAll('#nav a').forEach((a) => { a.hidden = !can(a.dataset.need); });
  showSignedIn(true);
}

function signOut() {
  session.clear();
  me = null;
  if (cleanup) cleanup();
  cleanup = null;
  showSignedIn(false);
  history.replaceState(null, '', '#');
  $('api-key').focus();
}

async function route() {
  if (!me) return;
  if (cleanup) cleanup();
  cleanup = null;
  clearError();
  const hash = location.hash && location.hash !== '#' ? location.hash : (can('read') ? '#/batches' : '#/suppressions');
  const r = routes.find((x) => x.re.test(hash));
  document.querySelectorAll('#nav a').forEach((a) => {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const view = $('view');
  view.replaceChildren();
  if (!r) { say('No such page.', true); return; }
  if (!can(r.need)) { say(`This API key lacks the '${r.need}' scope.`, true); return; }
  cleanup = (await r.view(view, { me, can }, hash.match(r.re).slice(1))) || null;
}

$('sign-in-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = $('api-key');
  try {
    await signIn(input.value.trim());
    input.value = '';
    say('Signed in.');
    await route();
    $('main').focus();
  } catch (e) {
    say(`Sign-in failed: ${e.message}`, true);
  }
});
$('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
window.addEventListener('mailer:unauthorized', () => { if (me) { signOut(); say('The API key was refused; sign in again.', true); } });

// a reload keeps the session (same tab)
if (session.key()) {
  signIn(session.key()).then(route).catch(() => showSignedIn(false));
} else {
  showSignedIn(false);
}
