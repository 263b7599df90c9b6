// Batches: the tenant's list (GET /batches) and the form that submits one (POST /batches).
import { api, q } from './api.js';
import { attempt, field, h, paged, say, table, when } from './dom.js';

const STATUSES = ['', 'ACCEPTED', 'SCHEDULED', 'PROCESSING', 'COMPLETED', 'CANCELLED'];

export async function render(view) {
  const status = h('select', {}, STATUSES.map((s) => h('option', { value: s, text: s || 'any' })));
  const list = paged((rows) => table('Batches, newest first', [
    { label: 'Batch', value: (b) => h('a', { href: `#/batches/${b.id}`, class: 'mono', text: b.id }) },
    { label: 'Status', value: (b) => h('span', { class: `badge ${b.status}`, text: b.status }) },
    { label: 'Created', value: (b) => when(b.createdAt) },
    { label: 'Total', num: true, value: (b) => b.counts.total },
    { label: 'Sent', num: true, value: (b) => b.counts.sent },
    { label: 'Delivered', num: true, value: (b) => b.counts.delivered },
    { label: 'Bounced', num: true, value: (b) => b.counts.bounced },
  ], rows), (cursor) => api('GET', `/batches${q({ status: status.value, cursor, limit: 25 })}`));
  list.box.id = 'batch-list';
  const load = list.load;

  status.addEventListener('change', () => load(true));
  view.append(h('h2', { text: 'Batches' }),
    h('div', { class: 'row' }, h('div', {}, ...field('Status', status)),
      h('div', {}, h('button', { type: 'button', class: 'secondary', text: 'Refresh', on: { click: () => load(true) } }))),
    list.box);
  await load(true);
}

/** Recipients: one per line, "email" or "email,name" (name becomes the variable {{name}}). */
function recipients(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [email, ...name] = line.split(',');
    const r = { email: email.trim() };
    if (name.length) r.variables = { name: name.join(',').trim() };
    return r;
  });
}

export async function renderNew(view) {
  const from = h('input', { type: 'text', name: 'from', required: true, placeholder: 'News <news@example.com>' });
  const subject = h('input', { type: 'text', name: 'subject', required: true, value: 'Hello {{name}}' });
  const html = h('textarea', { name: 'html', text: '<p>Hi {{name}}!</p>' });
  const text = h('textarea', { name: 'text', text: 'Hi {{name}}!' });
  const to = h('textarea', { name: 'recipients', required: true, placeholder: 'ann@example.com,Ann' });
  const form = h('form', { id: 'new-batch' },
    ...field('From', from),
    ...field('Subject (Mustache template)', subject),
    ...field('HTML body', html),
    ...field('Text body', text),
    ...field('Recipients, one a line: email or email,name', to),
    h('button', { type: 'submit', text: 'Send batch' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { from: from.value.trim(), subject: subject.value, recipients: recipients(to.value) };
    if (html.value.trim()) body.html = html.value;
    if (text.value.trim()) body.text = text.value;
    const accepted = await attempt(() => api('POST', '/batches', body));
    if (!accepted) return;
    say(`Batch ${accepted.id} accepted with ${accepted.recipients} recipients.${accepted.warning ? ` ${accepted.warning}` : ''}`);
    location.hash = `#/batches/${accepted.id}`;
  });
  view.append(h('h2', { text: 'New batch' }), form);
}
