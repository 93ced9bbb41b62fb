// paper.test.mjs - the paper bridge (issue #6), first slice: `kaigo print burden` draws the
// 介護保険負担割合証 as a PDF (text extracted with pdftotext, fonts checked with pdffonts), its QR
// code read back with zbarimg and checked by `kaigo verify` with the insurer's published key;
// tampered, foreign-key and expired tokens are refused with their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmp, kaigo, fixture, sqlite, writeCsv, INSURED_HEADER, startServer, must, addUser, totp, BIN, dbEnv } from './lib.mjs';

const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });
const flat = (s) => s.replace(/\s+/g, '');
// panels - the text of a 被保険者証's three panels, label and value columns apart (pdftotext -x -y -W -H
// crops to each column, so wrapped lines of neighbouring cells do not interleave). The geometry, in
// points, is the drawing's (src/print/pdf.c): sheet width, margin inside a panel, label column.
const A4_CARD = { w: 841.89, h: 595.28, margin: 6 * 72 / 25.4, label: 21 * 72 / 25.4 }; // src/print/pdf.c CARD_A4
const FOLDED = { w: 3 * 91 * 72 / 25.4, h: 128 * 72 / 25.4, margin: 5 * 72 / 25.4, label: 22 * 72 / 25.4 };
function panels(pdf, g, page = 1) {
  const crop = (x, w) => flat(sh('pdftotext', ['-f', `${page}`, '-l', `${page}`, '-x', `${Math.floor(x)}`, '-y', '0',
    '-W', `${Math.ceil(w)}`, '-H', `${Math.ceil(g.h)}`, pdf, '-']).stdout);
  const pw = g.w / 3;
  return [0, 1, 2].map((p) => ({
    labels: crop(p * pw + g.margin, g.label),
    values: crop(p * pw + g.margin + g.label, pw - 2 * g.margin - g.label),
  }));
}

test('print burden: Japanese text and 和暦 in the PDF, embedded CJK fonts, a QR that verifies', () => {
  const dir = tmp();
  const db = fixture(dir);
  // a person whose name is outside the BMP and whose address must wrap
  const long = '千葉県市原市五井中央東二丁目三番地四号　市原グリーンヒルズ南棟一二三四号室（介護保険課気付、長い住所の折り返し確認）';
  const ins = writeCsv(dir, 'more.csv', [INSURED_HEADER, `122192,0000000003,𠮷田　々子,ヨシダ　ノノコ,1941-02-03,2,290-0003,${long},2006-04-01,,`]);
  assert.equal(kaigo(['import', 'insured', ins, '--db', db, '--quiet']).code, 0);
  const b = writeCsv(dir, 'b.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日', '122192,0000000003,3,2026-08-01,2027-07-31']);
  assert.equal(kaigo(['import', 'burden', b, '--db', db, '--quiet']).code, 0);

  const pdf = join(dir, 'burden.pdf');
  let r = kaigo(['print', 'burden', '--person', '122192/0000000003', '--date', '2026-08-01', pdf, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /介護保険負担割合証 1 枚\(保険者 122192 番号 1\)/);
  const text = sh('pdftotext', [pdf, '-']).stdout;
  for (const s of ['介護保険負担割合証', '被保険者番号', '0000000003', '𠮷田', '々子', 'ヨシダ', '3割', '令和8年8月1日', '令和9年7月31日',
    '昭和16年2月3日', '保険者番号122192', '市原市'])
    assert.ok(flat(text).includes(flat(s)), `missing ${s}\n${text}`);
  assert.ok(flat(text).includes(flat(long)), 'the long address is printed whole (wrapped, not cut)');
  // every font embedded (no missing glyphs replaced by a fallback the printer lacks)
  const fonts = sh('pdffonts', [pdf]).stdout.split('\n').slice(2).filter(Boolean);
  assert.ok(fonts.length > 0);
  for (const f of fonts) {
    assert.match(f, /NotoSansCJK/, f);
    assert.match(f, / yes yes yes /, f);
  }
  // the QR code, rendered and decoded, verifies with the insurer's key
  const png = join(dir, 'page');
  assert.equal(sh('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, png]).status, 0);
  const token = sh('zbarimg', ['--raw', '-q', png + '.png']).stdout.trim();
  assert.match(token, /^KG2:[A-Z2-7]{172}$/);
  r = kaigo(['verify', token, '--db', db, '--date', '2026-09-01']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /書類: 介護保険負担割合証/);
  assert.match(r.out, /被保険者番号: 0000000003/);
  assert.match(r.out, /有効期間\(終了\): 令和9年7月31日/);
  // the 割合 the paper must show is in the signed token (a forged "1割" beside this QR differs)
  assert.match(r.out, /利用者負担の割合: 3割/);
  r = kaigo(['verify', pdf, '--db', db, '--date', '2026-09-01']);
  assert.equal(r.code, 0, r.err);
  r = kaigo(['verify', png + '.png', '--db', db, '--date', '2026-09-01']);
  assert.equal(r.code, 0, r.err);
  // the token holds no name or address: only what the dates, numbers and a hash say
  assert.ok(!r.out.includes('𠮷田'));

  // the published key line verifies offline; another insurer's key does not
  const pub = kaigo(['paper', 'key', '--insurer', '122192', '--db', db]);
  assert.equal(pub.code, 0, pub.err);
  assert.match(pub.out, /^122192 [0-9a-f]{64}\n$/);
  const keys = join(dir, 'keys.txt');
  writeFileSync(keys, '# 公開鍵\n' + pub.out);
  assert.equal(kaigo(['verify', token, '--keys', keys, '--date', '2026-09-01']).code, 0);
  const other = fixture(tmp());
  const foreign = kaigo(['paper', 'key', '--insurer', '122192', '--db', other]).out;
  writeFileSync(keys, foreign);
  r = kaigo(['verify', token, '--keys', keys, '--date', '2026-09-01']);
  assert.equal(r.code, 1);
  assert.match(r.err, /署名が一致しません/);
  // one character changed
  const i = 40;
  const bad = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  r = kaigo(['verify', bad, '--db', db, '--date', '2026-09-01']);
  assert.equal(r.code, 1);
  assert.match(r.err, /署名が一致しません|読み取れません/);
  // expired, not yet valid, not a token, no key
  r = kaigo(['verify', token, '--db', db, '--date', '2027-08-01']);
  assert.equal(r.code, 1);
  assert.match(r.out, /有効期間が過ぎています/);
  r = kaigo(['verify', token, '--db', db, '--date', '2026-07-31']);
  assert.equal(r.code, 1);
  assert.match(r.out, /まだ有効期間の前です/);
  r = kaigo(['verify', 'https://example.jp/', '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /kaigo の書類の符号\(KG2: または KG1:\)ではありません/);
  writeFileSync(keys, '');
  assert.match(kaigo(['verify', token, '--keys', keys]).err, /保険者 122192 の公開鍵がありません/);

  // a reprint takes the next serial; both issues recorded; every print audited (資格, the person)
  r = kaigo(['print', 'burden', '--person', '122192/0000000003', '--date', '2026-08-01', join(dir, 'again.pdf'), '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /番号 2\)/);
  assert.equal(sqlite(db, "SELECT group_concat(serial) FROM paper_documents WHERE insured_no='0000000003'").out, '1,2');
  assert.equal(sqlite(db + '.audit', "SELECT COUNT(*) FROM audit_v WHERE insured_no='0000000003' AND category='shikaku'").out, '2');
  // nothing in force: refused, nothing recorded
  r = kaigo(['print', 'burden', '--person', '122192/0000000002', '--date', '2026-08-01', join(dir, 'none.pdf'), '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /有効な負担割合の記録がありません/);
  assert.equal(sqlite(db, "SELECT COUNT(*) FROM paper_documents WHERE insured_no='0000000002'").out, '0');
});

test('print card and limit: the 被保険者証 in its panels (no validity of its own) and the 負担限度額認定証 with daily limits', () => {
  const dir = tmp();
  const db = fixture(dir);
  const card = join(dir, 'card.pdf');
  let r = kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-08-01', card, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /介護保険被保険者証 1 枚/);
  let text = flat(sh('pdftotext', [card, '-']).stdout);
  for (const s of ['介護保険被保険者証', '(一)', '(二)', '(三)']) assert.ok(text.includes(flat(s)), `missing ${s}\n${text}`);
  // each item in its panel, as on the form (platform.md §3.1)
  const want = [
    { labels: ['被保険者番号', '住所', 'フリガナ', '氏名', '生年月日', '交付年月日', '保険者番号並びに保険者の名称及び印'],
      values: ['0000000001', '髙橋', '﨑子', 'タカハシ', 'サキコ', '昭和15年4月2日', '保険者番号122192'] },
    { labels: ['要介護状態区分等', '認定年月日', '認定の有効期間', '居宅サービス等区分支給限度基準額', 'うち種類支給限度基準額',
      '認定審査会の意見及びサービスの種類の指定'],
      values: ['要介護3', '令和6年3月5日', '令和6年4月1日から令和10年3月31日まで', '1月当たり27,048単位'] },
    { labels: ['給付制限', '期間', '居宅介護支援事業者又は介護予防支援事業者及びその事業所の名称', '届出年月日', '介護保険施設等',
      '入所等年月日', '退所等年月日'], values: [] },
  ];
  const got = panels(card, A4_CARD);
  want.forEach((w, p) => {
    for (const s of w.labels) assert.ok(got[p].labels.includes(s), `panel ${p + 1}: missing label ${s}\n${got[p].labels}`);
    for (const s of w.values) assert.ok(got[p].values.includes(s), `panel ${p + 1}: missing ${s}\n${got[p].values}`);
  });
  // A4 landscape: the three panels side by side, as the form is printed
  assert.match(sh('pdfinfo', [card]).stdout, /Page size:\s+841.89 x 595.28 pts \(A4\)/);
  r = kaigo(['verify', card, '--db', db, '--date', '2030-01-01']); // the card does not expire
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /書類: 介護保険被保険者証/);
  assert.doesNotMatch(r.out, /有効期間\(/);

  const lim = writeCsv(dir, 'limit.csv', ['保険者番号,被保険者番号,利用者負担段階,適用開始日,適用終了日', '122192,0000000001,2,2026-08-01,2027-07-31']);
  assert.equal(kaigo(['import', 'limit', lim, '--db', db, '--quiet']).code, 0);
  const pdf = join(dir, 'limit.pdf');
  r = kaigo(['print', 'limit', '--person', '122192/0000000001', '--date', '2026-08-01', pdf, '--db', db]);
  assert.equal(r.code, 0, r.err);
  text = flat(sh('pdftotext', [pdf, '-']).stdout);
  for (const s of ['介護保険負担限度額認定証', '第2段階', '令和8年8月1日', '令和9年7月31日', '食費', '円'])
    assert.ok(text.includes(flat(s)), `missing ${s}\n${text}`);
  r = kaigo(['verify', pdf, '--db', db, '--date', '2026-09-01']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /書類: 介護保険負担限度額認定証/);
  // serials continue across kinds, per insurer
  assert.equal(sqlite(db, "SELECT group_concat(kind || ':' || serial) FROM paper_documents").out, '1:1,3:2');
  assert.equal(kaigo(['print', 'report', '--person', '122192/0000000001', pdf, '--db', db]).code, 2);
  // the periodic notice: both certificates' contents on one page; half-width カナ printed full-width
  const ins = writeCsv(dir, 'hw.csv', [INSURED_HEADER, '122192,0000000004,佐藤　一,サトウ　ハジメ,1945-05-05,1,290-0004,市原市五井ｸﾞﾘｰﾝﾊｲﾂ101,2010-04-01,,']);
  assert.equal(kaigo(['import', 'insured', ins, '--db', db, '--quiet']).code, 0);
  const hb = writeCsv(dir, 'hb.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日', '122192,0000000004,1,2026-08-01,2027-07-31']);
  assert.equal(kaigo(['import', 'burden', hb, '--db', db, '--quiet']).code, 0);
  const notice = join(dir, 'notice.pdf');
  r = kaigo(['print', 'notice', '--person', '122192/0000000001', '--date', '2026-08-01', notice, '--db', db]);
  assert.equal(r.code, 0, r.err);
  text = flat(sh('pdftotext', [notice, '-']).stdout);
  for (const s2 of ['負担割合・負担限度額のお知らせ', '2割(令和8年8月1日から令和9年7月31日まで)', '第2段階(令和8年8月1日から令和9年7月31日まで)'])
    assert.ok(text.includes(flat(s2)), `missing ${s2}\n${text}`);
  assert.match(kaigo(['verify', notice, '--db', db, '--date', '2026-09-01']).out, /書類: 負担割合・負担限度額のお知らせ/);
  r = kaigo(['print', 'notice', '--person', '122192/0000000004', '--date', '2026-08-01', notice, '--db', db]);
  assert.equal(r.code, 0, r.err);
  text = flat(sh('pdftotext', [notice, '-']).stdout);
  assert.ok(text.includes('市原市五井グリーンハイツ101'), text);
  assert.ok(text.includes('認定はありません'), text);
  assert.ok(!/[\uFF61-\uFF9F]/.test(text), 'no half-width katakana printed');
});


// Several prints of one insurer at once (two counters, two nodes): each takes the insurer's next serial,
// signs and draws under it, and records it once the PDF is on disk; the ones whose serial was taken
// meanwhile sign and draw again under the next (they failed before). Every card gets its own number and
// its QR verifies.
test('prints of one insurer at the same moment each get a serial of their own; every QR verifies', async () => {
  const dir = tmp();
  const db = fixture(dir);
  const N = 6;
  const run = (i) => new Promise((res) => {
    const out = join(dir, `c${i}.pdf`);
    const p = spawn(BIN, ['print', 'card', '--person', `122192/000000000${1 + (i % 2)}`, '--date', '2026-08-01', out, '--db', db],
      { env: { ...process.env, ...dbEnv(db) } });
    let o = '', e = '';
    p.stdout.on('data', (d) => { o += d; });
    p.stderr.on('data', (d) => { e += d; });
    p.on('exit', (code) => res({ code, out: o, err: e, pdf: out }));
  });
  const rs = await Promise.all([...Array(N).keys()].map(run));
  for (const r of rs) assert.equal(r.code, 0, r.err);
  const serials = rs.map((r) => Number(r.out.match(/番号 (\d+)/)[1])).sort((a, b) => a - b);
  assert.deepEqual(serials, [...Array(N).keys()].map((i) => i + 1), 'one serial each, none skipped twice');
  assert.equal(sqlite(db, "SELECT count(*) FROM paper_documents WHERE insurer_no = '122192'").out, String(N));
  for (const r of rs) {
    const v = kaigo(['verify', r.pdf, '--db', db, '--date', '2026-09-01']);
    assert.equal(v.code, 0, v.out + v.err);
  }
});

test('被保険者証 in the folded card size: three panels on 273 × 128 mm, a QR that verifies; what does not fit is refused, never cut', () => {
  const dir = tmp();
  const db = fixture(dir);
  const card = join(dir, 'card.pdf');
  let r = kaigo(['print', 'card', '--person', '122192/0000000001', '--format', 'card', '--date', '2026-08-01', card, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(sh('pdfinfo', [card]).stdout, /Page size:\s+773.858 x 362.835 pts/); // 273 × 128 mm: three 91 × 128 mm panels
  const text = flat(sh('pdftotext', [card, '-']).stdout);
  for (const s of ['介護保険被保険者証', '(一)', '(二)', '(三)']) assert.ok(text.includes(flat(s)), `missing ${s}\n${text}`);
  const got = panels(card, FOLDED);
  for (const [p, s] of [[0, '髙橋'], [0, '﨑子'], [0, '保険者番号122192'], [1, '要介護3'], [1, '1月当たり27,048単位']])
    assert.ok(got[p].values.includes(s), `panel ${p + 1}: missing ${s}\n${got[p].values}`);
  assert.ok(got[2].labels.includes('介護保険施設等'));
  assert.equal(sh('pdftoppm', ['-r', '300', '-png', '-singlefile', card, join(dir, 'c')]).status, 0);
  const token = sh('zbarimg', ['--raw', '-q', join(dir, 'c.png')]).stdout.trim();
  assert.match(token, /^KG2:[A-Z2-7]{172}$/);
  r = kaigo(['verify', token, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /書類: 介護保険被保険者証/);
  // only the 被保険者証 has a card size
  r = kaigo(['print', 'burden', '--person', '122192/0000000001', '--format', 'card', join(dir, 'b.pdf'), '--db', db]);
  assert.equal(r.code, 2);
  assert.match(r.err, /被保険者証\(card\)だけです/);
  assert.equal(kaigo(['print', 'card', '--person', '122192/0000000001', '--format', 'b5', join(dir, 'b.pdf'), '--db', db]).code, 2);

  // a person with two long 給付制限 and two stays: too much for the card, whole on A4
  const det = '滞納期間に応じた措置。'.repeat(14);
  assert.equal(kaigo(['import', 'restriction', writeCsv(dir, 'r.csv', ['保険者番号,被保険者番号,給付制限内容,開始日,終了日,詳細',
    '122192,0000000001,1,2026-04-01,2027-03-31,滞納期間に応じた措置。', `122192,0000000001,2,2026-05-01,2027-03-31,${det}`]), '--db', db, '--quiet']).code, 0);
  assert.equal(kaigo(['import', 'facility', writeCsv(dir, 'f.csv', ['保険者番号,被保険者番号,施設種類,施設名称,事業所番号,入所等年月日,退所等年月日',
    '122192,0000000001,介護老人保健施設,市原中央リハビリテーションセンター老人保健施設けやきの里,,2025-01-10,2025-06-30',
    '122192,0000000001,介護老人福祉施設,特別養護老人ホーム市原五井さくら苑,,2025-07-01,']), '--db', db, '--quiet']).code, 0);
  const before = sqlite(db, 'SELECT COUNT(*) FROM paper_documents').out;
  r = kaigo(['print', 'card', '--person', '122192/0000000001', '--format', 'card', '--date', '2026-08-01', join(dir, 'big.pdf'), '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.err, /用紙に収まりません\(切り詰めずに止めました\)。--format a4 で印刷してください/);
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM paper_documents').out, before, 'nothing issued for a card not printed');
  const a4 = join(dir, 'big-a4.pdf');
  r = kaigo(['print', 'card', '--person', '122192/0000000001', '--date', '2026-08-01', a4, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const big = panels(a4, A4_CARD)[2].values;
  for (const s of [det, '支払方法変更', '給付額減額', '令和8年5月1日から令和9年3月31日まで', '市原中央リハビリテーションセンター老人保健施設けやきの里',
    '特別養護老人ホーム市原五井さくら苑', '令和7年6月30日']) assert.ok(big.includes(flat(s)), `missing ${s}\n${big}`);

  // a batch in the card size prints the others and names the one that does not fit
  const out = join(dir, 'cards.pdf');
  r = kaigo(['print', 'cards', '--insurer', '122192', '--format', 'card', '--date', '2026-08-01', out, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /122192\/0000000001 は用紙に収まりません\(--format a4 で印刷してください\)/);
  assert.match(r.out, /1 枚を印刷しました.*用紙に収まらない 1 人/);
  const manifest = readFileSync(out + '.csv', 'utf8');
  assert.match(manifest, /,0000000002,/);
  assert.doesNotMatch(manifest, /,0000000001,/);
  assert.match(sh('pdfinfo', [out]).stdout, /Pages:\s+1\n/);
});
test('online: GET /api/v1/verify says current, superseded or revoked; audited against the person; rate-limited', async () => {
  const dir = tmp();
  const db = fixture(dir);
  const b = writeCsv(dir, 'b.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日', '122192,0000000001,1,2026-08-01,2027-07-31']);
  assert.equal(kaigo(['import', 'burden', b, '--db', db, '--quiet']).code, 0);
  must(kaigo(['org', 'add', '--db', db, '--id', 'prov9', '--kind', 'provider', '--name', '訪問介護まつ']));
  const prov = must(kaigo(['token', 'issue', '--db', db, '--org', 'prov9', '--name', 'e2e'])).out.trim();
  const tokenOf = (pdf) => {
    assert.equal(sh('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, pdf + '.p']).status, 0);
    return sh('zbarimg', ['--raw', '-q', pdf + '.p.png']).stdout.trim();
  };
  const first = join(dir, 'first.pdf'), second = join(dir, 'second.pdf');
  must(kaigo(['print', 'burden', '--person', '122192/0000000001', '--date', '2026-08-01', first, '--db', db]));
  const t1 = tokenOf(first);
  process.env.KAIGO_VERIFY_RATE = '8';
  const srv = await startServer(db);
  try {
    const check = (t) => srv.as(prov, '/api/v1/verify?token=' + encodeURIComponent(t));
    let r = await check(t1);
    let j = await r.json();
    assert.equal(r.status, 200, JSON.stringify(j));
    assert.equal(j.status, 'current');
    assert.equal(j.status_label, '有効(最新の交付)');
    assert.deepEqual(j.document, { kind: '介護保険負担割合証', insurer_no: '122192', insured_no: '0000000001', serial: 1,
      issued: j.document.issued, valid_from: '2026-08-01', valid_to: '2027-07-31', token_version: 2, ratio: j.document.ratio,
      printed_facts: [{ label: '利用者負担の割合', value: `${j.document.ratio}割` }] });
    assert.ok(j.document.ratio >= 1 && j.document.ratio <= 3);
    // audited against the person, as the provider's 書類照会 on the basis of the presented document
    assert.equal(sqlite(db + '.audit', "SELECT category || '/' || basis || '/' || org FROM audit_v WHERE insured_no='0000000001' AND category='paper'").out,
      'paper/paper/prov9');
    // the check opens nothing else: no care relationship, the card stays hidden from this provider
    assert.equal((await srv.as(prov, '/api/v1/insurers/122192/insured/0000000001/card')).status, 404);
    // a reprint supersedes the first document
    must(kaigo(['print', 'burden', '--person', '122192/0000000001', '--date', '2026-08-01', second, '--db', db]));
    const t2 = tokenOf(second);
    j = await (await check(t1)).json();
    assert.equal(j.status, 'superseded');
    assert.equal(j.latest_serial, 2);
    assert.equal((await (await check(t2)).json()).status, 'current');
    // the insurer revokes it
    must(kaigo(['paper', 'revoke', '--insurer', '122192', '--serial', '2', '--db', db]));
    j = await (await check(t2)).json();
    assert.equal(j.status, 'revoked');
    assert.equal(kaigo(['paper', 'revoke', '--insurer', '122192', '--serial', '2', '--db', db]).code, 1);
    // refusals, before anything is disclosed
    const bad = t1.slice(0, 50) + (t1[50] === 'A' ? 'B' : 'A') + t1.slice(51);
    r = await check(bad);
    assert.equal(r.status, 422);
    assert.match((await r.json()).error.message, /署名が一致しません|符号/);
    r = await srv.as(prov, '/api/v1/verify');
    assert.equal(r.status, 400);
    r = await check('KG1:ABC');
    assert.equal(r.status, 422);
    // more than the allowed checks per minute: 429
    let last = 200;
    for (let i = 0; i < 6 && last !== 429; i++) last = (await check(t1)).status;
    assert.equal(last, 429);
  } finally {
    await srv.stop();
    delete process.env.KAIGO_VERIFY_RATE;
  }
});

test('本人確認 with paper: a current 被保険者証 token, the person\'s 生年月日 and the recorded visual check register the 担当事業所', async () => {
  const dir = tmp();
  const db = fixture(dir);
  must(kaigo(['org', 'add', '--db', db, '--id', 'prov8', '--kind', 'provider', '--name', 'デイサービスうめ']));
  const prov = must(kaigo(['token', 'issue', '--db', db, '--org', 'prov8', '--name', 'e2e'])).out.trim();
  must(kaigo(['consent', 'add', '122192', '0000000001', '--kind', 'municipal', '--cats', 'all', '--collected-by', 'ichihara', '--db', db]));
  const tokenOf = (pdf) => {
    assert.equal(sh('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, pdf + '.p']).status, 0);
    return sh('zbarimg', ['--raw', '-q', pdf + '.p.png']).stdout.trim();
  };
  const card1 = join(dir, 'card1.pdf'), card2 = join(dir, 'card2.pdf'), burden = join(dir, 'burden.pdf');
  must(kaigo(['print', 'card', '--person', '122192/0000000001', card1, '--db', db]));
  const old = tokenOf(card1);
  must(kaigo(['print', 'card', '--person', '122192/0000000001', card2, '--db', db]));
  const current = tokenOf(card2);
  const b = writeCsv(dir, 'b.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日', '122192,0000000001,1,2026-08-01,2027-07-31']);
  must(kaigo(['import', 'burden', b, '--db', db, '--quiet']));
  must(kaigo(['print', 'burden', '--person', '122192/0000000001', '--date', '2026-08-01', burden, '--db', db]));
  const notCard = tokenOf(burden);
  const srv = await startServer(db);
  try {
    const post = (body) => srv.as(prov, '/api/v1/relationships', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const card = () => srv.as(prov, '/api/v1/insurers/122192/insured/0000000001/card');
    assert.equal((await card()).status, 404); // not yet in care
    const BIRTH = '1940-04-02'; // 昭和15年4月2日 (the fixture)
    let r = await post({ token: old, birth_date: BIRTH, visual_check: '運転免許証の写真と本人を照合' });
    assert.equal(r.status, 422);
    assert.match((await r.json()).error.message, /再交付により置き換えられています/);
    r = await post({ token: notCard, birth_date: BIRTH, visual_check: '運転免許証の写真と本人を照合' });
    assert.equal(r.status, 422);
    assert.match((await r.json()).error.message, /被保険者証の QR/);
    r = await post({ token: current, birth_date: BIRTH });
    assert.equal(r.status, 400); // the visual check must be recorded
    // … in words: spaces (ASCII, 全角) and zero-width characters are no check (issue 16)
    for (const blank of ['    ', '\u3000\u3000\u3000\u3000', '\u200b\u200b\u200b\u200b\u200b', ' \u200d\ufeff\u00a0 ', 'ok\u200b\u200b\u200b'])
      assert.equal((await post({ token: current, birth_date: BIRTH, visual_check: blank })).status, 400, JSON.stringify(blank));
    // a photographed card alone is not enough: the 生年月日 is asked, and must match
    r = await post({ token: current, visual_check: '運転免許証の写真と本人を照合' });
    assert.equal(r.status, 400);
    r = await post({ token: current, birth_date: '1940-04-03', visual_check: '運転免許証の写真と本人を照合' });
    assert.equal(r.status, 422);
    assert.match((await r.json()).error.message, /生年月日/);
    assert.equal((await card()).status, 404);
    r = await post({ token: current, birth_date: 'S15.4.2', visual_check: '運転免許証の写真と本人を照合' });
    const j = await r.json();
    assert.equal(r.status, 201, JSON.stringify(j));
    assert.match(j.message, /被保険者証で本人確認/);
    // the same registration as the code path: now in care (consent given), the card reads
    assert.equal((await card()).status, 200);
    // the person is told: an entry of their access log (だれが見たか), durable before the 201 ...
    assert.equal(sqlite(db + '.audit', "SELECT org || ' ' || category || ' ' || basis || ' ' || flags FROM audit_v WHERE insured_no='0000000001' AND flags=2").out,
      'prov8 paper paper 2');
    // ... and on the printed 閲覧記録のお知らせ
    const acc = join(dir, 'access.pdf');
    must(kaigo(['print', 'access', '--person', '122192/0000000001', acc, '--db', db]));
    assert.match(flat(sh('pdftotext', [acc, '-']).stdout), /紙の被保険者証で本人確認し、担当事業所に登録/);
    // the municipality sees the registration among its reviews
    const rev = addUser(db, ['--login', 'ichihara-rev', '--name', '市原 確認', '--org', 'ichihara', '--perms', 'review']);
    const lr = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'ichihara-rev', password: 'Kaigo-test-2026!', totp: totp(rev) }) });
    assert.equal(lr.status, 200);
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const reviews = await (await fetch(srv.url + '/api/v1/reviews', { headers: { Cookie: cookie } })).json();
    assert.equal(reviews.paper_registrations.length, 1);
    assert.equal(reviews.paper_registrations[0].organisation, 'prov8');
    assert.equal(reviews.paper_registrations[0].insured_no, '0000000001');
    assert.match(reviews.paper_registrations[0].evidence, /運転免許証の写真と本人を照合/);
    assert.equal(sqlite(db, "SELECT established_by || ' ' || evidence FROM relationships WHERE org_id='prov8'").out,
      `paper 122192/${j.relationship_id ? sqlite(db, "SELECT max(serial) FROM paper_documents WHERE kind=1").out : ''}: 運転免許証の写真と本人を照合`);
  } finally {
    await srv.stop();
  }
});

test('annual run: in July the 負担割合証 and 負担限度額認定証 for 8/1–7/31 of the next year, for everyone who has one', () => {
  const dir = tmp();
  const db = fixture(dir); // 0000000001 holds 2割 for 2026-08-01..2027-07-31
  must(kaigo(['import', 'burden', writeCsv(dir, 'b27.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日',
    '122192,0000000001,1,2027-08-01,2028-07-31', '122192,0000000002,3,2027-08-01,2028-07-31']), '--db', db, '--quiet']));
  must(kaigo(['import', 'limit', writeCsv(dir, 'l27.csv', ['保険者番号,被保険者番号,利用者負担段階,適用開始日,適用終了日',
    '122192,0000000001,3a,2027-08-01,2028-07-31']), '--db', db, '--quiet']));
  // run in July: the certificates of the year from 8/1 (the one in force today is not reprinted)
  const out = join(dir, 'burden-2027.pdf');
  let r = kaigo(['print', 'burden', '--insurer', '122192', '--date', '2027-08-01', out, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /2 枚を印刷しました/);
  const text = flat(sh('pdftotext', [out, '-']).stdout);
  for (const s of ['令和9年8月1日', '令和10年7月31日', '1割', '3割']) assert.ok(text.includes(s), `missing ${s}\n${text}`);
  assert.ok(!text.includes('2割'), 'the year in force now is not the one printed');
  const rows = readFileSync(out + '.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((x) => [x[2], x[3]]), [['0000000001', '介護保険負担割合証'], ['0000000002', '介護保険負担割合証']]);
  assert.equal(sh('pdftoppm', ['-r', '150', '-png', '-f', '2', '-l', '2', '-singlefile', out, join(dir, 'b2')]).status, 0);
  r = kaigo(['verify', sh('zbarimg', ['--raw', '-q', join(dir, 'b2.png')]).stdout.trim(), '--db', db, '--date', '2027-09-01']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /被保険者番号: 0000000002/);
  assert.match(r.out, /有効期間\(開始\): 令和9年8月1日/);
  assert.match(r.out, /有効期間\(終了\): 令和10年7月31日/);
  // 負担限度額 likewise: only who has a 認定 for that year
  const lim = join(dir, 'limit-2027.pdf');
  r = kaigo(['print', 'limit', '--insurer', '122192', '--date', '2027-08-01', lim, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /1 枚を印刷しました\(該当なし 1 人/);
  const lt = flat(sh('pdftotext', [lim, '-']).stdout);
  for (const s of ['介護保険負担限度額認定証', '第3段階①', '令和9年8月1日', '令和10年7月31日']) assert.ok(lt.includes(s), `missing ${s}\n${lt}`);
});

test('batch: an insurer\'s cards in one PDF with a manifest; an interrupted run resumes without duplicates', () => {
  const dir = tmp();
  const db = join(dir, 'k.db');
  must(kaigo(['demo', 'generate', '--insurers', '1', '--persons', '130', '--seed', '4', join(dir, 'd')]));
  for (const k of ['insured', 'certification', 'burden']) must(kaigo(['import', k, join(dir, 'd', k + '.csv'), '--db', db, '--quiet']));
  const ins = sqlite(db, 'SELECT insurer_no FROM insurers').out;
  const persons = Number(sqlite(db, "SELECT COUNT(DISTINCT insured_no) FROM record_versions WHERE kind='insured'").out);
  const out = join(dir, 'cards.pdf');
  // the run stops in its second part (100 pages a part): the first part stays, the second leaves nothing behind
  let r = kaigo(['print', 'cards', '--insurer', ins, out, '--db', db], { env: { KAIGO_PRINT_FAIL_PART: '1' } });
  assert.equal(r.code, 3);
  assert.match(r.err, /同じコマンドで続きから印刷できます/);
  assert.equal(readFileSync(out + '.csv', 'utf8').trim().split('\n').length, 1 + 100);
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM paper_documents').out, '100');
  r = kaigo(['print', 'cards', '--insurer', ins, out, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /前回の続きから印刷します\(印刷済み 100 人、部 1 から\)/);
  assert.match(r.err, /印刷中 \[#+\.*\] +\d+% \d+\/\d+ 人/); // the progress bar
  assert.match(r.out, new RegExp(`${persons - 100} 枚を印刷しました`));
  assert.equal(sh('pdfinfo', [out]).stdout.match(/Pages:\s+(\d+)/)[1], String(persons));
  const rows = readFileSync(out + '.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  assert.equal(rows.length, persons);
  assert.equal(new Set(rows.map((x) => x[2])).size, persons); // no one twice
  // a re-run of the finished batch says so and how to print again; the PDF stays whole (issue #15)
  r = kaigo(['print', 'cards', '--insurer', ins, out, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /この一括印刷は前回までに終わっています/);
  assert.match(r.err, /別の出力ファイル名で実行してください/);
  assert.match(r.out, /0 枚を印刷しました/);
  assert.equal(sh('pdfinfo', [out]).stdout.match(/Pages:\s+(\d+)/)[1], String(persons));
  assert.equal(new Set(rows.map((x) => x[1])).size, persons); // serials unique
  assert.equal(sqlite(db, 'SELECT COUNT(*) || \'/\' || COUNT(DISTINCT insured_no) FROM paper_documents').out, `${persons}/${persons}`);
  assert.ok(!readdirSync(dir).some((f) => f.includes('.part')), 'parts are joined and removed');
  // a page of the joined PDF verifies
  assert.equal(sh('pdftoppm', ['-r', '150', '-png', '-f', '7', '-l', '7', '-singlefile', out, join(dir, 'p7')]).status, 0);
  const token = sh('zbarimg', ['--raw', '-q', join(dir, 'p7.png')]).stdout.trim();
  r = kaigo(['verify', token, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`被保険者番号: ${rows[6][2]}`));
  // every printed person was read through the gate (audited)
  assert.ok(Number(sqlite(db + '.audit', "SELECT COUNT(DISTINCT insured_no) FROM audit_v WHERE category='shikaku'").out) >= persons);
  // nothing changed since tomorrow: nothing to print
  const out2 = join(dir, 'none.pdf');
  r = kaigo(['print', 'burden', '--insurer', ins, '--changed-since', '2099-01-01', out2, '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /0 枚を印刷しました/);
  assert.ok(!existsSync(out2));
});

test('access report: the person\'s reads on paper — count and every entry with who and what, over pages each signed', async () => {
  const dir = tmp();
  const db = fixture(dir);
  for (let i = 0; i < 3; i++) must(kaigo(['card', 'show', '122192', '0000000001', '--db', db]));
  const srv = await startServer(db); // the insurer's API token reads the card 24 times
  try {
    for (let i = 0; i < 24; i++) assert.equal((await srv.get('/api/v1/insurers/122192/insured/0000000001/card')).status, 200);
  } finally { await srv.stop(); }
  const pdf = join(dir, 'access.pdf');
  const r = kaigo(['print', 'access', '--person', '122192/0000000001', pdf, '--db', db]);
  assert.equal(r.code, 0, r.err);
  const text = flat(sh('pdftotext', [pdf, '-']).stdout);
  const total = sqlite(db + '.audit', "SELECT COUNT(*) FROM audit_v WHERE insured_no='0000000001'").out;
  for (const s2 of ['閲覧記録のお知らせ', '記録の件数', 'システム運用者', '市原市', '資格', '閲覧', '本人用の画面',
    '保険者の事務']) // each read with its purpose (issue #15)
    assert.ok(text.includes(flat(s2)), `missing ${s2}\n${text}`);
  // every read before the report (3 CLI reads, 24 API reads, the report's own card read); the report's read of the
  // log itself is audited too, and may or may not be indexed yet when the log is read
  const n = Number(text.match(/全(\d+)件/)[1]);
  assert.ok(n >= 28 && n <= Number(total), `${n} of ${total}`);
  // every entry printed, 8 a page (PAPER_ACCESS_PER_PAGE), newest first, over as many pages as needed, each page signed
  const pages = Math.ceil(n / 8);
  assert.match(r.out, new RegExp(`閲覧記録のお知らせ ${pages} 枚\\(保険者 122192 番号 \\d+〜\\d+\\)`));
  assert.match(sh('pdfinfo', [pdf]).stdout, new RegExp(`Pages:\\s+${pages}\\n`));
  assert.equal((text.match(/／(閲覧|拒否)/g) || []).length, n, 'every entry on paper');
  assert.ok(text.includes(`閲覧記録のお知らせ(1/${pages})`) && text.includes(`閲覧記録のお知らせ(${pages}/${pages})`));
  assert.ok(text.includes(`新しい順に${8 * (pages - 1) + 1}〜${n}件目`), text);
  // every page of the PDF is checked and named (issue #15: page 1 was checked silently)
  const vr = kaigo(['verify', pdf, '--db', db]);
  assert.equal(vr.code, 0, vr.err);
  assert.match(vr.out, /書類: 閲覧記録のお知らせ/);
  assert.equal((vr.out.match(/署名を確認しました/g) || []).length, pages);
  assert.match(vr.out, new RegExp(`== ${pages} / ${pages} ページ ==`));
  assert.equal(sh('pdftoppm', ['-r', '200', '-png', '-f', '2', '-l', '2', '-singlefile', pdf, join(dir, 'p2')]).status, 0);
  const t2 = sh('zbarimg', ['--raw', '-q', join(dir, 'p2.png')]).stdout.trim();
  const v2 = kaigo(['verify', t2, '--db', db]);
  assert.equal(v2.code, 0, v2.err);
  assert.match(v2.out, /書類: 閲覧記録のお知らせ/);
  // a period: from tomorrow (JST) nothing yet; one page that says so
  const tomorrow = new Date(Date.now() + 9 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  const empty = join(dir, 'empty.pdf');
  assert.equal(kaigo(['print', 'access', '--person', '122192/0000000001', '--since', tomorrow, empty, '--db', db]).code, 0);
  const et = flat(sh('pdftotext', [empty, '-']).stdout);
  assert.ok(et.includes('全0件') && et.includes('対象期間') && et.includes('以降'), et);
  assert.equal(kaigo(['print', 'card', '--person', '122192/0000000001', '--since', tomorrow, empty, '--db', db]).code, 2);
  // printing the report is itself a read of the log, audited
  assert.ok(Number(sqlite(db + '.audit', "SELECT COUNT(*) FROM audit_v WHERE insured_no='0000000001' AND category='accesslog'").out) >= 1);
  assert.equal(kaigo(['print', 'access', '--insurer', '122192', pdf, '--db', db]).code, 2);
});
