// hooks.test.mjs - the test hooks exist only in kaigo-test (issue 16): the shipped binary's
// rules do not change with KAIGO_TODAY, KAIGO_LAPSE_MONTHS, KAIGO_AUDIT_EPOCH or
// KAIGO_PRINT_FAIL_PART in its environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmp, fixture, dbEnv } from './lib.mjs';

const SHIPPED = process.env.KAIGO_SHIPPED_BIN;
const TESTBIN = process.env.KAIGO_BIN;

function run(bin, args, env = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('KAIGO_TODAY moves the legal today of kaigo-test only', () => {
  assert.ok(SHIPPED && SHIPPED !== TESTBIN, 'the shipped binary is a different program');
  const db = fixture(tmp());
  // 0000000002 was certified 2019-04-01..2020-03-31: on 2019-06-01 the card shows 要介護2
  const args = ['card', 'show', '--db', db, '122192', '0000000002'];
  const now = dbEnv(db), then = { ...now, KAIGO_TODAY: '2019-06-01' };
  const tNow = run(TESTBIN, args, now), tThen = run(TESTBIN, args, then);
  assert.equal(tNow.code, 0, tNow.err);
  assert.notEqual(tThen.out, tNow.out, 'the hook works in kaigo-test (so this test can fail)');
  const sNow = run(SHIPPED, args, now), sThen = run(SHIPPED, args, then);
  assert.equal(sNow.code, 0, sNow.err);
  assert.equal(sThen.out, sNow.out, 'the shipped binary ignored KAIGO_TODAY');
  assert.equal(sNow.out, tNow.out);
});

test('the shipped binary says it is not a test build; kaigo-test says it is', () => {
  assert.equal(run(SHIPPED, ['--version']).out.trim(), 'kaigo 0.1.0');
  assert.match(run(TESTBIN, ['--version']).out, /test build/);
});

test('the shipped binary contains none of the hook variables', () => {
  const r = spawnSync('grep', ['-c', '-a', '-E', 'KAIGO_(TODAY|LAPSE_MONTHS|AUDIT_EPOCH|PRINT_FAIL_PART|DISK_FULL_FILE)', SHIPPED], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), '0');
});
