// web.test.mjs - the web foundation over HTTP (issue #14), without a browser: a named withdrawal
// holds against a 区分変更 application's 包括同意 until the person grants again (RULE-GATE-010) and
// the clerk is told; the named limits of page forms; errors as pages outside the API; the text
// size switch is no open redirect; assets; whoami lists the persons a family member acts for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp, kaigo, startServer, BIN, newDb, side, dbEnv } from './lib.mjs';

const SRC = process.env.KAIGO_SRC;
let srv, db, ins, no, birth, code, api, insapi;

before(async () => {
  const dir = tmp();
  db = newDb(dir, 'demo.db');
  const r = spawnSync('bash', [join(SRC, 'scripts/demo-db.sh'), BIN, db, '2', '60'], { encoding: 'utf8', env: { ...process.env, ...dbEnv(db) } });
  assert.equal(r.status, 0, r.stderr);
  [ins, no, birth, code] = readFileSync(side(db, '.demo-person'), 'utf8').trim().split(' ');
  api = readFileSync(side(db, '.demo-token'), 'utf8').trim();
  insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
  srv = await startServer(db);
});
after(async () => { await srv?.stop(); });

async function apiLogin(login, secret) {
  const totp = kaigo(['totp', secret]).out.trim();
  const res = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login, password: 'demo-Password-2026', totp }) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.headers.get('set-cookie').split(';')[0];
}

test('a withdrawal for one office holds against a later 区分変更 包括同意 until the person grants again; the clerk is told', async () => {
  const P = `/api/v1/insurers/${ins}/insured/${no}`;
  let res = await srv.as(api, '/api/v1/relationships', { method: 'POST', body: JSON.stringify({ insurer_no: ins, insured_no: no, birth_date: birth, code }) });
  assert.equal(res.status, 201, await res.clone().text());
  assert.equal((await srv.as(api, `${P}/card`)).status, 200);
  const cookie = await apiLogin('demo-person', 'DEMOPERSONDEMOPERSONDEMOPERSON22');
  res = await fetch(srv.url + `${P}/consents/withdraw`, { method: 'POST', headers: { Cookie: cookie }, body: JSON.stringify({ categories: 'all', grantee: 'demo-kyotaku' }) });
  assert.equal(res.status, 201, await res.clone().text());
  assert.equal((await srv.as(api, `${P}/card`)).status, 403); // consent_missing: a registered office is told
  // the municipality records a 区分変更 application with the person's paper 包括同意
  res = await srv.as(insapi, `${P}/applications`, { method: 'POST', body: JSON.stringify({ kind: '区分変更', applied: date(), consent: 'all' }) });
  const filed = await res.json();
  assert.equal(res.status, 201, JSON.stringify(filed));
  assert.deepEqual(filed.withdrawals_in_force.map((w) => w.grantee), ['demo-kyotaku']);
  assert.match(filed.withdrawals_notice, /本人が再び同意するまで撤回が優先されます/);
  // still closed for the withdrawn office
  assert.equal((await srv.as(api, `${P}/card`)).status, 403);
  // the person grants it again from the consents page (CSRF token from the page)
  const page = await (await fetch(srv.url + '/me/consents', { headers: { Cookie: cookie } })).text();
  assert.match(page, /撤回済み/);
  const csrf = page.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  res = await fetch(srv.url + '/me/consents/grant', {
    method: 'POST', redirect: 'manual', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, grantee: 'demo-kyotaku' }),
  });
  assert.equal(res.status, 303);
  assert.equal((await srv.as(api, `${P}/card`)).status, 200);
  // per category: withdraw only ケアプラン and LIFE, the card stays open
  res = await fetch(srv.url + '/me/consents/withdraw', {
    method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `csrf=${csrf}&grantee=demo-kyotaku&cat=careplan&cat=life&confirm=1`,
  });
  assert.equal(res.status, 200);
  assert.equal((await srv.as(api, `${P}/card`)).status, 200);
  const grants = await (await fetch(srv.url + '/api/v1/me/consents', { headers: { Cookie: cookie } })).json();
  assert.deepEqual(grants.withdrawals.at(-1).categories, ['careplan', 'life']);
});

function date() {
  const d = new Date(Date.now() + 9 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

// pageLogin - the login form as a browser sends it: its token field and the cookie it came with
async function loginForm() {
  const r = await fetch(srv.url + '/login');
  const lt = (await r.text()).match(/name="lt" value="([0-9a-f]{32})"/)[1];
  const cookie = r.headers.get('set-cookie').split(';')[0];
  assert.match(r.headers.get('set-cookie'), /^kaigo_login=[0-9a-f]{32}; Path=\/login; HttpOnly; SameSite=Strict/);
  return { lt, cookie };
}

test('page forms: named limits, NUL, invalid UTF-8; answered as pages; the API keeps JSON', async () => {
  const post = (path, body, type = 'application/x-www-form-urlencoded') =>
    fetch(srv.url + path, { method: 'POST', redirect: 'manual', body, headers: { 'Content-Type': type } });
  let r = await post('/login', Array.from({ length: 30 }, (_, i) => `f${i}=x`).join('&'));
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(await r.text(), /送信内容を読めません/);
  r = await post('/login', 'login=demo-person%00zz&password=x&totp=1');
  assert.equal(r.status, 400, 'a NUL in a field');
  r = await post('/login', 'login=%FF%FE&password=x');
  assert.equal(r.status, 400, 'invalid UTF-8');
  r = await post('/login', 'login=' + 'a'.repeat(9000));
  assert.equal(r.status, 413, 'over the form limit');
  // without the login form's token (login CSRF): refused before the password is looked at
  r = await post('/login', 'login=demo-person&password=wrong&totp=000000');
  assert.equal(r.status, 403);
  assert.match(await r.text(), /ログイン画面を開き直してください/);
  const f = await loginForm();
  r = await fetch(srv.url + '/login', { method: 'POST', redirect: 'manual', body: `lt=${'0'.repeat(32)}&login=demo-person&password=wrong`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: f.cookie } });
  assert.equal(r.status, 403, 'a token that is not the cookie’s');
  r = await fetch(srv.url + '/login', { method: 'POST', redirect: 'manual', body: `lt=${f.lt}&login=demo-person&password=wrong&totp=000000`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: f.cookie } });
  assert.equal(r.status, 401);
  assert.match(await r.text(), /いずれかが正しくありません/);
  // a cross-site login post is refused before anything is checked
  r = await fetch(srv.url + '/login', { method: 'POST', body: 'login=a&password=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' } });
  assert.equal(r.status, 403);
  // unknown paths: a page outside the API, JSON inside it
  r = await fetch(srv.url + '/nothing/here');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  r = await fetch(srv.url + '/api/v1/nothing');
  assert.equal(r.status, 404);
  assert.equal((await r.json()).error.code, 'no_route');
  // no session: a page redirects to the login, the API answers 401
  r = await fetch(srv.url + '/me/card', { redirect: 'manual' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  assert.equal((await fetch(srv.url + '/api/v1/me/card')).status, 401);
});

test('the text size switch stays on this site; assets are served by kaigo with a version', async () => {
  for (const [back, want] of [['/me/card', '/me/card'], ['//evil.example/x', '/'], ['https://evil.example', '/'], ['/\\evil', '/'],
    ['/\t/evil.example/login', '/'], ['/\n/evil.example', '/'], ['/me//evil', '/'], ['/me/card?x=1', '/']]) {
    const r = await fetch(srv.url + '/text-size/large?back=' + encodeURIComponent(back), { redirect: 'manual' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), want, back);
    assert.match(r.headers.get('set-cookie'), /^kaigo_size=large;/);
  }
  const login = await (await fetch(srv.url + '/login')).text();
  const css = login.match(/href="(\/assets\/kaigo\.css\?v=[0-9a-f]{16})"/)[1];
  const r = await fetch(srv.url + css);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/css/);
  assert.match(r.headers.get('cache-control'), /max-age/);
  assert.match(await r.text(), /--key: #0017c1/);
  assert.match(login, /<script src="\/assets\/kaigo\.js\?v=[0-9a-f]{16}" defer><\/script>/);
  assert.doesNotMatch(login, /<script>|style="/, 'no inline script or style (CSP without unsafe-inline)');
});

test('whoami lists the persons a family member acts for', async () => {
  const cookie = await apiLogin('demo-family', 'DEMOFAMILYDEMOFAMILYDEMOFAMILY22');
  const me = await (await fetch(srv.url + '/api/v1/whoami', { headers: { Cookie: cookie } })).json();
  assert.equal(me.role, 'person');
  assert.equal(me.represents.length, 1);
  assert.equal(me.represents[0].insured_no, no);
  assert.equal(me.represents[0].kind, 'family');
});

test('failed logins cannot lock another purpose: logins named "rel:…" do not throttle an office’s 本人確認', async () => {
  for (let i = 0; i < 6; i++) {
    const f = await loginForm();
    const r = await fetch(srv.url + '/login', { method: 'POST', redirect: 'manual', body: `lt=${f.lt}&login=rel:demo-kyotaku&password=x&totp=000000`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: f.cookie } });
    assert.ok(r.status === 401 || r.status === 429, String(r.status));
  }
  // the office's 本人確認 is not locked: a wrong code is 422, not 429
  const r = await srv.as(api, '/api/v1/relationships', { method: 'POST', body: JSON.stringify({ insurer_no: ins, insured_no: no, birth_date: birth, code: '0000000000' }) });
  assert.equal(r.status, 422, await r.clone().text());
});

test('the API with a session cookie refuses a state change from another site', async () => {
  const cookie = await apiLogin('demo-staff', 'DEMOSTAFFDEMOSTAFFDEMOSTAFFDEMO2');
  const post = (headers) => fetch(srv.url + '/api/v1/breakglass', { method: 'POST', headers: { Cookie: cookie, ...headers }, body: JSON.stringify({ insurer_no: ins, insured_no: no, reason: '' }) });
  let r = await post({ Origin: 'http://evil.example' });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'cross_origin');
  r = await post({ 'Sec-Fetch-Site': 'same-site' });
  assert.equal(r.status, 403);
  r = await post({}); // a program, or this site: reaches the handler (which wants the permission)
  assert.equal(r.status, 403);
  assert.notEqual((await r.json()).error.code, 'cross_origin');
});
