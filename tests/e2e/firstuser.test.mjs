// firstuser.test.mjs - what a first user tripped over (issue #15), each checked as the user meets it:
// dates and amounts on the printed 被保険者証 and 負担限度額認定証 and in `kaigo card show`, the QR's
// caption, messages that say what is wrong and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmp, kaigo, fixture, writeCsv, must, addUser, startServer, totp } from './lib.mjs';

const dir = tmp();
const db = fixture(dir);
const flat = (s) => s.replace(/\s+/g, '');

test('a 給付制限 without an end prints 「…から」, never 0000-00-00; the QR says what it is for', () => {
  const r = writeCsv(dir, 'restriction.csv', ['保険者番号,被保険者番号,給付制限内容,開始日,終了日,詳細', '122192,0000000001,1,2026-02-01,,']);
  must(kaigo(['import', 'restriction', r, '--db', db, '--quiet']));
  const show = must(kaigo(['card', 'show', '--db', db, '122192', '0000000001', '--date', '2026-11-25'])).out;
  assert.match(show, /支払方法変更 令和8年2月1日から\n/);
  assert.doesNotMatch(show, /〜 ―/);
  const pdf = join(dir, 'card.pdf');
  must(kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-11-25', pdf, '--db', db]));
  const text = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout;
  assert.ok(flat(text).includes('令和8年2月1日から'), text);
  assert.doesNotMatch(text, /0000-00-00/);
  assert.ok(flat(text).includes('この証の内容を確認するためのコード'), 'the QR caption says what it is for');
  assert.doesNotMatch(text, /kaigo verify/);
});

test('every amount on the 負担限度額認定証 is grouped (1,420円, not 1420円)', () => {
  const l = writeCsv(dir, 'limit.csv', ['保険者番号,被保険者番号,利用者負担段階,適用開始日,適用終了日', '122192,0000000001,3a,2026-08-01,2027-07-31']);
  must(kaigo(['import', 'limit', l, '--db', db, '--quiet']));
  const pdf = join(dir, 'limit.pdf');
  must(kaigo(['print', 'limit', '--person', '122192/0000000001', '--date', '2026-09-01', pdf, '--db', db]));
  const text = flat(spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout);
  const amounts = [...text.matchAll(/([0-9,]+)円/g)].map((m) => m[1]);
  assert.ok(amounts.length >= 3, text);
  for (const a of amounts) if (Number(a.replace(/,/g, '')) >= 1000) assert.match(a, /,/, `${a}円 is grouped`);
});

test('the API: date errors give the reason; the person withdraws at /api/v1/me/consents/withdraw; a reused code is said so', async () => {
  const secret = addUser(db, ['--login', 'person1', '--name', '本人 一', '--person', '122192/0000000001']);
  const srv = await startServer(db);
  try {
    let r = await srv.get('/api/v1/insurers/122192/insured/0000000001/card?date=H32.1.1');
    assert.equal(r.status, 400);
    const e = (await r.json()).error;
    assert.equal(e.code, 'bad_date');
    assert.match(e.message, /その元号にその年はありません/, e.message); // the reason, not a generic format message
    const code = totp(secret);
    const login = () => fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'person1', password: 'Kaigo-test-2026!', totp: code }) });
    r = await login();
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    r = await login(); // the same code again, within its 30 seconds
    assert.equal(r.status, 401);
    const j = await r.json();
    assert.equal(j.error.code, 'totp_reused');
    assert.match(j.error.message, /すでに使われました/);
    r = await fetch(srv.url + '/api/v1/me/consents/withdraw', { method: 'POST', headers: { Cookie: cookie }, body: JSON.stringify({ categories: 'careplan', grantee: 'kyo1' }) });
    assert.equal(r.status, 201, await r.clone().text());
    const g = await (await fetch(srv.url + '/api/v1/me/consents', { headers: { Cookie: cookie } })).json();
    assert.deepEqual(g.withdrawals.map((w) => [w.grantee, w.categories]), [['kyo1', ['careplan']]]);
  } finally {
    await srv.stop();
  }
});

test('kaigo wareki takes a 和暦 date directly', () => {
  assert.equal(must(kaigo(['wareki', 'R6.4.1'])).out, '2024-04-01\n');
  assert.equal(must(kaigo(['wareki', '令和元年5月1日'])).out, '2019-05-01\n');
  assert.equal(must(kaigo(['wareki', '2019-05-01'])).out, '令和元年5月1日\n');
  const r = kaigo(['wareki', 'H32.1.1']);
  assert.equal(r.code, 1);
  assert.match(r.err, /その元号にその年はありません/);
});

test('a failed import does not say it registered an insurer; a committed one does', () => {
  const d = tmp();
  const db2 = join(d, 'k.db');
  const HEAD = '保険者番号,被保険者番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,資格取得日,資格喪失日,交付年月日';
  const bad = writeCsv(d, 'bad.csv', [HEAD, '271007,0000000001,東京　一,トウキョウ　イチ,1940-01-01,1,1000001,東京都千代田区1-1,2005-01-01,,',
    '271007,0000000002,東京　二,トウキョウ　ニ,1940-13-01,1,1000001,東京都千代田区1-1,2005-01-01,,']);
  let r = kaigo(['import', 'insured', bad, '--db', db2]);
  assert.equal(r.code, 1);
  assert.match(r.err, /何も取り込んでいません/);
  assert.doesNotMatch(r.err, /新規登録しました/);
  const good = writeCsv(d, 'good.csv', [HEAD, '271007,0000000001,東京　一,トウキョウ　イチ,1940-01-01,1,1000001,東京都千代田区1-1,2005-01-01,,']);
  r = kaigo(['import', 'insured', good, '--db', db2]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /保険者 271007 を新規登録しました/);
});

test('commands that need a database say so; kaigo verify says the key is missing and what a scan needs', () => {
  const env = { KAIGO_DB: '' };
  for (const [args, cmd] of [[['card', 'show', '122192', '0000000001'], 'kaigo card show'], [['audit', 'verify'], 'kaigo audit'],
    [['import', 'insured', 'x.csv'], 'kaigo import'], [['print', 'card', '--person', '122192/0000000001', '/tmp/x.pdf'], 'kaigo print'],
    [['paper', 'key', '--insurer', '122192'], 'kaigo paper'], [['caseload', '--office', '1270100017', '--month', '2026-12'], 'kaigo caseload'],
    [['sheet7', '--person', '122192/0000000001', '--month', '202612'], 'kaigo sheet7'], [['insurer', 'list'], 'kaigo insurer'],
    [['serve'], 'kaigo serve'], [['exchange', 'export', '--person', '122192/0000000001', '--month', '202612', '--to', '1370100018:15', '/tmp/o'], 'kaigo exchange export']]) {
    const r = kaigo(args, { env });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, new RegExp(`^${cmd}: データベースを --db か KAIGO_DB で指定してください`), args.join(' '));
  }
  let r = kaigo(['verify', 'KG2:AAAA'], { env });
  assert.equal(r.code, 2);
  assert.match(r.err, /保険者の公開鍵がありません/);
  const png = join(dir, 'blank.png');
  // a valid PNG without a QR code (1×1, white)
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fea7d6a4e30000000049454e44ae426082', 'hex'));
  r = kaigo(['verify', png, '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /200 dpi 以上/);
});

test('kaigo check reads full-width digits as import does', () => {
  assert.match(must(kaigo(['check', 'insurer-no', '１２２１９２'])).out, /^122192: 正しい番号です/);
  // a 被保険者番号 has no national check digit: the form is checked, and the answer says only that (issue #17)
  assert.match(must(kaigo(['check', 'insured-no', '０００００００００１'])).out, /^0000000001: 形式は正しい\(検証番号はありません\)$/m);
  const r = kaigo(['check', 'insurer-no', '１２２１９３']);
  assert.equal(r.code, 1);
  assert.match(r.out, /誤り/);
});

test('the 被保険者証’s values are printed large: ≥ 10.5 pt on A4, 8 pt on the folded card', () => {
  // pdftotext -bbox: a word's box is its font size × the face's line height (1.448 for Noto Sans CJK)
  const size = (pdf, word) => {
    const m = spawnSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8' }).stdout
      .match(new RegExp(`yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">${word}`));
    assert.ok(m, `${word} in ${pdf}`);
    return (Number(m[2]) - Number(m[1])) / 1.448;
  };
  const a4 = join(dir, 'large-a4.pdf'), card = join(dir, 'large-card.pdf');
  must(kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-11-25', a4, '--db', db]));
  must(kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-11-25', '--format', 'card', card, '--db', db]));
  assert.ok(size(a4, '要介護3') >= 10.45, `A4: ${size(a4, '要介護3')} pt`);
  assert.ok(size(card, '要介護3') >= 7.95, `card: ${size(card, '要介護3')} pt`);
});

test('a printed line never breaks inside a date (「令和9年9月30日ま/で」)', () => {
  const pdf = join(dir, 'wrap.pdf');
  must(kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-11-25', pdf, '--db', db]));
  const raw = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout.replace(/\u2060/g, '');
  const lines = raw.split('\n').map((l) => l.replace(/\s+/g, ''));
  const dates = [...flat(raw).matchAll(/(?:令和|平成|昭和)\d+年\d+月\d+日(?:から|まで)?/g)].map((m) => m[0]);
  assert.ok(dates.length >= 4, flat(raw));
  for (const d of dates) assert.ok(lines.some((l) => l.includes(d)), `${d} is broken across lines`);
});

test('--help of org / user / token / consent / proxy / relationship shows that command only', () => {
  for (const c of ['org', 'user', 'token', 'consent', 'proxy', 'relationship']) {
    const out = must(kaigo([c, '--help'])).out;
    assert.match(out, new RegExp(`^  kaigo ${c} `, 'm'), c);
    const others = [...out.matchAll(/^  kaigo (\S+)/gm)].map((m) => m[1]).filter((x) => x !== c);
    assert.deepEqual(others, [], `${c}: ${others}`);
  }
});
