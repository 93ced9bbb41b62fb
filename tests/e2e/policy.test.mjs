// policy.test.mjs - the insurer's policy (issue #17 §3): when it issues the paper 被保険者証 (at 65 to
// everyone, or at 要介護認定申請 as the 介護保険部会 directed in 2025-09) and the day it starts on the
// 介護情報基盤. `kaigo insurer set-policy` records both; a batch print of an insurer issuing at 申請
// prints only the persons with a 認定 or an application; the card API, the notice and the pages say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, must, sqlite, startServer, writeCsv, INSURED_HEADER, fixture } from './lib.mjs';

const flat = (s) => s.replace(/\s+/g, '');

test('set-policy: recorded, listed, refused when wrong', () => {
  const db = fixture(tmp());
  assert.match(must(kaigo(['insurer', 'list', '--db', db])).out, /証: 65歳到達時に全員へ交付\t基盤の利用開始: -/);
  let r = must(kaigo(['insurer', 'set-policy', '122192', '--card-issue', 'application', '--platform-start', 'R8.10.1', '--db', db]));
  assert.match(r.out, /被保険者証は要介護認定の申請時に交付、介護情報基盤の利用開始は令和8年10月1日/);
  assert.match(must(kaigo(['insurer', 'list', '--db', db])).out, /証: 要介護認定の申請時に交付\t基盤の利用開始: 令和8年10月1日/);
  assert.equal(sqlite(db, "SELECT card_issue || ' ' || platform_start FROM insurers WHERE insurer_no = '122192'").out, 'application 2026-10-01');
  assert.equal(kaigo(['insurer', 'set-policy', '122192', '--card-issue', 'sometimes', '--db', db]).code, 2);
  assert.equal(kaigo(['insurer', 'set-policy', '122192', '--platform-start', '2026-02-30', '--db', db]).code, 2);
  assert.equal(kaigo(['insurer', 'set-policy', '122192', '--db', db]).code, 2); // nothing to set
  assert.equal(kaigo(['insurer', 'set-policy', '131016', '--card-issue', 'age65', '--db', db]).code, 1); // not registered
  // the start date can be cleared; the card policy stays
  must(kaigo(['insurer', 'set-policy', '122192', '--platform-start', 'none', '--db', db]));
  assert.equal(sqlite(db, "SELECT card_issue || '|' || platform_start FROM insurers WHERE insurer_no = '122192'").out, 'application|');
});

test('a batch print of an insurer issuing at 申請: only persons with a 認定 or an application, each audited; the others not read', () => {
  const dir = tmp();
  const db = fixture(dir);
  // two more persons without any 認定 or application
  const more = writeCsv(dir, 'more.csv', [INSURED_HEADER,
    '122192,0000000003,佐藤　花子,サトウ　ハナコ,1958-05-05,2,2900003,千葉県市原市姉崎3-3,2023-05-01,,',
    '122192,0000000004,鈴木　一郎,スズキ　イチロウ,1959-06-06,1,2900004,千葉県市原市辰巳台4-4,2024-06-01,,']);
  must(kaigo(['import', 'insured', more, '--db', db, '--quiet']));
  const pdf = join(dir, 'all.pdf');
  let r = must(kaigo(['print', 'cards', '--insurer', '122192', pdf, '--db', db]));
  assert.equal(readFileSync(pdf + '.csv', 'utf8').trim().split('\n').length - 1, 4, 'at 65: everyone');
  must(kaigo(['insurer', 'set-policy', '122192', '--card-issue', 'application', '--db', db]));
  const before = Number(sqlite(db + '.audit', "SELECT COUNT(*) FROM audit_v WHERE insured_no IN ('0000000003','0000000004')").out);
  const pdf2 = join(dir, 'applicants.pdf');
  r = must(kaigo(['print', 'cards', '--insurer', '122192', pdf2, '--db', db]));
  assert.match(r.err, /被保険者証を要介護認定の申請時に交付するため、認定または申請のある人だけを印刷します/);
  const rows = readFileSync(pdf2 + '.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]);
  // the expected persons, from the registry's own records rather than from kaigo's listing
  const withCert = sqlite(db, "SELECT group_concat(insured_no) FROM (SELECT DISTINCT insured_no FROM record_versions WHERE kind IN ('certification','application') ORDER BY 1) AS p").out.split(',');
  assert.deepEqual(rows, withCert);
  assert.deepEqual(rows, ['0000000001', '0000000002']);
  assert.equal(Number(sqlite(db + '.audit', "SELECT COUNT(*) FROM audit_v WHERE insured_no IN ('0000000003','0000000004')").out), before,
    'the persons not printed were not read');
  // a single card on demand (at the application) still prints
  must(kaigo(['print', 'card', '--person', '122192/0000000003', join(dir, 'one.pdf'), '--db', db]));
});

test('the card API, the notice and the pages carry the policy', async () => {
  const dir = tmp();
  const db = fixture(dir);
  must(kaigo(['insurer', 'set-policy', '122192', '--card-issue', 'application', '--platform-start', '2026-10-01', '--db', db]));
  const notice = join(dir, 'notice.pdf');
  must(kaigo(['print', 'notice', '--person', '122192/0000000001', '--date', '2026-08-01', notice, '--db', db]));
  const text = flat(spawnSync('pdftotext', [notice, '-'], { encoding: 'utf8' }).stdout);
  assert.match(text, /令和8年10月1日から、この市町村は介護情報基盤で証の内容を事業所と共有します/);
  assert.match(text, /紙の被保険者証は、要介護認定を申請したときに交付します。/);
  const srv = await startServer(db);
  try {
    const j = await (await srv.get('/api/v1/insurers/122192/insured/0000000001/card')).json();
    assert.deepEqual(j.insurer, { card_issue: 'application', card_issue_name: '要介護認定の申請時に交付', platform_start: '2026-10-01',
      platform_start_wareki: '令和8年10月1日' });
  } finally {
    await srv.stop();
  }
});
