// backup.test.mjs - kaigo backup and kaigo restore (issue 20): an online copy of the database,
// its audit log and public keys as one consistent set while the server serves audited reads;
// a backup killed at random moments never leaves a backup that looks whole; a restore checks
// everything (hashes, integrity, the log's chain and signatures) before it puts a file in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, statSync, readdirSync, copyFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BIN, tmp, fixture, startServer, kaigo, sqlite, writeCsv, INSURED_HEADER } from './lib.mjs';

const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
let dir, db, srv, reading = true, reads = 0, readLoop;

before(async () => {
  dir = tmp();
  db = fixture(dir);
  // a registry big enough that a backup takes a while to copy
  const rows = [INSURED_HEADER];
  for (let i = 3; i < 40003; i++) rows.push(`122192,${String(i).padStart(10, '0')},試験　太郎,シケン　タロウ,1950-01-10,1,2900002,千葉県市原市八幡${i},2015-01-01,,`);
  const r = kaigo(['import', 'insured', writeCsv(dir, 'many.csv', rows), '--db', db, '--quiet']);
  assert.equal(r.code, 0, r.err);
  srv = await startServer(db, ['--quiet']);
  // audited reads all along: the backups below are taken while the log grows
  readLoop = (async () => {
    while (reading) {
      const res = await srv.get(CARD);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      reads++;
    }
  })();
  while (reads < 3) await new Promise((res) => setTimeout(res, 10));
});
after(async () => {
  reading = false;
  await readLoop;
  await srv.stop();
  const v = kaigo(['audit', 'verify', '--db', db]);
  assert.equal(v.code, 0, 'the live log is unharmed by the backups: ' + v.out + v.err);
});

const manifest = (b) => readFileSync(join(b, 'MANIFEST'), 'utf8');
const count = (b, key) => Number(manifest(b).match(new RegExp(`^${key} (\\d+)$`, 'm'))[1]);

test('a backup while serving, restored elsewhere: the same records, a log that verifies, keys kept apart', async () => {
  const before = reads;
  const b = join(dir, 'b1');
  let r = kaigo(['backup', '--db', db, b]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /バックアップ: .*復旧時点/);
  assert.match(r.out, /秘密鍵は含めていません/);
  const files = readdirSync(b).sort();
  assert.deepEqual(files, ['MANIFEST', 'kaigo.db', 'kaigo.db.audit', 'kaigo.db.audit-key.pub']);
  for (const f of files) assert.equal(statSync(join(b, f)).mode & 0o077, 0, `${f} is the owner's only`);
  // the manifest's hashes are the files'
  for (const [, hex, size, name] of manifest(b).matchAll(/^file ([0-9a-f]{64}) (\d+) (\S+)$/gm)) {
    const bytes = readFileSync(join(b, name));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), hex, name);
    assert.equal(bytes.length, Number(size));
  }
  assert.ok(count(b, 'audit-entries') > 0);
  await new Promise((res) => setTimeout(res, 200));
  assert.ok(reads > before, 'the server kept serving audited reads during the backup');
  // restored to a new place: checked, then in place; the card reads the same
  const to = join(dir, 'restored', 'k.db');
  r = kaigo(['restore', '--db', to, b]);
  assert.equal(r.code, 3, 'no such directory yet: nothing restored');
  const rd = join(dir, 'restored');
  mkdirSync(rd);
  r = kaigo(['restore', '--db', to, b]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /検証成功/);
  assert.match(r.out, /復元しました/);
  assert.deepEqual(readdirSync(rd).filter((f) => !f.startsWith('k.db')), [], 'the staging directory is gone');
  const v = kaigo(['audit', 'verify', '--db', to]);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, new RegExp(`${count(b, 'audit-entries')} 件`));
  // a second restore onto it is refused: nothing is overwritten
  r = kaigo(['restore', '--db', to, b]);
  assert.equal(r.code, 1);
  assert.match(r.err, /既にあります。上書きはしません/);
  // without its signing key the restored store will not sign anew with a new key: neither the
  // server nor an audited read from the command line starts
  const s = kaigo(['serve', '--db', to, '--listen', '127.0.0.1:0']);
  assert.notEqual(s.code, 0);
  assert.match(s.err, /k\.db\.audit-key がありません\(公開鍵 .* はあります\)/);
  assert.notEqual(kaigo(['card', 'show', '--db', to, '122192', '0000000001']).code, 0);
  // a backup with --keys carries them (and the restored server then starts)
  const bk = join(dir, 'b-keys');
  r = kaigo(['backup', '--db', db, '--keys', bk]);
  assert.equal(r.code, 0, r.err);
  assert.ok(readdirSync(bk).includes('kaigo.db.audit-key'));
  assert.ok(readdirSync(bk).includes('kaigo.db.operator-token') || !existsSync(db + '.operator-token'));
  const to2 = join(rd, 'k2.db');
  assert.equal(kaigo(['restore', '--db', to2, bk]).code, 0);
  const c = kaigo(['card', 'show', '--db', to2, '--json', '122192', '0000000001']);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /髙橋/);
  copyFileSync(db + '.api-token', to2 + '.api-token'); // the test's copy of the insurer's token (its hash is in the database)
  const s2 = await startServer(to2, ['--quiet']);
  try {
    assert.equal((await s2.get(CARD)).status, 200);
  } finally { await s2.stop(); }
  assert.equal(kaigo(['audit', 'verify', '--db', to2]).code, 0, 'the restored log grows and still verifies with its key');
});

const mk = (d) => mkdirSync(d, { recursive: true });

test('a backup killed at random moments leaves no backup, or a whole one that restores', async () => {
  // how long a whole one takes here
  const t0 = Date.now();
  assert.equal(kaigo(['backup', '--db', db, join(dir, 'timing')]).code, 0);
  const whole = Math.max(Date.now() - t0, 20);
  let killed = 0, finished = 0;
  for (let i = 0; i < 12; i++) {
    const dest = join(dir, `k${i}`);
    const child = spawn(BIN, ['backup', '--db', db, dest], { stdio: 'ignore' });
    const exited = new Promise((res) => child.once('exit', (c, sig) => res(sig || c)));
    // spread over three times a whole backup's time (process start included), jittered
    const at = Math.floor(whole * 3 * (i + Math.random()) / 12);
    await new Promise((res) => setTimeout(res, at));
    child.kill('SIGKILL');
    const code = await exited;
    if (!existsSync(dest)) {
      killed++;
      continue; // nothing that looks like a backup (a DEST.partial-* may remain)
    }
    finished++;
    assert.ok(manifest(dest).endsWith('end\n'), `run ${i} (${code} at ${at} ms): a DEST exists only whole`);
    const to = join(dir, `kr${i}`, 'k.db');
    mk(join(dir, `kr${i}`));
    const r = kaigo(['restore', '--db', to, dest]);
    assert.equal(r.code, 0, `run ${i}: ${r.err}`);
  }
  // partial directories are refused by restore
  const partial = readdirSync(dir).find((f) => /\.partial-\d+$/.test(f));
  if (partial) {
    const r = kaigo(['restore', '--db', join(dir, 'never.db'), join(dir, partial)]);
    assert.equal(r.code, 1);
    assert.match(r.err, /完成したバックアップではありません|不完全/);
  }
  assert.equal(killed + finished, 12);
  assert.ok(killed >= 1 && finished >= 1, `both outcomes seen: ${killed} killed, ${finished} finished`);
  process.stderr.write(`backup kill test: whole backup ${whole} ms; ${killed} killed before done, ${finished} finished\n`);
});

test('a damaged or forged backup is refused and nothing is put in place', () => {
  const b = join(dir, 'b3');
  assert.equal(kaigo(['backup', '--db', db, b]).code, 0);
  const forge = (name) => {
    const d = join(dir, name);
    mk(d);
    for (const f of readdirSync(b)) copyFileSync(join(b, f), join(d, f));
    return d;
  };
  // a changed byte in an audit entry: the manifest's hash says so
  const d1 = forge('f1');
  const audit = readFileSync(join(d1, 'kaigo.db.audit'));
  const at = audit.indexOf(Buffer.from('0000000001'));
  assert.ok(at > 0);
  audit[at + 9] = '2'.charCodeAt(0);
  writeFileSync(join(d1, 'kaigo.db.audit'), audit);
  let r = kaigo(['restore', '--db', join(dir, 'f1.db'), d1]);
  assert.equal(r.code, 1);
  assert.match(r.err, /kaigo\.db\.audit: 目録のハッシュと一致しません/);
  assert.ok(!existsSync(join(dir, 'f1.db')) && !existsSync(join(dir, 'f1.db.audit')));
  // the same change with the manifest rewritten to match: the log's own chain refuses it
  const m = manifest(d1).replace(/^file [0-9a-f]{64} (\d+) kaigo\.db\.audit$/m,
    (_, size) => `file ${createHash('sha256').update(audit).digest('hex')} ${size} kaigo.db.audit`);
  writeFileSync(join(d1, 'MANIFEST'), m);
  r = kaigo(['restore', '--db', join(dir, 'f1.db'), d1]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /監査ログの検証に失敗しました。戻しません/);
  assert.match(r.out, /連番 \d+/);
  assert.ok(!existsSync(join(dir, 'f1.db')) && !existsSync(join(dir, 'f1.db.audit')));
  // a manifest cut short
  const d2 = forge('f2');
  writeFileSync(join(d2, 'MANIFEST'), manifest(d2).replace(/end\n$/, ''));
  r = kaigo(['restore', '--db', join(dir, 'f2.db'), d2]);
  assert.equal(r.code, 1);
  assert.match(r.err, /不完全か形式が違います/);
  // counts that do not match the snapshot's
  const d3 = forge('f3');
  writeFileSync(join(d3, 'MANIFEST'), manifest(d3).replace(/^changes (\d+)$/m, (_, n) => `changes ${Number(n) + 1}`));
  r = kaigo(['restore', '--db', join(dir, 'f3.db'), d3]);
  assert.equal(r.code, 1);
  assert.match(r.err, /件数が目録と違います/);
  // record_current (derived, migration 0016) changed behind the records' back, the manifest rewritten to match: the
  // card would show a certification the history does not have
  const d4 = forge('f4');
  sqlite(join(d4, 'kaigo.db'), "INSERT OR REPLACE INTO record_current SELECT insurer_no, insured_no, 'certification'," +
    " '2099-01-01', 1, '{}' FROM record_versions WHERE kind = 'insured' LIMIT 1;");
  const sized = (f) => `file ${createHash('sha256').update(readFileSync(join(d4, f))).digest('hex')} ${statSync(join(d4, f)).size} ${f}`;
  writeFileSync(join(d4, 'MANIFEST'), manifest(d4).replace(/^file [0-9a-f]{64} \d+ kaigo\.db$/m, sized('kaigo.db')));
  r = kaigo(['restore', '--db', join(dir, 'f4.db'), d4]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /record_current.*一致しません\(1 件\)/);
  assert.ok(!existsSync(join(dir, 'f4.db')));
  // and an existing destination is never touched
  r = kaigo(['backup', '--db', db, b]);
  assert.equal(r.code, 1);
  assert.match(r.err, /既にあります/);
});

// A PostgreSQL store is backed up with PostgreSQL's own tools (docs/postgresql.md: pg_basebackup and WAL
// archiving, the standby of tests/pg/failover.sh): backup and restore refuse it before touching anything.
test('backup and restore refuse a PostgreSQL store and name the tools that back it up', () => {
  const dir = tmp();
  const url = 'postgresql://kaigo_app@127.0.0.1:1/kaigo'; // never reached: refused first
  const b = kaigo(['backup', '--db', url, join(dir, 'b')]);
  assert.equal(b.code, 2, b.err);
  assert.match(b.err, /PostgreSQL の道具でバックアップします \(pg_basebackup/);
  const r = kaigo(['restore', '--db', url, join(dir, 'b')]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /pg_basebackup/);
  assert.equal(existsSync(join(dir, 'b')), false, 'nothing written');
});
