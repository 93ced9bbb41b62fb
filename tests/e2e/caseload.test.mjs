// caseload.test.mjs - `kaigo caseload`: 取扱件数 against the staffing standard, the 逓減制 tiers,
// and the monitoring due list per care manager (issue #5 §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, newDb, sqlite } from './lib.mjs';

const dir = tmp();
const run = (obj, extra = []) => {
  const f = join(dir, `cl-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(obj));
  return kaigo(['caseload', f, ...extra]);
};
const day = (i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10);

// RULE-CM-004: 介護予防ケアマネジメント (総合事業) is not 指定介護予防支援 - 事業対象者, and 要支援 marked yobo_cm, are
// not counted (vector DERIVED from the text of 人員基準 第2条 and the 告示, which name only 指定介護予防支援)
test('事業対象者 and 介護予防ケアマネジメント cases are shown but not counted in 取扱件数', () => {
  const cases = [];
  for (let i = 0; i < 44; i++) cases.push({ id: `a${i}`, manager: 'CM-A', level: '21', contract: day(10 + i) });
  cases.push({ id: 'j0', manager: 'CM-A', level: '06', contract: day(0) });
  cases.push({ id: 'j1', manager: 'CM-A', level: '06', contract: day(1) });
  cases.push({ id: 's0', manager: 'CM-A', level: '12', contract: day(2), yobo_cm: true });
  cases.push({ id: 's1', manager: 'CM-A', level: '13', contract: day(3) }); // 指定介護予防支援: 1/3
  let r = run({ month: '2026-04', fee: 'I', managers: [{ id: 'CM-A', fte: 1 }], cases }, ['--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual([j.office.care_cases, j.office.support_cases, j.office.yobo_cm_cases, j.office.caseload_per_fte,
    j.office.tier1_cases, j.office.tier2_cases], [44, 1, 3, '44.33', 44, 0]);
  r = run({ month: '2026-04', fee: 'I', managers: [{ id: 'CM-A', fte: 1 }], cases });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /介護予防ケアマネジメント\(総合事業\)3 件は取扱件数に数えません/);
  r = run({ month: '2026-04', fee: 'I', managers: [{ id: 'CM-A', fte: 1 }], cases: [{ ...cases[46], yobo_cm: 'yes' }] });
  assert.equal(r.code, 1);
  assert.match(r.err, /yobo_cm/);
});

test('an office over the line: tiers in contract order, 要支援 at 1/3, the standard per care manager', () => {
  // CM-A: 46 要介護 + 3 要支援 (=47 cases); CM-B: 10 要介護 at 0.5 FTE (=20 per FTE)
  const cases = [];
  for (let i = 0; i < 3; i++) cases.push({ id: `s${i}`, manager: 'CM-A', level: '12', contract: day(i), last_home_visit: '2026-01-20' });
  for (let i = 0; i < 46; i++) cases.push({ id: `a${i}`, manager: 'CM-A', level: i % 2 ? '21' : '23', contract: day(10 + i), last_home_visit: '2026-03-31' });
  for (let i = 0; i < 10; i++) cases.push({ id: `b${i}`, manager: 'CM-B', level: '22', contract: day(100 + i), last_home_visit: i === 0 ? '2026-02-01' : '2026-04-03', video_ok: i === 1 });
  const r = run({ month: '2026-04', fee: 'I', managers: [{ id: 'CM-A', fte: 1 }, { id: 'CM-B', fte: 0.5 }], cases }, ['--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  // office: 56 要介護 + 1 (3 × 1/3) = 57 over 1.5 FTE = 38.00 per FTE; boundaries 67.5 and 90: all (ⅰ)
  assert.equal(j.office.caseload_per_fte, '38.00');
  assert.equal(j.office.tier1_cases, 56);
  assert.equal(j.office.over_standard, false);
  const a = j.managers.find((m) => m.id === 'CM-A');
  assert.equal(a.caseload_per_fte, '47.00');
  assert.equal(a.over_standard, true); // over 44
  const b = j.managers.find((m) => m.id === 'CM-B');
  assert.equal(b.caseload_per_fte, '20.00');
  // the due list: 要介護 monthly (overdue since February's visit), 要支援 every 3 months
  assert.deepEqual(b.home_visits_due.find((x) => x.case === 'b0'), { case: 'b0', level: '22', due: '2026-03-31', overdue: true, video_ok: false });
  assert.equal(a.home_visits_due.find((x) => x.case === 's0').due, '2026-04-30');
  // the same office billed alone on CM-A's numbers: 47 cases at 1 FTE; the 3 要支援 (contracted first) are
  // case 1, so the j-th 要介護 is case 1 + j, (ⅰ) while 1 + j < 45 (Q&A Vol.1 問114) → 43 (ⅰ), 3 (ⅱ)
  const solo = run({ month: '2026-04', managers: [{ id: 'CM-A', fte: 1 }], cases: cases.filter((c) => c.manager === 'CM-A') }, ['--json']);
  const o = JSON.parse(solo.out).office;
  assert.deepEqual([o.tier1_cases, o.tier2_cases, o.tier3_cases], [43, 3, 0]);
  // (Ⅱ): the first boundary at 50, the standard 49
  const two = JSON.parse(run({ month: '2026-04', fee: 'II', managers: [{ id: 'CM-A', fte: 1 }], cases: cases.filter((c) => c.manager === 'CM-A') }, ['--json']).out);
  assert.deepEqual([two.office.tier1_cases, two.office.standard, two.office.over_standard], [46, 49, false]);
  // the text view in Japanese
  const t = run({ month: '2026-04', managers: [{ id: 'CM-A', fte: 1 }], cases: cases.filter((c) => c.manager === 'CM-A') });
  assert.match(t.out, /取扱件数 令和8年4月/);
  assert.match(t.out, /基準 44 件、超えています/);
});

test('refusals name the member', () => {
  let r = run({ month: '2026-04', managers: [{ id: 'CM-A', fte: 0 }], cases: [] });
  assert.equal(r.code, 1);
  assert.match(r.err, /managers\[0\]/);
  r = run({ month: '2026-04', managers: [{ id: 'CM-A', fte: 1 }], cases: [{ id: 'x', manager: 'CM-Z', level: '21', contract: '2024-01-01' }] });
  assert.match(r.err, /manager が managers にありません/);
  r = run({ month: '2024-03', managers: [{ id: 'CM-A', fte: 1 }], cases: [] });
  assert.match(r.err, /令和6年4月以降/);
});

test('--office: the month counted from the stored 第6表, levels from the 補足, contract order from the 1表, each person audited', () => {
  const d = tmp();
  const db = newDb(d);
  assert.equal(kaigo(['demo', 'generate', '--insurers', '1', '--persons', '6', '--seed', '1', join(d, 'demo')]).code, 0);
  assert.equal(kaigo(['import', 'insured', join(d, 'demo', 'insured.csv'), '--db', db, '--quiet']).code, 0);
  const INS = '012021', KYO = '1270100017', OTHER = '1270100025', PROV = '1370100018', V = '202407';
  const q = (t) => '"' + t + '"';
  const no = (i) => `100000000${i}`;
  const cp932 = (text) => spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text) }).stdout;
  const put = (name, rows) => { const p = join(d, name); writeFileSync(p, cp932(rows.map((r) => r.join(',')).join('\r\n') + '\r\n')); return p; };
  const plan = (i, office, manager) => [V, INS, no(i), '20260325', '202604', office, q(manager), '658', '', '20260401', '', '0930', '1600', '1',
    '151111', '', '', q(''), '', PROV, q('デイサービスさくら'), '', '0', office, ''];
  const slots = Array.from({ length: 36 }, (_, k) => (k === 0 ? '15' : k < 4 ? '0' : ''));
  const hosoku = (i, level, ym = '202604') => [V, INS, no(i), '00000000', q('カナ'), q('氏名'), '2', '19400402', '290-0001', q('住所'), q(''), '0436-00-0000',
    '20240305', '20240401', '20280331', '2', '', level, '16765', ...slots, '0', '', '', level, KYO, KYO, '', ym];
  const kyo1 = (i, first) => [V, INS, no(i), '20260401', '290-0001', q('住所'), q(''), q('ケア　太郎'), q('あおば'), '290-0002', q('住所'), q(''),
    KYO, '20260401', first, '21', '2', '20240305', '20240401', '20280331', '21', q(''), q(''), q(''), '1', q(''), KYO, ''];
  // persons 1–4 and 6 are the office's (6 without a 補足), 5 another office's
  const files = [
    put(`UPPLAN_202604_${KYO}_43_${PROV}_15_20260325120000.CSV`, [plan(1, KYO, 'ケア　太郎'), plan(2, KYO, 'ケア　太郎'),
      plan(3, KYO, 'ケア　花子'), plan(4, KYO, 'ケア　花子'), plan(6, KYO, 'ケア　花子')]),
    put(`UPHOSOKU_202604_${KYO}_43_${PROV}_15_20260325120000.CSV`, [hosoku(1, '21'), hosoku(2, '23'), hosoku(3, '12'), hosoku(4, '22')]),
    put(`UP1KYO_${KYO}_43_${PROV}_15_20260325120000.CSV`, [kyo1(1, '20240501'), kyo1(2, '20230101')]),
    put(`UPPLAN_202604_${OTHER}_43_${PROV}_15_20260325130000.CSV`, [plan(5, OTHER, 'ほか')]),
  ];
  let r = kaigo(['exchange', 'import', ...files, '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-04', '--fte', 'ケア　花子=0.5', '--json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`${INS}/${no(6)}: この月の利用者補足情報\\(要介護状態区分\\)がないため数えていません`));
  const j = JSON.parse(r.out);
  // 3 要介護 + 1 要支援 × 1/3 over 1.5 FTE
  assert.deepEqual([j.office.care_cases, j.office.support_cases, j.office.fte, j.office.caseload_per_fte], [3, 1, '1.50', '2.22']);
  assert.deepEqual(j.managers.map((m) => [m.id, m.caseload_per_fte, m.visits_recorded, m.cases.map((c) => [c.case, c.level])]), [
    // in contract order: person 2's first plan (2023-01-01) before person 1's (2024-05-01)
    ['ケア　太郎', '2.00', false, [[`${INS}/${no(2)}`, '23'], [`${INS}/${no(1)}`, '21']]],
    ['ケア　花子', '2.67', false, [[`${INS}/${no(3)}`, '12'], [`${INS}/${no(4)}`, '22']]],
  ]);
  // every person of the office's 6表 was decided and audited (計画); the other office's was not read
  const audited = sqlite(db + '.audit', `SELECT group_concat(insured_no) FROM (SELECT insured_no FROM audit_v WHERE category='careplan' ORDER BY insured_no) AS p`).out;
  assert.equal(audited, [1, 2, 3, 4, 6].map(no).join(','));
  // the text form says that visits are not recorded
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-04', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /要介護 3 件 \+ 要支援 1 件 × 1\/3/);
  assert.match(r.out, /モニタリング訪問の記録が kaigo にないため期限は示しません/);
  // RULE-CM-004: person 3 (要支援1) turns out to be 介護予防ケアマネジメント - its 介護予防サービス・支援計画書 (UPYOBO)
  // says 計画種類 2 - and leaves the count: 3 要介護 over 1.5 FTE
  const yobo = [V, INS, no(3), '20260401', '2', '2', q('R8-001'), q('氏名'), '20260305', '20260401', '20270331', '21', '2', '1',
    q('包括　花子'), q('ケア　花子'), q('あおば'), q('住所'), q('0436-00-0001'), '20250401', q('地域包括支援センター'),
    q('散歩'), q('旅行'), ...Array.from({ length: 4 }, (_, k) => [q(`状況${k}`), q(`意向${k}`), '1', q(`課題${k}`)]).flat(),
    q('血圧'), q('運動'), q('自立'), '3', '1', '0', '1', '2', '0', '1', '2', '2', '2', '1', '2', q('なし'), '20260402', q('氏名')];
  r = kaigo(['exchange', 'import', put(`UPYOBO_${KYO}_43_${PROV}_15_20260325140000.CSV`, [yobo]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-04', '--fte', 'ケア　花子=0.5', '--json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const j2 = JSON.parse(r.out).office;
  assert.deepEqual([j2.care_cases, j2.support_cases, j2.yobo_cm_cases, j2.caseload_per_fte], [3, 0, 1, '2.00']);
  // a month without plans, and usage errors
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-05', '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /2026年05月の第6表が取り込まれていません/);
  assert.equal(kaigo(['caseload', '--office', KYO, '--db', db]).code, 2);
  assert.equal(kaigo(['caseload', '--office', KYO, '--month', '2026-04', '--fte', 'ケア　花子=2', '--db', db]).code, 2);
  // issue 16: プラン担当者名 (No.7, free text) was copied into 48 bytes - two names alike in their first 47 bytes
  // were one care manager (and the cut left half a character in --json). Now whole, and a name too long to hold
  // is refused, never cut.
  const plan5 = (i, manager) => plan(i, KYO, manager).map((x) => (x === '202604' ? '202605' : x === '20260401' ? '20260501' : x));
  const alike = 'ケアマネジャー'.repeat(3); // 21 全角 = 63 bytes
  r = kaigo(['exchange', 'import',
    put(`UPPLAN_202605_${KYO}_43_${PROV}_15_20260425120000.CSV`, [plan5(1, alike + '一'), plan5(2, alike + '二')]),
    put(`UPHOSOKU_202605_${KYO}_43_${PROV}_15_20260425120000.CSV`, [hosoku(1, '21', '202605'), hosoku(2, '21', '202605')]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-05', '--json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out).managers.map((m) => m.id), [alike + '一', alike + '二']);
  const plan6 = (i, manager) => plan5(i, manager).map((x) => (x === '202605' ? '202606' : x === '20260501' ? '20260601' : x));
  r = kaigo(['exchange', 'import',
    put(`UPPLAN_202606_${KYO}_43_${PROV}_15_20260525120000.CSV`, [plan6(1, '長'.repeat(70))]),
    put(`UPHOSOKU_202606_${KYO}_43_${PROV}_15_20260525120000.CSV`, [hosoku(1, '21', '202606')]), '--db', db]);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['caseload', '--office', KYO, '--month', '2026-06', '--db', db]);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /プラン担当者名が長すぎるため数えられません\(191 バイトまで\)/);
});
