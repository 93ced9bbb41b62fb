// ops.test.mjs - operating kaigo (issue 20): the configuration file and what overrides it,
// /healthz and /readyz, /metrics for the operator only, log lines (text, JSON, a log file
// reopened on SIGHUP), and HTTPS with office client certificates - each against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { BIN, tmp, fixture, startServer, kaigo, must, addUser, totp, newDb, side, dbEnv, PG } from './lib.mjs';

const SRC = join(import.meta.dirname, '..', '..');
let dir, db;
before(() => { dir = tmp(); db = fixture(dir); });

// serve - kaigo [--config FILE] serve ARGS with env; resolves with the URL and a stop function
// (the state directory of db, the file's database, unless env names another)
function serve(pre, args, env = {}) {
  const child = spawn(BIN, [...pre, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...dbEnv(db), ...env } });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('no start: ' + err)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https?:\/\/[0-9.]+:[0-9]+)/);
      if (m) { clearTimeout(t); resolve({ url: m[1], child, err: () => err, stop: () => new Promise((r) => { child.once('exit', (c) => r(c)); child.kill('SIGTERM'); }) }); }
    });
    child.on('exit', (c) => { clearTimeout(t); reject(new Error(`exited ${c}: ${err}`)); });
  });
}

test('the configuration file: read, overridden by the environment and by flags; errors name FILE:LINE', async () => {
  const conf = join(dir, 'kaigo.conf');
  const other = newDb(dir, 'other.db');
  writeFileSync(conf, `# test\n db = ${db}\nlisten = 127.0.0.1:0\naccess_log = false\nmin_free_mb = 1\n`);
  // from the file: the database (a card read works) and no access log
  let s = await serve(['--config', conf], []);
  let r = await fetch(s.url + '/api/v1/insurers', { headers: { Authorization: 'Bearer ' + readFileSync(side(db, '.operator-token'), 'utf8').trim() } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).insurers[0].insurer_no, '122192');
  await s.stop();
  assert.doesNotMatch(s.err(), /access id=/, 'access_log = false from the file');
  assert.match(s.err(), new RegExp(`設定: file=${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // the environment over the file: KAIGO_DB names another (new, empty) database
  s = await serve(['--config', conf], [], { KAIGO_DB: other, KAIGO_ACCESS_LOG: 'true', ...dbEnv(other) });
  r = await fetch(s.url + '/healthz');
  assert.equal(r.status, 200);
  // the other database is the one served: no insurer yet (the file's has 122192)
  r = await fetch(s.url + '/api/v1/insurers', { headers: { Authorization: 'Bearer ' + readFileSync(side(other, '.operator-token'), 'utf8').trim() } });
  assert.equal(r.status, 200);
  assert.deepEqual((await r.json()).insurers, [], 'KAIGO_DB overrode db of the file');
  await s.stop();
  if (!PG) assert.ok(existsSync(other), 'KAIGO_DB made the new file');
  assert.match(s.err(), /access id=/, 'KAIGO_ACCESS_LOG overrode the file');
  // a flag over both; --config also after the subcommand, and from $KAIGO_CONFIG
  s = await serve([], ['--config', conf, '--db', db], { KAIGO_DB: other });
  r = await fetch(s.url + '/api/v1/insurers', { headers: { Authorization: 'Bearer ' + readFileSync(side(db, '.operator-token'), 'utf8').trim() } });
  assert.equal(r.status, 200);
  await s.stop();
  s = await serve([], [], { KAIGO_CONFIG: conf });
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await s.stop();
  // errors: a misread configuration must not start a service
  writeFileSync(conf, `db = ${db}\nlisten = 127.0.0.1:0\nthreds = 4\n`);
  let k = kaigo(['--config', conf, 'serve']);
  assert.equal(k.code, 2);
  assert.match(k.err, /kaigo\.conf:3: 不明な設定項目です: threds/);
  writeFileSync(conf, `db = ${db}\nheader_timeout = 0\n`);
  k = kaigo(['--config', conf, 'wareki', 'R6.4.1']);
  assert.equal(k.code, 2);
  assert.match(k.err, /kaigo\.conf:2: header_timeout: 整数の範囲外です/);
  writeFileSync(conf, `db ${db}\n`);
  assert.match(kaigo(['--config', conf, 'wareki', 'R6.4.1']).err, /:1: 「キー = 値」の形ではありません/);
  k = kaigo(['--config', join(dir, 'missing.conf'), 'wareki', 'R6.4.1']);
  assert.equal(k.code, 2);
  assert.match(k.err, /missing\.conf を開けません/);
  // an environment value out of range is said and not used
  k = kaigo(['wareki', 'R6.4.1'], { env: { KAIGO_THREADS: 'many' } });
  assert.equal(k.code, 0);
  assert.match(k.err, /KAIGO_THREADS=many: 整数の範囲外です/);
});

test('the shipped kaigo.conf: every key it documents is a key kaigo reads, and docs/operations.md lists each', () => {
  const shipped = readFileSync(join(SRC, 'packaging', 'kaigo.conf'), 'utf8');
  const keys = [...shipped.matchAll(/^#?\s*([a-z_]+)\s*=/gm)].map((m) => m[1]);
  assert.ok(keys.length >= 21, 'keys: ' + keys.join(' '));
  // every key uncommented, with its documented example value, is accepted as it is
  const all = shipped.split('\n').map((l) => l.replace(/^#\s*([a-z_]+\s*=)/, '$1')).join('\n')
    .replace(/^db\s*=.*$/m, `db = ${db}`).replace(/^(tls_[a-z_]+)\s*=.*$/gm, '$1 =').replace(/^log_file\s*=.*$/m, 'log_file =');
  const conf = join(dir, 'all.conf');
  writeFileSync(conf, all);
  const k = kaigo(['--config', conf, 'wareki', 'R6.4.1']);
  assert.equal(k.code, 0, k.err);
  const ops = readFileSync(join(SRC, 'docs', 'operations.md'), 'utf8');
  for (const key of new Set(keys)) assert.match(ops, new RegExp('`' + key + '`'), `${key} in docs/operations.md`);
});

test('/healthz is liveness, /readyz readiness: 503 with the reason when the disk is below min_free_mb', async () => {
  let s = await serve([], ['--db', db, '--listen', '127.0.0.1:0', '--quiet']);
  assert.equal((await fetch(s.url + '/healthz')).status, 200);
  let r = await fetch(s.url + '/readyz');
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.status, 'ready');
  assert.ok(j.free_mb > 0);
  await s.stop();
  // more free space asked than any disk here has
  s = await serve([], ['--db', db, '--listen', '127.0.0.1:0', '--quiet', '--min-free-mb', '1000000']);
  r = await fetch(s.url + '/readyz');
  assert.equal(r.status, 503);
  assert.deepEqual((await r.json()).reasons, ['disk_low']);
  assert.equal((await fetch(s.url + '/healthz')).status, 200, 'alive: a restart would not free the disk');
  await s.stop();
});

test('/metrics: Prometheus text for the operator token only, counting what was served', async () => {
  const srv = await startServer(db, ['--quiet']);
  try {
    assert.equal((await srv.get('/api/v1/insurers/122192/insured/0000000001/card')).status, 200);
    assert.equal((await fetch(srv.url + '/nowhere')).status, 404);
    assert.equal((await fetch(srv.url + '/metrics')).status, 401);
    const office = await srv.get('/metrics'); // the insurer's API token: not the operator
    assert.equal(office.status, 403);
    // a request is counted as it completes, just after its answer: scrape until the last one is in
    let r, t;
    for (let i = 0; i < 50; i++) {
      r = await srv.op('/metrics');
      t = await r.text();
      if (/route="\/metrics",status="403"\} 1$/m.test(t)) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    assert.match(t, /^kaigo_http_requests_total\{method="GET",route="\/api\/v1\/insurers\/\{insurer\}\/insured\/\{insured\}\/card",status="200"\} 1$/m);
    assert.match(t, /^kaigo_http_requests_total\{method="",route="\(none\)",status="404"\} 1$/m);
    assert.match(t, /^kaigo_http_requests_total\{method="GET",route="\/metrics",status="403"\} 1$/m);
    assert.match(t, /^kaigo_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/insurers\/\{insurer\}\/insured\/\{insured\}\/card"\} 1$/m);
    assert.match(t, /^kaigo_http_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m);
    assert.match(t, /^kaigo_audit_entries_total [1-9]\d*$/m, 'the card read was audited');
    assert.match(t, /^kaigo_audit_group_commits_total [1-9]\d*$/m);
    assert.match(t, /^kaigo_audit_queue_depth 0$/m);
    assert.match(t, /^kaigo_audit_commit_seconds_count [1-9]\d*$/m);
    assert.match(t, /^kaigo_audit_entries_per_commit_bucket\{le="1"\} \d+$/m);
    assert.match(t, /^kaigo_disk_free_bytes [1-9]\d*$/m);
    assert.match(t, /^kaigo_sessions_active 0$/m);
    assert.match(t, /^kaigo_http_connections_open [1-9]\d*$/m); // at least the one asking
    assert.match(t, /^kaigo_http_connections_evicted_total 0$/m);
    assert.match(t, /^kaigo_store_writable 1$/m);
    assert.doesNotMatch(t, /0000000001/, 'labels are route patterns, never a URL');
    // a session counts as active
    const secret = addUser(db, ['--login', 'ops-staff', '--name', '運用 確認', '--org', 'ichihara']);
    const l = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'ops-staff', password: 'Kaigo-test-2026!', totp: totp(secret) }) });
    assert.equal(l.status, 200);
    assert.match(await (await srv.op('/metrics')).text(), /^kaigo_sessions_active 1$/m);
  } finally { await srv.stop(); }
});

test('logs: JSON lines to a file, one object a line; SIGHUP reopens it after a rotation; no personal number', async () => {
  const log = join(dir, 'kaigo.log');
  const s = await serve([], ['--db', db, '--listen', '127.0.0.1:0', '--log-file', log, '--log-format', 'json']);
  const tok = readFileSync(side(db, '.api-token'), 'utf8').trim();
  assert.equal((await fetch(s.url + '/api/v1/insurers/122192/insured/0000000001/card', { headers: { Authorization: 'Bearer ' + tok } })).status, 200);
  renameSync(log, log + '.1'); // logrotate
  s.child.kill('SIGHUP');
  // the reopen is logged in the new file once the switch is made; wait for that line
  const reopened = () => existsSync(log) && readFileSync(log, 'utf8').includes('ログファイルを開き直しました');
  for (let i = 0; i < 100 && !reopened(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await fetch(s.url + '/healthz')).status, 200);
  assert.equal(await s.stop(), 0);
  const parse = (f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const old = parse(log + '.1'), cur = parse(log);
  for (const o of [...old, ...cur]) {
    assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(o.level);
  }
  // a request's access line is written as it completes, after its answer: the card's may land on either side of the switch
  const card = [...old, ...cur].find((o) => o.level === 'access' && o.route.endsWith('/card'));
  assert.deepEqual([card.method, card.status, typeof card.us, card.id.length], ['GET', 200, 'number', 16]);
  assert.ok(cur.some((o) => o.msg === 'ログファイルを開き直しました'));
  assert.ok(cur.some((o) => o.level === 'access' && o.route === '/healthz'), 'lines after SIGHUP go to the new file');
  assert.ok(cur.some((o) => /stopping/.test(o.msg)));
  const all = readFileSync(log + '.1', 'utf8') + readFileSync(log, 'utf8');
  assert.doesNotMatch(all, /0000000001|髙橋/);
  assert.equal(s.err(), '', 'nothing on stderr once the log file is open');
});

// ---- TLS -------------------------------------------------------------------

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('openssl ' + args.join(' ') + ': ' + r.stderr);
}
// pki - a CA, the server's certificate for 127.0.0.1, and client certificates (CN) from it; another CA's too
function pki(d) {
  const ca = (name) => openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], d);
  const leaf = (name, cn, issuer, ext) => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], d);
    writeFileSync(join(d, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], d);
  };
  ca('ca');
  ca('rogue');
  leaf('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('ichihara', '122192', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other', '1370000001', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('fake', '122192', 'rogue', 'extendedKeyUsage=clientAuth\n');
}

function get(url, path, { ca, cert, key, headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { ca, cert, key, headers, rejectUnauthorized: true }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS: kaigo serves TLS itself; an office API token needs its office certificate when a client CA is set', async () => {
  const d = tmp();
  pki(d);
  const f = (n) => join(d, n);
  const s = await serve([], ['--db', db, '--listen', '127.0.0.1:0', '--quiet', '--tls-cert', f('server.pem'), '--tls-key', f('server.key'), '--tls-client-ca', f('ca.pem')]);
  try {
    assert.match(s.url, /^https:\/\//);
    const ca = readFileSync(f('ca.pem'));
    const tok = readFileSync(side(db, '.api-token'), 'utf8').trim();
    const auth = { Authorization: 'Bearer ' + tok };
    const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
    let r = await get(s.url, '/healthz', { ca });
    assert.equal(r.status, 200);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    // plain HTTP on the TLS port gets no answer of ours
    await assert.rejects(fetch(s.url.replace('https:', 'http:') + '/healthz'));
    // the token alone: refused; with the insurer's certificate (CN 122192): the card
    r = await get(s.url, CARD, { ca, headers: auth });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'client_certificate_required');
    r = await get(s.url, CARD, { ca, headers: auth, cert: readFileSync(f('ichihara.pem')), key: readFileSync(f('ichihara.key')) });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /"insured_no":"0000000001"/);
    // another office's certificate, or one from a CA not configured: refused
    r = await get(s.url, CARD, { ca, headers: auth, cert: readFileSync(f('other.pem')), key: readFileSync(f('other.key')) });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'client_certificate_refused');
    r = await get(s.url, CARD, { ca, headers: auth, cert: readFileSync(f('fake.pem')), key: readFileSync(f('fake.key')) });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'client_certificate_refused');
    // the operator token and people's logins need no certificate
    r = await get(s.url, '/metrics', { ca, headers: { Authorization: 'Bearer ' + readFileSync(side(db, '.operator-token'), 'utf8').trim() } });
    assert.equal(r.status, 200);
    // a client that does not trust our certificate fails the handshake
    await assert.rejects(get(s.url, '/healthz', { ca: readFileSync(f('rogue.pem')) }));
  } finally { await s.stop(); }
  // only one of the pair, or a file that is not PEM: refused at start
  let k = kaigo(['serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', f('server.pem')]);
  assert.equal(k.code, 2);
  assert.match(k.err, /--tls-cert と --tls-key の両方が必要です/);
  k = kaigo(['serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', f('server.pem'), '--tls-key', f('server.ext')]);
  assert.equal(k.code, 2);
  assert.match(k.err, /PEM ではありません/);
});
