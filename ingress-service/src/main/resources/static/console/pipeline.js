// Pipeline (operator admins): consumer lag, retry and dead-letter depths, send rate, tenants'
// reputation state; dead letters with replay (any admin, scoped to its tenant by the API).
import { api, q } from './api.js';
import { attempt, field, h, say, table, when } from './dom.js';

function depths(caption, byTopic) {
  return table(caption, [
    { label: 'Topic', value: (r) => r[0] },
    { label: 'Records', num: true, value: (r) => r[1] },
  ], Object.entries(byTopic || {}));
}

/** SENT events of the last complete minute, per second: the rate SES is being fed at. */
function sendRate(metrics) {
  const minutes = (metrics.series || []).filter((m) => Date.parse(m.minute) < Date.now() - 60000);
  const last = minutes[minutes.length - 1];
  return last ? (last.counts.SENT || 0) / 60 : 0;
}

function sesLimit(ses) {
  if (!ses) return '–';
  if (!ses.configured) return ses.configuredMaxSendRate ? `${ses.configuredMaxSendRate} /s (SES_MAX_SEND_RATE)` : 'not known to ingress (no AWS_REGION)';
  const inForce = ses.configuredMaxSendRate ? `; the dispatchers use ${ses.configuredMaxSendRate} /s (SES_MAX_SEND_RATE)` : '';
  return `${ses.maxSendRate} /s${inForce}; ${ses.sentLast24Hours} of ${ses.max24HourSend} sent in 24 h`;
}

function sesState(ses) {
  if (!ses || !ses.configured) return '–';
  if (!ses.paused) return `sending (${ses.enforcementStatus || 'status unknown'})`;
  return ses.sendingEnabled === false ? 'paused: SES has sending disabled — sends are held, not failed' : 'paused: 24-hour quota used up';
}

async function operatorView(box) {
  const [pipeline, metrics, tenants, ses] = await Promise.all([
    attempt(() => api('GET', '/admin/pipeline')),
    attempt(() => api('GET', '/admin/metrics?hours=1')),
    attempt(() => api('GET', '/admin/tenants?limit=100')),
    attempt(() => api('GET', '/admin/ses-account')),
  ]);
  const paused = tenants ? tenants.items.filter((t) => t.state === 'PAUSED').map((t) => t.id) : [];
  box.replaceChildren(
    h('dl', { class: 'facts', id: 'pipeline-facts' },
      h('dt', { text: 'Send rate (last minute)' }), h('dd', { id: 'send-rate', text: metrics ? `${sendRate(metrics).toFixed(2)} /s` : '–' }),
      h('dt', { text: 'SES rate limit' }), h('dd', { id: 'ses-limit', text: sesLimit(ses) }),
      h('dt', { text: 'SES account' }), h('dd', { id: 'ses-paused', text: sesState(ses) }),
      h('dt', { text: 'Paused tenants' }), h('dd', { id: 'paused', text: paused.length ? paused.join(', ') : 'none' }),
      h('dt', { text: 'Account bounce / complaint rate' }),
      h('dd', { text: tenants && tenants.account ? `${(100 * tenants.account.bounceRate).toFixed(2)} % / ${(100 * tenants.account.complaintRate).toFixed(3)} %` : '–' })),
    h('h3', { text: 'Consumer lag' }),
    pipeline ? table('Consumer groups', [
      { label: 'Group', value: (g) => g.groupId },
      { label: 'Lag by topic', value: (g) => Object.entries(g.lagByTopic).map(([t, n]) => `${t}: ${n}`).join(', ') },
      { label: 'Total lag', num: true, value: (g) => g.totalLag },
    ], pipeline.consumerGroups) : '',
    h('h3', { text: 'Retry tiers' }), pipeline ? depths('Records waiting in retry topics', pipeline.retryTopics) : '',
    h('h3', { text: 'Dead letters' }), pipeline ? depths('Records in dead-letter and quarantine topics', pipeline.deadLetterTopics) : '',
    h('h3', { text: 'Tenants' }),
    tenants ? table('Tenants and their reputation state', [
      { label: 'Tenant', value: (t) => t.id },
      { label: 'State', value: (t) => h('span', { class: `badge ${t.state || ''}`, text: t.state || 'unknown' }) },
      { label: 'Since', value: (t) => when(t.since) },
      { label: 'Reason', value: (t) => t.reason },
    ], tenants.items) : '');
}

function deadLetters() {
  const batch = h('input', { type: 'text', name: 'batchId', required: true, spellcheck: 'false' });
  const result = h('div', { id: 'dead-letters' });
  async function list() {
    const found = await attempt(() => api('GET', `/admin/dead-letters${q({ batchId: batch.value.trim() })}`));
    if (!found) return;
    result.replaceChildren(
      table(`Dead letters of ${found.batchId}`, [
        { label: 'Send', value: (d) => h('span', { class: 'mono', text: d.sendId }) },
        { label: 'Email', value: (d) => d.email },
        { label: 'Reason', value: (d) => d.reason },
        { label: 'Dead-lettered', value: (d) => when(d.deadLetteredAt) },
        { label: 'Action', value: (d) => h('button', { type: 'button', class: 'secondary', text: 'Replay', 'aria-label': `Replay ${d.sendId}`,
          on: { click: () => replay(found.batchId, [d.sendId]) } }) },
      ], found.deadLetters),
      found.deadLetters.length ? h('button', { type: 'button', id: 'replay-all', text: `Replay all ${found.deadLetters.length}`,
        on: { click: () => replay(found.batchId, []) } }) : '');
  }
  async function replay(batchId, sendIds) {
    const r = await attempt(() => api('POST', '/admin/dead-letters/replay', { batchId, sendIds }));
    if (!r) return;
    const skipped = r.skipped.map((s) => `${s.email}: ${s.reason}`).join('; ');
    say(`Replayed ${r.replayed}${skipped ? `; skipped ${r.skipped.length} (${skipped})` : ''}.`);
    result.prepend(h('p', { class: 'hint', id: 'replay-result', text: `Replayed ${r.replayed} of ${batchId}.` }));
  }
  const form = h('form', { class: 'row' }, h('div', {}, ...field('Batch id', batch)),
    h('div', {}, h('button', { type: 'submit', text: 'List dead letters' })));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); list(); });
  return [h('h3', { text: 'Dead letters of a batch' }), form, result];
}

export async function render(view, ctx) {
  const box = h('div');
  view.append(h('h2', { text: 'Pipeline' }));
  if (ctx.me.operator) {
    view.append(h('button', { type: 'button', class: 'secondary', text: 'Refresh', on: { click: () => operatorView(box) } }), box);
    await operatorView(box);
  } else {
    view.append(h('p', { class: 'hint', text: 'Lag and topic depths are for operator admins (tenant default).' }));
  }
  view.append(...deadLetters());
}
