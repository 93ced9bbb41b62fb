// import.test.mjs - municipal bulk import: every error reported, nothing partial, idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, sqlite, writeCsv, INSURED_HEADER, CERT_HEADER, newDb, dbEnv, PG } from './lib.mjs';

const good = '122192,0000000001,髙橋　﨑子,タカハシ　サキコ,S15.4.2,2,290-0001,千葉県市原市五井1丁目1番1号,2005-04-01,,';
const versions = (db) => Number(sqlite(db, 'SELECT COUNT(*) FROM record_versions').out || 0);

test('a clean file imports; the same file again changes nothing', () => {
  const dir = tmp();
  const db = newDb(dir);
  const f = writeCsv(dir, 'i.csv', [INSURED_HEADER, good]);
  let r = kaigo(['import', 'insured', f, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /新規・変更 1 行/);
  assert.match(r.err, /保険者 122192 を新規登録しました\(名称: 市原市\)/);
  r = kaigo(['import', 'insured', f, '--db', db]);
  assert.equal(r.code, 0);
  assert.match(r.out, /変更なし 1 行/);
  assert.equal(versions(db), 1);
  // a correction appends version 2; version 1 stays readable (真正性)
  const f2 = writeCsv(dir, 'i2.csv', [INSURED_HEADER, good.replace('五井1丁目1番1号', '五井2丁目2番2号')]);
  assert.equal(kaigo(['import', 'insured', f2, '--db', db]).code, 0);
  assert.equal(sqlite(db, "SELECT group_concat(version) FROM record_versions WHERE kind='insured'").out, '1,2');
  assert.match(sqlite(db, "SELECT body FROM record_versions WHERE version=1").out, /五井1丁目/);
});

test('every bad row is reported as FILE:LINE:COLUMN(項目名) and nothing is written', () => {
  const dir = tmp();
  const db = newDb(dir);
  const f = writeCsv(dir, 'bad.csv', [
    INSURED_HEADER,
    good,
    '122193,0000000002,山田　太郎,ヤマダ　タロウ,1950-01-10,1,290-0002,千葉県市原市,2015-01-01,,',   // check digit
    '122192,0000000003,山田　花子,やまだ　はなこ,1950-01-10,2,290-0002,千葉県市原市,2015-01-01,,',   // kana
    '122192,0000000004,山田　次郎,ヤマダ　ジロウ,平成32年1月1日,1,290-0002,千葉県市原市,2015-01-01,,', // era
    '122192,0000000005,山田　三郎,ヤマダ　サブロウ,1950-02-30,3,290-0002,千葉県市原市,2015-01-01,,', // date, sex
    '122192,0000000006,山田　四郎,ヤマダ　シロウ,1950-01-10,1,290-0002,千葉県市原市,2015-01-01',      // columns
    '122192,0000000001,重複　太郎,チョウフク　タロウ,1950-01-10,1,290-0002,千葉県市原市,2015-01-01,,', // duplicate
    '122192,0000000007,"引用"符,ヤマダ,1950-01-10,1,290-0002,千葉県市原市,2015-01-01,,',          // quoting
    '122192,0000000008,若者　一郎,ワカモノ　イチロウ,2000-01-01,1,290-0002,千葉県市原市,2015-01-01,,', // under 40
  ]);
  const r = kaigo(['import', 'insured', f, '--db', db]);
  assert.equal(r.code, 1);
  const want = [
    /bad\.csv:3:1\(保険者番号\): 保険者番号の検証番号/,
    /bad\.csv:4:4\(氏名カナ\): 氏名カナは全角カタカナ\(または半角カナ\)/,
    /bad\.csv:5:5\(生年月日\): その元号にその年はありません/,
    /bad\.csv:6:5\(生年月日\): 存在しない日付/,
    /bad\.csv:6:6\(性別\)/,
    /bad\.csv:7: 列の数が見出し行より少ない/,
    /bad\.csv:8: キーが重複しています\(2行目と同じ/,
    /bad\.csv:9:3: 引用符の後に余分な文字があります/,
    /bad\.csv:10:9\(資格取得日\): 資格取得日に40歳未満/,
    /エラー 9 件: 何も取り込んでいません/,
  ];
  for (const w of want) assert.match(r.err, w);
  assert.equal(versions(db), 0);
  assert.equal(Number(sqlite(db, 'SELECT COUNT(*) FROM insurers').out), 0);
});

test('header problems: unknown, duplicate and missing columns', () => {
  const dir = tmp();
  const f = writeCsv(dir, 'h.csv', ['保険者番号,被保険者番号,氏名,氏名,なにか', '1,2,3,4,5']);
  const r = kaigo(['import', 'insured', f, '--db', newDb(dir)]);
  assert.equal(r.code, 1);
  assert.match(r.err, /h\.csv:1:4\(氏名\): 列名が重複/);
  assert.match(r.err, /h\.csv:1:5: 不明な列名/);
  assert.match(r.err, /h\.csv:1:\(生年月日\): 必須の列がありません/);
});

test('CP932 files are detected and converted; invalid bytes are located', () => {
  const dir = tmp();
  const db = newDb(dir);
  const utf = join(dir, 'u.csv');
  writeFileSync(utf, [INSURED_HEADER, good].join('\r\n') + '\r\n');
  const sj = join(dir, 's.csv');
  const conv = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932', utf, '-o', sj]);
  assert.equal(conv.status, 0);
  let r = kaigo(['import', 'insured', sj, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(sqlite(db, 'SELECT body FROM record_versions').out, /髙橋　﨑子/);
  r = kaigo(['import', 'insured', sj, '--db', db, '--encoding', 'utf-8']);
  assert.equal(r.code, 1);
  assert.match(r.err, /s\.csv:1:1: UTF-8 として不正/);
  const broken = join(dir, 'b.csv');
  writeFileSync(broken, Buffer.concat([readFileSync(sj), Buffer.from('122192,0000000002,'), Buffer.from([0x81, 0x20, 0xff]), Buffer.from(',x\r\n')]));
  r = kaigo(['import', 'insured', broken, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /b\.csv:3:3: 文字コードが不正/);
});

test('certification: references a known person, periods follow the rules', () => {
  const dir = tmp();
  const db = newDb(dir);
  assert.equal(kaigo(['import', 'insured', writeCsv(dir, 'i.csv', [INSURED_HEADER, good]), '--db', db]).code, 0);
  const f = writeCsv(dir, 'c.csv', [
    CERT_HEADER,
    '122192,0000000001,23,2024-02-01,2024-03-05,2024-04-01,2028-03-31,更新,23,,',   // 48 months same level: ok
    '122192,0000000001,23,2024-02-01,2024-03-05,2028-04-01,2032-03-31,更新,22,,',   // 48 months, level changed
    '122192,0000000001,27,2024-02-01,2024-03-05,2032-04-01,2033-03-31,更新,,,',     // unknown level
    '122192,0000000009,21,2024-02-01,2024-03-05,2024-02-01,2024-08-31,新規,,,',     // unknown person
    '122192,0000000001,21,2024-05-10,2024-06-01,2024-05-10,2024-11-30,新規,,,',     // not month end? (is month end) ok
    '122192,0000000001,21,2024-07-10,2024-08-01,2024-07-10,2025-01-30,新規,,,',     // not a month end
  ]);
  const r = kaigo(['import', 'certification', f, '--db', db]);
  assert.equal(r.code, 1);
  // the allowed range for that kind of certification is said (issue #15), 2021-04 rule: 3–36 when the level changes
  assert.match(r.err, /c\.csv:3:7\(有効期間終了日\): 更新\(区分が変わる場合\)の有効期間は3〜36か月です\(48か月は認められません\)/);
  assert.match(r.err, /c\.csv:4:3\(要介護状態区分\)/);
  assert.match(r.err, /c\.csv:5:2\(被保険者番号\): この被保険者は登録されていません/);
  assert.match(r.err, /c\.csv:7:7\(有効期間終了日\): 有効期間の終了日は月末/);
  assert.doesNotMatch(r.err, /c\.csv:2:/);
  assert.doesNotMatch(r.err, /c\.csv:6:/);
  assert.equal(Number(sqlite(db, "SELECT COUNT(*) FROM record_versions WHERE kind='certification'").out), 0);
});

test('demo generate produces files that import cleanly', () => {
  const dir = tmp();
  const db = newDb(dir);
  let r = kaigo(['demo', 'generate', '--insurers', '2', '--persons', '300', '--seed', '7', join(dir, 'csv')]);
  assert.equal(r.code, 0, r.err);
  for (const k of ['insured', 'certification', 'burden', 'limit', 'plan', 'restriction', 'facility']) {
    r = kaigo(['import', k, join(dir, 'csv', k + '.csv'), '--db', db, '--quiet']);
    assert.equal(r.code, 0, k + ': ' + r.err);
  }
  assert.equal(Number(sqlite(db, "SELECT COUNT(*) FROM record_versions WHERE kind='insured'").out), 300);
  const certified = Number(sqlite(db, "SELECT COUNT(*) FROM record_versions WHERE kind='certification'").out);
  assert.ok(certified > 30 && certified < 90, 'certified ' + certified);
});

test('demo generate --insurers 1571: the nation, synthetic insurers with valid and distinct numbers', () => {
  const dir = tmp();
  let r = kaigo(['demo', 'generate', '--insurers', '1571', '--persons', '1571', '--seed', '7', join(dir, 'csv')]);
  assert.equal(r.code, 0, r.err);
  const nos = readFileSync(join(dir, 'csv', 'insured.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  const distinct = [...new Set(nos)];
  assert.equal(distinct.length, 1571);
  for (const no of distinct.slice(60, 80).concat(distinct.slice(-5)))
    assert.equal(kaigo(['check', 'insurer-no', no]).code, 0, no);
  r = kaigo(['import', 'insured', join(dir, 'csv', 'insured.csv'), '--db', newDb(dir), '--quiet']);
  assert.equal(r.code, 0, r.err);
  assert.equal(kaigo(['demo', 'generate', '--insurers', '1572', join(dir, 'x')]).code, 2);
});

test('check and wareki commands: exit codes and messages for scripts', () => {
  let r = kaigo(['check', 'insurer-no', '271007']);
  assert.equal(r.code, 0);
  r = kaigo(['check', 'insurer-no', '271004']);
  assert.equal(r.code, 1);
  assert.match(r.out, /検証番号/);
  assert.equal(kaigo(['check', 'provider-no', '0123']).code, 1);
  assert.equal(kaigo(['check', 'bogus', '1']).code, 2);
  r = kaigo(['wareki', '2019-05-01']);
  assert.equal(r.out.trim(), '令和元年5月1日');
  r = kaigo(['wareki', '--parse', 'R6.4.1']);
  assert.equal(r.out.trim(), '2024-04-01');
  r = kaigo(['wareki', '--parse', '平成32年1月1日']);
  assert.equal(r.code, 1);
  for (const c of ['serve', 'import', 'card', 'insurer', 'audit', 'check', 'wareki', 'demo']) {
    r = kaigo([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.out, /使い方/);
  }
});

test('insurer set-name', () => {
  const dir = tmp();
  const db = newDb(dir);
  const f = writeCsv(dir, 'i.csv', [INSURED_HEADER, good.replace('122192', '271007')]);
  const r = kaigo(['import', 'insured', f, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /名称: 未設定/);
  assert.equal(kaigo(['insurer', 'set-name', '--db', db, '271007', '大阪市']).code, 0);
  assert.match(kaigo(['insurer', 'list', '--db', db]).out, /271007\t-\t大阪市\t1人/);
  assert.equal(kaigo(['insurer', 'set-name', '--db', db, '122192', 'x']).code, 1);
});

test('errors from both threads come out in line order; --max-errors limits the listing, not the count', () => {
  const dir = tmp();
  const db = newDb(dir);
  assert.equal(kaigo(['import', 'insured', writeCsv(dir, 'i.csv', [INSURED_HEADER, good]), '--db', db]).code, 0);
  const lines = [CERT_HEADER];
  for (let i = 0; i < 30; i++) {
    // alternate: unknown person (found by the writer) and a bad level (found by the parser)
    const no = String(100 + i).padStart(10, '0');
    lines.push(i % 2 ? `122192,${no},21,2024-05-10,2024-06-01,2024-05-10,2024-11-30,新規,,,` : `122192,0000000001,99,2024-05-10,2024-06-01,${2000 + i}-05-10,2024-11-30,新規,,,`);
  }
  const r = kaigo(['import', 'certification', writeCsv(dir, 'c.csv', lines), '--db', db, '--max-errors', '7']);
  assert.equal(r.code, 1);
  const shown = r.err.split('\n').filter((l) => /c\.csv:\d+:/.test(l)).map((l) => Number(l.match(/c\.csv:(\d+):/)[1]));
  assert.deepEqual(shown, [2, 3, 4, 5, 6, 7, 8]);
  assert.match(r.err, /ほか 23 件のエラー/);
  assert.match(r.err, /エラー 30 件: 何も取り込んでいません/);
});

test('kill -9 during a large import leaves nothing partial', async () => {
  const dir = tmp();
  const db = newDb(dir);
  assert.equal(kaigo(['demo', 'generate', '--insurers', '2', '--persons', '150000', join(dir, 'csv')]).code, 0);
  const { spawn } = await import('node:child_process');
  const child = spawn(process.env.KAIGO_BIN, ['import', 'insured', join(dir, 'csv', 'insured.csv'), '--db', db, '--quiet'],
    { env: { ...process.env, ...dbEnv(db) } });
  let exited = null;
  child.once('exit', (code, sig) => { exited = { code, sig }; });
  // kill it while it writes: once the schema is there and the write-ahead log has grown (SQLite), once its
  // transaction has written for a while (PostgreSQL: a session with a transaction id, seen by its own role)
  // (an empty result used to pass: killed before the database existed, nothing was tested)
  const wal = db + '-wal';
  const copying = () => sqlite(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()").out === '1';
  let seen = 0;
  for (let i = 0; i < 2000 && !exited; i++) {
    if (PG ? copying() && ++seen >= 3 : existsSync(wal) && statSync(wal).size > (1 << 20)) break;
    await new Promise((res) => setTimeout(res, 5));
  }
  assert.equal(exited, null, 'the import ended before it could be killed');
  child.kill('SIGKILL');
  await new Promise((res) => (exited ? res() : child.once('exit', res)));
  const n = sqlite(db, "SELECT COUNT(*) FROM record_versions");
  assert.equal(n.code, 0, n.err);
  assert.ok(n.out === '0' || n.out === '150000', 'partial import: ' + n.out);
  if (!PG) assert.equal(sqlite(db, 'PRAGMA integrity_check').out, 'ok'); // PostgreSQL: its transaction was rolled back
  // and a later import completes
  const r = kaigo(['import', 'insured', join(dir, 'csv', 'insured.csv'), '--db', db, '--quiet']);
  assert.equal(r.code, 0, r.err);
  assert.equal(sqlite(db, "SELECT COUNT(*) FROM record_versions").out, '150000');
});

test('半角カナ in 氏名カナ is accepted and stored full-width', () => {
  const dir = tmp();
  const db = newDb(dir);
  const f = writeCsv(dir, 'i.csv', [INSURED_HEADER, good.replace('タカハシ　サキコ', 'ﾀｶﾊｼ ｻｷｺ')]);
  const r = kaigo(['import', 'insured', f, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(sqlite(db, 'SELECT body FROM record_versions').out, /"kana":"タカハシ サキコ"/);
});
