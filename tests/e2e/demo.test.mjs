// demo.test.mjs - the `make run` demo: scripts/demo-db.sh builds a database whose
// banner paths (provider API token + paper 本人確認 code, person login with the
// public demo TOTP secret, the access log) work against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp, kaigo, startServer, sqlite, BIN, newDb, side, dbEnv } from './lib.mjs';

const SRC = process.env.KAIGO_SRC;

test('demo database: the banner’s provider and person paths work', async () => {
  const dir = tmp();
  const db = newDb(dir, 'demo.db');
  // 400 people: the demo office gets all twelve of its people (issue #18: the 11th made a 15-digit file stamp)
  let r = spawnSync('bash', [join(SRC, 'scripts/demo-db.sh'), BIN, db, '2', '400'], { encoding: 'utf8', env: { ...process.env, ...dbEnv(db) } });
  assert.equal(r.status, 0, r.stderr);
  r = spawnSync('bash', [join(SRC, 'scripts/run-banner.sh'), db, '127.0.0.1:1'], { encoding: 'utf8', cwd: SRC, env: { ...process.env, ...dbEnv(db) } });
  assert.equal(r.status, 0, r.stderr);
  const code = r.stdout.match(/one-time paper code ([0-9]{10})/)[1];
  const cl = r.stdout.match(/kaigo caseload --db \S+ --office (\d{10}) --month (\d{4}-\d{2})/);
  assert.ok(cl, r.stdout);
  // the banner names the pages and a login for each role; each login works on the page
  assert.match(r.stdout, /ブラウザで \/ in a browser:  http:\/\/127\.0\.0\.1:1\//);
  const logins = [...r.stdout.matchAll(/(demo-person|demo-family|demo-cm|demo-clerk) +秘密鍵 ([A-Z2-7]{32})/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(logins.map((x) => x[0]), ['demo-person', 'demo-family', 'demo-cm', 'demo-clerk']);
  const [ins, no, birth] = readFileSync(side(db, '.demo-person'), 'utf8').trim().split(' ');
  const api = readFileSync(side(db, '.demo-token'), 'utf8').trim();
  const srv = await startServer(db);
  try {
    for (const [login, secret] of logins.slice(1)) { // demo-person logs in below through the API
      const totp = kaigo(['totp', secret]).out.trim();
      const form = await fetch(srv.url + '/login');
      const lt = (await form.text()).match(/name="lt" value="([0-9a-f]{32})"/)[1];
      const res = await fetch(srv.url + '/login', { method: 'POST', redirect: 'manual', body: new URLSearchParams({ lt, login, password: 'demo-Password-2026', totp }),
        headers: { Cookie: form.headers.get('set-cookie').split(';')[0] } });
      assert.equal(res.status, 303, login);
      assert.equal(res.headers.get('location'), '/', login);
    }
    const card = `/api/v1/insurers/${ins}/insured/${no}/card`;
    assert.equal((await srv.as(api, card)).status, 404); // not yet 担当事業所
    let res = await srv.as(api, '/api/v1/relationships', { method: 'POST', body: JSON.stringify({ insurer_no: ins, insured_no: no, birth_date: birth, code }) });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await srv.as(api, card)).status, 200);
    const t = kaigo(['totp', 'DEMOPERSONDEMOPERSONDEMOPERSON22']).out.trim();
    res = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'demo-person', password: 'demo-Password-2026', totp: t }) });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const log = await (await fetch(srv.url + '/api/v1/me/access-log', { headers: { Cookie: cookie } })).json();
    assert.deepEqual(log.entries.map((e) => e.outcome), ['denied', 'allowed']);
    // the banner's certification path (as the insurer's API token)
    const insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
    // the municipality under its own name, not 「保険者 NNNNNN」 (issue #15)
    const me = await (await srv.as(insapi, '/api/v1/whoami')).json();
    assert.doesNotMatch(me.organisation_name, /^保険者 /);
    assert.ok(me.organisation_name.length > 0);
    // the demo 居宅 has its 事業所番号: the ケアプラン連携 inbox answers (it was 403)
    res = await srv.as(api, '/api/v1/exchange/inbox');
    assert.equal(res.status, 200, await res.clone().text());
    const P = `/api/v1/insurers/${ins}/insured/${no}`;
    const post = (path, body) => srv.as(insapi, path, { method: 'POST', body: JSON.stringify(body) });
    res = await post(`${P}/applications`, { kind: '区分変更', applied: 'R8.11.2', consent: 'all' });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await res.json()).id, 'A20261102-1');
    res = await post(`${P}/applications/A20261102-1/survey`, { date: 'R8.11.3', investigator: '調査員 一郎' });
    assert.equal(res.status, 201, await res.clone().text());
    assert.match(kaigo(['cert', 'worklist', '--db', db, '--insurer', ins]).out, new RegExp(`${no} +A20261102-1 +区分変更`));
    res = await post(`${P}/ledger/claims`, { kind: 'yogu', date: 'R8.11.5', amount: 120000, category: '腰掛便座' });
    assert.equal((await res.json()).accepted, 100000);
    assert.match(kaigo(['ledger', 'remaining', '--db', db, ins, no, '--date', 'R8.11.5']).out, /福祉用具購入  残り 0 円/);
  } finally {
    await srv.stop();
  }
  // the banner's paper path: the card printed with its QR, and the QR checked
  assert.match(r.stdout, /print card --db/);
  const pdf = join(dir, 'card.pdf');
  const p = kaigo(['print', 'card', '--db', db, '--person', `${ins}/${no}`, pdf]);
  assert.equal(p.code, 0, p.err);
  const v = kaigo(['verify', pdf, '--db', db]);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /書類: 介護保険被保険者証/);
  // the banner's caseload command works on the demo's 第6表 (issue #15: there was no data)
  const caseload = kaigo(['caseload', '--db', db, '--office', cl[1], '--month', cl[2]]);
  assert.equal(caseload.code, 0, caseload.err);
  // the demo person's and every other one of the office's twelve people (each with its 補足): 7 cases (issue #18)
  assert.equal(Number(sqlite(db, `SELECT COUNT(DISTINCT insured_no) FROM relationships WHERE org_id = 'demo-kyotaku' AND insured_no != '${no}'`).out), 12);
  const cj = JSON.parse(kaigo(['caseload', '--db', db, '--office', cl[1], '--month', cl[2], '--json']).out);
  assert.equal(cj.office.care_cases + cj.office.support_cases + cj.office.yobo_cm_cases, 7);
  assert.match(caseload.out, /要介護 \d+ 件/);
  // the banner's leak-scoping command runs as printed
  const sc = r.stdout.match(/audit scope --db \S+ --org (\S+) --from (\S+) --to (\S+)/);
  assert.ok(sc, r.stdout);
  const scope = kaigo(['audit', 'scope', '--db', db, '--org', sc[1], '--from', sc[2], '--to', sc[3]]);
  assert.equal(scope.code, 0, scope.err);
  assert.match(scope.out, /^保険者番号\t被保険者番号\t区分\t開示\t拒否/);
  // a second run keeps the database
  r = spawnSync('bash', [join(SRC, 'scripts/demo-db.sh'), BIN, db, '2', '60'], { encoding: 'utf8', env: { ...process.env, ...dbEnv(db) } });
  assert.equal(r.status, 0);
  assert.equal(kaigo(['audit', 'verify', '--db', db]).code, 0);
});
