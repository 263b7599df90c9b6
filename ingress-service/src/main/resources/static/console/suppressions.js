// Suppressions of the key's tenant: look one up, list, add, remove, import a CSV, export.
import { ApiError, api, download, enc } from './api.js';
import { attempt, field, h, paged, say, table, when } from './dom.js';

const REASONS = ['MANUAL', 'UNSUBSCRIBE', 'BOUNCE', 'COMPLAINT'];

export async function render(view) {
  const list = paged((rows) => suppressionTable('Suppressed addresses, by address', rows, remove),
    (cursor) => api('GET', `/suppressions${cursor ? `?cursor=${enc(cursor)}&limit=50` : '?limit=50'}`));
  list.box.id = 'suppression-list';

  const found = h('div', { id: 'suppression-found' });
  const search = h('input', { type: 'email', name: 'search', required: true, spellcheck: 'false' });
  const searchForm = h('form', { class: 'row', role: 'search' }, h('div', {}, ...field('Find an address', search)),
    h('div', {}, h('button', { type: 'submit', text: 'Find' })));
  searchForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = await api('GET', `/suppressions/${enc(search.value.trim())}`);
      found.replaceChildren(suppressionTable('Search result', [s], remove));
    } catch (e) {
      found.replaceChildren(h('p', { text: e instanceof ApiError && e.status === 404 ? `${search.value.trim()} is not suppressed.` : e.message }));
    }
  });

  async function remove(email) {
    if (!window.confirm(`Remove the suppression of ${email}? Mail to it will be sent again.`)) return;
    const ok = await attempt(() => api('DELETE', `/suppressions/${enc(email)}`).then(() => true));
    if (!ok) return;
    say(`Removed the suppression of ${email}.`);
    found.replaceChildren(h('p', { id: 'removed', text: `${email} is no longer suppressed (the list follows within a second).` }));
    setTimeout(() => list.load(true), 1500);
  }

  const email = h('input', { type: 'email', name: 'email', required: true, spellcheck: 'false' });
  const reason = h('select', { name: 'reason' }, REASONS.map((r) => h('option', { value: r, text: r })));
  const addForm = h('form', { class: 'row' }, h('div', {}, ...field('Address', email)), h('div', {}, ...field('Reason', reason)),
    h('div', {}, h('button', { type: 'submit', text: 'Suppress' })));
  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const s = await attempt(() => api('PUT', `/suppressions/${enc(email.value.trim())}`, { reason: reason.value }));
    if (s) { say(`Suppressed ${s.email}.`); email.value = ''; }
  });

  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const importForm = h('form', { class: 'row' }, h('div', {}, ...field('Import a CSV (email[,reason] per line)', file)),
    h('div', {}, h('button', { type: 'submit', text: 'Import' })));
  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!file.files.length) { say('Choose a CSV file first.', true); return; }
    const r = await attempt(() => api('POST', '/suppressions/import', file.files[0], 'text/csv'));
    if (r) say(`Imported ${r.imported} addresses.`);
  });

  const exportLink = h('a', { hidden: true, download: 'suppressions.csv', text: 'Download suppressions.csv' });
  const exportButton = h('button', { type: 'button', class: 'secondary', text: 'Export as CSV', on: { click: async () => {
    const blob = await attempt(() => download('/suppressions/export', 'text/csv'));
    if (!blob) return;
    if (exportLink.href) URL.revokeObjectURL(exportLink.href);
    exportLink.href = URL.createObjectURL(blob);
    exportLink.hidden = false;
    exportLink.click();
    const rows = (await blob.text()).split('\n').filter(Boolean).length - 1; // less the header line
    say(`Exported ${rows} addresses.`);
  } } });

  view.append(h('h2', { text: 'Suppressions' }), searchForm, found,
    h('h3', { text: 'Add' }), addForm,
    h('h3', { text: 'Import and export' }), importForm, h('p', {}, exportButton, ' ', exportLink),
    h('h3', { text: 'All' }),
    h('button', { type: 'button', class: 'secondary', text: 'Refresh list', on: { click: () => list.load(true) } }), list.box);
  await list.load(true);
}

function suppressionTable(caption, rows, remove) {
  return table(caption, [
    { label: 'Address', value: (s) => s.email },
    { label: 'Reason', value: (s) => s.reason },
    { label: 'Since', value: (s) => when(s.createdAt) },
    { label: 'Action', value: (s) => h('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove ${s.email}`,
      disabled: s.reason === 'COMPLAINT', title: s.reason === 'COMPLAINT' ? 'Complaint suppressions cannot be removed' : null,
      on: { click: () => remove(s.email) } }) },
  ], rows);
}
