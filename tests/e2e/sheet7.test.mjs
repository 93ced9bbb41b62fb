// sheet7.test.mjs - `kaigo sheet7`: the official example 記載例33-1 and the synthetic vector of
// benefit-math.md §7 through the real binary, defaults from data, and refusals (issue #5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmp, kaigo, writeCsv } from './lib.mjs';

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
