// nodes.test.mjs - two `kaigo serve` processes on one store (issue #22 §2: several stateless nodes on one
// PostgreSQL; the same holds for two processes on one SQLite file). What one node knows the other must know at
// once, through the store and nothing else: a session made on one is valid on the other and ends on both at
// logout; failed logins on both count towards one throttle (RULE-AUTH-004); an API token revoked is refused by
// both; a write through one is read through the other; every read through either has its entry in one log
// without gaps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmp, fixture, startServer, kaigo, must, addUser, totp, audit, sqlite } from './lib.mjs';

const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
const LEDGER = '/api/v1/insurers/122192/insured/0000000001/ledger';
let dir, db, a, b, secret;

before(async () => {
  dir = tmp();
  db = fixture(dir);
  secret = addUser(db, ['--login', 'clerk', '--name', '市原 職員', '--org', 'ichihara', '--perms', 'review']);
  addUser(db, ['--login', 'target', '--name', '市原 対象', '--org', 'ichihara']);
  a = await startServer(db);
  b = await startServer(db);
});
after(async () => { await a?.stop(); await b?.stop(); });

const login = (srv, name, pw, code) => fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: name, password: pw, totp: code }) });

test('a session made on one node is valid on the other, and a logout on either ends it on both', async () => {
  const r = await login(a, 'clerk', 'Kaigo-test-2026!', totp(secret));
  assert.equal(r.status, 200, await r.clone().text());
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const who = (srv) => fetch(srv.url + '/api/v1/whoami', { headers: { Cookie: cookie } });
  assert.equal((await who(b)).status, 200, 'made on a, valid on b');
  assert.equal((await fetch(b.url + '/api/v1/logout', { method: 'POST', headers: { Cookie: cookie } })).status, 200);
  assert.equal((await who(a)).status, 401, 'ended on b, ended on a');
  assert.equal((await who(b)).status, 401);
});

test('failed logins on both nodes count towards one throttle (RULE-AUTH-004: 5 for a login)', async () => {
  // three wrong passwords on a and two on b: five, the limit, though neither node saw more than three
  for (const [srv, i] of [[a, 0], [b, 1], [a, 2], [b, 3], [a, 4]]) {
    const r = await login(srv, 'target', 'wrong-' + i, '000000');
    assert.equal(r.status, 401, `attempt ${i}`);
  }
  for (const srv of [a, b]) {
    const r = await login(srv, 'target', 'Kaigo-test-2026!', '000000');
    assert.equal(r.status, 429, 'throttled on both');
  }
  // counted in the store under a hash: no login in clear
  assert.ok(Number(sqlite(db, 'SELECT count(*) FROM throttles').out) >= 2, 'the login and the address');
  assert.equal(sqlite(db, "SELECT count(*) FROM throttles WHERE tkey LIKE '%target%'").out, '0');
});

test('an API token revoked is refused by both nodes at once', async () => {
  const tok = must(kaigo(['token', 'issue', '--db', db, '--org', 'ichihara', '--name', 'nodes'])).out.trim();
  assert.equal((await a.as(tok, CARD)).status, 200);
  assert.equal((await b.as(tok, CARD)).status, 200);
  must(kaigo(['token', 'revoke', '--db', db, tok.split('_')[1]]));
  assert.equal((await a.as(tok, CARD)).status, 401);
  assert.equal((await b.as(tok, CARD)).status, 401);
});

test('a write through one node is read through the other at once; every read has its entry, one log, no gaps', async () => {
  const entries = () => Number(audit(db, "SELECT count(*) FROM audit_v WHERE insured_no = '0000000001'").out);
  const before0 = entries();
  const r = await b.as(b.token, LEDGER + '/claims', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'yogu', date: '2026-11-02', amount: 12345, category: '腰掛便座' }) });
  assert.equal(r.status, 201, await r.text());
  const l = await a.get(LEDGER);
  assert.equal(l.status, 200);
  assert.match(await l.text(), /12345/, 'the claim made on b, read on a');
  // reads through both, interleaved: each has its own entry in the one log
  const reads = [];
  for (let i = 0; i < 20; i++) reads.push((i % 2 ? a : b).get(CARD));
  const answers = await Promise.all(reads);
  assert.deepEqual(answers.map((x) => x.status), Array(20).fill(200));
  assert.ok(entries() >= before0 + 21, `${entries() - before0} entries for 21 reads`);
  const v = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(v.code, 0, v.out + v.err);
  assert.match(v.out, /検証成功/);
});
