// install.test.mjs - `make install` as a packager runs it (issue #20): `cmake --install` of this build into a
// throw-away DESTDIR with prefix /usr puts the binary on the PATH's bin, the audit log's SQLite extension, both man
// pages and the shipped data where the FHS expects them, and the installed binary runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmp, BIN } from './lib.mjs';

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

test('cmake --install into a DESTDIR: binary, extension, man pages (en, ja), data; the installed kaigo runs', () => {
  const dest = tmp();
  const r = spawnSync('cmake', ['--install', dirname(BIN), '--prefix', '/usr'], { encoding: 'utf8', env: { ...process.env, DESTDIR: dest } });
  assert.equal(r.status, 0, r.stderr);
  const files = walk(dest).map((f) => f.slice(dest.length));
  for (const want of ['/usr/bin/kaigo', '/usr/share/man/man1/kaigo.1', '/usr/share/man/ja/man1/kaigo.1',
    '/usr/share/kaigo/service-codes.csv', '/usr/share/kaigo/service-types.tsv',
    '/usr/share/kaigo/schema.sql', '/usr/share/kaigo/upgrade/0017_throttles.sql'])
    assert.ok(files.includes(want), `${want} missing in ${files.join(' ')}`);
  assert.ok(files.some((f) => /^\/usr\/lib\/.*kaigo\/kaigo_audit\.so$/.test(f)), files.join(' '));
  assert.ok(!files.some((f) => f.includes('kaigo-test')), 'the test build is never installed');
  const bin = join(dest, 'usr/bin/kaigo');
  assert.ok(statSync(bin).mode & 0o111, 'executable');
  const h = spawnSync(bin, ['--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout + h.stderr, /使い方: kaigo/);
  const w = spawnSync(bin, ['wareki', '2026-12-03'], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /令和8年12月3日/);
  assert.ok(existsSync(join(dest, 'usr/share/man/ja/man1/kaigo.1')));
});
