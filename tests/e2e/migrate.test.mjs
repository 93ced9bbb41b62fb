// migrate.test.mjs - kaigo migrate: a municipality's SQLite store, its audit log and keys moved into an
// empty PostgreSQL database (issue #22). The log verifies alike before and after, the person's card reads
// the same from the new store, a printed card's QR still verifies, and every refusal leaves the target
// as it was. Needs PostgreSQL: runs as ctest e2e-pg-migrate (skipped in the SQLite run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmp, fixture, kaigo, startServer, newDb, ownerUrl, side, dbEnv, sqlite, tamper, copyPair, PG } from './lib.mjs';

const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
const summary = (out) => out.match(/検証成功: .*/)?.[0];
const migrate = (from, to, extra = []) => kaigo(['migrate', '--from', from, '--to', ownerUrl(to), ...extra], { env: dbEnv(to) });
// a card as it is shown: the answer less what differs by request (its id, when it was made)
const shown = (j) => JSON.stringify(j, (k, v) => (['request_id', 'generated_at', 'as_of_time'].includes(k) ? undefined : v));

test('a SQLite store moves into PostgreSQL: same tables, same verified log, same card, its paper still verifies', { skip: !PG && 'needs PostgreSQL (ctest e2e-pg-migrate)' }, async () => {
  const dir = tmp();
  const from = fixture(dir, join(dir, 'k.db'));
  // an audited history: CLI reads, server reads (signed at its clean stop), a printed card with its QR
  for (let i = 0; i < 3; i++) assert.equal(kaigo(['card', 'show', '--db', from, '122192', '0000000001']).code, 0);
  const pdf = join(dir, 'card.pdf');
  assert.equal(kaigo(['print', 'card', '--db', from, '--person', '122192/0000000001', pdf]).code, 0);
  let srv = await startServer(from);
  let before;
  try {
    for (let i = 0; i < 5; i++) assert.equal((await srv.get(CARD)).status, 200);
    before = await (await srv.get(CARD)).json();
  } finally {
    await srv.stop();
  }
  const vFrom = kaigo(['audit', 'verify', '--db', from]);
  assert.equal(vFrom.code, 0, vFrom.out);
  assert.match(vFrom.out, /1 保険者, \d+ 件/);

  const to = newDb(dir, 'pg.db');
  const r = migrate(from, to);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /record_versions +\d+ 行 照合一致/);
  assert.match(r.out, /audit_log +\d+ 行 照合一致/);
  assert.match(r.out, /移行しました: 28 表/);
  // the log verifies alike on both sides: the same insurers, entries and signed checkpoints
  const vTo = kaigo(['audit', 'verify', '--db', to]);
  assert.equal(vTo.code, 0, vTo.out);
  assert.equal(summary(vTo.out), summary(vFrom.out));
  assert.equal(sqlite(to + '.audit', 'SELECT count(*) FROM audit_v').out, sqlite(from + '.audit', 'SELECT count(*) FROM audit_v').out);
  // the keys came along, private ones private
  assert.equal(statSync(side(to, '.audit-key')).mode & 0o777, 0o600);
  assert.equal(statSync(side(to, '.paper-key-122192')).mode & 0o777, 0o600);
  assert.equal(readFileSync(side(to, '.audit-key.pub'), 'utf8'), readFileSync(from + '.audit-key.pub', 'utf8'));
  // the person's card reads the same from the new store, as the application's role, and is audited there
  writeFileSync(side(to, '.api-token'), readFileSync(side(from, '.api-token')));
  srv = await startServer(to);
  try {
    const res = await srv.get(CARD);
    assert.equal(res.status, 200);
    assert.equal(shown(await res.json()), shown(before));
  } finally {
    await srv.stop();
  }
  const after = kaigo(['audit', 'verify', '--db', to]);
  assert.equal(after.code, 0, after.out);
  assert.notEqual(summary(after.out), summary(vFrom.out), 'the read on PostgreSQL was logged after the moved entries');
  // the paper printed on SQLite verifies against the new store (its key and its issue record moved)
  const v = kaigo(['verify', pdf, '--db', to]);
  assert.equal(v.code, 0, v.out + v.err);
  assert.match(v.out, /書類: 介護保険被保険者証/);
  // identities continue after the moved ones: a new account gets the next number
  const ids = sqlite(to, 'SELECT max(account_id) FROM accounts').out;
  assert.equal(kaigo(['user', 'add', '--db', to, '--login', 'after-move', '--name', '移行後', '--org', 'ichihara', '--password-stdin'],
    { input: 'Kaigo-test-2026!\n', env: dbEnv(to) }).code, 0);
  assert.equal(Number(sqlite(to, "SELECT account_id FROM accounts WHERE login = 'after-move'").out), Number(ids || 0) + 1);
});

test('refusals leave the target as it was: not empty, a source log that does not verify, another key, not the owner', { skip: !PG && 'needs PostgreSQL (ctest e2e-pg-migrate)' }, () => {
  const dir = tmp();
  const from = fixture(dir, join(dir, 'k.db'));
  for (let i = 0; i < 4; i++) assert.equal(kaigo(['card', 'show', '--db', from, '122192', '0000000001']).code, 0);
  const empty = (db) => ['insurers', 'changes', 'record_versions', 'audit_log'].every((t) => sqlite(db, `SELECT count(*) FROM ${t}`).out === '0');

  // not the schema's owner: the identity sequences cannot be moved on; everything copied so far is rolled back
  const t1 = newDb(dir, 't1.db');
  let r = kaigo(['migrate', '--from', from, '--to', t1], { env: dbEnv(t1) });
  assert.equal(r.code, 3, r.out + r.err);
  assert.match(r.err, /所有者のロール/);
  assert.ok(empty(t1), 'a failed migration left rows behind');
  // into it as the owner; then again: the target is not empty
  r = migrate(from, t1);
  assert.equal(r.code, 0, r.out + r.err);
  const n = sqlite(t1, 'SELECT count(*) FROM record_versions').out;
  r = migrate(from, t1);
  assert.equal(r.code, 1);
  assert.match(r.err, /空ではありません/);
  assert.equal(sqlite(t1, 'SELECT count(*) FROM record_versions').out, n);

  // a source whose log does not verify is not carried over
  const bad = copyPair(from, dir, 'bad');
  assert.equal(tamper(bad + '.audit', 'DROP TRIGGER audit_log_no_update; UPDATE audit_log SET leaf_hash = zeroblob(32) WHERE seq = 2;').code, 0);
  const t2 = newDb(dir, 't2.db');
  r = migrate(bad, t2);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /検証失敗|連番 2/);
  assert.match(r.err, /移行しません/);
  assert.ok(empty(t2));

  // a state directory holding another audit key: not overwritten, nothing moved
  const t3 = newDb(dir, 't3.db');
  writeFileSync(side(t3, '.audit-key'), Buffer.alloc(64, 7), { mode: 0o600 });
  r = migrate(from, t3);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /上書きしません/);
  assert.ok(empty(t3));

  // usage: both ends named, each of its kind
  assert.equal(kaigo(['migrate', '--from', from]).code, 2);
  assert.equal(kaigo(['migrate', '--from', t1, '--to', from]).code, 2);
  assert.match(kaigo(['migrate', '--help']).out, /使い方: kaigo migrate/);
});
