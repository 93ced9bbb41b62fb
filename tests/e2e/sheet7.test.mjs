// sheet7.test.mjs - `kaigo sheet7`: the official example 記載例33-1 and the synthetic vector of
// benefit-math.md §7 through the real binary, defaults from data, and refusals (issue #5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, writeCsv, fixture } from './lib.mjs';

const dir = tmp();
const run = (obj, extra = []) => {
  const f = join(dir, `case-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
  const r = kaigo(['sheet7', f, ...extra]);
  return { ...r, json: r.code === 0 ? JSON.parse(r.out) : null };
};

test('記載例33-1: short stay beyond 30 days, an add-on outside the limit, floors', () => {
  const r = run({ month: '2019-04', care_level: '23', limit_units: 26931, benefit_rate: 90, offices: [{
    office_no: '9070000060', service_type: '21', unit_price: '11.10', lines: [
      { service_code: '211131', count: 30 }, { service_code: '216283', count: 20 }, { service_code: '216100', count: 30 },
      { service_code: '211131', count: 1, over_limit_units: 755 }, { service_code: '216283', count: 1, over_limit_units: -30 },
      { service_code: '216100', count: 1, over_limit_units: 18 }] }] });
  assert.equal(r.code, 0, r.err);
  const o = r.json.offices[0];
  assert.deepEqual([o.in_limit_units, o.over_limit_units, o.total_cost, o.claim, o.user_share, o.full_pay],
    [22050, 725, 244755, 220279, 24476, 8047]);
  // units and the limit flag came from the service-code master (data/service-codes.csv)
  assert.equal(o.lines[0].units, 755);
  assert.equal(o.lines[2].limit_exempt, true);
  assert.deepEqual(r.json.limit_exempt_lines.map((l) => [l.units, l.total_cost, l.claim, l.user_share, l.full_pay]),
    [[540, 5994, 5394, 600, 0], [0, 0, 0, 0, 199]]);
  assert.deepEqual(r.json.total, { in_limit_units: 22050, over_limit_units: 725, total_cost: 250749, claim: 225673, user_share: 25076, full_pay: 8246 });
});

test('benefit-math §7.2: the limit from the level and month, over-limit units by the default allocation', () => {
  const r = run({ month: '2026-04', care_level: '21', benefit_rate: 90, offices: [{
    office_no: '1310000001', service_type: '11', grade: 1, lines: [{ service_code: '111211', units: 425, count: 40 }] }] });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.limit_units, 16765);
  const o = r.json.offices[0];
  assert.equal(o.unit_price, '11.40'); // 1級地 × 70% (訪問介護)
  assert.deepEqual([o.in_limit_units, o.over_limit_units, o.total_cost, o.claim, o.user_share, o.full_pay],
    [16765, 235, 191121, 172008, 19113, 2679]);
});

test('refusals name the member; extra members are ignored; the master file is checked', () => {
  let r = run({ month: '2026-13', care_level: '21', offices: [] });
  assert.equal(r.code, 1);
  assert.match(r.err, /month/);
  r = run({ month: '2026-04', care_level: '21', offices: [{ office_no: '1310000001', service_type: '11', unit_price: '11.40', lines: [{ service_code: '111211', units: 'many' }] }] });
  assert.equal(r.code, 1);
  assert.match(r.err, /offices\[0\]\.lines\[0\]\.units: 整数/);
  r = run({ month: '2026-04', care_level: '21', offices: [{ office_no: '1310000001', service_type: '11', lines: [] }] });
  assert.match(r.err, /unit_price、地域区分\(grade\)、市町村コード\(municipality\)のいずれかが必要です/);
  r = run({ month: '2026-04', care_level: '21', offices: [{ office_no: '1310000001', service_type: '11', unit_price: '11.40',
    lines: [{ service_code: '111211', units: 425, count: 40, over_limit_units: 100 }] }] });
  assert.equal(r.code, 1);
  assert.match(r.err, /235単位超えています/);
  r = run({ month: '2026-04', care_level: '21', software: 'X', offices: [{ office_no: '1310000001', service_type: '11', unit_price: 11.4, memo: 'ok',
    lines: [{ service_code: '111211', units: 100, count: 1, name: '身体2' }] }] });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.total.total_cost, 1140);
  r = run('{"month":"2026-04",');
  assert.equal(r.code, 1);
  assert.match(r.err, /JSON/);
  const bad = join(dir, 'codes.csv');
  writeFileSync(bad, '保険者番号,サービス種類コード\n1,2\n');
  r = run({ month: '2026-04', care_level: '21', offices: [] }, ['--codes', bad]);
  assert.equal(r.code, 1);
  assert.match(r.err, /codes\.csv:1:1\(保険者番号\)/);
});

test('an office priced by its municipality: 地域区分 imported as data, looked up for the month', () => {
  const db = join(dir, 'chiiki.db');
  const bad = writeCsv(dir, 'chiiki-bad.csv', ['市町村コード,市町村名,級地,適用開始日,適用終了日', '131016,千代田区,9級地,2024-04-01,2027-03-31']);
  let r = kaigo(['import', 'chiiki', bad, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /chiiki-bad\.csv:2:3\(級地\): 級地は 1〜7/);
  const ok = writeCsv(dir, 'chiiki.csv', ['市町村コード,市町村名,級地,適用開始日,適用終了日',
    '131016,千代田区,1級地,2024-04-01,2027-03-31', '122190,市原市,その他,R6.4.1,R9.3.31']);
  r = kaigo(['import', 'chiiki', ok, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const c = (municipality) => ({ month: '2026-04', care_level: '21', offices: [{ office_no: '1310000001', service_type: '11', municipality,
    lines: [{ service_code: '111211', units: 387, count: 10 }] }] });
  r = run(c('131016'), ['--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.offices[0].unit_price, '11.40'); // 1級地 × 70% (訪問介護)
  assert.equal(r.json.offices[0].total_cost, Math.floor(3870 * 11.4));
  r = run(c('122190'), ['--db', db]);
  assert.equal(r.json.offices[0].unit_price, '10.00'); // その他
  r = run(c('131016'));
  assert.equal(r.code, 1);
  assert.match(r.err, /--db/);
  r = run(c('011002'), ['--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /市町村 011002 のこの月の地域区分がありません/);
});

test('--upsikyu: the computed table as the CSV standard\'s UPSIKYU file, subtotal and total rows, read back by exchange check', () => {
  const out = join(dir, 'upsikyu');
  mkdirSync(out);
  const r = run({ month: '2019-04', care_level: '23', limit_units: 26931, benefit_rate: 90,
    insurer_no: '122192', insured_no: '0000000001', created: '2019-03-25', plan_office: '1270100017',
    offices: [{ office_no: '9070000060', name: 'ショートステイ"さくら"', service_type: '21', unit_price: '11.10', lines: [
      { service_code: '211131', count: 30 }, { service_code: '216283', count: 20 }, { service_code: '216100', count: 30 },
      { service_code: '211131', count: 1, over_limit_units: 755, over_30_days: true },
      { service_code: '216283', count: 1, over_limit_units: -30, over_30_days: true },
      { service_code: '216100', count: 1, over_limit_units: 18, over_30_days: true }] }] },
    ['--upsikyu', out, '--to', '9070000060:21', '--stamp', '20190325120000']);
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(out);
  assert.deepEqual(files, ['UPSIKYU_201904_1270100017_43_9070000060_21_20190325120000.CSV']);
  const bytes = readFileSync(join(out, files[0]));
  const text = spawnSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).stdout.toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  const rows = text.trimEnd().split('\r\n').map((l) => l.split(','));
  assert.ok(rows.every((f) => f.length === 37));
  // the managed lines in input order, the type's subtotal, the lines outside the limit, the grand total
  assert.deepEqual(rows.map((f) => f[8]), ['211131', '216283', '211131', '216283', '21AAAA', '216100', '216100', '999999']);
  assert.deepEqual(rows.map((f) => f[6]), [...Array(7).fill('9070000060'), '9999999999']);
  assert.equal(rows[0][5], '"ショートステイ""さくら"""');
  // a line: 単位数, 回数, サービス単位, 給付管理単位数; the office's amounts only on the subtotal
  assert.deepEqual([rows[0][12], rows[0][15], rows[0][16], rows[0][17], rows[0][23]], ['755', '30', '22650', '22650', '']);
  const a = rows[4]; // 21AAAA: 区分超, 区分内, 単価, 費用総額, 給付率, 請求額, 利用者負担, 全額負担
  assert.deepEqual([a[12], a[15], a[20], a[21], a[22], a[23], a[24], a[25], a[27], a[28]],
    ['0', '0', '725', '22050', '11.10', '244755', '90', '220279', '24476', '8047']);
  // the add-on outside the limit is priced alone; 給付管理単位数 is Null
  assert.deepEqual([rows[5][17], rows[5][21], rows[5][23], rows[5][25], rows[5][27]], ['', '540', '5994', '5394', '600']);
  assert.deepEqual([rows[6][20], rows[6][28]], ['18', '199']);
  const t = rows[7];
  assert.deepEqual([t[12], t[15], t[20], t[21], t[22], t[23], t[24], t[25], t[27], t[28]],
    ['0', '0', '725', '22050', '', '250749', '', '225673', '25076', '8246']);
  assert.deepEqual([t[0], t[1], t[2], t[3], t[4], t[33], t[35]], ['202407', '122192', '0000000001', '20190325', '201904', '1270100017', '1270100017']);
  // No.33 ３０日超区分 on every row: 1 on the lines beyond 30 days (記載例33-1's 31st day), else 0
  assert.deepEqual(rows.map((f) => f[32]), ['0', '0', '1', '1', '0', '0', '1', '0']);
  // kaigo reads its own file as valid, and writes it back byte for byte
  const back = join(dir, 'back');
  mkdirSync(back);
  const c = kaigo(['exchange', 'check', join(out, files[0]), '--rewrite', back]);
  assert.equal(c.code, 0, c.err);
  assert.deepEqual(readFileSync(join(back, files[0])), bytes);
});

// 記載例6 of 「平成27年度制度改正における様式記載例パターン」 (事業対象者, 保険者独自(定額) services, over the limit;
// read in a transcription - docs/sheet7.md): the same figures through the binary and in the UPSIKYU file.
test('記載例6: 事業対象者 with 定額 services over the municipality\'s limit - shares, claims, 全額負担, 給付率 empty', () => {
  const out = join(dir, 'kisairei6');
  mkdirSync(out);
  const r = run({ month: '2015-04', care_level: '06', limit_units: 10473, benefit_rate: 90,
    insurer_no: '122192', insured_no: '0000000001', created: '2015-03-25', plan_office: '1270100017',
    offices: [
      { office_no: '90A0100040', name: '○○事業所', service_type: 'A4', unit_price: '10.35', lines: [
        { service_code: 'A41001', units: 401, count: 5, fixed_user_charge: 414, over_limit_units: 0 },
        { service_code: 'A41002', units: 401, count: 5, fixed_user_charge: 777, over_limit_units: 505 }] },
      { office_no: '90A0100060', name: '□□事業所', service_type: 'A4', unit_price: '10.35', lines: [
        { service_code: 'A41003', units: 871, count: 8, fixed_user_charge: 871, over_limit_units: 0 }] }] },
    ['--upsikyu', out, '--to', '90A0100040:A4', '--stamp', '20150325120000']);
  assert.equal(r.code, 0, r.err);
  const [a, b] = r.json.offices;
  assert.deepEqual([a.over_limit_units, a.total_cost, a.claim, a.user_share, a.full_pay], [505, 36276, 31300, 4976, 5226]);
  assert.deepEqual(a.lines.map((l) => l.fixed_user_share), [2070, 2906]);
  assert.deepEqual([b.total_cost, b.claim, b.user_share], [72118, 65150, 6968]);
  const files = readdirSync(out);
  const rows = readFileSync(join(out, files[0])).toString('latin1').trimEnd().split('\r\n').map((l) => l.split(','));
  // ○○: two lines (No.27 on each), the A4AAAA subtotal with the amounts; □□: one line carrying them; the total
  assert.deepEqual(rows.map((f) => f[8]), ['A41001', 'A41002', 'A4AAAA', 'A41003', '999999']);
  assert.deepEqual(rows.map((f) => f[26]), ['414', '777', '', '871', '']);
  const sub = rows[2]; // 区分超, 区分内, 単価, 費用総額, 給付率 (empty), 請求額, 利用者負担, 全額負担
  assert.deepEqual([sub[20], sub[21], sub[22], sub[23], sub[24], sub[25], sub[27], sub[28]],
    ['505', '3505', '10.35', '36276', '', '31300', '4976', '5226']);
  assert.deepEqual([rows[3][23], rows[3][24], rows[3][25], rows[3][27]], ['72118', '', '65150', '6968']);
  const c = kaigo(['exchange', 'check', join(out, files[0])]);
  assert.equal(c.code, 0, c.err + c.out);
});

// 総合事業 (issue #17 §1): a 事業対象者 (06) with the insurer's limit, a 定額 line over it. DERIVED vector
// (worked by hand from the rule, as u-sheet7 t_sogo_fixed; no MHLW 記載例 with 定額 over the limit was found).
test('総合事業: 事業対象者 with the insurer\'s limit, a 定額 user charge prorated over the limit, col 27 of UPSIKYU', () => {
  const sogo = { month: '2026-04', care_level: '06', limit_units: 5032, benefit_rate: 90,
    insurer_no: '122192', insured_no: '0000000001', created: '2026-03-25', plan_office: '1270100017',
    offices: [
      { office_no: '1310000001', service_type: 'A6', unit_price: '10.00', lines: [{ service_code: 'A61111', units: 1798, count: 1 }] },
      { office_no: '1310000002', service_type: 'A8', unit_price: '10.00', lines: [{ service_code: 'A81001', units: 300, count: 12, fixed_user_charge: 250 }] }] };
  const out = join(dir, 'sogo');
  mkdirSync(out);
  const r = run(sogo, ['--upsikyu', out, '--to', '1310000002:A8', '--stamp', '20260325120000']);
  assert.equal(r.code, 0, r.err);
  const [a6, a8] = r.json.offices;
  assert.deepEqual([a6.total_cost, a6.claim, a6.user_share], [17980, 16182, 1798]);
  assert.deepEqual([a8.in_limit_units, a8.over_limit_units, a8.total_cost, a8.claim, a8.user_share, a8.full_pay],
    [3234, 366, 32340, 29645, 2695, 3660]);
  assert.deepEqual([a8.lines[0].fixed_user_charge, a8.lines[0].fixed_user_share], [250, 2695]);
  assert.equal(a6.lines[0].fixed_user_charge, undefined); // 定率 lines as before
  assert.deepEqual(r.json.total, { in_limit_units: 5032, over_limit_units: 366, total_cost: 50320, claim: 45827, user_share: 4493, full_pay: 3660 });
  // the UPSIKYU row of the 定額 line carries 定額利用者負担単価金額 (No.27); it reads back
  const files = readdirSync(out);
  const bytes = readFileSync(join(out, files[0]));
  const rows = bytes.toString('latin1').trimEnd().split('\r\n').map((l) => l.split(','));
  const row = rows.find((f) => f[8] === 'A81001');
  assert.deepEqual([row[26], row[27], row[25], row[24]], ['250', '2695', '29645', '']); // 定額 only: 給付率 empty
  assert.equal(rows.find((f) => f[8] === 'A61111')[24], '90');
  assert.equal(rows.find((f) => f[8] === 'A61111')[26], '');
  const c = kaigo(['exchange', 'check', join(out, files[0])]);
  assert.equal(c.code, 0, c.err + c.out);
  // without the insurer's limit a 事業対象者 is refused with the reason
  const r2 = run({ ...sogo, limit_units: undefined });
  assert.equal(r2.code, 1);
  assert.match(r2.err, /事業対象者の支給限度額は市町村/);
  const r3 = run({ ...sogo, offices: [{ ...sogo.offices[1], lines: [{ service_code: 'A81001', units: 300, count: 12, fixed_user_charge: 100000 }] }] });
  assert.equal(r3.code, 1);
  assert.match(r3.err, /fixed_user_charge/);
});

test('--upsikyu refuses without the person, the plan office or the addressee', () => {
  const base = { month: '2026-04', care_level: '21', offices: [{ office_no: '1310000001', service_type: '11', grade: 1,
    lines: [{ service_code: '111211', units: 425, count: 40 }] }] };
  let r = run(base, ['--upsikyu', dir, '--to', '1310000001:11']);
  assert.equal(r.code, 1);
  assert.match(r.err, /UPSIKYU を書くには insurer_no が必要です/);
  r = run({ ...base, insurer_no: '122192', insured_no: '0000000001', created: '20260325', plan_office: '127010001' },
    ['--upsikyu', dir, '--to', '1310000001:11']);
  assert.equal(r.code, 1);
  assert.match(r.err, /plan_office: 居宅介護支援事業所の事業所番号は数字10桁です/);
  r = run({ ...base, insurer_no: '122192', insured_no: '0000000001', created: '2026-02-30', plan_office: '1270100017' },
    ['--upsikyu', dir, '--to', '1310000001:11']);
  assert.match(r.err, /created: 作成年月日/);
  r = run(base, ['--upsikyu', dir]);
  assert.equal(r.code, 2);
  // a table the standard's widths cannot hold is not written (単位数 is 6 digits)
  r = run({ ...base, insurer_no: '122192', insured_no: '0000000001', created: '20260325', plan_office: '1270100017',
    limit_units: 99999999, offices: [{ ...base.offices[0], lines: [{ service_code: '111211', units: 1234567, count: 1 }] }] },
    ['--upsikyu', dir, '--to', '1310000001:11', '--stamp', '20260325120000']);
  assert.equal(r.code, 1);
  assert.match(r.err, /:1:13\(単位数\): /);
  assert.match(r.err, /桁数に収まらないため書き出しません/);
  assert.ok(!readdirSync(dir).some((f) => f.startsWith('UPSIKYU_202604')));
});

// Issue #17 §1: a case given as v3 (csv_version 202208) is written as a v3 第7表: 34 items (no TAISコード,
// 福祉用具届出コード, 用具名称) under a v3 name, and reads back by the v3 layout
test('--upsikyu with csv_version 202208: a v3 第7表 of 34 items that reads back', () => {
  const out = join(dir, 'v3upsikyu');
  mkdirSync(out);
  const r = run({ month: '2019-04', care_level: '23', limit_units: 26931, benefit_rate: 90, csv_version: '202208',
    insurer_no: '122192', insured_no: '0000000001', created: '2019-03-25', plan_office: '1270100017',
    offices: [{ office_no: '9070000060', name: 'ショートステイさくら', service_type: '21', unit_price: '11.10', lines: [
      { service_code: '211131', count: 30 }] }] },
    ['--upsikyu', out, '--to', '9070000060:21', '--stamp', '20190325120000']);
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(out);
  assert.deepEqual(files, ['UPSIKYU_201904_1270100017_9070000060_20190325120000.CSV']);
  const text = spawnSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: readFileSync(join(out, files[0])) }).stdout.toString('utf8');
  const rows = text.trimEnd().split('\r\n').map((l) => l.split(','));
  assert.ok(rows.every((f) => f.length === 34 && f[0] === '202208'), rows.map((f) => f.length).join(','));
  assert.equal(rows[0][8], '211131');
  assert.equal(rows[0][9], '755', 'No.10 is 単位数 in v3');
  const c = kaigo(['exchange', 'check', join(out, files[0])]);
  assert.equal(c.code, 0, c.err);
});

// Issue #17 §2: a character outside MS932 (JIS X 0213's 𠮷 in an office name) is never a silent '?': every one
// is named with its file, line, item and person and the file is not written; --substitute writes 〓 (0x81AC).
test('--upsikyu: a character outside MS932 is named and refused, or written 〓 with --substitute', () => {
  const out = join(dir, 'jisx0213');
  mkdirSync(out);
  const doc = { month: '2019-04', care_level: '23', limit_units: 26931, benefit_rate: 90,
    insurer_no: '122192', insured_no: '0000000001', created: '2019-03-25', plan_office: '1270100017',
    offices: [{ office_no: '9070000060', name: '𠮷野ショートステイ', service_type: '21', unit_price: '11.10', lines: [
      { service_code: '211131', count: 30 }] }] };
  let r = run(doc, ['--upsikyu', out, '--to', '9070000060:21', '--stamp', '20190325120000']);
  assert.equal(r.code, 1);
  assert.match(r.err, /UPSIKYU_201904_1270100017_43_9070000060_21_20190325120000\.CSV:\d+:6\(サービス事業所名\): 被保険者 122192\/0000000001 の「𠮷」\(U\+20BB7\) は MS932 にありません/);
  assert.match(r.err, /MS932 にない文字が 1 文字あるため書き出せません/);
  assert.deepEqual(readdirSync(out), []);
  r = run(doc, ['--upsikyu', out, '--to', '9070000060:21', '--stamp', '20190325120000', '--substitute']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /の「𠮷」\(U\+20BB7\) は MS932 にありません。〓 に置き換えました/);
  const bytes = readFileSync(join(out, readdirSync(out)[0]));
  const text = spawnSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).stdout.toString('utf8');
  assert.match(text, /"〓野ショートステイ"/);
  assert.ok(!bytes.includes(0x3f), 'no "?" anywhere');
});

// 記載例33-1 as a stored send unit for --person: the care manager's 第7表 written by kaigo itself (the 31st day's
// lines marked 30日超 when marked), its 第6表 from lines(line) and its 補足; returns the unit's files
const P = { INS: '122192', NO: '0000000001', KYO: '1270100017', SS: '9070000060', V: '202407', stamp: '20190325120000' };
const q7 = (t) => '"' + t + '"';
function storedKisairei33(units, marked, lines) {
  mkdirSync(units);
  const r = run({ month: '2019-04', care_level: '23', limit_units: 26931, benefit_rate: 90, insurer_no: P.INS, insured_no: P.NO,
    created: '2019-03-25', plan_office: P.KYO, offices: [{ office_no: P.SS, name: 'ショートステイさくら', service_type: '21', unit_price: '11.10', lines: [
      { service_code: '211131', count: 30 }, { service_code: '216283', count: 20 }, { service_code: '216100', count: 30 },
      { service_code: '211131', count: 1, over_limit_units: 755, over_30_days: marked },
      { service_code: '216283', count: 1, over_limit_units: -30, over_30_days: marked },
      { service_code: '216100', count: 1, over_limit_units: 18, over_30_days: marked }] }] },
    ['--upsikyu', units, '--to', `${P.SS}:21`, '--stamp', P.stamp]);
  assert.equal(r.code, 0, r.err);
  const cp932 = (text) => spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text) }).stdout;
  const put = (name, rows) => writeFileSync(join(units, name), cp932(rows.map((x) => x.join(',')).join('\r\n') + '\r\n'));
  // a 第6表 line: the code, its first day, its count and its ３０日超区分
  const line = (code, day, count, over30) => [P.V, P.INS, P.NO, '20190325', '201904', P.KYO, q7('ケア　太郎'), '', '', `201904${day}`, '', '9999', '9999',
    String(count), code, '', '', q7(''), '', P.SS, q7('ショートステイさくら'), '', over30 ? '1' : '0', P.KYO, ''];
  put(`UPPLAN_201904_${P.KYO}_43_${P.SS}_21_${P.stamp}.CSV`, lines(line));
  const slots = Array.from({ length: 36 }, (_, k) => (k === 0 ? '21' : k < 4 ? '0' : ''));
  put(`UPHOSOKU_201904_${P.KYO}_43_${P.SS}_21_${P.stamp}.CSV`, [[P.V, P.INS, P.NO, '00000000', q7('カナ'), q7('氏名'), '2', '19400402', '290-0001',
    q7('住所'), q7(''), '0436-00-0000', '20190305', '20190401', '20200331', '2', '', '23', '26931', ...slots, '0', '', '', '23', P.KYO, P.KYO, '', '201904']]);
  return readdirSync(units).map((f) => join(units, f));
}

// the 31st day as the 第6表 marks it (No.23 ３０日超区分 1): a 第7表 line of its own, its allocation matched by
// No.33 - 記載例33-1's shape from the stored plan
test('--person: 第6表 days marked 30日超 become their own 第7表 lines, matched with the sent 第7表\'s No.33', () => {
  const db = fixture(tmp());
  const files = storedKisairei33(join(dir, 'unit7-30'), true, (line) => [line('211131', '01', 30, false), line('216283', '01', 20, false),
    line('216100', '01', 30, false), line('211131', '30', 1, true), line('216283', '30', 1, true), line('216100', '30', 1, true)]);
  let r = kaigo(['exchange', 'import', ...files, '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['sheet7', '--person', `${P.INS}/${P.NO}`, '--month', '201904', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /送信された第7表と一致します/);
  const j = JSON.parse(r.out);
  const lines = j.offices[0].lines.map((l) => [l.service_code, l.count, l.over_limit_units, l.over_30_days === true]);
  assert.deepEqual(lines, [['211131', 30, 0, false], ['216283', 20, 0, false], ['216100', 30, 0, false],
    ['211131', 1, 755, true], ['216283', 1, -30, true], ['216100', 1, 18, true]]);
  assert.deepEqual(j.total, { in_limit_units: 22050, over_limit_units: 725, total_cost: 250749, claim: 225673, user_share: 25076, full_pay: 8246 });
});

test('--person: the 第7表 from the stored 第6表 and 補足, checked against the sent 第7表', () => {
  const db = fixture(tmp());
  const { INS, NO, KYO, SS } = P;
  const units = join(dir, 'unit7');
  // its 第6表: one line per service code with the month's count (units from the service-code master)
  const files = storedKisairei33(units, false, (line) => [line('211131', '01', 31, false), line('216283', '01', 21, false),
    line('216100', '01', 31, false)]);
  const cp932 = (text) => spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text) }).stdout;
  let r = kaigo(['exchange', 'import', ...files, '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['sheet7', '--person', `${INS}/${NO}`, '--month', '201904', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /送信された第7表と一致します/);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.total, { in_limit_units: 22050, over_limit_units: 725, total_cost: 250749, claim: 225673, user_share: 25076, full_pay: 8246 });
  // a resent 第7表 with a wrong total cost is caught
  const sent = spawnSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: readFileSync(files.find((f) => f.includes('UPSIKYU'))) }).stdout.toString();
  const wrong = sent.replace(',244755,', ',244756,');
  assert.notEqual(wrong, sent);
  const later = join(units, `UPSIKYU_201904_${KYO}_43_${SS}_21_20190326120000.CSV`);
  writeFileSync(later, cp932(wrong));
  r = kaigo(['exchange', 'import', later, '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['sheet7', '--person', `${INS}/${NO}`, '--month', '201904', '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /差異: 事業所 9070000060 種類 21 費用総額 送信 244756 \/ 計算 244755/);
  assert.match(r.err, /1 箇所が異なります/);
  // a month without a 第6表; usage
  r = kaigo(['sheet7', '--person', `${INS}/${NO}`, '--month', '201905', '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /この月の第6表\(予定\)が取り込まれていません/);
  assert.equal(kaigo(['sheet7', '--person', `${INS}/${NO}`, '--db', db]).code, 2);
  assert.equal(kaigo(['sheet7', '--person', `${INS}/${NO}`, '--month', '201904', '--price', '9070000060=abc', '--db', db]).code, 2);
});
