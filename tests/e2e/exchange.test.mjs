// exchange.test.mjs - the ケアプランデータ連携 CSV standard v4.1 through `kaigo exchange check`:
// every core file type read and written back byte-identical (MS932, quoting, CRLF/LF), and
// the refusals with FILE:LINE:COLUMN(項目名) — 外字, bytes outside MS932, layouts, versions,
// months, names — with a faulty send unit rejected whole (issue #5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, fixture, sqlite, startServer, addUser, totp } from './lib.mjs';

const dir = tmp();
const out = join(dir, 'out');
mkdirSync(out);
const V = '202407', INS = '122192', NO = '0000000001', KYO = '1270100017', PROV = '1370100018';
const q = (s) => '"' + s.replace(/"/g, '""') + '"';

// cp932 - UTF-8 text to MS932 bytes with glibc's iconv (the test's own encoder).
function cp932(text) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text, 'utf8') });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}
function file(name, records, { eol = '\r\n', final = true, raw = null } = {}) {
  const p = join(dir, name);
  const text = records.map((r) => r.join(',')).join(eol) + (final ? eol : '');
  writeFileSync(p, raw ?? cp932(text));
  return p;
}

const slots = Array.from({ length: 36 }, (_, i) => (i === 0 ? '15' : i < 4 ? '0' : ''));
const hosoku = (date, month) => [V, INS, NO, date, q('タカハシ　サキコ'), q('髙橋　﨑子'), '2', '19400402', '290-0001',
  q('千葉県市原市五井1丁目1番1号'), q(''), '0436-00-0000', '20240305', '20240401', '20280331', '2', '', '23', '27048',
  ...slots, '0', '', '', '23', KYO, KYO, '', month];
const kyo1 = [V, INS, NO, '20260401', '290-0001', q('千葉県市原市五井1-1'), q(''), q('ケア　太郎'), q('居宅介護支援事業所あおば'),
  '290-0002', q('千葉県市原市八幡2-3'), q(''), KYO, '20260401', '20240401', '21', '2', '20240305', '20240401', '20280331', '23',
  q('歩行が不安定で転倒の恐れ。\r\n入浴に介助が必要'), q('特になし'), q('自宅での生活を続けられるよう, 支援します'), '1', q(''), KYO, ''];
const kyo2 = [V, INS, NO, '20260401', '20260401', '1', q('転倒を防ぎ"安心して"歩ける'), '1', q('屋内を一人で歩ける'), q('手すりを使って歩く'),
  q('6か月'), q('3か月'), '1', q('歩行訓練'), 'Y', q('通所介護'), PROV, q('デイサービスさくら'), q('週2回'), q('R8.4.1〜R8.9.30'), KYO, ''];
const kyo3 = [V, INS, NO, '20260401', '20260401', q('通所介護'), '1', '0930', '1600', q('起床・朝食'), '0700', '0800', q('通院(月1回)')];
const plan = (kind) => [V, INS, NO, '20260325', '202604', KYO, q('ケア　太郎'), '658', '', '20260401', '', '0930', '1600', '1', '151111',
  '', '', q(''), '', PROV, q('デイサービスさくら'), '', '0', kind === 'jsk' ? PROV : KYO, ''];
const sikyu = [V, INS, NO, '20260325', '202604', q('デイサービスさくら'), PROV, '', '151111', '', '', q(''), '658', '', '', '8', '5264',
  '5264', '', '', '0', '5264', '10.90', '57377', '90', '51639', '', '5738', '0', '', '', '', '0', KYO, '9999999999', KYO, ''];
const total = [V, INS, NO, '20260325', '202604', q(''), '9999999999', '', '999999', '', '', q(''), '0', '', '', '0', '', '', '', '', '0', '5264',
  '', '57377', '', '51639', '', '5738', '0', '', '', '', '', KYO, '9999999999', KYO, ''];
// 介護予防: UPYOBO (57 items) and its 別表 UPYOBO_SUB (17), names as transcribed ([unverified] layout)
const yobo = [V, INS, NO, '20260401', '1', '2', q('R8-001'), q('髙橋　﨑子'), '20260305', '20260401', '20270331', '21', '2', '1',
  q('包括　花子'), q('ケア　太郎'), q('居宅介護支援事業所あおば'), q('千葉県市原市八幡2-3'), q('0436-00-0001'), '20250401', q('市原市地域包括支援センター'),
  q('毎日散歩する'), q('孫の結婚式に出る'), ...Array.from({ length: 4 }, (_, i) => [q(`状況${i}`), q(`意向${i}`), '1', q(`課題${i}`)]).flat(),
  q('血圧に注意'), q('通所で運動'), q('自立した生活を続ける'), '3', '1', '0', '1', '2', '0', '1', '2', '2', '2', '1', '2', q('特になし'), '20260402', q('髙橋　﨑子')];
const yoboSub = [V, INS, NO, '20260401', '1', q('転倒の不安'), q('筋力をつける'), q('頑張りたい'), q('一人で買い物に行く'), '1',
  q('無理のない運動'), q('毎朝の体操'), q('通所型サービス'), '1', q('通所型サービスA'), q('デイサービスさくら'), q('R8.4〜R9.3')];
// 介護予防支援 利用者基本情報: UPKIHON (71 items), 別表1 UPKIHON_SUB1 (7), 別表2 UPKIHON_SUB2 (11), keyed by 相談日
const kihon = [V, INS, NO, '20260310', '1', '2', q('包括　花子'), '01', q(''), '01', '', '01', q(''), q('タカハシ　サキコ'), q('髙橋　﨑子'),
  '2', '19400402', q('千葉県市原市五井1丁目1番1号'), '0436-00-0000', '', '12', '02', '12', '20260401', '20270331', '01', '1', '20260305',
  '0', '0', '0', '0', q(''), '05', '1', '2', '1', '0', '0', '0', q('年金で生活'), q('髙橋　一郎'), q('千葉市中央区1-1'), '043-000-0000',
  q('長男'), ...Array.from({ length: 4 }, (_, i) => [q(i ? '' : '髙橋　一郎'), q(i ? '' : '長男'), q(''), i ? '' : '090-0000-0000']).flat(),
  q(''), q('長男家族と同居'), q('教員として勤め、退職後は畑仕事'), q('朝6時起床, "散歩"が日課'), q('園芸'), q('自治会の友人'), q('なし'),
  q('配食'), '20260310', q('髙橋　﨑子')];
const kihonSub1 = [V, INS, NO, '20260310', q('6:00'), q('起床・散歩'), q('朝食の支度')];
const kihonSub2 = [V, INS, NO, '20260310', q('平成30年頃'), q('高血圧症'), q('市原クリニック　佐藤医師'), '1', '0436-11-1111', '01',
  q('降圧剤の服用')];
const N = (prefix, month, stamp = '20260325120000', from = KYO, fk = '43', to = PROV, tk = '15') =>
  `${prefix}${month ? '_' + month : ''}_${from}_${fk}_${to}_${tk}_${stamp}.CSV`;

test('every core file type reads and writes back byte-identical', () => {
  const files = [
    file(N('UPHOSOKU', '000000'), [hosoku('20260401', '000000')]),
    file(N('UP1KYO'), [kyo1]),
    file(N('UP2KYO'), [kyo2, [...kyo2.slice(0, 12), '2', ...kyo2.slice(13)]]),
    file(N('UP3KYO'), [kyo3]),
    file(N('DLT1KYO', null, '20260326090000'), [[V, INS, NO, '20260301']]),
    file(N('UPHOSOKU', '202604', '20260325130000'), [hosoku('00000000', '202604')]),
    file(N('UPPLAN', '202604', '20260325130000'), [plan('plan'), [...plan('plan').slice(0, 9), '20260408', ...plan('plan').slice(10)]]),
    file(N('UPSIKYU', '202604', '20260325130000'), [sikyu, total]),
    file(N('DLTPLAN', '202604', '20260326100000'), [[V, INS, NO, '202604']]),
    file(N('UPJSK', '202604', '20260501090000', PROV, '15', KYO, '43'), [plan('jsk')], { eol: '\n', final: false }),
    file(N('DLTJSK', '202604', '20260502090000', PROV, '15', KYO, '43'), [[V, INS, NO, '202604', PROV, '15']]),
    file(N('UPYOBO', null, '20260325170000', KYO, '46'), [yobo]),
    file(N('UPYOBO_SUB', null, '20260325170000', KYO, '46'), [yoboSub, [...yoboSub.slice(0, 9), '2', ...yoboSub.slice(10)]]),
    file(N('DLTYOBO', null, '20260326120000', KYO, '46'), [[V, INS, NO, '20260301']]),
    file(N('UPKIHON', null, '20260325180000', KYO, '46'), [kihon]),
    file(N('UPKIHON_SUB1', null, '20260325180000', KYO, '46'), [kihonSub1, [...kihonSub1.slice(0, 4), q('12:00'), q('昼食'), q('')]]),
    file(N('UPKIHON_SUB2', null, '20260325180000', KYO, '46'), [kihonSub2]),
    file(N('DLTKIHON', null, '20260326130000', KYO, '46'), [[V, INS, NO, '20260301']]),
  ];
  assert.equal(kihon.length, 71);
  const r = kaigo(['exchange', 'check', ...files, '--rewrite', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /送信単位 20260325120000: 4 ファイル、5 レコードを受け付けました/);
  assert.match(r.out, /送信単位 20260325130000: 3 ファイル/);
  assert.match(r.out, /送信単位 20260325170000: 2 ファイル、3 レコードを受け付けました/);
  assert.match(r.out, /送信単位 20260325180000: 3 ファイル、4 レコードを受け付けました/);
  for (const f of files) {
    const name = f.split('/').pop();
    assert.deepEqual(readFileSync(join(out, name)), readFileSync(f), name);
  }
  // v3 (CSVバージョン 202208, names without service-type codes) read by the v3 layout (issue #17): a 第6表 of 22
  // items - v4.0 added TAISコード, 福祉用具届出コード and 用具名称 (v4 Nos.16-18) - and a 第7表 of 34 (Nos.10-12)
  const v3plan = ['202208', ...plan('plan').slice(1)].filter((_, i) => i < 15 || i > 17);
  assert.equal(v3plan.length, 22);
  const v3 = join(dir, 'UPPLAN_202604_1270100017_1370100018_20260325140000.CSV');
  writeFileSync(v3, cp932(v3plan.join(',') + '\r\n'));
  const r3 = kaigo(['exchange', 'check', v3, '--rewrite', out]);
  assert.equal(r3.code, 0, r3.err);
  assert.deepEqual(readFileSync(join(out, 'UPPLAN_202604_1270100017_1370100018_20260325140000.CSV')), readFileSync(v3));
  const v3sikyu = ['202208', ...sikyu.slice(1)].filter((_, i) => i < 9 || i > 11);
  const total3 = ['202208', ...total.slice(1)].filter((_, i) => i < 9 || i > 11);
  assert.equal(v3sikyu.length, 34);
  const v3s = join(dir, 'UPSIKYU_202604_1270100017_1370100018_20260325140000.CSV');
  writeFileSync(v3s, cp932([v3sikyu, total3].map((r) => r.join(',')).join('\r\n') + '\r\n'));
  const r3s = kaigo(['exchange', 'check', v3s, '--rewrite', out]);
  assert.equal(r3s.code, 0, r3s.err);
  assert.deepEqual(readFileSync(join(out, 'UPSIKYU_202604_1270100017_1370100018_20260325140000.CSV')), readFileSync(v3s));
  // the other directions are refused: v4 columns under a v3 name, v3 columns under a v4 name
  const mixed = join(dir, 'UPPLAN_202604_1270100017_1370100018_20260325150000.CSV');
  writeFileSync(mixed, cp932(['202208', ...plan('plan').slice(1)].join(',') + '\r\n'));
  let rm = kaigo(['exchange', 'check', mixed]);
  assert.equal(rm.code, 1);
  assert.match(rm.err, /項目数が 25 です\(UPPLAN は 22 項目/);
  const v4name = join(dir, N('UPPLAN', '202604', '20260325160000'));
  writeFileSync(v4name, cp932(['202407', ...v3plan.slice(1)].join(',') + '\r\n'));
  rm = kaigo(['exchange', 'check', v4name]);
  assert.equal(rm.code, 1);
  assert.match(rm.err, /項目数が 22 です\(UPPLAN は 25 項目/);
  // files v4.0 added (the 第3表, the 介護予防支援等 files: the 本文's history) have no v3 name
  for (const prefix of ['UP3KYO', 'UPKIHON', 'UPYOBO', 'UPYOBO_SUB', 'DLTKIHON']) {
    const f = join(dir, `${prefix}_1270100017_1370100018_20260325170000.CSV`);
    writeFileSync(f, cp932('202208\r\n'));
    rm = kaigo(['exchange', 'check', f]);
    assert.equal(rm.code, 1, prefix);
    assert.match(rm.err, /v4\.0 で加わったもので、v3 の名前\(サービス種類コードなし\)では送れません/, prefix);
  }
});

test('refusals name file, line, column and item; a faulty send unit is rejected whole', () => {
  const stamp = '20260401100000';
  const good = file(N('UP1KYO', null, stamp), [kyo1]);
  const badDate = [...kyo2];
  badDate[4] = '20260231';
  const bad = file(N('UP2KYO', null, stamp), [kyo2, badDate]);
  let r = kaigo(['exchange', 'check', good, bad]);
  assert.equal(r.code, 1);
  assert.match(r.err, /UP2KYO_[^:]+:2:5\(居宅サービス計画作成（変更）日\): 日付は実在する YYYYMMDD です/);
  assert.match(r.err, /送信単位 20260401100000: 誤りが 1 件あるため、2 ファイルすべてを受け付けません/);
  // another unit in the same run is still taken
  const other = file(N('UP3KYO', null, '20260401110000'), [kyo3]);
  r = kaigo(['exchange', 'check', bad, good, other]);
  assert.equal(r.code, 1);
  assert.match(r.out, /送信単位 20260401110000: 1 ファイル、1 レコードを受け付けました/);

  const cases = [
    // 外字 (the user-defined area F040–F9FC) inside a name
    [N('UP3KYO', null, '20260402100000'), null, Buffer.concat([cp932([V, INS, NO, '20260401', '20260401', '"'].join(',')),
      Buffer.from([0xf0, 0x40]), cp932('",1,0930,1600,"",0700,0800,""\r\n')]), /:1: 外字/],
    // a byte sequence that is not MS932
    [N('UP3KYO', null, '20260402110000'), null, Buffer.concat([cp932(kyo3.slice(0, 5).join(',') + ',"'), Buffer.from([0x81, 0x20]),
      cp932('",1,0930,1600,"",0700,0800,""\r\n')]), /:1: Shift-JIS\(MS932\)として読めない/],
    [N('UP3KYO', null, '20260402120000'), [kyo3.slice(0, 12)], null, /:1: 項目数が 12 です\(UP3KYO は 13 項目/],
    [N('UP3KYO', null, '20260402130000'), [[...kyo3.slice(0, 7), '2500', ...kyo3.slice(8)]], null, /:1:8\(開始時間\): 時刻は HHMM/],
    [N('UP3KYO', null, '20260402140000'), [kyo3, ['202208', ...kyo3.slice(1)]], null, /:2:1\(CSVバージョン\): 1ファイルに異なるCSVバージョン/],
    [N('UPPLAN', '202605', '20260402150000'), [plan('plan')], null, /:1:5\(対象年月\): ファイル名の年月と一致しません/],
    [N('UPPLAN', '202604', '20260402160000'), [[V, INS, 'X00000000!', ...plan('plan').slice(3)]], null, /:1:3\(被保険者番号\)/],
    ['UPPLAN_202604_1270100017_43_20260402170000.CSV', [plan('plan')], null, /ファイル名が標準仕様の規約/],
    [N('UPKIHON', null, '20260402180000'), [kihon.slice(0, 70)], null, /:1: 項目数が 70 です\(UPKIHON は 71 項目/],
    [N('UPKIHON_SUB2', null, '20260402190000'), [[...kihonSub2.slice(0, 3), '20260230', ...kihonSub2.slice(4)]], null,
      /:1:4\(相談日\): 日付は実在する YYYYMMDD です/],
  ];
  for (const [name, records, raw, re] of cases) {
    const p = file(name, records ?? [], raw ? { raw } : {});
    r = kaigo(['exchange', 'check', p]);
    assert.equal(r.code, 1, name);
    assert.match(r.err, re, name + ': ' + r.err);
    assert.ok(r.err.includes(name), name);
  }
});

test('import stores each person\'s sets; export gives the same files back; deletes cascade; unknown persons reject the unit', () => {
  const db = fixture(tmp());
  const month = [
    file(N('UPHOSOKU', '202604', '20260325150000'), [hosoku('00000000', '202604')]),
    file(N('UPPLAN', '202604', '20260325150000'), [plan('plan'), [...plan('plan').slice(0, 9), '20260408', ...plan('plan').slice(10)]]),
    file(N('UPSIKYU', '202604', '20260325150000'), [sikyu, total]),
  ];
  const planUnit = [
    file(N('UPYOBO', null, '20260325160000'), [yobo]),
    file(N('UPYOBO_SUB', null, '20260325160000'), [yoboSub]),
    file(N('UPHOSOKU', '000000', '20260325160000'), [hosoku('20260401', '000000')]),
    file(N('UP1KYO', null, '20260325160000'), [kyo1]),
    file(N('UP2KYO', null, '20260325160000'), [kyo2]),
    file(N('UP3KYO', null, '20260325160000'), [kyo3]),
  ];
  let r = kaigo(['exchange', 'import', ...month, ...planUnit, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /送信単位 20260325150000: 3 ファイル、5 レコードを取り込みました\(記録 3 件\)/);
  assert.match(r.out, /送信単位 20260325160000: 6 ファイル、6 レコードを取り込みました/);
  const exp = join(dir, 'exp');
  mkdirSync(exp);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--month', '202604', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  for (const f of month) assert.deepEqual(readFileSync(join(exp, f.split('/').pop())), readFileSync(f), f);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--plan', '20260401', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  for (const f of planUnit) assert.deepEqual(readFileSync(join(exp, f.split('/').pop())), readFileSync(f), f);
  // 実績 from the provider, exported with --jsk (the month's 実績 of every office), the same bytes
  const jsk = file(N('UPJSK', '202604', '20260501090000', PROV, '15', KYO, '43'), [plan('jsk')], { eol: '\n', final: false });
  r = kaigo(['exchange', 'import', jsk, '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--jsk', '202604', '--to', `${KYO}:43`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readFileSync(join(exp, jsk.split('/').pop())), readFileSync(jsk));
  // every export is a read of the person's 計画 by the operator, audited
  assert.equal(sqlite(db + '.audit', `SELECT COUNT(*) FROM audit_v WHERE insured_no='${NO}' AND category='careplan'`).out, '3');
  // a correction resends the month: a new version, exported as sent
  const fixed = file(N('UPPLAN', '202604', '20260326150000'), [plan('plan')]);
  r = kaigo(['exchange', 'import', fixed, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.equal(sqlite(db, `SELECT COUNT(*) FROM record_versions WHERE insured_no='${NO}' AND kind='cp.UPPLAN'`).out, '2');
  // 6表 削除 cascades to 7表 and 補足
  r = kaigo(['exchange', 'import', file(N('DLTPLAN', '202604', '20260327090000'), [[V, INS, NO, '202604']]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--month', '202604', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /書き出す記録がありません/);
  // a unit with a person the registry does not know is refused whole
  const stranger = [...kyo3];
  stranger[2] = '0000000099';
  const u1 = file(N('UP1KYO', null, '20260328090000'), [kyo1]);
  const u3 = file(N('UP3KYO', null, '20260328090000'), [stranger]);
  r = kaigo(['exchange', 'import', u1, u3, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /UP3KYO_[^:]+:1:3\(被保険者番号\): 登録されていない被保険者です/);
  assert.equal(sqlite(db, `SELECT COUNT(*) FROM record_versions WHERE kind='cp.UP1KYO'`).out, '1'); // only the earlier unit's
});

test('介護予防支援 利用者基本情報: UPKIHON with its 別表1 and 別表2 stored by 相談日, exported with --kihon, deleted with DLTKIHON', () => {
  const db = fixture(tmp());
  const unit = [
    file(N('UPKIHON', null, '20260325190000', KYO, '46'), [kihon]),
    file(N('UPKIHON_SUB1', null, '20260325190000', KYO, '46'), [kihonSub1, [...kihonSub1.slice(0, 4), q('12:00'), q('昼食'), q('')]]),
    file(N('UPKIHON_SUB2', null, '20260325190000', KYO, '46'), [kihonSub2]),
  ];
  let r = kaigo(['exchange', 'import', ...unit, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /送信単位 20260325190000: 3 ファイル、4 レコードを取り込みました\(記録 3 件\)/);
  assert.equal(sqlite(db, `SELECT group_concat(k) FROM (SELECT kind || '/' || rkey AS k FROM record_versions WHERE kind LIKE 'cp.UPKIHON%' ORDER BY kind) AS p`).out,
    'cp.UPKIHON/20260310,cp.UPKIHON_SUB1/20260310,cp.UPKIHON_SUB2/20260310');
  const exp = join(dir, 'kihon-exp');
  mkdirSync(exp);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--kihon', '20260310', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  for (const f of unit) {
    const name = f.split('/').pop();
    assert.deepEqual(readFileSync(join(exp, name)), readFileSync(f), name);
  }
  // another 相談日 has nothing; --kihon takes YYYYMMDD
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--kihon', '20260311', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /書き出す記録がありません/);
  // DLTKIHON removes the record and both 別表
  r = kaigo(['exchange', 'import', file(N('DLTKIHON', null, '20260326190000', KYO, '46'), [[V, INS, NO, '20260310']]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--kihon', '20260310', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 1);
  assert.equal(sqlite(db, `SELECT COUNT(*) FROM record_versions WHERE kind LIKE 'cp.UPKIHON%' AND body = '{"deleted":true}'`).out, '4'); // the record, both 別表 and an image
});

test('家族構成 image: UPKIHON_IMAGE_….jpg named by UPKIHON No.62 travels with its record, renamed with the unit', () => {
  const db = fixture(tmp());
  const stamp = '20260325200000';
  const img = `UPKIHON_IMAGE_${KYO}_46_${PROV}_15_${stamp}_0001.jpg`;
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('kaigo test image'), Buffer.from([0xff, 0xd9])]);
  writeFileSync(join(dir, img), jpeg);
  const withImage = [...kihon];
  withImage[61] = q(img);
  const unit = [file(N('UPKIHON', null, stamp, KYO, '46'), [withImage]), file(N('UPKIHON_SUB1', null, stamp, KYO, '46'), [kihonSub1]), join(dir, img)];
  const rw = join(dir, 'img-rw');
  mkdirSync(rw);
  let r = kaigo(['exchange', 'check', ...unit, '--rewrite', rw]);
  assert.equal(r.code, 0, r.err);
  for (const f of unit) assert.deepEqual(readFileSync(join(rw, f.split('/').pop())), readFileSync(f), f);
  r = kaigo(['exchange', 'import', ...unit, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.equal(sqlite(db, `SELECT rkey FROM record_versions WHERE kind='cp.UPKIHON_IMAGE'`).out, '20260310');
  // exported as received
  const exp = join(dir, 'img-exp');
  mkdirSync(exp);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--kihon', '20260310', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  for (const f of unit) assert.deepEqual(readFileSync(join(exp, f.split('/').pop())), readFileSync(f), f);
  // with another timestamp and addressee the image is renamed and No.62 names the new file
  const exp2 = join(dir, 'img-exp2');
  mkdirSync(exp2);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--kihon', '20260310', '--to', '1370100026:13', '--stamp', '20260401090000',
    exp2, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const img2 = `UPKIHON_IMAGE_${KYO}_46_1370100026_13_20260401090000_0001.jpg`;
  assert.deepEqual(readFileSync(join(exp2, img2)), jpeg);
  const rec = spawnSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: readFileSync(join(exp2, `UPKIHON_${KYO}_46_1370100026_13_20260401090000.CSV`)) })
    .stdout.toString('utf8');
  assert.ok(rec.includes(',' + q(img2) + ','), rec);
  assert.ok(rec.includes(q('朝6時起床, "散歩"が日課')));
  r = kaigo(['exchange', 'check', ...[`UPKIHON_${KYO}_46_1370100026_13_20260401090000.CSV`, img2].map((f) => join(exp2, f))]);
  assert.equal(r.code, 0, r.err);
  // refusals: an image no record names, a record naming an image not sent, bytes that are not JPEG
  const lone = `UPKIHON_IMAGE_${KYO}_46_${PROV}_15_20260325210000_0001.jpg`;
  writeFileSync(join(dir, lone), jpeg);
  r = kaigo(['exchange', 'check', join(dir, lone)]);
  assert.equal(r.code, 1);
  assert.match(r.err, /この画像を家族構成 画像ファイル名\(UPKIHON 62\)に記した利用者基本情報が送信単位にありません/);
  r = kaigo(['exchange', 'check', file(N('UPKIHON', null, '20260325220000', KYO, '46'), [withImage])]);
  assert.equal(r.code, 1);
  assert.match(r.err, /UPKIHON_[^:]+:1:62\(家族構成 画像ファイル名\): その画像ファイルが送信単位にありません/);
  const notJpeg = `UPKIHON_IMAGE_${KYO}_46_${PROV}_15_20260325230000_0002.jpg`;
  writeFileSync(join(dir, notJpeg), Buffer.from('GIF89a'));
  r = kaigo(['exchange', 'check', join(dir, notJpeg)]);
  assert.equal(r.code, 1);
  assert.match(r.err, /JPEG 画像ではありません/);
  // DLTKIHON removes the image with the record
  r = kaigo(['exchange', 'import', file(N('DLTKIHON', null, '20260326200000', KYO, '46'), [[V, INS, NO, '20260310']]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.equal(sqlite(db, `SELECT body FROM record_versions WHERE kind='cp.UPKIHON_IMAGE' ORDER BY version DESC LIMIT 1`).out, '{"deleted":true}');
});

// Issue 16 (truncation): the plan page copied サービス事業所名 (No.21, no length in the standard) into
// 200 bytes; a longer name was cut inside a character, jansson refused the invalid UTF-8 and the
// handler read through the NULL it got back - the server went down. Now the name is shown whole.
test('a サービス事業所名 of 80 全角 characters is shown whole on the person\'s plan page', async () => {
  const db = fixture(tmp());
  const longName = '社会福祉法人'.padEnd(80, '長'); // 240 bytes in UTF-8
  const row = plan('plan');
  row[20] = q(longName);
  const r = kaigo(['exchange', 'import', file(N('UPHOSOKU', '202604', '20260325170000'), [hosoku('00000000', '202604')]),
    file(N('UPPLAN', '202604', '20260325170000'), [row]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  const secret = addUser(db, ['--login', 'plan-person', '--name', '髙橋 﨑子', '--person', `${INS}/${NO}`]);
  const srv = await startServer(db);
  try {
    const lr = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'plan-person', password: 'Kaigo-test-2026!', totp: totp(secret) }) });
    assert.equal(lr.status, 200);
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const page = await fetch(srv.url + '/me/plan', { headers: { Cookie: cookie } }).catch((e) => { throw new Error('the plan page: ' + e.message + ' ' + srv.log().slice(-300)); });
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(longName), 'the whole name');
    assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'the server is still up');
  } finally {
    await srv.stop();
  }
});

// a genuine v3 send unit (issue #17): stored, exported again as the same bytes, and its 第6表 read by the
// readers that name items by their v4 number (the 第7表 computed from the stored 6表)
test('v3 (202208) send unit: imported, exported byte for byte, the 6表 read by v4 item numbers', () => {
  const db = fixture(tmp());
  const v3 = (r) => ['202208', ...r.slice(1)];
  const v3name = (prefix, stamp) => `${prefix}_202604_${KYO}_${PROV}_${stamp}.CSV`;
  const v3plan = v3(plan('plan')).filter((_, i) => i < 15 || i > 17);
  const unit = [
    file(v3name('UPHOSOKU', '20260325170000'), [v3(hosoku('00000000', '202604'))]),
    file(v3name('UPPLAN', '20260325170000'), [v3plan, [...v3plan.slice(0, 9), '20260408', ...v3plan.slice(10)]]),
  ];
  let r = kaigo(['exchange', 'import', ...unit, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const exp = join(dir, 'v3exp');
  mkdirSync(exp);
  r = kaigo(['exchange', 'export', '--person', `${INS}/${NO}`, '--month', '202604', '--to', `${PROV}:15`, exp, '--db', db]);
  assert.equal(r.code, 0, r.err);
  for (const f of unit) assert.deepEqual(readFileSync(join(exp, f.split('/').pop())), readFileSync(f), f);
  // the 第7表 from the stored v3 6表: the service (No.15) and the office (v4 No.20, v3 No.17) found where v3 has them
  const codes = join(dir, 'codes-v3.csv'); // one row of the 単位数表マスタ layout (the test's own)
  writeFileSync(codes, readFileSync(join(process.env.KAIGO_SRC, 'data/service-codes.csv'), 'utf8').split('\n')[0] +
    '\n000000,15,1111,202404,999999,通所介護,658,01,,,3,,,,,,,,20261125\n');
  r = kaigo(['sheet7', '--person', `${INS}/${NO}`, '--month', '202604', '--price', `${PROV}=10.90`, '--burden-ratio', '1',
    '--codes', codes, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.offices.map((o) => [o.office_no, o.lines.map((l) => [l.service_code, l.count])]), [[PROV, [['151111', 2]]]]);
});
