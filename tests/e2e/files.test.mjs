// files.test.mjs - what kaigo writes holds names, addresses and birth dates in clear, or keys:
// it is created 0600 (directories 0700) whatever the caller's umask, and a key file others can
// read is refused (issue 16: the database, its WAL and SHM, and the audit log were 0644).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, chmodSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmp, fixture, kaigo, startServer, sqlite, side, dbEnv, PG } from './lib.mjs';

const mode = (p) => statSync(p).mode & 0o777;

test('the database, its WAL and SHM, the audit log and keys are 0600; a printed card too', async () => {
  const dir = tmp();
  const db = fixture(dir); // imports, an organisation and a token: the database and the audit log
  const out = join(dir, 'card.pdf');
  let r = kaigo(['print', 'card', '--person', '122192/0000000001', out, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const srv = await startServer(db); // the WAL and SHM exist while it runs
  try {
    // SQLite: the files beside the database; PostgreSQL: its side files in the state directory (KAIGO_STATE)
    // (the api-token is the test fixture's own file, written by node)
    const fixtureToken = side(db, '.api-token');
    const made = PG
      ? readdirSync(dbEnv(db).KAIGO_STATE).map((f) => join(dbEnv(db).KAIGO_STATE, f)).filter((f) => f !== fixtureToken).concat([out])
      : readdirSync(dir).filter((f) => f.startsWith('k.db') || f.endsWith('.pdf')).map((f) => join(dir, f)).filter((f) => f !== fixtureToken);
    const want = PG ? [side(db, '.audit-key'), side(db, '.paper-key-122192'), side(db, '.token')] : [`${db}-wal`, `${db}.audit`];
    for (const f of want) assert.ok(made.includes(f), f + ' in ' + made.join(' '));
    for (const f of made) {
      const want = f.endsWith('.pub') ? 0o644 : 0o600; // a public key is for verifiers
      assert.equal(mode(f).toString(8), want.toString(8), f);
    }
  } finally {
    await srv.stop();
  }
  // a directory kaigo makes is 0700
  const gen = join(dir, 'gen');
  r = kaigo(['demo', 'generate', '--insurers', '1', '--persons', '10', gen]);
  assert.equal(r.code, 0, r.err);
  assert.equal(mode(gen).toString(8), '700');
});

test('a signing key or the operator token that others can read is refused, not used', async () => {
  const dir = tmp();
  const db = fixture(dir);
  const out = join(dir, 'card.pdf');
  assert.equal(kaigo(['print', 'card', '--person', '122192/0000000001', out, '--db', db]).code, 0);
  const key = side(db, '.paper-key-122192');
  assert.ok(existsSync(key));
  chmodSync(key, 0o644);
  let r = kaigo(['print', 'card', '--person', '122192/0000000001', join(dir, 'c2.pdf'), '--db', db]);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /chmod 600/);
  chmodSync(key, 0o600);
  // the operator token: made by serve 0600; once others can read it, serve refuses to start
  const srv = await startServer(db);
  await srv.stop();
  const tok = side(db, '.token'); // startServer's --token-file
  assert.equal(mode(tok).toString(8), '600');
  chmodSync(tok, 0o644);
  const t = spawnSync(process.env.KAIGO_BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--token-file', tok, '--quiet'], { encoding: 'utf8', timeout: 10000, env: { ...process.env, ...dbEnv(db) } });
  assert.notEqual(t.status, 0);
  assert.match(t.stderr, /chmod 600/);
});

// kill -9 before <db>.audit exists leaves a database never linked to a log: open makes the log,
// and verify (a reader) now agrees that this state is sound (it exited 3, "attach audit log").
// A database linked to a log that is gone is refused by both, and no empty log is left behind.
// (SQLite's only: PostgreSQL keeps the log in the database itself, which cannot lose it apart from its records)
test('no audit log yet: verify and open agree; a lost audit log: both refuse, nothing is made', { skip: PG && 'the audit log is a file of its own only on SQLite' }, () => {
  const dir = tmp();
  const db = fixture(dir);
  const rmAudit = () => readdirSync(dir).filter((f) => f.startsWith('k.db.audit')).forEach((f) => rmSync(join(dir, f)));
  // lost: linked to a log that is gone
  rmAudit();
  let r = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /監査ログが失われています/);
  r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /監査ログ.*失われています/);
  assert.ok(!existsSync(db + '.audit'), 'an empty audit log was made in place of the lost one');
  // never linked (the state a kill -9 leaves between the database and its log)
  assert.equal(sqlite(db, 'DELETE FROM audit_link').code, 0);
  r = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /監査ログはまだありません/);
  r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /検証成功: 1 保険者, 1 件/);
});

// A residence decides which 住宅改修 allowance a claim draws on: two long addresses that differ
// only after the field's size were cut alike and shared one allowance (issue 16). Refused now.
test('a residence too long for its field is refused, not cut', () => {
  const db = fixture(tmp());
  const long = '千葉県市原市五井' + '一'.repeat(160); // 3 bytes a character: past the 480-byte field
  const base = ['ledger', 'claim', '122192', '0000000001', '--kind', 'jutaku', '--date', '2026-10-01', '--amount', '50000', '--db', db];
  let r = kaigo([...base, '--residence', long + '1丁目']);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /--residence.*長すぎます/);
  r = kaigo([...base, '--residence', '千葉県市原市五井1丁目1番1号']);
  assert.equal(r.code, 0, r.err);
});
