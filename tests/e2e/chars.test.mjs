// chars.test.mjs - names and addresses in JIS X 0213 (issue #17 §2): the national WEB service speaks UTF-8 with the
// JIS X 0213 set, so 𠮷 (U+20BB7, outside the BMP and outside MS932), 﨑 and 髙 reach kaigo. Imported from UTF-8,
// stored, answered by the API and printed on the paper card as they are; only a v4.1 CSV (MS932) cannot carry
// them, and there each is named, never a '?' (u-cpfile, e2e sheet7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmp, kaigo, must, newDb, startServer, writeCsv, INSURED_HEADER } from './lib.mjs';

test('𠮷, 﨑 and 髙 in a name and an address: imported, answered and printed as they are', async () => {
  const dir = tmp();
  const db = newDb(dir);
  const name = '𠮷田　﨑子', address = '千葉県市原市𠮷野1-1 髙島ハイツ101';
  const csv = writeCsv(dir, 'insured.csv', [INSURED_HEADER,
    `122192,0000000001,${name},ヨシダ　サキコ,1940-04-02,2,290-0001,${address},2005-04-01,,2024-04-01`]);
  must(kaigo(['import', 'insured', csv, '--db', db, '--quiet']));
  const shown = must(kaigo(['card', 'show', '122192', '0000000001', '--json', '--db', db])).out;
  assert.equal(JSON.parse(shown).panel1.name, name);
  assert.equal(JSON.parse(shown).panel1.address, address);
  const pdf = join(dir, 'card.pdf');
  must(kaigo(['print', 'card', '--person', '122192/0000000001', pdf, '--db', db]));
  const text = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).stdout;
  assert.ok(text.includes('𠮷田') && text.includes('﨑子'), 'the name as printed');
  assert.ok(text.includes('𠮷野1-1') && text.includes('髙島ハイツ'), 'the address as printed');
  assert.doesNotMatch(text, /\?田|〓/);
  must(kaigo(['org', 'add', '--db', db, '--id', 'ichihara', '--kind', 'insurer', '--name', '市原市', '--insurer', '122192']));
  const tok = must(kaigo(['token', 'issue', '--db', db, '--org', 'ichihara', '--name', 'e2e'])).out.trim();
  const srv = await startServer(db);
  try {
    const j = await (await srv.as(tok, '/api/v1/insurers/122192/insured/0000000001/card')).json();
    assert.equal(j.panel1.name, name);
    assert.equal(j.panel1.address, address);
  } finally {
    await srv.stop();
  }
});
