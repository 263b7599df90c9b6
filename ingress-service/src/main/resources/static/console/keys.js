// API keys (admin): list, create (the key is shown once), revoke.
import { api, enc } from './api.js';
import { attempt, field, h, say, table, when } from './dom.js';

const SCOPES = ['send', 'read', 'suppressions', 'webhooks', 'admin'];

export async function render(view, ctx) {
  const listBox = h('div', { id: 'key-list' });
  async function load() {
    const keys = await attempt(() => api('GET', '/api-keys'));
    if (!keys) return;
    listBox.replaceChildren(table('API keys', [
      { label: 'Name', value: (k) => k.name },
      { label: 'Prefix', value: (k) => h('span', { class: 'mono', text: k.prefix }) },
      { label: 'Tenant', value: (k) => k.tenantId },
      { label: 'Scopes', value: (k) => k.scopes.join(', ') },
      { label: 'Created', value: (k) => when(k.createdAt) },
      { label: 'Last used', value: (k) => when(k.lastUsedAt) },
      { label: 'Revoked', value: (k) => when(k.revokedAt) },
      { label: 'Action', value: (k) => (k.revokedAt ? '' : h('button', { type: 'button', class: 'danger', text: 'Revoke',
        'aria-label': `Revoke ${k.name || k.prefix}`, on: { click: () => revoke(k) } })) },
    ], keys));
  }
  async function revoke(k) {
    if (!window.confirm(`Revoke ${k.name || k.prefix}? Clients using it stop working at once.`)) return;
    const ok = await attempt(() => api('DELETE', `/api-keys/${enc(k.id)}`).then(() => true));
    if (ok) { say(`Revoked ${k.name || k.prefix}.`); load(); }
  }

  const name = h('input', { type: 'text', name: 'name', required: true });
  const tenant = h('input', { type: 'text', name: 'tenantId', value: ctx.me.tenantId, readOnly: !ctx.me.operator });
  const boxes = SCOPES.map((s) => h('input', { type: 'checkbox', name: 'scope', value: s, id: `scope-${s}`, checked: s === 'send' || s === 'read' }));
  const created = h('div', { 'aria-live': 'polite' });
  const form = h('form', { id: 'new-key' }, ...field('Name', name), ...field('Tenant', tenant),
    h('fieldset', { class: 'checks' }, h('legend', { text: 'Scopes' }),
      boxes.map((b) => h('label', { for: b.id }, b, b.value))),
    h('button', { type: 'submit', text: 'Create key' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
    const k = await attempt(() => api('POST', '/api-keys', { name: name.value.trim(), tenantId: tenant.value.trim(), scopes }));
    if (!k) return;
    const secret = h('input', { type: 'text', readOnly: true, value: k.key, class: 'mono', id: 'created-key' });
    created.replaceChildren(h('div', { class: 'secret' },
      h('p', { text: 'Copy the key now: it is shown only this once.' }), ...field(`Key ${k.name || ''}`, secret)));
    secret.select();
    name.value = '';
    load();
  });

  view.append(h('h2', { text: 'API keys' }), form, created, h('h3', { text: 'Keys' }), listBox);
  await load();
}
