// cert.test.mjs - the 要介護認定 workflow from application to decision, 認定調査票 and
// 主治医意見書 (form versions and 同意しない), LIFE feedback, and the 住宅改修・福祉用具 ledger,
// through the real binary and server (issue #4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmp, kaigo, must, sqlite, fixture, startServer, writeCsv, INSURED_HEADER, CERT_HEADER, addUser, totp } from './lib.mjs';

const P = (n) => `/api/v1/insurers/122192/insured/${n}`;
let dir, db, srv;
const tok = {};
const k = (...a) => must(kaigo([...a, '--db', db]));

before(async () => {
  dir = tmp();
  db = fixture(dir);
  k('import', 'insured', writeCsv(dir, 'more.csv', [INSURED_HEADER,
    '122192,0000000003,佐藤　次郎,サトウ　ジロウ,1963-06-01,1,290-0003,千葉県市原市姉崎3-3,2023-06-01,,',
    '122192,0000000004,鈴木　花,スズキ　ハナ,1938-02-02,2,290-0004,千葉県市原市辰巳台4-4,2003-02-01,,',
    '122192,0000000005,田中　𠮷男,タナカ　ヨシオ,1941-07-07,1,290-0005,千葉県市原市国分寺台5-5,2006-07-01,,']), '--quiet');
  k('import', 'certification', writeCsv(dir, 'more-cert.csv', [CERT_HEADER,
    '122192,0000000004,22,2022-05-20,2022-06-20,2022-07-01,2026-06-30,更新,22,,',
    '122192,0000000005,12,2025-03-01,2025-03-20,2025-04-01,2026-03-31,更新,12,,',
    '122192,0000000005,23,2026-02-01,2026-03-10,2026-04-01,2027-03-31,更新,12,,']), '--quiet');
  k('org', 'add', '--id', 'hosp1', '--kind', 'medical', '--name', '市原中央病院');
  k('org', 'add', '--id', 'hosp2', '--kind', 'medical', '--name', '五井クリニック');
  k('org', 'add', '--id', 'kyo1', '--kind', 'kyotaku', '--name', '居宅介護支援事業所あおば');
  for (const o of ['hosp1', 'hosp2', 'kyo1']) tok[o] = k('token', 'issue', '--org', o, '--name', 'e2e').out.trim();
  srv = await startServer(db);
  tok.ins = srv.token;
});
after(async () => { await srv.stop(); });

const post = (t, path, body) => srv.as(t, path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
const get = async (t, path) => { const r = await srv.as(t, path); assert.equal(r.status, 200, await r.clone().text()); return r.json(); };
const versions = (no) => Number(sqlite(db, `SELECT COUNT(*) FROM record_versions WHERE insured_no='${no}' AND kind IN ('application','chosa','ikensho','certification','ledger')`).out);

// a complete 認定調査票: every item answered with its first code
const ITEMS = ['1-1-1', '1-1-2', '1-1-3', '1-1-4', '1-1-5', '1-2-1', '1-2-2', '1-2-3', '1-2-4',
  ...Array.from({ length: 11 }, (_, i) => `1-${i + 3}`), ...Array.from({ length: 12 }, (_, i) => `2-${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `3-${i + 1}`), ...Array.from({ length: 15 }, (_, i) => `4-${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `5-${i + 1}`), ...Array.from({ length: 12 }, (_, i) => `6-${i + 1}`)];
function survey(date, over = {}) {
  const answers = Object.fromEntries(ITEMS.map((i) => [i, '1']));
  answers['7-1'] = 'A1';
  answers['7-2'] = 'IIa';
  return { surveyed: date, investigator: '調査員 一郎', place: '自宅', services_now: '通所介護 週2回', environment: '長女と二人暮らし。玄関に段差あり', answers: { ...answers, ...over }, notes: { '1-7': '杖を使って屋内を歩く' } };
}
const opinion = (written, extra = {}) => ({ written, doctor: '主治医 花子', last_exam: written, times: 1,
  diagnoses: [{ name: '脳梗塞後遺症', onset: '2020-01-10' }], stability: '安定', ...extra });

async function step(no, app, name, body, status = 201) {
  const r = await post(tok.ins, `${P(no)}/applications/${app}/${name}`, body);
  const j = await r.json();
  assert.equal(r.status, status, JSON.stringify(j));
  return j;
}

// runToBoard - survey, opinion (from hosp1 itself), 一次判定 for an application.
async function runToPrimary(no, app, d, ikensho = opinion(d.opinion, { consent: d.opinion < '2026-04-01' ? '同意する' : undefined })) {
  await step(no, app, 'survey', { date: d.assign, investigator: '調査員 一郎' });
  await step(no, app, 'chosa', survey(d.survey));
  await step(no, app, 'opinion-request', { date: d.request, organisation: 'hosp1' });
  const r = await post(tok.hosp1, `${P(no)}/applications/${app}/ikensho`, ikensho);
  assert.equal(r.status, 201, await r.text());
  await step(no, app, 'primary', { date: d.primary, level: d.level, minutes: '62.5' });
}

test('a new application from 申請 to 決定: 申請中 and 資格者証 on the card, invalid steps change nothing, panel (二) updated', async () => {
  let r = await post(tok.ins, `${P('0000000002')}/applications`, { kind: '新規', applied: '2026-04-10', filer: 'person', consent: 'all' });
  let j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  const app = j.id;
  assert.equal(app, 'A20260410-1');
  assert.match(j.message, /2026-05-10/); // 第27条第11項: 30 days
  // a second application while one is pending: conflict
  r = await post(tok.ins, `${P('0000000002')}/applications`, { kind: '新規', applied: '2026-04-11' });
  assert.equal(r.status, 409);
  await step('0000000002', app, 'shikakusha', { date: '2026-04-10' });
  let card = await get(tok.ins, `${P('0000000002')}/card?date=2026-04-15`);
  assert.equal(card.application.status, '申請中');
  assert.equal(card.application.shikakusha, true);
  const cli = k('card', 'show', '122192', '0000000002', '--date', '2026-04-15').out;
  assert.match(cli, /申請中\(新規申請 令和8年4月10日\)/);
  assert.match(cli, /資格者証交付年月日/);

  // invalid transitions: a clear error and nothing written
  const v0 = versions('0000000002');
  j = await step('0000000002', app, 'decision', { date: '2026-04-20' }, 422);
  assert.match(j.error.message, /認定調査の前に決定はできません/);
  j = await step('0000000002', app, 'primary', { date: '2026-04-20', level: '22' }, 422);
  assert.match(j.error.message, /認定調査票が記録される前/);
  r = await post(tok.ins, `${P('0000000002')}/applications/${app}/chosa`, survey('2026-04-18', { '1-3': '4' }));
  j = await r.json();
  assert.equal(r.status, 422, JSON.stringify(j));
  assert.equal(j.error.field, '1-3');
  assert.match(j.error.message, /項目 1-3\(寝返り・能力\)の回答「4」は選択肢にありません。選べる回答: 1\(つかまらないでできる\)、2\(何かにつかまればできる\)、3\(できない\)/);
  r = await post(tok.ins, `${P('0000000002')}/applications/${app}/chosa`, survey('2026-04-18', { '7-1': undefined }));
  assert.equal(r.status, 422);
  assert.match((await r.json()).error.message, /7-1.*未回答/);
  assert.equal(versions('0000000002'), v0);

  // the physician's opinion on the form before 2026-04-01 needs the consent field; hosp2 was not asked
  await step('0000000002', app, 'survey', { date: '2026-04-12', investigator: '調査員 一郎', planned: '2026-04-18' });
  await step('0000000002', app, 'chosa', survey('2026-04-18'));
  r = await post(tok.hosp1, `${P('0000000002')}/applications/${app}/ikensho`, opinion('2026-04-20'));
  assert.equal(r.status, 404); // no request yet: the institution sees nothing
  j = await step('0000000002', app, 'primary', { date: '2026-04-20', level: '22' }, 422);
  assert.match(j.error.message, /主治医意見書が届く前/);
  await step('0000000002', app, 'opinion-request', { date: '2026-04-12', organisation: 'hosp1' });
  r = await post(tok.hosp2, `${P('0000000002')}/applications/${app}/ikensho`, opinion('2026-04-20'));
  assert.equal(r.status, 404);
  r = await post(tok.hosp1, `${P('0000000002')}/applications/${app}/ikensho`, opinion('2026-04-20', { consent: '同意する' }));
  j = await r.json();
  assert.equal(r.status, 422, JSON.stringify(j)); // written on the 2026 form: no consent field
  assert.equal(j.error.field, 'consent');
  r = await post(tok.hosp1, `${P('0000000002')}/applications/${app}/ikensho`, opinion('2026-04-20'));
  assert.equal(r.status, 201, await r.text());
  await step('0000000002', app, 'primary', { date: '2026-04-25', level: '22', minutes: '55.0' });
  // a validity outside the allowed range (新規: 3–12 months) and an unexplained override
  j = await step('0000000002', app, 'board', { date: '2026-05-01', level: '22', months: 13, reason: '長期' }, 422);
  j = await step('0000000002', app, 'board', { date: '2026-05-01', level: '22', months: 12 }, 422);
  assert.match(j.error.message, /理由/);
  j = await step('0000000002', app, 'board', { date: '2026-05-01', level: '22', opinion: '状態の変動に注意', services: '通所リハビリテーション' });
  assert.equal(j.stage, 'board');
  j = await step('0000000002', app, 'decision', { date: '2026-05-08' });
  assert.equal(j.stage, 'decided');
  j = await step('0000000002', app, 'decision', { date: '2026-05-09' }, 422); // decided already

  card = await get(tok.ins, `${P('0000000002')}/card?date=2026-05-10`);
  assert.equal(card.application, null);
  assert.equal(card.panel2.level, '要介護2');
  assert.equal(card.panel2.valid_from, '2026-04-10'); // retroactive to the application
  assert.equal(card.panel2.valid_to, '2026-10-31');   // rest of April + 6 months
  assert.equal(card.panel2.opinion, '状態の変動に注意');
  const apps = await get(tok.ins, `${P('0000000002')}/applications`);
  assert.equal(apps.applications[0].stage, 'decided');
  assert.equal(apps.applications[0].filed_by.startsWith('token:'), true);
  assert.ok(apps.applications[0].consent_id > 0); // 包括同意 collected with the application
  const ch = await get(tok.ins, `${P('0000000002')}/chosa`);
  assert.equal(ch.surveys[0].items.length, 76);
  assert.equal(ch.surveys[0].environment, '長女と二人暮らし。玄関に段差あり');
  assert.deepEqual(ch.surveys[0].items.find((i) => i.id === '1-7'),
    { id: '1-7', group: '身体機能・起居動作', axis: '能力', name: '歩行', answer: '1', answer_label: 'つかまらないでできる', note: '杖を使って屋内を歩く' });
  // the request closed with the decision: the institution no longer reads the opinion
  r = await srv.as(tok.hosp1, `${P('0000000002')}/ikensho`);
  assert.equal(r.status, 404);
});

test('renewal keeping the level may run 48 months; a changed level may not', async () => {
  const no = '0000000004';
  let r = await post(tok.ins, `${P(no)}/applications`, { kind: '更新', applied: '2026-04-20' });
  assert.equal(r.status, 422); // 61+ days before the end (2026-06-30)
  assert.match((await r.json()).error.message, /60日前/);
  r = await post(tok.ins, `${P(no)}/applications`, { kind: '更新', applied: '2026-05-15' });
  const app = (await r.json()).id;
  await runToPrimary(no, app, { assign: '2026-05-16', survey: '2026-05-20', request: '2026-05-16', opinion: '2026-05-25', primary: '2026-05-28', level: '22' });
  let j = await step(no, app, 'board', { date: '2026-06-05', level: '23', months: 48, reason: '状態安定' }, 422);
  j = await step(no, app, 'board', { date: '2026-06-05', level: '22', months: 48, reason: '状態が長く安定している' });
  await step(no, app, 'decision', { date: '2026-06-10' });
  const card = await get(tok.ins, `${P(no)}/card?date=2026-07-01`);
  assert.equal(card.panel2.valid_from, '2026-07-01');
  assert.equal(card.panel2.valid_to, '2030-06-30');
  const apps = await get(tok.ins, `${P(no)}/applications`);
  assert.equal(apps.applications[0].override_reason, '状態が長く安定している');
});

test('区分変更 mid-period: the heavier level from the application date, the old one before it', async () => {
  const no = '0000000001';
  let r = await post(tok.ins, `${P(no)}/applications`, { kind: '新規', applied: '2026-09-15' });
  assert.equal(r.status, 422); // a certification is in force: 更新 or 区分変更
  r = await post(tok.ins, `${P(no)}/applications`, { kind: '区分変更', applied: '2026-09-15' });
  const app = (await r.json()).id;
  await runToPrimary(no, app, { assign: '2026-09-16', survey: '2026-09-20', request: '2026-09-16', opinion: '2026-09-25', primary: '2026-09-28', level: '25' });
  await step(no, app, 'board', { date: '2026-10-05', level: '25' });
  await step(no, app, 'decision', { date: '2026-10-10' });
  assert.equal((await get(tok.ins, `${P(no)}/card?date=2026-09-14`)).panel2.level, '要介護3');
  const c = await get(tok.ins, `${P(no)}/card?date=2026-09-15`);
  assert.equal(c.panel2.level, '要介護5');
  assert.equal(c.panel2.valid_to, '2027-03-31');
});

test('late case: past 30 days the decision needs a 延期通知, which the worklist flags and the person sees', async () => {
  const no = '0000000003'; // born 1963: 第2号 — the opinion names a 特定疾病
  let r = await post(tok.ins, `${P(no)}/applications`, { kind: '新規', applied: '2026-03-01' });
  const app = (await r.json()).id;
  await step(no, app, 'survey', { date: '2026-03-02', investigator: '調査員 二郎' });
  await step(no, app, 'chosa', survey('2026-03-10'));
  await step(no, app, 'opinion-request', { date: '2026-03-02', organisation: 'hosp1' });
  r = await post(tok.hosp1, `${P(no)}/applications/${app}/ikensho`, opinion('2026-03-20', { consent: '同意しない' }));
  let j = await r.json();
  assert.equal(r.status, 422);
  assert.equal(j.error.field, 'tokutei');
  r = await post(tok.hosp1, `${P(no)}/applications/${app}/ikensho`, opinion('2026-03-20', { consent: '同意しない', tokutei: '13' }));
  j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  assert.match(j.message, /表示されません/);
  await step(no, app, 'primary', { date: '2026-03-25', level: '21' });
  await step(no, app, 'board', { date: '2026-04-08', level: '21' });

  let wl = JSON.parse(k('cert', 'worklist', '--insurer', '122192', '--date', '2026-04-05', '--json').out);
  const mine = wl.applications.find((a) => a.application_id === app && a.insured_no === no);
  assert.equal(mine.days_left, -5); // due 2026-03-31
  assert.equal(mine.needs_postponement, true);
  const text = k('cert', 'worklist', '--insurer', '122192', '--date', '2026-04-05').out;
  assert.match(text, new RegExp(`${no}.*5日超過.*要延期通知`)); // not 「残り-5日」 (issue #15)
  // the rows line up under the header (display columns: Japanese text is two wide): at the
  // column where each header word starts, the row's cell starts too
  const width = (ch) => (ch.charCodeAt(0) < 0x80 ? 1 : 2);
  const at = (line) => { const m = new Map(); let c = 0; for (const ch of line) { m.set(c, ch); c += width(ch); } return m; };
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('被保険者番号'));
  const row = at(lines.find((l) => l.startsWith(no)));
  for (const h of ['申請ID', '区分', '申請日', '決定期限', '状態', '残り日数']) {
    const col = [...header.slice(0, header.indexOf(h))].reduce((n, ch) => n + width(ch), 0);
    assert.ok(row.has(col) && row.get(col) !== ' ' && row.get(col - 1) === ' ', `${h} at column ${col}`);
  }
  // every person listed is in the audit log as a shinsakai read by the CLI
  assert.ok(Number(sqlite(db + '.audit', `SELECT COUNT(*) FROM audit_v WHERE insured_no='${no}' AND category='shinsakai' AND actor LIKE 'cli:%'`).out) >= 2);

  j = await step(no, app, 'decision', { date: '2026-04-10' }, 422);
  assert.match(j.error.message, /延期通知/);
  // the notice cannot be printed before a 延期通知 is recorded, nor without naming the application (issue #19)
  const pp = join(dir, 'postpone.pdf');
  let pr = kaigo(['print', 'postpone', '--person', `122192/${no}`, '--app', app, pp, '--db', db]);
  assert.equal(pr.code, 1, pr.err);
  assert.match(pr.err, /延期通知が記録されていません/);
  assert.equal(kaigo(['print', 'postpone', '--person', `122192/${no}`, pp, '--db', db]).code, 2);
  j = await step(no, app, 'postpone', { date: '2026-03-30', expected: '2026-03-31', reason: '意見書の到着遅れ' }, 422); // before the deadline
  await step(no, app, 'postpone', { date: '2026-03-30', expected: '2026-04-15', reason: '主治医意見書の到着が遅れたため' });
  // now printed: signed like every document (kaigo verify names it), the reason and the expected date on it
  pr = kaigo(['print', 'postpone', '--person', `122192/${no}`, '--app', app, pp, '--db', db]);
  assert.equal(pr.code, 0, pr.err);
  assert.match(pr.out, /要介護認定等の処分の延期について\(通知\) 1 枚/);
  const vr = kaigo(['verify', pp, '--db', db]);
  assert.equal(vr.code, 0, vr.err);
  assert.match(vr.out, /書類: 要介護認定等の延期通知/);
  wl = JSON.parse(k('cert', 'worklist', '--insurer', '122192', '--date', '2026-04-05', '--json').out);
  assert.equal(wl.applications.find((a) => a.application_id === app && a.insured_no === no).needs_postponement, false);
  await step(no, app, 'decision', { date: '2026-04-10' });

  // the person reads the notice in their own view
  const secret = addUser(db, ['--login', 'jiro', '--name', '佐藤 次郎', '--person', `122192/${no}`]);
  r = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'jiro', password: 'Kaigo-test-2026!', totp: totp(secret) }) });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  r = await fetch(srv.url + '/api/v1/me/applications', { headers: { Cookie: cookie } });
  j = await r.json();
  assert.equal(j.applications[0].postponements[0].reason, '主治医意見書の到着が遅れたため');
  assert.equal(j.applications[0].postponements[0].expected, '2026-04-15');
  // and files the renewal of that certification (要介護1 until 2026-09-30) themselves
  r = await fetch(srv.url + '/api/v1/me/applications', { method: 'POST', headers: { Cookie: cookie }, body: JSON.stringify({ kind: 'renew', applied: '2026-08-15' }) });
  j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  r = await fetch(srv.url + '/api/v1/me/applications', { headers: { Cookie: cookie } });
  j = await r.json();
  const mineRenew = j.applications.find((x) => x.id === 'A20260815-2');
  assert.equal(mineRenew.filer, 1); // person
  assert.equal(mineRenew.prev_level, '21');
  // a person cannot file for somebody else
  r = await fetch(srv.url + `${P('0000000001')}/applications`, { method: 'POST', headers: { Cookie: cookie }, body: JSON.stringify({ kind: 'change', applied: '2026-08-15' }) });
  assert.equal(r.status, 404);
});

test('同意しない on the earlier form hides the opinion from the care manager; a 2026-form opinion does not', async () => {
  // kyo1 becomes 担当事業所 of persons 1 and 3 (本人確認 with a paper code); consent came with the applications
  for (const [no, birth] of [['0000000001', '1940-04-02'], ['0000000003', '1963-06-01']]) {
    const code = k('relationship', 'code', '122192', no).out.match(/([0-9]{10})/)[1];
    const r = await post(tok.kyo1, '/api/v1/relationships', { insurer_no: '122192', insured_no: no, birth_date: birth, code });
    assert.equal(r.status, 201, await r.text());
    k('consent', 'add', '122192', no, '--kind', 'municipal', '--cats', 'all', '--collected-by', 'ichihara');
  }
  const hidden = await get(tok.kyo1, `${P('0000000003')}/ikensho`);
  assert.equal(hidden.opinions.length, 0);
  assert.equal(hidden.withheld, 1);
  assert.match(hidden.withheld_reason, /同意していない/);
  const seen = await get(tok.kyo1, `${P('0000000001')}/ikensho`);
  assert.equal(seen.opinions.length, 1);
  assert.equal(seen.opinions[0].form, '2026');
  // the insurer and the person still see it; the audit entry records what was withheld
  const ins = await get(tok.ins, `${P('0000000003')}/ikensho`);
  assert.equal(ins.opinions[0].consent, '同意しない');
  assert.equal(ins.opinions[0].form, '2009');
  assert.equal(sqlite(db + '.audit', `SELECT basis_ref FROM audit_v WHERE insured_no='0000000003' AND org='kyo1' AND category='ikensho'`).out.includes('withheld:1'), true);
  // the care manager may read the survey (chosa) of its person
  const ch = await get(tok.kyo1, `${P('0000000003')}/chosa`);
  assert.equal(ch.surveys.length, 1);
});

test('LIFE feedback: CSV and JSON import, a time series per item for those the matrix allows', async () => {
  const csv = writeCsv(dir, 'life.csv', ['保険者番号,被保険者番号,事業所番号,評価日,評価時点,項目,値',
    '122192,0000000001,1270100017,2026-01-15,利用中,BI合計,60', '122192,0000000001,1270100017,2026-01-15,利用中,BMI,19.5',
    '122192,0000000001,1270100017,2026-04-15,利用中,BI合計,55']);
  let r = kaigo(['import', 'life', csv, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const json = join(dir, 'life.json');
  writeFileSync(json, JSON.stringify([{ insurer_no: '122192', insured_no: '0000000001', provider_no: '1270100017', evaluated: 'R8.7.15', timing: '利用中', items: { 'BI合計': 50, BMI: 19.1 } }]));
  r = kaigo(['import', 'life', json, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const bad = writeCsv(dir, 'life-bad.csv', ['保険者番号,被保険者番号,事業所番号,評価日,評価時点,項目,値', '122192,0000000001,1270100019,2026-01-15,利用中,BI合計,60']);
  r = kaigo(['import', 'life', bad, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /life-bad\.csv:2:3\(事業所番号\): 事業所番号/);
  const v = await get(tok.kyo1, `${P('0000000001')}/life`);
  assert.deepEqual(v.series['BI合計'].map((p) => [p.date, p.value]), [['2026-01-15', '60'], ['2026-04-15', '55'], ['2026-07-15', '50']]);
  assert.equal(v.evaluations.length, 3);
  // hosp1 (医療機関) has no LIFE cell in the matrix
  assert.equal((await srv.as(tok.hosp1, `${P('0000000001')}/life`)).status, 404);
});

test('ledger: 住宅改修 over the limit, reset on a 3-step worsening and on moving; 福祉用具 by fiscal year', async () => {
  const no = '0000000005';
  const claim = async (body) => { const r = await post(tok.ins, `${P(no)}/ledger/claims`, body); const j = await r.json(); assert.equal(r.status, 201, JSON.stringify(j)); return j; };
  const A = '千葉県市原市国分寺台5-5', B = '千葉県市原市五井9-9';
  let j = await claim({ kind: 'jutaku', date: '2025-06-01', amount: 150000, residence: A, category: '手すりの取付け' });
  assert.equal(j.accepted, 150000);
  j = await claim({ kind: 'jutaku', date: '2025-09-01', amount: 80000, residence: A, category: '段差の解消' });
  assert.equal(j.accepted, 50000);
  assert.equal(j.over_limit, 30000);
  assert.match(j.message, /超える30,000円は支給の対象外/);
  // 要支援1 (1段階) → 要介護3 (4段階): 3 steps heavier, once
  j = await claim({ kind: 'jutaku', date: '2026-05-01', amount: 100000, residence: A });
  assert.equal(j.accepted, 100000);
  assert.match(j.message, /3段階以上重くなった/);
  j = await claim({ kind: 'jutaku', date: '2026-06-01', amount: 150000, residence: A });
  assert.equal(j.accepted, 100000);
  j = await claim({ kind: 'jutaku', date: '2026-07-01', amount: 120000, residence: B });
  assert.equal(j.accepted, 120000);
  assert.match(j.message, /転居/);
  // 福祉用具購入: 10万円 per fiscal year; 3/31 and 4/1 are different years
  j = await claim({ kind: 'yogu', date: '2026-03-31', amount: 90000, category: '腰掛便座' });
  assert.equal(j.accepted, 90000);
  j = await claim({ kind: 'yogu', date: '2026-03-31', amount: 20000, category: '入浴補助用具' });
  assert.equal(j.accepted, 10000);
  j = await claim({ kind: 'yogu', date: '2026-04-01', amount: 60000, category: '簡易浴槽' });
  assert.equal(j.accepted, 60000);
  // refused with a reason, nothing written: no certification on the date; a date before the last claim
  const v0 = versions(no);
  let r = await post(tok.ins, `${P(no)}/ledger/claims`, { kind: 'yogu', date: '2024-01-10', amount: 1000 });
  assert.equal(r.status, 422);
  r = await post(tok.ins, `${P(no)}/ledger/claims`, { kind: 'jutaku', date: '2026-06-15', amount: 1000, residence: B });
  assert.equal(r.status, 422);
  assert.equal(versions(no), v0);

  const out = k('ledger', 'remaining', '122192', no, '--date', '2026-08-01').out;
  assert.match(out, /住宅改修  残り 80,000 円/);
  assert.match(out, /福祉用具購入  残り 40,000 円/);
  assert.match(out, /2026年度/);
  const js = JSON.parse(k('ledger', 'remaining', '122192', no, '--date', '2026-03-31', '--json').out);
  assert.equal(js.yogu.remaining, 0);
  assert.equal(js.yogu.fiscal_year, 2025);
  const api = await get(tok.ins, `${P(no)}/ledger?date=2026-08-01`);
  assert.equal(api.jutaku.remaining, 80000);
  assert.equal(api.jutaku.residence, B);
  assert.equal(api.claims.length, 8);
  assert.match(api.jutaku.why, /残り80,000円/);
});

test('認定調査票 CSV import: errors name the line, the item and the allowed answers; all or nothing', async () => {
  const no = '0000000002';
  let r = await post(tok.ins, `${P(no)}/applications`, { kind: '区分変更', applied: '2026-08-03' });
  const app = (await r.json()).id;
  const head = '保険者番号,被保険者番号,申請ID,調査日,調査員,項目,回答,特記事項';
  const rows = [...ITEMS, '7-1', '7-2'].map((i) => `122192,${no},${app},R8.8.10,調査員 三郎,${i},${i === '7-1' ? 'J2' : i === '7-2' ? '自立' : '2'},`);
  rows[9] = rows[9].replace(/,2,$/, ',9,'); // 1-3 寝返り
  let f = writeCsv(dir, 'chosa-bad.csv', [head, ...rows]);
  r = kaigo(['import', 'chosa', f, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /chosa-bad\.csv:11:7\(回答\): 項目 1-3\(寝返り・能力\)の回答「9」は選択肢にありません/);
  assert.equal((await get(tok.ins, `${P(no)}/chosa`)).surveys.length, 1); // the earlier survey only: nothing imported
  rows[9] = rows[9].replace(/,9,$/, ',2,');
  f = writeCsv(dir, 'chosa.csv', [head, ...rows]);
  r = kaigo(['import', 'chosa', f, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const s = await get(tok.ins, `${P(no)}/chosa`);
  assert.equal(s.surveys.find((x) => x.application_id === app).items.find((i) => i.id === '7-1').answer_label, 'J2');
});

test('an office files on the person\'s behalf with 本人確認 (生年月日) and the consent it collected', async () => {
  const no = '0000000001';
  let r = await post(tok.kyo1, `${P(no)}/applications`, { kind: '区分変更', applied: '2026-11-02', birth_date: '1940-04-03', consent: 'careplan,life' });
  assert.equal(r.status, 404); // wrong birth date: the same answer as nobody
  r = await post(tok.kyo1, `${P('0000000099')}/applications`, { kind: '区分変更', applied: '2026-11-02', birth_date: '1940-04-02' });
  assert.equal(r.status, 404);
  r = await post(tok.kyo1, `${P(no)}/applications`, { kind: '区分変更', applied: '2026-11-02', birth_date: '昭和15年4月2日', consent: 'careplan,life' });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  const a = (await get(tok.ins, `${P(no)}/applications`)).applications.find((x) => x.id === j.id);
  assert.equal(a.filer, 3); // kyotaku
  assert.equal(a.filer_org, 'kyo1');
  const grants = await get(tok.ins, `${P(no)}/consents`);
  const c = grants.consents.find((x) => x.id === a.consent_id);
  assert.equal(c.kind, 'on_behalf');
  assert.equal(c.collected_by, 'kyo1');
  assert.deepEqual(c.categories, ['careplan', 'life']);
  // the worklist lists it; a provider without the insurer role cannot drive the steps
  assert.equal((await post(tok.kyo1, `${P(no)}/applications/${j.id}/survey`, { date: '2026-11-03', investigator: 'x' })).status, 404);
});

test('a survey corrected before the 一次判定 is a new version; after it, refused', async () => {
  const no = '0000000002';
  const app = (await get(tok.ins, `${P(no)}/applications`)).applications.find((x) => x.stage !== 'decided').id;
  const count = () => Number(sqlite(db, `SELECT COUNT(*) FROM record_versions WHERE insured_no='${no}' AND kind='chosa' AND rkey='${app}'`).out);
  const before = count();
  await step(no, app, 'chosa', survey('2026-08-10', { '1-7': '2' }));
  assert.equal(count(), before + 1);
  const s = (await get(tok.ins, `${P(no)}/chosa`)).surveys.find((x) => x.application_id === app);
  assert.equal(s.items.find((i) => i.id === '1-7').answer, '2');
  await step(no, app, 'opinion-request', { date: '2026-08-05', organisation: 'hosp2' });
  const r = await post(tok.hosp2, `${P(no)}/applications/${app}/ikensho`, opinion('2026-08-12'));
  assert.equal(r.status, 201, await r.text());
  await step(no, app, 'primary', { date: '2026-08-14', level: '23' });
  const j = await step(no, app, 'chosa', survey('2026-08-10', { '1-7': '3' }), 422);
  assert.match(j.error.message, /一次判定の後/);
  assert.equal(count(), before + 1);
});

// the counter's CLI (issue #18, the doctor's demo): an application filed and an 意見書 requested by the insurer as
// the local operator, through the same store functions as the API; the request names its application, and refusals
// say why and change nothing
test('kaigo cert apply and opinion-request: the counter\'s two steps, refused with the reason when not allowed', async () => {
  k('import', 'insured', writeCsv(dir, 'cli-person.csv', [INSURED_HEADER,
    '122192,0000000006,伊藤　三郎,イトウ　サブロウ,1939-09-09,1,290-0006,千葉県市原市八幡6-6,2004-09-01,,']), '--quiet');
  const filed = kaigo(['cert', 'apply', '--db', db, '--person', '122192/0000000006', '--kind', '新規', '--date', '2026-11-20']);
  assert.equal(filed.code, 0, filed.err);
  const app = filed.out.trim();
  assert.match(app, /^A\d{8}-\d+$/);
  const again = kaigo(['cert', 'apply', '--db', db, '--person', '122192/0000000006', '--kind', '新規', '--date', '2026-11-21']);
  assert.notEqual(again.code, 0);
  assert.match(again.err, /申請/); // one pending application per person
  const wrongOrg = kaigo(['cert', 'opinion-request', '--db', db, '--person', '122192/0000000006', '--app', app, '--org', 'kyo1']);
  assert.notEqual(wrongOrg.code, 0);
  assert.match(wrongOrg.err, /医療機関/);
  assert.equal(sqlite(db, "SELECT COUNT(*) FROM ikensho_requests WHERE insured_no = '0000000006'").out.trim(), '0');
  const asked = kaigo(['cert', 'opinion-request', '--db', db, '--person', '122192/0000000006', '--app', app, '--org', 'hosp2', '--date', '2026-11-22']);
  assert.equal(asked.code, 0, asked.err);
  assert.equal(sqlite(db, "SELECT org_id || ' ' || app_id || ' ' || closed_ms FROM ikensho_requests WHERE insured_no = '0000000006'").out.trim(), `hosp2 ${app} 0`);
  // the institution now sees the person's card (the request opened its access, 第27条第3項) and may answer the API
  const card = await srv.as(tok.hosp2, `${P('0000000006')}/card`);
  assert.equal(card.status, 200, await card.clone().text());
  const usage = kaigo(['cert', 'apply', '--db', db, '--person', '122192/0000000006']);
  assert.equal(usage.code, 2);
});
