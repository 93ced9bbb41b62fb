// tokens.test.mjs - short-lived access and refresh tokens for office software (issue #17 §2), in the shape of the
// national 介護保険資格確認等WEBサービス API (access 60 minutes, refresh 8 hours; national.md §3): an office's API
// token (kgt_) obtains both; the access token reads as the office (audited as its API token); only the API token
// mints; a refresh gives a new access token, never one outliving the refresh token; a forged, altered or ended
// token is no credential; revoking the API token ends them all; the lifetimes are the server's options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmp, kaigo, must, sqlite, fixture, startServer, audit } from './lib.mjs';

let db, srv, apiTok, tokenId;
const CARD = '/api/v1/insurers/122192/insured/0000000001/card';
const post = (path, tok, body) => fetch(srv.url + path, {
  method: 'POST', headers: { ...(tok ? { Authorization: 'Bearer ' + tok } : {}), 'Content-Type': 'application/json' },
  body: body ? JSON.stringify(body) : undefined });
const get = (path, tok) => fetch(srv.url + path, { headers: { Authorization: 'Bearer ' + tok } });

before(async () => {
  db = fixture(tmp());
  apiTok = must(kaigo(['token', 'issue', '--db', db, '--org', 'ichihara', '--name', 'office-software'])).out.trim();
  tokenId = apiTok.split('_')[1];
  srv = await startServer(db, ['--access-token-lifetime', '2s', '--refresh-token-lifetime', '4s']);
});
after(async () => { await srv?.stop(); });

test('the API token obtains an access and a refresh token; the access token reads as the office, audited', async () => {
  const r = await post('/api/v1/token', apiTok);
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.token_type, 'Bearer');
  assert.match(j.access_token, /^kga_\d+_\d+_[0-9a-f]{128}$/);
  assert.match(j.refresh_token, /^kgr_\d+_\d+_[0-9a-f]{128}$/);
  assert.equal(j.expires_in, 2);
  assert.equal(j.refresh_expires_in, 4);
  const before = Number(audit(db, `SELECT COUNT(*) FROM audit_v WHERE actor = 'token:${tokenId}'`).out);
  assert.equal((await get(CARD, j.access_token)).status, 200);
  assert.equal(Number(audit(db, `SELECT COUNT(*) FROM audit_v WHERE actor = 'token:${tokenId}'`).out), before + 1);
  // an access token cannot mint more; nor can a session-less caller
  assert.equal((await post('/api/v1/token', j.access_token)).status, 403);
  assert.equal((await post('/api/v1/token')).status, 401);
  // altered: another token id, a later end, a flipped signature byte
  const [, id, end, sig] = j.access_token.split('_');
  for (const forged of [`kga_${Number(id) + 1}_${end}_${sig}`, `kga_${id}_${Number(end) + 3600000}_${sig}`,
    `kga_${id}_${end}_${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`, `kga_${id}_${end}`, 'kga_'])
    assert.equal((await get(CARD, forged)).status, 401, forged);
  // a refresh token is not an access token, and the reverse
  assert.equal((await get(CARD, j.refresh_token)).status, 401);
  assert.equal((await post('/api/v1/token/refresh', null, { refresh_token: j.access_token })).status, 401);
});

test('refresh: a new access token, never past the refresh token; ended tokens are refused', async () => {
  const j = await (await post('/api/v1/token', apiTok)).json();
  await new Promise((res) => setTimeout(res, 2300)); // the access token (2 s) has ended
  assert.equal((await get(CARD, j.access_token)).status, 401);
  const r = await post('/api/v1/token/refresh', null, { refresh_token: j.refresh_token });
  assert.equal(r.status, 200);
  const k = await r.json();
  assert.ok(k.expires_in <= 2 && !k.refresh_token, JSON.stringify(k));
  assert.equal((await get(CARD, k.access_token)).status, 200);
  await new Promise((res) => setTimeout(res, 2000)); // the refresh token (4 s) has ended, and with it its access
  assert.equal((await post('/api/v1/token/refresh', null, { refresh_token: j.refresh_token })).status, 401);
  assert.equal((await get(CARD, k.access_token)).status, 401);
});

test('revoking the API token ends its access and refresh tokens at once', async () => {
  const j = await (await post('/api/v1/token', apiTok)).json();
  assert.equal((await get(CARD, j.access_token)).status, 200);
  must(kaigo(['token', 'revoke', tokenId, '--db', db]));
  assert.equal((await get(CARD, j.access_token)).status, 401);
  assert.equal((await post('/api/v1/token/refresh', null, { refresh_token: j.refresh_token })).status, 401);
});

test('lifetimes are options: malformed ones refused, the defaults 60 minutes and 8 hours', async () => {
  assert.equal(kaigo(['serve', '--db', db, '--access-token-lifetime', '60x']).code, 2);
  assert.equal(kaigo(['serve', '--db', db, '--access-token-lifetime', '9h', '--refresh-token-lifetime', '8h']).code, 2);
  const d2 = fixture(tmp());
  const t2 = must(kaigo(['token', 'issue', '--db', d2, '--org', 'ichihara', '--name', 'x'])).out.trim();
  const s2 = await startServer(d2);
  try {
    const j = await (await fetch(s2.url + '/api/v1/token', { method: 'POST', headers: { Authorization: 'Bearer ' + t2 } })).json();
    assert.deepEqual([j.expires_in, j.refresh_expires_in], [3600, 28800]);
  } finally {
    await s2.stop();
  }
});
