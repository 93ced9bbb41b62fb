// caseload.test.mjs - `kaigo caseload`: 取扱件数 against the staffing standard, the 逓減制 tiers,
// and the monitoring due list per care manager (issue #5 §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmp, kaigo } from './lib.mjs';

const dir = tmp();
const run = (obj, extra = []) => {
  const f = join(dir, `cl-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(obj));
  return kaigo(['caseload', f, ...extra]);
};
const day = (i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10);

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
  // the same office billed alone on CM-A's numbers: 47 cases at 1 FTE → 2 cases in (ⅱ)
  const solo = run({ month: '2026-04', managers: [{ id: 'CM-A', fte: 1 }], cases: cases.filter((c) => c.manager === 'CM-A') }, ['--json']);
  const o = JSON.parse(solo.out).office;
  assert.deepEqual([o.tier1_cases, o.tier2_cases, o.tier3_cases], [44, 2, 0]);
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
