#!/usr/bin/env python3
"""Helpers of devstack/bench/pipeline.sh (standard library only).

  pipeline_tools.py run    ...   one measured run: submit a shape, wait until the SES stub has
                                 accepted every recipient, sample CPU/RSS of the processes
                                 meanwhile, then wait until the batch view agrees; writes JSON
  pipeline_tools.py report DIR   the table of every run in DIR/runs and the BullMQ results in
                                 DIR/bullmq/results; writes DIR/results.json
"""
import argparse
import http.client
import json
import os
import resource
import random
import sys
import threading
import time
import urllib.parse
from pathlib import Path

CLK_TCK = os.sysconf('SC_CLK_TCK')
PAGE_KB = os.sysconf('SC_PAGE_SIZE') // 1024

# The same message as the BullMQ baseline's jobs (bench.mjs): ~500 bytes of html, one variable.
TEMPLATE = ('<html><body><h1>Hello {{name}},</h1><p>Your weekly digest is ready. '
            'Here are the three stories our readers liked most this week.</p>'
            '<p><a href="https://example.com/digest">Read the digest</a></p>'
            '<p style="font-size:11px">You receive this because you subscribed. '
            '<a href="https://example.com/unsubscribe">Unsubscribe</a></p></body></html>')


def padded_template(html_bytes):
    """TEMPLATE grown to about html_bytes with newsletter-like paragraphs (seeded, so every run sends the same)."""
    if html_bytes <= len(TEMPLATE):
        return TEMPLATE
    rng = random.Random(19)
    words = ('story week readers team update product launch guide tips data report city market price offer '
             'event season travel garden recipe kitchen review science health music film book sport school '
             'design style home energy climate ocean mountain river bridge museum history future local world').split()
    paragraphs = []
    size = len(TEMPLATE)
    while size < html_bytes:
        sentence = ' '.join(rng.choice(words) for _ in range(rng.randint(8, 18))).capitalize() + '.'
        p = f'<p style="margin:0 0 12px;font-family:Arial,sans-serif;font-size:15px">{sentence} {sentence}</p>'
        paragraphs.append(p)
        size += len(p)
    return TEMPLATE.replace('</body>', ''.join(paragraphs) + '</body>')


def log(msg):
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


# ------------------------------------------------------------------ /proc sampling
def proc_ticks(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            s = f.read()
        fields = s[s.rindex(')') + 2:].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, ValueError):
        return None


def proc_status_kb(pid, key):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_pss_kb(pid):
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def children_of(ppid):
    try:  # CONFIG_PROC_CHILDREN: the children of the main thread (PostgreSQL forks from it)
        with open(f'/proc/{ppid}/task/{ppid}/children') as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        pass
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as f:
                s = f.read()
            if int(s[s.rindex(')') + 2:].split()[1]) == ppid:
                out.append(int(d))
        except (OSError, ValueError):
            pass
    return out


class Sampler(threading.Thread):
    """CPU seconds (utime+stime) over the run and the peak memory of each named process.

    A name given as `tree:PID` (PostgreSQL) covers the process and its children: CPU is summed
    per PID (a child born during the run counts from 0; one that exits loses at most one interval),
    memory is the sum of Pss (shared buffers counted once). Other processes: peak sampled VmRSS,
    and VmHWM (the process's lifetime peak) at the end."""

    def __init__(self, procs, interval):
        super().__init__(daemon=True)
        self.procs = procs  # name -> (pid, tree?)
        self.interval = interval
        self.stop_evt = threading.Event()
        self.first = {}  # name -> {pid: ticks}
        self.last = {}
        self.peak_kb = {n: 0 for n in procs}
        self.samples = 0

    def pids(self, name):
        pid, tree = self.procs[name]
        return [pid] + children_of(pid) if tree else [pid]

    def sample(self, initial=False):
        for name, (pid, tree) in self.procs.items():
            ticks = {}
            mem = 0
            for p in self.pids(name):
                t = proc_ticks(p)
                if t is None:
                    continue
                ticks[p] = t
                m = proc_pss_kb(p) if tree else proc_status_kb(p, 'VmRSS')
                mem += m or 0
            if initial:
                self.first[name] = dict(ticks)
            self.last.setdefault(name, {}).update(ticks)
            self.peak_kb[name] = max(self.peak_kb[name], mem)
        self.samples += 1

    def run(self):
        while not self.stop_evt.wait(self.interval):
            self.sample()

    def start(self):
        self.sample(initial=True)
        super().start()

    def finish(self):
        self.stop_evt.set()
        self.join()
        self.sample()
        out = {}
        for name, (pid, tree) in self.procs.items():
            first, last = self.first.get(name, {}), self.last.get(name, {})
            cpu = sum(t - first.get(p, 0) for p, t in last.items()) / CLK_TCK
            out[name] = {
                'pid': pid,
                'cpuS': round(cpu, 2),
                'peakRssMb': round(self.peak_kb[name] / 1024, 1),
                'vmHwmMb': None if tree else (lambda v: None if v is None else round(v / 1024, 1))(proc_status_kb(pid, 'VmHWM')),
                'alive': proc_ticks(pid) is not None,
            }
        return out


# ------------------------------------------------------------------ HTTP
class Http:
    def __init__(self, base, key=None, timeout=600):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout, self.key = u.hostname, u.port, timeout, key
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.key:
            h['Authorization'] = f'Bearer {self.key}'
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout, blocksize=1 << 16)
            try:
                if hasattr(body, 'seek'):
                    body.seek(0)
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data, r
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError('unreachable')

    def json(self, method, path, body=None, headers=None):
        status, data, _ = self.request(method, path, body, headers)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors='replace')[:300]


# ------------------------------------------------------------------ one run
def build_bodies(args):
    """Shape A: a list of JSON bodies (bytes); shape B: the path of one NDJSON file."""
    message = {'subject': 'Your weekly digest', 'html': padded_template(args.html_bytes), 'tags': {'bench': args.run_id}}
    if args.shape == 'A':
        bodies = []
        for b in range(0, args.n, args.batch_size):
            recipients = [{'email': f'u{args.run_id}-{i}@example.com', 'variables': {'name': f'Subscriber {i}'}}
                          for i in range(b, min(args.n, b + args.batch_size))]
            bodies.append(json.dumps({**message, 'recipients': recipients}, separators=(',', ':')).encode())
        return bodies
    path = Path(args.work) / f'{args.run_id}.ndjson'
    with open(path, 'w') as f:
        f.write(json.dumps(message, separators=(',', ':')) + '\n')
        for i in range(args.n):
            f.write(f'{{"email":"u{args.run_id}-{i}@example.com","variables":{{"name":"Subscriber {i}"}}}}\n')
    return path


def submit(args, bodies, result):
    """Runs in a thread: POST /api/v1/batches, retrying 429/503 (at most 60 s per batch)."""
    api = Http(args.ingress, args.key, timeout=3600)
    result['codes'], result['ids'], result['retries'] = [], [], 0
    try:
        if args.shape == 'A':
            items = [(f'bench-{args.run_id}-{k}', body, 'application/json', len(body)) for k, body in enumerate(bodies)]
        else:
            items = [(f'bench-{args.run_id}-ndjson', None, 'application/x-ndjson', os.path.getsize(bodies))]
        for key, body, ctype, length in items:
            deadline = time.time() + 60
            while True:
                headers = {'Content-Type': ctype, 'Idempotency-Key': key, 'Content-Length': str(length)}
                if body is None:
                    with open(bodies, 'rb') as f:
                        status, data, resp = api.request('POST', '/api/v1/batches', f, headers)
                else:
                    status, data, resp = api.request('POST', '/api/v1/batches', body, headers)
                if status in (429, 503) and time.time() < deadline:
                    result['retries'] += 1
                    time.sleep(float(resp.getheader('Retry-After') or 0.2) if status == 429 else 0.5)
                    continue
                break
            result['codes'].append(status)
            if status == 202:
                result['ids'].append(json.loads(data)['id'])
            else:
                result.setdefault('errors', []).append(f'HTTP {status}: {data[:300].decode(errors="replace")}')
    except Exception as e:  # noqa: BLE001 — reported in the result, the run goes on to its timeout
        result.setdefault('errors', []).append(f'{type(e).__name__}: {e}')
    result['endMs'] = int(time.time() * 1000)


def cmd_run(args):
    procs = {}
    for spec in args.procs.split(','):
        name, pid = spec.split('=')
        tree = pid.startswith('tree:')
        procs[name] = (int(pid.removeprefix('tree:')), tree)
    stub = Http(args.stub, timeout=10)
    api = Http(args.ingress, args.key, timeout=60)

    t_gen = time.time()
    bodies = build_bodies(args)
    gen_s = time.time() - t_gen
    status, _ = stub.json('POST', '/stats/reset')
    _, st = stub.json('GET', '/stats')
    if status != 200 or st.get('accepted') != 0:
        sys.exit(f'cannot reset the stub: {status} {st}')
    if st.get('config', {}).get('latencyMs') != args.latency:
        sys.exit(f"the stub runs with latency {st.get('config')}, expected {args.latency} ms")

    log(f'{args.label}: {args.n} recipients ({"%d JSON batches of %d" % (len(bodies), args.batch_size) if args.shape == "A" else "1 NDJSON batch"}), '
        f'stub latency {args.latency} ms, run id {args.run_id} (payload built in {gen_s:.1f} s)')
    sampler = Sampler(procs, args.interval)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    sampler.start()
    sub = {}
    t0 = int(time.time() * 1000)
    th = threading.Thread(target=submit, args=(args, bodies, sub), daemon=True)
    th.start()

    accepted, last_progress, last_print, status_ = 0, time.time(), time.time(), 'complete'
    while True:
        try:
            _, st = stub.json('GET', '/stats')
            a = st['accepted']
        except Exception:  # noqa: BLE001
            a = accepted
        if a != accepted:
            accepted, last_progress = a, time.time()
        if accepted >= args.n:
            break
        now = time.time()
        if now - last_print >= args.progress:
            submitted = f", submitted in {(sub['endMs'] - t0) / 1000:.1f} s" if 'endMs' in sub else ''
            log(f'  {accepted}/{args.n} accepted after {(now * 1000 - t0) / 1000:.0f} s{submitted}')
            last_print = now
        if now * 1000 - t0 > args.timeout * 1000:
            status_ = 'timeout'
            break
        if now - last_progress > args.stall and ('endMs' in sub):
            status_ = 'stalled'
            break
        time.sleep(0.2)
    t_end_local = int(time.time() * 1000)
    cpu = sampler.finish()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    _, st = stub.json('GET', '/stats')
    end_ms = st['lastAt'] if status_ == 'complete' and st.get('lastAt') else t_end_local
    seconds = max(0.001, (end_ms - t0) / 1000)
    rate = min(accepted, args.n) / seconds
    log(f'{args.label}: {status_.upper()} {accepted}/{args.n} in {seconds:.2f} s = {rate:,.0f} recipients/s '
        f'(stub max {st.get("maxPerSecond")}/s; submitted in {((sub.get("endMs") or t_end_local) - t0) / 1000:.1f} s)')
    th.join(timeout=5)

    # after the clock: a partial run's batches are cancelled (so they stop competing with the next
    # run), then duplicates, and the batch view catching up (so the next run starts quiet)
    cancelled = []
    if status_ != 'complete':
        for bid in sub.get('ids', []):
            try:
                code, _ = api.json('POST', f'/api/v1/batches/{bid}/cancel')
            except Exception:  # noqa: BLE001
                code = 0
            cancelled.append(code)
        log(f'  cancelled the run\'s {len(cancelled)} batches: HTTP {sorted(set(cancelled))}')
    time.sleep(2)
    _, st2 = stub.json('GET', '/stats')
    view, view_s = None, None
    t_v = time.time()
    while time.time() - t_v < args.quiesce:
        try:
            code, page = api.json('GET', f'/api/v1/batches?tag=bench:{args.run_id}&limit=1000')
        except Exception:  # noqa: BLE001
            code, page = 0, None
        if code == 200 and isinstance(page, dict):
            items = page.get('items', [])
            view = {'batches': len(items), 'statuses': sorted({i.get('status') for i in items})}
            for k in ('total', 'queued', 'suppressed', 'sent', 'failed', 'cancelled'):
                view[k] = sum((i.get('counts') or {}).get(k, 0) for i in items)
            if len(items) == len(sub.get('ids', [])) and view['sent'] + view['failed'] + view['suppressed'] + view['cancelled'] >= args.n:
                view_s = round(time.time() - t_v + 2, 1)
                break
        time.sleep(1)
    log(f'  view: {view} ({"consistent %s s after the stub" % view_s if view_s is not None else "NOT consistent after %d s" % args.quiesce}); '
        f'stub accepted {st2["accepted"]} in all ({st2["accepted"] - args.n:+d} against N)')
    out = {
        'label': args.label, 'shape': args.shape, 'phase': args.phase, 'latencyMs': args.latency,
        'n': args.n, 'batchSize': args.batch_size if args.shape == 'A' else args.n,
        'batches': len(bodies) if args.shape == 'A' else 1, 'runId': args.run_id,
        'status': status_, 'accepted': accepted, 'acceptedAfter2s': st2['accepted'],
        'seconds': round(seconds, 3), 'rate': round(rate, 1), 'startMs': t0, 'endMs': end_ms,
        'submitSeconds': round(((sub.get('endMs') or t_end_local) - t0) / 1000, 3),
        'submitCodes': {str(c): sub.get('codes', []).count(c) for c in sorted(set(sub.get('codes', [])))},
        'submitRetries': sub.get('retries', 0), 'submitErrors': sub.get('errors', [])[:5],
        'stubMaxPerSecond': st.get('maxPerSecond'), 'stubRequests': st.get('requests'),
        'stubPerSecond': [x for x in st.get('perSecond', []) if x][-int(seconds + 2):],
        'view': view, 'viewConsistentSeconds': view_s, 'cancelCodes': cancelled,
        'processes': cpu,
        'driverCpuS': round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2),
        'cpuProbeMs': args.cpu_probe_ms, 'loadavgBefore': args.loadavg, 'env': args.env_desc,
    }
    Path(args.out).write_text(json.dumps(out, indent=1))
    if args.shape == 'B':
        Path(bodies).unlink(missing_ok=True)


# ------------------------------------------------------------------ report
PROC_ORDER = ['ingress', 'topology', 'dispatcher', 'feedback', 'kafka', 'postgres', 'stub']
ABBR = {'ingress': 'ing', 'topology': 'top', 'dispatcher': 'disp', 'feedback': 'fb', 'kafka': 'kafka', 'postgres': 'pg', 'stub': 'stub'}


def cmd_report(args):
    d = Path(args.dir)
    runs = [json.loads(p.read_text()) for p in sorted((d / 'runs').glob('*.json'))]
    runs.sort(key=lambda r: r['startMs'])
    bull = []
    for p in sorted((d / 'bullmq' / 'results').glob('*.json')) if (d / 'bullmq' / 'results').is_dir() else []:
        try:
            bull.append(json.loads(p.read_text()))
        except ValueError:
            pass

    def med(xs):
        xs = sorted(xs)
        m = len(xs) // 2
        return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2

    bull_rate = {}
    for b in bull:
        bull_rate.setdefault((b['stubLatencyMs'], b['concurrency']), []).append(b['e2eRate'])
    bull_rate = {k: med(v) for k, v in bull_rate.items()}
    concs = sorted({c for (_, c) in bull_rate})

    procs = [p for p in PROC_ORDER if any(p in r['processes'] for r in runs)]
    heads = ['shape', 'SES latency', 'recipients', 'seconds', 'recipients/s'] + [f'× BullMQ c{c}' for c in concs] + \
            ['CPU s ' + '/'.join(ABBR[p] for p in procs), 'peak RSS MB ' + '/'.join(ABBR[p] for p in procs), 'cpu-probe ms']
    lines = ['| ' + ' | '.join(heads) + ' |', '|' + '---|' * len(heads)]
    over = []
    for r in runs:
        flag = '' if r['status'] == 'complete' else f" **{r['status'].upper()} {r['accepted']}/{r['n']}**"
        cells = [r['label'], f"{r['latencyMs']} ms", f"{r['n']:,}", f"{r['seconds']:.1f}", f"{r['rate']:,.0f}{flag}"]
        for c in concs:
            br = bull_rate.get((r['latencyMs'], c))
            cells.append(f"{r['rate'] / br:.2f}" if br else 'n/a')
        cells.append('/'.join(f"{r['processes'][p]['cpuS']:.1f}" if p in r['processes'] else '-' for p in procs))
        cells.append('/'.join(f"{r['processes'][p]['peakRssMb']:.0f}" if p in r['processes'] else '-' for p in procs))
        cells.append(str(r.get('cpuProbeMs') or 'n/a'))
        lines.append('| ' + ' | '.join(cells) + ' |')
        for p in ('ingress', 'topology', 'dispatcher', 'feedback'):
            if p in r['processes'] and r['processes'][p]['peakRssMb'] > 512:
                over.append(f"{r['label']} {r['latencyMs']} ms: {p} {r['processes'][p]['peakRssMb']:.0f} MB")
    print('\nMailer, whole pipeline (recipients/s = N / (stub accepted the N-th − first submit)):')
    print('\n'.join(lines))
    if over:
        print('RSS above 512 MB: ' + '; '.join(over))
    for r in runs:
        notes = []
        if r['acceptedAfter2s'] != r['n']:
            notes.append(f"stub accepted {r['acceptedAfter2s']} ({r['acceptedAfter2s'] - r['n']:+d})")
        if r['submitErrors']:
            notes.append(f"submit errors: {r['submitErrors']}")
        if r['viewConsistentSeconds'] is None:
            notes.append(f"batch view not consistent: {r['view']}")
        if any(not v['alive'] for v in r['processes'].values()):
            notes.append('dead: ' + ','.join(k for k, v in r['processes'].items() if not v['alive']))
        if notes:
            print(f"  note {r['label']} {r['latencyMs']} ms: " + '; '.join(notes))
    if bull:
        print('\nBullMQ baseline (same invocation; shared/baselines/bullmq-baseline, Redis AOF everysec):')
        print('| SES latency | concurrency | jobs | seconds | end-to-end jobs/s | CPU s worker/redis/producer/stub | peak RSS MB worker/redis | cpu-probe ms |')
        print('|---|---|---|---|---|---|---|---|')
        for b in sorted(bull, key=lambda b: (b['stubLatencyMs'], b['concurrency'])):
            secs = b['n'] / b['e2eRate'] if b.get('e2eRate') else float('nan')
            cpu = '/'.join(f"{(b.get('cpuS') or {}).get(k, float('nan')):.1f}" for k in ('worker', 'redis', 'producer', 'stub'))
            print(f"| {b['stubLatencyMs']} ms | {b['concurrency']} | {b['n']:,}{'' if b.get('completed') == b['n'] else ' (completed %s)' % b.get('completed')} | "
                  f"{secs:.1f} | {b['e2eRate']:,.0f} | {cpu} | {b['peakRssMb']['worker']:.0f}/{b['peakRssMb']['redis']:.0f} | {b.get('cpuProbeMs')} |")
    else:
        print('\n(no BullMQ results)')
    res = {'generatedAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'runs': runs,
           'bullmq': bull, 'bullmqMedianRate': {f'lat{k[0]}-c{k[1]}': v for k, v in bull_rate.items()},
           'table': lines}
    meta = d / 'meta.json'
    if meta.exists():
        res['meta'] = json.loads(meta.read_text())
    (d / 'results.json').write_text(json.dumps(res, indent=1))
    print(f'\nresults: {d / "results.json"}')


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest='cmd', required=True)
    r = sp.add_parser('run')
    r.add_argument('--label', required=True)
    r.add_argument('--phase', default='')
    r.add_argument('--shape', choices=['A', 'B'], required=True)
    r.add_argument('--n', type=int, required=True)
    r.add_argument('--batch-size', type=int, default=2500)
    r.add_argument('--html-bytes', type=int, default=0, help='grow the message html to about this size')
    r.add_argument('--latency', type=int, required=True)
    r.add_argument('--run-id', required=True)
    r.add_argument('--ingress', required=True)
    r.add_argument('--key', required=True)
    r.add_argument('--stub', required=True)
    r.add_argument('--procs', required=True, help='name=pid,… (name=tree:pid for a process tree)')
    r.add_argument('--out', required=True)
    r.add_argument('--work', required=True)
    r.add_argument('--timeout', type=float, default=900)
    r.add_argument('--stall', type=float, default=60)
    r.add_argument('--quiesce', type=float, default=120)
    r.add_argument('--interval', type=float, default=0.5)
    r.add_argument('--progress', type=float, default=10)
    r.add_argument('--cpu-probe-ms', type=float)
    r.add_argument('--loadavg', default='')
    r.add_argument('--env-desc', default='')
    rp = sp.add_parser('report')
    rp.add_argument('dir')
    a = ap.parse_args()
    {'run': cmd_run, 'report': cmd_report}[a.cmd](a)


if __name__ == '__main__':
    main()
