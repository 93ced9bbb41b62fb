// gate.test.mjs - no personal byte leaves without a durable audit entry (security.md P1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmp, fixture, startServer, sqlite, tamper, kaigo, copyPair, BIN, writeCsv, INSURED_HEADER, newDb, side, dbEnv, PG } from './lib.mjs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import * as fs from 'node:fs';
const await_import_fs = () => fs;

test('if the audit append fails the card read is 503 and discloses nothing', async () => {
  const dir = tmp();
  const db = fixture(dir);
  const srv = await startServer(db);
  try {
    let r = await srv.get('/api/v1/insurers/122192/insured/0000000001/card');
    assert.equal(r.status, 200);
    // Fault injection: make every audit insert fail at the database.
    const f = tamper(db + '.audit', "CREATE TRIGGER fault BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
      "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'injected fault'; END$$; " +
      'CREATE TRIGGER fault BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fault();');
    assert.equal(f.code, 0, f.err);
    r = await srv.get('/api/v1/insurers/122192/insured/0000000001/card');
    assert.equal(r.status, 503);
    const body = await r.text();
    assert.equal(JSON.parse(body).error.code, 'audit_unavailable');
    assert.doesNotMatch(body, /髙橋|﨑子|市原|要介護|0000000001/);
    // the CLI is a disclosure too: same gate, same refusal
    const c = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
    assert.equal(c.code, 3);
    assert.doesNotMatch(c.out, /髙橋/);
    // fault removed: reads work again and the log still verifies
    assert.equal(tamper(db + '.audit', 'DROP TRIGGER fault;', 'DROP TRIGGER fault ON audit_log').code, 0);
    r = await srv.get('/api/v1/insurers/122192/insured/0000000001/card');
    assert.equal(r.status, 200);
  } finally {
    await srv.stop();
  }
  assert.equal(kaigo(['audit', 'verify', '--db', db]).code, 0);
  // the server signed its tail at the clean stop: removing the last entry is detected
  const p = copyPair(db, dir, 'tail');
  const last = sqlite(p + '.audit', 'SELECT MAX(seq) FROM audit_v').out;
  assert.equal(tamper(p + '.audit', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = ${last};`).code, 0);
  const r = kaigo(['audit', 'verify', '--db', p]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`連番 ${last}: 以降の記録が失われています`));
});

test('CLI card show is audited as the local operator', () => {
  const dir = tmp();
  const db = fixture(dir);
  const r = kaigo(['card', 'show', '--db', db, '--date', '2026-11-01', '122192', '0000000001']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /要介護3/);
  assert.match(r.out, /27,048 単位/);
  assert.match(r.out, /令和10年3月31日/);
  const row = sqlite(db + '.audit', "SELECT actor, outcome FROM audit_v WHERE insured_no='0000000001'").out;
  assert.match(row, /^cli:.*\|allowed$/);
  const j = kaigo(['card', 'show', '--db', db, '--json', '122192', '0000000001']);
  assert.equal(JSON.parse(j.out).panel1.kana, 'タカハシ　サキコ');
  assert.equal(Number(sqlite(db + '.audit', 'SELECT COUNT(*) FROM audit_v').out), 2);
});

test('audit verify names the first tampered, deleted or reordered entry', () => {
  const dir = tmp();
  const db = fixture(dir);
  for (let i = 0; i < 5; i++) assert.equal(kaigo(['card', 'show', '--db', db, '122192', '0000000001']).code, 0);
  assert.equal(kaigo(['audit', 'verify', '--db', db]).code, 0);
  // a copy of the pair (database and its audit log); the mutation goes to the copy's log
  const copy = (name) => copyPair(db, dir, name);
  const cases = [
    // one byte of the stored entry changed (its time digits)
    ['flip', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET entry = CAST(substr(CAST(entry AS TEXT), 1, 30) || CASE substr(CAST(entry AS TEXT), 31, 1) WHEN '7' THEN '8' ELSE '7' END || substr(CAST(entry AS TEXT), 32) AS BLOB) WHERE seq=3;", /連番 3: 記録内容がハッシュと一致しません/,
      "UPDATE audit_log SET entry = set_byte(entry, 30, CASE get_byte(entry, 30) WHEN 55 THEN 56 ELSE 55 END) WHERE seq=3"],
    // a field edited, as a text edit of the entry
    ['edit', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET entry = CAST(replace(CAST(entry AS TEXT), 'operator', 'intruder') AS BLOB) WHERE seq=3;", /連番 3/,
      "UPDATE audit_log SET entry = decode(replace(encode(entry, 'escape'), 'operator', 'intruder'), 'escape') WHERE seq=3"],
    ['delete', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq=2;', /連番 3/],
    // a copy of entry 5 (hashes and all) appended as entry 6: its bytes say seq 5
    ['insert', "INSERT INTO audit_log SELECT insurer_no, 6, entry, leaf_hash FROM audit_log WHERE seq=5;", /連番 6: 記録の形式か連番/],
    ['swap', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET seq=seq+100 WHERE seq IN (2,3); UPDATE audit_log SET seq=3 WHERE seq=102; UPDATE audit_log SET seq=2 WHERE seq=103;", /連番 2/],
    ['hash', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET leaf_hash=zeroblob(32) WHERE seq=4;", /連番 4/],
    ['garbage', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET entry = X'00' WHERE seq=4;", /連番 4/],
  ];
  for (const [name, sql, want, pgSql] of cases) {
    const p = copy(name);
    const m = tamper(p + '.audit', sql, pgSql);
    assert.equal(m.code, 0, name + ': ' + m.err);
    const r = kaigo(['audit', 'verify', '--db', p]);
    assert.equal(r.code, 1, name + ' should fail: ' + r.out);
    assert.match(r.out, want, name);
  }
  // the application cannot edit the log: triggers refuse (PostgreSQL: the application's role has no
  // UPDATE or DELETE on it, and the triggers refuse even the tables' owner)
  if (PG) {
    assert.match(sqlite(db + '.audit', "UPDATE audit_log SET entry = '\\x00' WHERE seq=1").err, /permission denied/);
    assert.match(sqlite(db + '.audit', 'DELETE FROM audit_log').err, /permission denied/);
    assert.match(tamper(db + '.audit', '', "UPDATE audit_log SET entry = '\\x00' WHERE seq=1", { triggers: true }).err, /append-only/);
    assert.match(tamper(db + '.audit', '', 'DELETE FROM audit_log', { triggers: true }).err, /append-only/);
  } else {
    assert.match(sqlite(db + '.audit', "UPDATE audit_log SET entry = X'00' WHERE seq=1").err, /append-only/);
    assert.match(sqlite(db + '.audit', 'DELETE FROM audit_log').err, /append-only/);
  }
  assert.notEqual(sqlite(db, "UPDATE record_versions SET body='{}'").code, 0);
});

// P10: each version says who wrote it and why. SQLite refuses a version naming no registered change or
// insurer by its FOREIGN KEYs, PostgreSQL not row by row (a check per statement made its COPY insert one
// row at a time: src/store/pg/schema.sql); both are found by audit verify, which fails on any.
test('audit verify finds a record version that names no registered change or insurer', () => {
  const dir = tmp();
  const db = fixture(dir);
  assert.equal(kaigo(['card', 'show', '--db', db, '122192', '0000000001']).code, 0);
  assert.equal(kaigo(['audit', 'verify', '--db', db]).code, 0);
  const cols = 'INSERT INTO record_versions (insurer_no, insured_no, kind, rkey, version, change_id, body) VALUES';
  const cases = [
    ['change', `${cols} ('122192', '0000000001', 'insured', '', 99, 987654321, '{}')`],
    ['insurer', `${cols} ('999999', '0000000001', 'insured', '', 1, (SELECT max(id) FROM changes), '{}')`],
  ];
  for (const [name, sql] of cases) {
    const p = copyPair(db, dir, name);
    // the sqlite3 shell has FOREIGN KEYs off, as a file written outside kaigo would; on PostgreSQL the
    // application's own role can do it
    const m = sqlite(p, sql);
    assert.equal(m.code, 0, name + ': ' + m.err);
    const r = kaigo(['audit', 'verify', '--db', p]);
    assert.equal(r.code, 1, name + ' should fail: ' + r.out);
    assert.match(r.out, /登録されていない変更・保険者を指す記録の版が 1 件あります/, name);
    // one insurer's verify counts only its own versions (the unregistered insurer's is not 122192's)
    assert.equal(kaigo(['audit', 'verify', '--db', p, '--insurer', '122192']).code, name === 'change' ? 1 : 0, name);
  }
});

// (SQLite's only: PostgreSQL finds a person's entries by an index over the log itself, on the person
// number it computes from each entry, so there is no separate index to damage; schema.sql, audit_log_person)
test('the person index: built in epochs; verify catches a removed, moved or added index row', { skip: PG && 'no separate person index on PostgreSQL' }, () => {
  const dir = tmp();
  process.env.KAIGO_AUDIT_EPOCH = '4'; // tiny epochs (fixed when the index file is created), so ten reads fill two
  const db = fixture(dir);
  delete process.env.KAIGO_AUDIT_EPOCH;
  const env = {};
  for (let i = 0; i < 10; i++) assert.equal(kaigo(['card', 'show', '--db', db, '122192', i % 3 ? '0000000001' : '0000000002'], { env }).code, 0);
  assert.equal(sqlite(db + '.audit-idx', 'SELECT epoch FROM meta').out, '4');
  assert.equal(sqlite(db + '.audit-idx', "SELECT seq FROM upto WHERE insurer_no='122192'").out, '8');
  assert.equal(sqlite(db + '.audit-idx', 'SELECT count(*) FROM person_epoch').out, '8');
  assert.equal(kaigo(['audit', 'verify', '--db', db]).code, 0);
  const cases = [
    ['idx-delete', "DELETE FROM person_epoch WHERE seq=3"],
    ['idx-move', "UPDATE person_epoch SET insured_no='0000000002' WHERE seq=2"],
    ['idx-add', "INSERT INTO person_epoch VALUES ('122192', 1, '0000000002', 6)"],
    ['idx-epoch', "UPDATE person_epoch SET epoch=0 WHERE seq=5"],
    // rows in an epoch no query for the person's report would reach: the scan reads every row
    ['idx-negative', "INSERT INTO person_epoch VALUES ('122192', -1, '0000000002', 6)"],
    ['idx-hidden', "UPDATE person_epoch SET epoch=-1 WHERE seq=3"],
  ];
  for (const [name, sql] of cases) {
    const p = copyPair(db, dir, name);
    const m = tamper(p + '.audit-idx', sql);
    assert.equal(m.code, 0, name + ': ' + m.err);
    const r = kaigo(['audit', 'verify', '--db', p]);
    assert.equal(r.code, 1, name + ' should fail: ' + r.out);
    assert.match(r.out, /人別索引/, name);
  }
});

// (SQLite's only, as the next: PostgreSQL keeps the log in the database itself)
test('a missing or replaced audit log is refused, never silently recreated', { skip: PG && 'the audit log is a file of its own only on SQLite' }, () => {
  const dir = tmp();
  const db = fixture(dir);
  assert.equal(kaigo(['card', 'show', '--db', db, '122192', '0000000001']).code, 0);
  const other = tmp();
  const db2 = fixture(other);
  // replace this database's log with another database's log
  const { copyFileSync, rmSync } = await_import_fs();
  copyFileSync(db2 + '.audit', db + '.audit');
  rmSync(db + '.audit-wal', { force: true });
  rmSync(db + '.audit-shm', { force: true });
  let r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.equal(r.code, 3);
  assert.match(r.err, /監査ログ.*このデータベースのものではない/);
  assert.doesNotMatch(r.out, /髙橋/);
  // and a deleted one
  rmSync(db + '.audit', { force: true });
  r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.equal(r.code, 3);
});

test('a crash while a new database and its log are linked: the named, empty log is linked at the next open; a log with entries never is', { skip: PG && 'the audit log is a file of its own only on SQLite' }, () => {
  // the log is named first and the database second (two files commit one after the other):
  // a crash between leaves an unlinked database beside a named, empty log
  const dir = tmp();
  const db = `${dir}/k.db`;
  const ins = writeCsv(dir, 'i.csv', [INSURED_HEADER, '122192,0000000001,髙橋　﨑子,タカハシ　サキコ,1940-04-02,2,290-0001,千葉県市原市五井1,2005-04-01,,']);
  assert.equal(kaigo(['import', 'insured', ins, '--db', db, '--quiet']).code, 0);
  const id = sqlite(db, 'SELECT file_id FROM audit_link').out;
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(sqlite(db + '.audit', 'SELECT file_id FROM meta').out, id);
  assert.equal(sqlite(db + '.audit', 'SELECT COUNT(*) FROM audit_log').out, '0');
  assert.equal(sqlite(db, 'DELETE FROM audit_link').code, 0); // the state the crash leaves
  let r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.equal(r.code, 0, r.err);
  assert.equal(sqlite(db, 'SELECT file_id FROM audit_link').out, id, 'linked to the log it found');
  // the same state with a log that holds entries is a replaced log: refused
  assert.equal(sqlite(db + '.audit', 'SELECT COUNT(*) FROM audit_log').out, '1');
  assert.equal(sqlite(db, 'DELETE FROM audit_link').code, 0);
  r = kaigo(['card', 'show', '--db', db, '122192', '0000000001']);
  assert.equal(r.code, 3);
  assert.match(r.err, /監査ログ.*このデータベースのものではない/);
});

test('signed checkpoints: a truncated tail, a forged checkpoint or a missing key is detected; proofs verify', () => {
  const dir = tmp();
  const db = fixture(dir);
  for (let i = 0; i < 6; i++) assert.equal(kaigo(['card', 'show', '--db', db, '122192', '0000000001']).code, 0);
  let r = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /6 件, 署名済みチェックポイント 6 件 OK/);
  // the key is private, the public key is published beside the database
  assert.equal(fs.statSync(side(db, '.audit-key')).mode & 0o777, 0o600);
  assert.match(fs.readFileSync(side(db, '.audit-key.pub'), 'utf8'), /^[0-9a-f]{64}\n$/);

  const copy = (name) => copyPair(db, dir, name);
  // truncation: the last two entries removed (triggers dropped by an attacker)
  let p = copy('trunc');
  assert.equal(tamper(p + '.audit', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 4;').code, 0);
  r = kaigo(['audit', 'verify', '--db', p]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /連番 5: 以降の記録が失われています/);
  // a rewritten log with recomputed hashes still fails against the signed heads
  p = copy('forge');
  assert.equal(tamper(p + '.audit', "DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET root = zeroblob(32) WHERE tree_size = 3;").code, 0);
  r = kaigo(['audit', 'verify', '--db', p]);
  assert.equal(r.code, 1);
  assert.match(r.out, /連番 3: 署名済みチェックポイントの根ハッシュと一致しません/);
  p = copy('sig');
  assert.equal(tamper(p + '.audit', "DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET time_ms = time_ms + 1 WHERE tree_size = 2;").code, 0);
  r = kaigo(['audit', 'verify', '--db', p]);
  assert.equal(r.code, 1);
  assert.match(r.out, /連番 2: チェックポイントの署名が不正です/);
  // a different public key: every signature fails
  p = copy('key');
  fs.writeFileSync(side(p, '.audit-key.pub'), 'ab'.repeat(32) + '\n');
  assert.equal(kaigo(['audit', 'verify', '--db', p]).code, 1);
  fs.rmSync(side(p, '.audit-key.pub'));
  r = kaigo(['audit', 'verify', '--db', p]);
  assert.equal(r.code, 1);
  assert.match(r.out, /公開鍵/);

  // inclusion and consistency proofs (RFC 9162)
  r = kaigo(['audit', 'prove', '--db', db, '122192', '3']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /木のサイズ\s+6/);
  assert.match(r.out, /検証: OK/);
  r = kaigo(['audit', 'consistency', '--db', db, '122192', '2', '6']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /検証: OK/);
  assert.equal(kaigo(['audit', 'prove', '--db', db, '122192', '7']).code, 1);
  assert.equal(kaigo(['audit', 'consistency', '--db', db, '122192', '6', '2']).code, 2);
});

test('the server and the CLI append to one log at once; both sign, verify passes', async () => {
  const dir = tmp();
  const db = fixture(dir);
  const srv = await startServer(db);
  try {
    const reads = [];
    for (let i = 0; i < 20; i++) reads.push(srv.get('/api/v1/insurers/122192/insured/0000000001/card'));
    for (let i = 0; i < 3; i++) assert.equal(kaigo(['card', 'show', '--db', db, '122192', '0000000002']).code, 0);
    for (const r of await Promise.all(reads)) assert.equal(r.status, 200);
  } finally {
    await srv.stop();
  }
  const r = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /23 件/);
});

test('verify in parallel parts: a log of three parts verifies; damage in any part, at a part boundary or in a checkpoint inside a later part is named', () => {
  // bench_auditgen (built beside kaigo) writes through the real audit writer:
  // group commit, signed checkpoints, the person index
  const dir = tmp();
  const db = newDb(dir);
  const gen = spawnSync(join(dirname(BIN), 'bench_auditgen'), [db, '70000', '500'], { encoding: 'utf8', env: { ...process.env, ...dbEnv(db) } });
  assert.equal(gen.status, 0, gen.stderr);
  const ok = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /70000 件/);
  const ckInPart2 = Number(sqlite(db + '.audit', 'SELECT min(tree_size) FROM checkpoints WHERE tree_size > 40000').out);
  assert.ok(ckInPart2 > 40000 && ckInPart2 < 65536, String(ckInPart2));
  const cases = [
    ['part2-flip', "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET leaf_hash = zeroblob(32) WHERE seq = 40000;", /連番 40000:/],
    ['boundary-gap', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 65537;', /連番 65538:.*期待値 65537/],
    ['part-end-gap', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 32768;', /連番 32769:.*期待値 32768/],
    ['ckpt-root', `DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET root = zeroblob(32) WHERE tree_size = ${ckInPart2};`, new RegExp(`連番 ${ckInPart2}: 署名済みチェックポイントの根ハッシュと一致しません`)],
    ['ckpt-sig', `DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET signature = zeroblob(64) WHERE tree_size = ${ckInPart2};`, new RegExp(`連番 ${ckInPart2}: チェックポイントの署名が不正です`)],
    ['part3-idx', "DELETE FROM person_epoch WHERE seq = 66000;", /人別索引/],
    // the stored block roots that make proofs O(n/1024)
    ['block-root', 'DROP TRIGGER blocks_no_update; UPDATE blocks SET root = zeroblob(32) WHERE blk = 45;', /連番 46081〜47104: 証明用のブロック根/],
    ['block-gone', 'DROP TRIGGER blocks_no_delete; DELETE FROM blocks WHERE blk = 45;', /連番 46081〜47104: 証明用のブロック根/],
    ['block-extra', "INSERT INTO blocks VALUES ('012021', 68, zeroblob(32));", /証明用のブロック根が 69 件あります/],
  ];
  for (const [name, sql, want] of cases) {
    if (PG && name.endsWith('idx')) continue; // no separate person index on PostgreSQL (above)
    const p = copyPair(db, dir, name);
    const target = name.endsWith('idx') ? p + '.audit-idx' : p + '.audit';
    const m = tamper(target, sql);
    assert.equal(m.code, 0, name + ': ' + m.err);
    const r = kaigo(['audit', 'verify', '--db', p]);
    assert.equal(r.code, 1, name + ' should fail: ' + r.out);
    assert.match(r.out, want, name);
  }
  // proofs from the block roots: entries at block and part edges, the first and the last
  const size = Number(sqlite(db + '.audit', 'SELECT max(tree_size) FROM checkpoints').out);
  assert.equal(size, 70000);
  for (const seq of [1, 1024, 1025, 32768, 32769, 46500, 65536, 69999, 70000]) {
    const r = kaigo(['audit', 'prove', '--db', db, '012021', String(seq)]);
    assert.equal(r.code, 0, seq + ': ' + r.out + r.err);
    assert.match(r.out, /検証: OK/);
  }
  const sizes = sqlite(db + '.audit', 'SELECT tree_size FROM checkpoints ORDER BY tree_size').out.split('\n').map(Number);
  for (const [m, n] of [[sizes[0], size], [sizes[3], sizes[40]], [sizes[10], sizes[11]]]) {
    const r = kaigo(['audit', 'consistency', '--db', db, '012021', String(m), String(n)]);
    assert.equal(r.code, 0, `${m}→${n}: ` + r.out + r.err);
  }
  // a damaged block root: a proof that uses it fails, one that does not still holds
  const pb = copyPair(db, dir, 'prove-block');
  assert.equal(tamper(pb + '.audit', 'DROP TRIGGER blocks_no_update; UPDATE blocks SET root = zeroblob(32) WHERE blk = 45;').code, 0);
  const bad = kaigo(['audit', 'prove', '--db', pb, '012021', '10']);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /検証: 失敗/);
  assert.equal(kaigo(['audit', 'prove', '--db', pb, '012021', '46500']).code, 0, 'the damaged block is not on this path');
  // security.md P8's mutation loop: random rows across the parts (seeded, printed
  // on failure), each mutation on its own copy, verify names the row
  let seed = Number(process.env.KAIGO_TEST_SEED || Date.now() % 100000);
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const seed0 = seed;
  for (let round = 0; round < 3; round++) {
    const k = 2 + rand(69990); // 2 .. 69991, so k-1 and k+1 exist
    const pos = 1 + rand(100); // a byte inside every entry (each is > 100 bytes)
    const muts = [
      ['flip', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET entry = CAST(substr(CAST(entry AS TEXT), 1, ${pos - 1}) || CASE substr(CAST(entry AS TEXT), ${pos}, 1) WHEN 'a' THEN 'b' ELSE 'a' END || substr(CAST(entry AS TEXT), ${pos + 1}) AS BLOB) WHERE seq = ${k};`, new RegExp(`連番 ${k}:`),
        `UPDATE audit_log SET entry = set_byte(entry, ${pos - 1}, CASE get_byte(entry, ${pos - 1}) WHEN 97 THEN 98 ELSE 97 END) WHERE seq = ${k}`],
      ['delete', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = ${k};`, new RegExp(`連番 ${k + 1}:.*期待値 ${k}\\)`)],
      ['swap', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET seq = seq + 1000000 WHERE seq IN (${k}, ${k + 1}); UPDATE audit_log SET seq = ${k + 1} WHERE seq = ${k + 1000000}; UPDATE audit_log SET seq = ${k} WHERE seq = ${k + 1000001};`, new RegExp(`連番 ${k}:`)],
      ['renumber', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = ${k}; INSERT INTO audit_log SELECT insurer_no, ${k}, entry, leaf_hash FROM audit_log WHERE seq = ${k - 1};`, new RegExp(`連番 ${k}:`)],
    ];
    for (const [name, sql, want, pgSql] of muts) {
      const p = copyPair(db, dir, `${name}-${round}`);
      const m = tamper(p + '.audit', sql, pgSql);
      assert.equal(m.code, 0, `${name} k=${k} seed=${seed0}: ${m.err}`);
      const r = kaigo(['audit', 'verify', '--db', p]);
      assert.equal(r.code, 1, `${name} k=${k} seed=${seed0} should fail: ${r.out}`);
      assert.match(r.out, want, `${name} k=${k} pos=${pos} seed=${seed0}`);
    }
  }
  // truncation: the last rows dropped; the signed checkpoint says they existed
  const pt = copyPair(db, dir, 'truncate');
  assert.equal(tamper(pt + '.audit', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 69990;').code, 0);
  assert.match(kaigo(['audit', 'verify', '--db', pt]).out, /以降の記録が失われています/);
  // the second part's earlier damage is reported, not the later one
  const p = copyPair(db, dir, 'two');
  assert.equal(tamper(p + '.audit', 'DROP TRIGGER audit_log_no_update; UPDATE audit_log SET leaf_hash = zeroblob(32) WHERE seq IN (50000, 20000);').code, 0);
  assert.match(kaigo(['audit', 'verify', '--db', p]).out, /連番 20000:/);
});
