// The public API, called with the key from this tab's session storage (never a URL, never logged).
const KEY = 'mailer.apiKey';
const BASE = '/api/v1';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An API error: the problem+json detail (and field errors) when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem && problem.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ');
    super(((problem && (problem.detail || problem.title)) || `HTTP ${status}`) + (fields ? ` (${fields})` : ''));
    this.status = status;
  }
}

function headers(extra) {
  return Object.assign({ Authorization: `Bearer ${session.key()}` }, extra || {});
}

async function fail(res) {
  let problem = null;
  try { problem = await res.json(); } catch (e) { /* not JSON */ }
  if (res.status === 401) window.dispatchEvent(new CustomEvent('mailer:unauthorized'));
  throw new ApiError(res.status, problem);
}

/** JSON in, JSON out; a body that is a string or Blob is sent as is with the given content type. */
export async function api(method, path, body, contentType) {
  const init = { method, headers: headers({ Accept: 'application/json' }) };
  if (body !== undefined) {
    const raw = typeof body === 'string' || body instanceof Blob;
    init.headers['Content-Type'] = contentType || 'application/json';
    init.body = raw ? body : JSON.stringify(body);
  }
  const res = await fetch(BASE + path, init);
  if (!res.ok) await fail(res);
  if (res.status === 204 || res.headers.get('Content-Length') === '0') return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** The raw response (e.g. a CSV export). */
export async function download(path, accept) {
  const res = await fetch(BASE + path, { headers: headers({ Accept: accept }) });
  if (!res.ok) await fail(res);
  return res.blob();
}

export const q = (params) => {
  const s = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== '') s.set(k, v); });
  const str = s.toString();
  return str ? `?${str}` : '';
};
export const enc = encodeURIComponent;

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send the Authorization header).
 * Calls onEvent(name, data) per event; resolves when the stream ends, rejects when it cannot be read.
 */
export async function readEvents(path, onEvent, signal) {
  const res = await fetch(BASE + path, { headers: headers({ Accept: 'text/event-stream' }), signal });
  if (!res.ok) await fail(res);
  if (!res.body || !res.body.getReader) throw new Error('streaming not supported');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      block.split('\n').forEach((line) => {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      });
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}
