// fulldisk.test.mjs - a full disk, made by kaigo-test's fault VFS (KAIGO_DISK_FULL_FILE: every
// store write fails with SQLITE_FULL while that file exists). Issue 16: failed logins were then
// not recorded at all, a correct login answered 500, and /healthz stayed 200 while every
// disclosure was 503. Now: nothing is answered that could not be recorded (503, "unavailable"),
// readiness (/readyz, issue 20; /healthz is liveness only) says so, and everything works again
// once there is room - with nothing disclosed without its audit entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmp, fixture, startServer, sqlite, addUser, totp, kaigo } from './lib.mjs';

let dir, db, srv, secret, flag;
const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
const login = (pw, t = Date.now()) => fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'disk-staff', password: pw, totp: totp(secret, t) }) });
const events = () => Number(sqlite(db, "SELECT COUNT(*) FROM security_events").out);
const audited = () => Number(sqlite(db + '.audit', 'SELECT COUNT(*) FROM audit_v').out);

before(async () => {
  dir = tmp();
  db = fixture(dir);
  secret = addUser(db, ['--login', 'disk-staff', '--name', '容量 確認', '--org', 'ichihara', '--perms', 'review']);
  flag = join(dir, 'disk-full');
  process.env.KAIGO_DISK_FULL_FILE = flag;
  srv = await startServer(db);
  delete process.env.KAIGO_DISK_FULL_FILE;
});
after(async () => { await srv.stop(); });

test('healthy: 200, and a card read is audited', async () => {
  assert.equal((await fetch(srv.url + '/healthz')).status, 200);
  assert.equal((await fetch(srv.url + '/readyz')).status, 200);
  const before = audited();
  assert.equal((await srv.get(CARD)).status, 200);
  assert.equal(audited(), before + 1);
});

test('disk full: logins fail closed as 503, disclosures 503 with nothing sent, readiness 503', async () => {
  const ev = events(), au = audited();
  writeFileSync(flag, '');
  try {
    let r = await login('wrong-password');
    assert.equal(r.status, 503, 'a failed login that cannot be recorded is not answered 401');
    r = await login('Kaigo-test-2026!');
    assert.equal(r.status, 503, 'a correct login: 503, not 500');
    assert.equal((await r.json()).error.code, 'unavailable');
    r = await srv.get(CARD);
    assert.equal(r.status, 503);
    assert.doesNotMatch(await r.text(), /髙橋|0000000001/);
    r = await fetch(srv.url + '/readyz');
    assert.equal(r.status, 503);
    const why = (await r.json()).reasons;
    assert.ok(why.includes('storage_unwritable'), JSON.stringify(why));
    assert.ok(why.includes('audit_unwritable'), JSON.stringify(why));
    assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'alive all the same: a restart would not help');
  } finally {
    rmSync(flag);
  }
  assert.equal(events(), ev, 'nothing half-written');
  assert.equal(audited(), au);
});

test('room again: readiness recovers by itself, attempts are recorded, the log verifies', async () => {
  // /readyz probes the store at most once a second while it is failing
  let h = 503;
  for (let i = 0; i < 30 && h !== 200; i++) {
    h = (await fetch(srv.url + '/readyz')).status;
    if (h !== 200) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(h, 200);
  const ev = events();
  assert.equal((await login('wrong-password')).status, 401);
  assert.equal(events(), ev + 1);
  assert.equal((await login('Kaigo-test-2026!', Date.now() + 30000)).status, 200);
  const au = audited();
  assert.equal((await srv.get(CARD)).status, 200);
  assert.equal(audited(), au + 1);
  const v = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(v.code, 0, v.out + v.err);
});
