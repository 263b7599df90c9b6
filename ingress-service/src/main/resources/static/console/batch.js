// One batch: live progress (SSE from /batches/{id}/stream, else polling), recipients, events, cancel.
import { api, enc, q, readEvents } from './api.js';
import { attempt, field, h, paged, say, table, when } from './dom.js';

const FINAL = ['COMPLETED', 'CANCELLED'];
/** Bar segments: every recipient is in exactly one (sent = accepted by SES, no outcome yet). */
const SEGMENTS = ['delivered', 'sent', 'bounced', 'complained', 'failed', 'suppressed', 'cancelled', 'queued'];
const RECIPIENT_STATUSES = ['', 'QUEUED', 'SUPPRESSED', 'SENT', 'DELIVERED', 'BOUNCED', 'COMPLAINED', 'FAILED', 'CANCELLED'];
const POLL_MS = 2000;
/** Polls without a change after which a final batch stops being polled (as the stream's 30 s). */
const QUIET_POLLS = 15;

/** Final, none queued and every sent recipient has its SES outcome: nothing more to watch (the stream's rule). */
function settled(b) {
  return FINAL.includes(b.status) && b.counts.queued === 0 && b.counts.delivered + b.counts.bounced >= b.counts.sent;
}

/** Segment sizes: delivered/bounced/complained are outcomes of sent, so "sent" keeps only those without one. */
function segments(c) {
  const outcome = c.delivered + c.bounced;
  return { ...c, sent: Math.max(0, c.sent - outcome), complained: Math.min(c.complained, c.delivered), delivered: c.delivered - Math.min(c.complained, c.delivered) };
}

/** Sends per second over the last ~10 s of samples, and the time left for the queued ones. */
function pace(samples, queued) {
  if (samples.length < 2) return { rate: null, eta: null };
  const a = samples[0];
  const b = samples[samples.length - 1];
  const seconds = (b.t - a.t) / 1000;
  const rate = seconds > 0 ? (b.sent - a.sent) / seconds : null;
  const eta = rate > 0 ? Math.ceil(queued / rate) : null;
  return { rate, eta };
}

export async function render(view, ctx, [id]) {
  const abort = new AbortController();
  let stopped = false;
  let timer = null;
  const samples = [];

  const statusEl = h('span', { class: 'badge', id: 'batch-status' });
  const bar = h('div', { class: 'bar', role: 'img', id: 'batch-bar' });
  const legend = h('ul', { class: 'legend', id: 'batch-counts' });
  const facts = h('dl', { class: 'facts' });
  const live = h('p', { class: 'hint', id: 'batch-live' });
  const progress = h('p', { 'aria-live': 'polite', id: 'batch-progress' });
  const cancel = h('button', { type: 'button', class: 'danger', text: 'Cancel batch', hidden: true });

  // the tables follow the progress, at most every few seconds (each is a page query)
  let tablesTimer = null;
  function refreshTablesSoon() {
    if (tablesTimer || stopped) return;
    tablesTimer = setTimeout(() => { tablesTimer = null; recipients.load(true); events.load(true); }, 3000);
  }

  let shown = null;
  function show(b) {
    const json = JSON.stringify(b);
    // the first view too: the batch may already be final when it first shows (the tables' first
    // load, at render, can come before the view has the batch at all)
    if (json !== shown) refreshTablesSoon();
    shown = json;
    statusEl.textContent = b.status;
    statusEl.className = `badge ${b.status}`;
    const c = b.counts;
    samples.push({ t: Date.now(), sent: c.sent + c.failed });
    while (samples.length > 2 && samples[samples.length - 1].t - samples[0].t > 10000) samples.shift();
    const { rate, eta } = pace(samples, c.queued);
    const seg = segments(c);
    const total = Math.max(1, c.total);
    bar.replaceChildren(...SEGMENTS.filter((k) => seg[k] > 0)
      .map((k) => {
        const span = h('span', { class: `c-${k}`, title: `${k} ${seg[k]}` });
        span.style.width = `${(100 * seg[k]) / total}%`; // CSSOM: allowed by the CSP, unlike a style attribute
        return span;
      }));
    bar.setAttribute('aria-label', SEGMENTS.map((k) => `${k} ${c[k]}`).join(', '));
    legend.replaceChildren(...['queued', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'suppressed', 'cancelled']
      .map((k) => h('li', { 'data-count': k }, h('i', { class: `c-${k}`, 'aria-hidden': 'true' }), `${k} `, h('strong', { text: String(c[k]) }))));
    facts.replaceChildren(
      h('dt', { text: 'Created' }), h('dd', { text: when(b.createdAt) }),
      h('dt', { text: 'Total' }), h('dd', { text: String(c.total) }),
      h('dt', { text: 'Send rate' }), h('dd', { id: 'batch-rate', text: rate === null ? '–' : `${rate.toFixed(1)} /s` }),
      h('dt', { text: 'ETA' }), h('dd', { id: 'batch-eta', text: FINAL.includes(b.status) || c.queued === 0 ? 'done' : eta === null ? '–' : `${eta} s` }));
    // the live region announces the status and the share done, not every count
    const done = c.total ? Math.round((100 * (c.total - c.queued)) / c.total) : 100;
    progress.textContent = `${b.status}: ${done} % handed on, ${c.queued} queued.`;
    cancel.hidden = !ctx.can('send') || FINAL.includes(b.status);
  }

  let quiet = 0;
  let lastJson = null;
  async function poll() {
    if (stopped) return;
    try {
      const b = await api('GET', `/batches/${enc(id)}`);
      const json = JSON.stringify(b);
      quiet = json === lastJson ? quiet + 1 : 0;
      lastJson = json;
      show(b);
      if (settled(b) || (FINAL.includes(b.status) && quiet >= QUIET_POLLS)) { live.textContent = 'Final.'; return; }
    } catch (e) {
      // just submitted: the view shows a batch within about a second
      if (e.status !== 404) say(e.message, true);
    }
    timer = setTimeout(poll, POLL_MS);
  }

  let notYet = 0;
  async function follow() {
    let last = null;
    try {
      live.textContent = 'Live (server-sent events).';
      live.dataset.mode = 'sse';
      await readEvents(`/batches/${enc(id)}/stream`, (name, b) => { if (name === 'batch') { last = b; show(b); } }, abort.signal);
      if (stopped) return;
      // the server ends a final batch's stream once its outcomes are in (or stop coming)
      if (last && FINAL.includes(last.status)) { live.textContent = 'Final.'; return; }
      setTimeout(follow, 500); // the server ends long streams: reconnect
    } catch (e) {
      if (stopped) return;
      // just submitted: the view shows a batch within about a second
      if (e.status === 404 && ++notYet <= 10) { setTimeout(follow, 1000); return; }
      live.textContent = `Polling every ${POLL_MS / 1000} s.`;
      live.dataset.mode = 'poll';
      poll();
    }
  }

  cancel.addEventListener('click', async () => {
    if (!window.confirm(`Cancel the unsent recipients of ${id}?`)) return;
    const r = await attempt(() => api('POST', `/batches/${enc(id)}/cancel`));
    if (r) say(`Cancelling: ${r.handedToSes ?? 'an unknown number of'} recipients were already handed to SES.`);
  });

  // recipients, filterable by status, and events, each paged by cursor
  const rStatus = h('select', {}, RECIPIENT_STATUSES.map((s) => h('option', { value: s, text: s || 'any' })));
  const recipients = paged(recipientsTable, (cursor) => notYetEmpty(api('GET', `/batches/${enc(id)}/recipients${q({ status: rStatus.value, cursor, limit: 50 })}`)));
  const events = paged(eventsTable, (cursor) => notYetEmpty(api('GET', `/batches/${enc(id)}/events${q({ cursor, limit: 50 })}`)));
  rStatus.addEventListener('change', () => recipients.load(true));

  view.append(
    h('h2', {}, 'Batch ', h('span', { class: 'mono', text: id }), ' ', statusEl),
    progress, bar, legend, facts, live, cancel,
    h('h3', { text: 'Recipients' }),
    h('div', { class: 'row' }, h('div', {}, ...field('Recipient status', rStatus)),
      h('div', {}, h('button', { type: 'button', class: 'secondary', text: 'Refresh recipients', on: { click: () => recipients.load(true) } }))),
    recipients.box,
    h('h3', { text: 'Events' }),
    h('button', { type: 'button', class: 'secondary', text: 'Refresh events', on: { click: () => events.load(true) } }),
    events.box);

  follow();
  recipients.load(true);
  events.load(true);
  return () => { stopped = true; abort.abort(); clearTimeout(timer); clearTimeout(tablesTimer); };
}

/** A batch just submitted is not in the view yet (404 for about a second): an empty page, not an error. */
function notYetEmpty(request) {
  return request.catch((e) => {
    if (e.status === 404) return { items: [], nextCursor: null };
    throw e;
  });
}

function recipientsTable(rows) {
  return table('Recipients', [
    { label: '#', num: true, value: (r) => r.index },
    { label: 'Email', value: (r) => r.email },
    { label: 'Status', value: (r) => r.status },
    { label: 'Reason', value: (r) => r.reason },
    { label: 'Updated', value: (r) => when(r.updatedAt) },
  ], rows);
}

function eventsTable(rows) {
  return table('Events', [
    { label: 'When', value: (e) => when(e.occurredAt) },
    { label: 'Type', value: (e) => e.type },
    { label: 'Email', value: (e) => e.email },
    { label: 'Reason', value: (e) => e.reason },
  ], rows);
}
