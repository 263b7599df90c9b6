// Tiny DOM helpers: text always goes in as text (never HTML), so API data cannot inject markup.

/** h('tag', {attrs, on: {event: fn}}, ...children) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === 'on') Object.entries(v).forEach(([ev, fn]) => el.addEventListener(ev, fn));
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach((c) => { if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c)); });
  return el;
}

let fieldSeq = 0;
/** A labelled field: returns [label, control] with the label bound to the control's id. */
export function field(labelText, control) {
  if (!control.id) control.id = `f${++fieldSeq}`;
  return [h('label', { for: control.id, text: labelText }), control];
}

export function table(caption, columns, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'hint', text: caption }),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label })))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, columns.map((c) => {
      const v = c.value(r);
      return h('td', { class: c.num ? 'num' : null }, v instanceof Node ? v : (v === null || v === undefined ? '' : String(v)));
    }))) : h('tr', {}, h('td', { colspan: String(columns.length), text: 'Nothing here.' })))));
}

export function when(t) {
  // the epoch stands for "never" in some views (a tenant without events)
  return t && Date.parse(t) > 0 ? new Date(t).toLocaleString() : '';
}

let statusTimer;
/** Announces a message in the page's aria-live region. */
export function say(message, isError) {
  const el = document.getElementById('status');
  el.textContent = message;
  el.classList.toggle('error', !!isError);
  clearTimeout(statusTimer);
  if (!isError) statusTimer = setTimeout(() => { el.textContent = ''; }, 8000);
}

/** Clears an error of the page left behind (a new page starts clean; a success message stays its time). */
export function clearError() {
  const el = document.getElementById('status');
  if (el.classList.contains('error')) say('');
}

/** Runs an async action from a button, reporting its error instead of throwing. */
export async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    say(e.message, true);
    return undefined;
  }
}

/** A cursor-paged table: load(true) starts over, the More button appends the next page. */
export function paged(render, fetchPage) {
  const box = h('div');
  let cursor = null;
  let rows = [];
  let latest = 0;
  async function load(reset) {
    const mine = ++latest;
    const page = await attempt(() => fetchPage(reset ? null : cursor));
    // an older request answering after a newer one must not put its (staler) rows back
    if (!page || mine !== latest) return;
    if (reset) { cursor = null; rows = []; }
    rows = rows.concat(page.items);
    cursor = page.nextCursor;
    box.replaceChildren(render(rows),
      cursor ? h('button', { type: 'button', class: 'secondary', text: 'More', on: { click: () => load(false) } }) : '');
  }
  return { box, load };
}
