// relay.test.mjs - kaigo as the ケアプランデータ連携 exchange: a care manager's office uploads a send
// unit, the addressed provider in the person's care relationship finds it in its inbox, downloads the
// same bytes and acknowledges; others see nothing; 実績 comes back the same way and keeps the
// relationship alive; everything disclosed is audited (issue #5 §3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmp, kaigo, must, sqlite, fixture, startServer } from './lib.mjs';

let db, srv;
const tok = {};
const V = '202407', INS = '122192', NO = '0000000001', KYO = '1270100017', P1 = '1370100016', P2 = '1370100024';
const q = (s) => '"' + s.replace(/"/g, '""') + '"';
const k = (...a) => must(kaigo([...a, '--db', db]));
function cp932(text) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text, 'utf8') });
  assert.equal(r.status, 0);
  return r.stdout;
}
const csv = (records) => cp932(records.map((r) => r.join(',')).join('\r\n') + '\r\n');
const slots = Array.from({ length: 36 }, (_, i) => (i === 0 ? '15' : i < 4 ? '0' : ''));
const hosoku = (no) => [V, INS, no, '00000000', q('タカハシ　サキコ'), q('髙橋　﨑子'), '2', '19400402', '290-0001', q('市原市五井1-1'), q(''),
  '', '20240305', '20240401', '20280331', '2', '', '23', '27048', ...slots, '0', '', '', '23', KYO, KYO, '', '202604'];
const plan = (no, upd) => [V, INS, no, '20260325', '202604', KYO, q('ケア　太郎'), '658', '', '20260401', '', '0930', '1600', '1', '151111',
  '', '', q(''), '', P1, q('デイサービスさくら'), '', '0', upd, ''];
const unit = (stamp, from, fk, to, tk, files) => ({ files: files.map(([prefix, month, records]) => ({
  name: `${prefix}${month ? '_' + month : ''}_${from}_${fk}_${to}_${tk}_${stamp}.CSV`, data: csv(records).toString('base64') })) });

before(async () => {
  db = fixture(tmp());
  k('org', 'add', '--id', 'kyo1', '--kind', 'kyotaku', '--name', '居宅介護支援事業所あおば', '--office-no', KYO);
  k('org', 'add', '--id', 'prov1', '--kind', 'provider', '--name', 'デイサービスさくら', '--office-no', P1);
  k('org', 'add', '--id', 'prov2', '--kind', 'provider', '--name', 'デイサービスもみじ', '--office-no', P2);
  k('org', 'add', '--id', 'prov3', '--kind', 'provider', '--name', '番号なし事業所');
  for (const o of ['kyo1', 'prov1', 'prov2', 'prov3']) tok[o] = k('token', 'issue', '--org', o, '--name', 'e2e').out.trim();
  k('consent', 'add', INS, NO, '--kind', 'municipal', '--cats', 'all', '--collected-by', 'ichihara');
  srv = await startServer(db);
  for (const o of ['kyo1', 'prov1']) { // 本人確認 with a paper code: both become 担当事業所 of person 1
    const code = k('relationship', 'code', INS, NO).out.match(/([0-9]{10})/)[1];
    const r = await post(tok[o], '/api/v1/relationships', { insurer_no: INS, insured_no: NO, birth_date: '1940-04-02', code });
    assert.equal(r.status, 201, await r.text());
  }
});
after(async () => { await srv.stop(); });
const post = (t, path, body) => srv.as(t, path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

test('upload → inbox → download (same bytes) → ack; other offices see nothing; all audited', async () => {
  const u = unit('20260325120000', KYO, '43', P1, '15', [['UPHOSOKU', '202604', [hosoku(NO)]], ['UPPLAN', '202604', [plan(NO, KYO)]]]);
  let r = await post(tok.kyo1, '/api/v1/exchange/units', u);
  let j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  assert.equal(j.records, 2);
  // the provider's inbox
  r = await srv.as(tok.prov1, '/api/v1/exchange/inbox');
  j = await r.json();
  assert.equal(r.status, 200, JSON.stringify(j));
  assert.deepEqual(j.deliveries.map((d) => [d.insured_no, d.stamp, d.what, d.from, d.downloaded]),
    [[NO, '20260325120000', 'month:202604', 'kyo1', false]]);
  assert.deepEqual((await (await srv.as(tok.prov2, '/api/v1/exchange/inbox')).json()).deliveries, []);
  assert.equal((await srv.as(tok.prov3, '/api/v1/exchange/inbox')).status, 403); // no 事業所番号
  // download: the same files, names and bytes
  const path = `/api/v1/exchange/deliveries/${INS}/${NO}/20260325120000`;
  r = await srv.as(tok.prov1, path);
  j = await r.json();
  assert.equal(r.status, 200, JSON.stringify(j));
  assert.deepEqual(j.files.map((f) => f.name), u.files.map((f) => f.name));
  assert.deepEqual(j.files.map((f) => f.data), u.files.map((f) => f.data));
  assert.equal((await srv.as(tok.prov2, path)).status, 404);
  assert.equal((await srv.as(tok.prov1, '/api/v1/exchange/inbox').then((x) => x.json())).deliveries[0].downloaded, true);
  // audited: the inbox listing and the download, as 計画 reads by prov1
  assert.ok(Number(sqlite(db + '.audit', `SELECT COUNT(*) FROM audit_v WHERE insured_no='${NO}' AND org='prov1' AND category='careplan' AND outcome='allowed'`).out) >= 2);
  r = await post(tok.prov1, `${path}/ack`, {});
  assert.equal(r.status, 200);
  assert.deepEqual((await (await srv.as(tok.prov1, '/api/v1/exchange/inbox')).json()).deliveries, []);
});

// MS932 has two codes for some characters and real files carry both (issue #17 §2): 纊 as NEC-selected
// 0xED40 (Windows writes IBM 0xFA5C), ≒ as NEC row 13 0x8790 (JIS 0x81E0), Ⅰ as IBM 0xFA4A (NEC 0x8754).
// The receiver gets the bytes the sender sent, not kaigo's own choice of code.
function withBytes(buf, marks) {
  let out = buf;
  for (const [mark, bytes] of marks) {
    const at = out.indexOf(Buffer.from(mark, 'latin1'));
    assert.ok(at >= 0, mark);
    out = Buffer.concat([out.subarray(0, at), Buffer.from(bytes), out.subarray(at + mark.length)]);
  }
  return out;
}
test('a relayed unit arrives in the bytes it was sent in: NEC-selected and IBM codes of one character', async () => {
  const stamp = '20260326100000';
  const p = plan(NO, KYO);
  p[6] = q('ケア　@1@@2@');
  p[20] = q('デイサービス@3@');
  const bytes = withBytes(csv([p]), [['@1@', [0xed, 0x40]], ['@2@', [0x87, 0x90]], ['@3@', [0xfa, 0x4a]]]);
  const name = `UPPLAN_202604_${KYO}_43_${P1}_15_${stamp}.CSV`;
  let r = await post(tok.kyo1, '/api/v1/exchange/units', { files: [{ name, data: bytes.toString('base64') }] });
  assert.equal(r.status, 201, await r.text());
  r = await srv.as(tok.prov1, `/api/v1/exchange/deliveries/${INS}/${NO}/${stamp}`);
  const d = await r.json();
  assert.equal(r.status, 200, JSON.stringify(d));
  const f = d.files.find((x) => x.name === name); // with the month's 補足 stored before
  assert.ok(f, JSON.stringify(d.files.map((x) => x.name)));
  const got = Buffer.from(f.data, 'base64');
  assert.ok(got.includes(Buffer.from([0xed, 0x40, 0x87, 0x90])), got.toString('hex'));
  assert.ok(got.includes(Buffer.from([0xfa, 0x4a])));
  assert.ok(got.equals(bytes), 'byte for byte');
  // the CLI's export gives the same bytes from the stored set
  const dir = tmp();
  k('exchange', 'export', '--person', `${INS}/${NO}`, '--month', '202604', '--to', `${P1}:15`, '--stamp', stamp, dir);
  assert.ok(readFileSync(`${dir}/${name}`).equals(bytes));
  r = await post(tok.prov1, `/api/v1/exchange/deliveries/${INS}/${NO}/${stamp}/ack`, {});
  assert.equal(r.status, 200);
});

test('a unit is refused whole: another sender number, a person not in the office\'s care, bad fields', async () => {
  let r = await post(tok.kyo1, '/api/v1/exchange/units', unit('20260325130000', P2, '15', P1, '15', [['UPPLAN', '202604', [plan(NO, KYO)]]]));
  let j = await r.json();
  assert.equal(r.status, 422);
  assert.match(j.error.details.join('\n'), /送信元の事業所番号がこの事業所と一致しません/);
  r = await post(tok.kyo1, '/api/v1/exchange/units', unit('20260325140000', KYO, '43', P1, '15',
    [['UPPLAN', '202604', [plan(NO, KYO), plan('0000000002', KYO)]]]));
  j = await r.json();
  assert.equal(r.status, 422);
  assert.match(j.error.details.join('\n'), /UPPLAN_[^:]+:2:3\(被保険者番号\): この事業所が担当事業所として登録されていない利用者です/);
  const bad = plan(NO, KYO);
  bad[9] = '20260431';
  r = await post(tok.kyo1, '/api/v1/exchange/units', unit('20260325150000', KYO, '43', P1, '15', [['UPPLAN', '202604', [bad]]]));
  j = await r.json();
  assert.equal(r.status, 422);
  assert.match(j.error.details.join('\n'), /:1:10\(サービス利用日\): 日付は実在する YYYYMMDD です/);
  // a file name of 260 全角 characters: the reason is given (issue 16: the line naming the file was cut inside a
  // character at 800 bytes, jansson refused it and the details came back empty)
  const longName = unit('20260325160000', KYO, '43', P1, '15', [['UPPLAN', '202604', [plan(NO, KYO)]]]);
  longName.files[0].name = 'あ'.repeat(260) + '.CSV';
  r = await post(tok.kyo1, '/api/v1/exchange/units', longName);
  j = await r.json();
  assert.equal(r.status, 422, JSON.stringify(j));
  assert.ok(j.error.details.length >= 1, 'the reason is given');
  assert.match(j.error.details[0], /^あ+/);
  assert.deepEqual((await (await srv.as(tok.prov1, '/api/v1/exchange/inbox')).json()).deliveries, []);
});

test('実績 back from the provider: the care manager receives it; the relationship is kept alive', async () => {
  const u = unit('20260501090000', P1, '15', KYO, '43', [['UPJSK', '202604', [plan(NO, P1)]]]);
  let r = await post(tok.prov1, '/api/v1/exchange/units', u);
  assert.equal(r.status, 201, await r.text());
  assert.equal(sqlite(db, `SELECT last_actual_ym FROM relationships WHERE org_id='prov1' AND insured_no='${NO}'`).out, '202604');
  const j = await (await srv.as(tok.kyo1, '/api/v1/exchange/inbox')).json();
  assert.deepEqual(j.deliveries.map((d) => [d.what, d.from]), [['jsk:202604', 'prov1']]);
  r = await srv.as(tok.kyo1, `/api/v1/exchange/deliveries/${INS}/${NO}/20260501090000`);
  const d = await r.json();
  assert.equal(r.status, 200, JSON.stringify(d));
  assert.deepEqual(d.files.map((f) => [f.name, f.data]), u.files.map((f) => [f.name, f.data]));
});

test('介護予防 利用者基本情報 with its 家族構成 image: uploaded, listed as kihon:相談日, downloaded as sent', async () => {
  const stamp = '20260325150000';
  const img = `UPKIHON_IMAGE_${KYO}_43_${P1}_15_${stamp}_0001.jpg`;
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('family'), Buffer.from([0xff, 0xd9])]);
  const kihon = [V, INS, NO, '20260310', '1', '1', q('包括　花子'), '01', q(''), '01', '', '01', q(''), q('タカハシ　サキコ'), q('髙橋　﨑子'),
    '2', '19400402', q('市原市五井1-1'), '', '', '12', '02', '12', '20260401', '20270331', '01', '1', '20260305', '0', '0', '0', '0', q(''),
    '05', '1', '2', '1', '0', '0', '0', q(''), q(''), q(''), '', q(''), ...Array(16).fill(''), q(img), q(''), q(''), q(''), q(''), q(''),
    q(''), q(''), '20260310', q('髙橋　﨑子')];
  assert.equal(kihon.length, 71);
  const u = { files: [
    { name: `UPKIHON_${KYO}_43_${P1}_15_${stamp}.CSV`, data: csv([kihon]).toString('base64') },
    { name: img, data: jpeg.toString('base64') },
  ] };
  let r = await post(tok.kyo1, '/api/v1/exchange/units', u);
  assert.equal(r.status, 201, await r.text());
  const j = await (await srv.as(tok.prov1, '/api/v1/exchange/inbox')).json();
  assert.ok(j.deliveries.some((d) => d.stamp === stamp && d.what === 'kihon:20260310'), JSON.stringify(j));
  r = await srv.as(tok.prov1, `/api/v1/exchange/deliveries/${INS}/${NO}/${stamp}`);
  const d = await r.json();
  assert.equal(r.status, 200, JSON.stringify(d));
  assert.deepEqual(d.files.map((f) => [f.name, f.data]), u.files.map((f) => [f.name, f.data]));
  // an image no record names is refused with the unit
  r = await post(tok.kyo1, '/api/v1/exchange/units', { files: [{ name: img.replace(stamp, '20260325160000'), data: jpeg.toString('base64') }] });
  assert.equal(r.status, 422);
  assert.match(await r.text(), /利用者基本情報が送信単位にありません/);
});
