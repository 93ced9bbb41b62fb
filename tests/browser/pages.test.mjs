// pages.test.mjs - the web pages in a real browser (issue #14 §4): Debian's chromium driven by
// playwright-core against the real kaigo server on a free loopback port, with the demo database
// of `make run`. Each path of the person, the family member and the provider clerk end to end,
// keyboard-only login, axe-core (WCAG 2.0/2.1 A+AA = JIS X 8341-3:2016 AA) on every page and
// state, an IDOR by editing the URL (refused, and visible in that person's だれが見たか), CSRF
// refused, the security headers, session expiry, 200 % zoom and phone width without horizontal
// scrolling. A failing step writes a screenshot next to the kept temporary directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmp, kaigo, startServer, sqlite, BIN, addUser, newDb, side, dbEnv, PG } from '../e2e/lib.mjs';

const SRC = process.env.KAIGO_SRC;
const CHROMIUM = process.env.KAIGO_CHROMIUM || '/usr/bin/chromium';
const require = createRequire(import.meta.url);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/deps.sh installs Debian's chromium`);
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PW = 'demo-Password-2026';
// field - a field of a record's JSON body in the backend's SQL
const field = (name) => (PG ? `body::json->>'${name}'` : `json_extract(body, '$.${name}')`);
const SECRETS = {
  'demo-person': 'DEMOPERSONDEMOPERSONDEMOPERSON22',
  'demo-family': 'DEMOFAMILYDEMOFAMILYDEMOFAMILY22',
  'demo-clerk': 'DEMOCLERKDEMOCLERKDEMOCLERKDEMO2',
  'demo-cm': 'DEMOCAREMGRDEMOCAREMGRDEMOCAREM2',
  'demo-provider': 'DEMOPROVIDERDEMOPROVIDERDEMOPR22',
  'demo-doctor': 'DEMODOCTORDEMODOCTORDEMODOCTOR22',
  'demo-staff': 'DEMOSTAFFDEMOSTAFFDEMOSTAFFDEMO2',
};

let dir, db, srv, browser, ins, no, birth, diskFull, cardQr, printFail;
const axeSeen = new Map(); // url/state -> violations (every page and state is checked once)

before(async () => {
  dir = tmp();
  db = newDb(dir, 'demo.db'); // a file, or a PostgreSQL database (KAIGO_TEST_BACKEND=postgresql: ctest browser-pg-pages)
  const r = spawnSync('bash', [join(SRC, 'scripts/demo-db.sh'), BIN, db, '2', '60'], { encoding: 'utf8', env: { ...process.env, ...dbEnv(db) } });
  assert.equal(r.status, 0, r.stderr);
  [ins, no, birth] = readFileSync(side(db, '.demo-person'), 'utf8').trim().split(' ');
  importPlan();
  // LIFE feedback for the person (the standard's items as the e2e cert test uses them)
  writeFileSync(join(dir, 'life.csv'), ['保険者番号,被保険者番号,事業所番号,評価日,評価時点,項目,値',
    `${ins},${no},1270100017,2026-01-15,利用中,BI合計,60`, `${ins},${no},1270100017,2026-04-15,利用中,BI合計,55`].join('\n') + '\n');
  const lr = kaigo(['import', 'life', join(dir, 'life.csv'), '--db', db]);
  assert.equal(lr.code, 0, lr.err);
  // an office that registers by paper: the person's printed 被保険者証, photographed (issue 16)
  assert.equal(kaigo(['org', 'add', '--db', db, '--id', 'demo-paper', '--kind', 'provider', '--name', 'デモ訪問介護ひまわり']).code, 0);
  const paperTok = kaigo(['token', 'issue', '--db', db, '--org', 'demo-paper', '--name', 'browser']).out.trim();
  const cardPdf = join(dir, 'card.pdf');
  const pc = kaigo(['print', 'card', '--person', `${ins}/${no}`, cardPdf, '--db', db]);
  assert.equal(pc.code, 0, pc.err);
  assert.equal(spawnSync('pdftoppm', ['-r', '200', '-png', '-singlefile', cardPdf, join(dir, 'card')]).status, 0);
  cardQr = spawnSync('zbarimg', ['--raw', '-q', join(dir, 'card.png')], { encoding: 'utf8' }).stdout.trim();
  // the insurer's policy (issue #17 §3): shown on the person's card page and the clerk's check
  assert.equal(kaigo(['insurer', 'set-policy', ins, '--card-issue', 'application', '--platform-start', '2026-10-01', '--db', db]).code, 0);
  // kaigo-test's fault VFS: every store write fails while this file exists (the full-disk login)
  diskFull = join(dir, 'disk-full');
  process.env.KAIGO_DISK_FULL_FILE = diskFull;
  printFail = join(dir, 'print-fail'); // kaigo-test's hook: every print part fails while this file exists (issue #19)
  process.env.KAIGO_PRINT_FAIL_FILE = printFail;
  srv = await startServer(db, ['--codes', side(db, '.codes.csv')]); // as `make run`: the demo's master for the 第7表
  delete process.env.KAIGO_DISK_FULL_FILE;
  delete process.env.KAIGO_PRINT_FAIL_FILE;
  const reg = await srv.as(paperTok, '/api/v1/relationships', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: cardQr, birth_date: birth, visual_check: '運転免許証の写真と本人を照合' }) });
  assert.equal(reg.status, 201, await reg.text());
  // a 福祉用具購入 claim by the insurer (the ledger page shows what remains)
  const insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
  const cr = await srv.as(insapi, `/api/v1/insurers/${ins}/insured/${no}/ledger/claims`, { method: 'POST', body: JSON.stringify({ kind: 'yogu', date: new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10), amount: 12345, category: '腰掛便座' }) });
  assert.equal(cr.status, 201, await cr.text());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=ja-JP'] });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// importPlan - this month's 第6表 (UPPLAN, v4.1, MS932) for the demo person: 通所介護 on the 1st
// and the 8th from 9:30 to 16:00, as `kaigo exchange import` stores a received send unit
function importPlan() {
  const now = new Date(Date.now() + 9 * 3600 * 1000);
  const ym = now.toISOString().slice(0, 7).replace('-', '');
  const q = (x) => '"' + x + '"';
  const row = (day) => ['202407', ins, no, ym + '01', ym, '1270100017', q('ケア　太郎'), '658', '', ym + day, '', '0930', '1600', '1',
    '151111', '', '', q(''), '', '1370100016', q('デイサービスさくら'), '', '0', '1270100017', ''].join(',');
  const name = join(dir, `UPPLAN_${ym}_1270100017_43_1370100016_15_${ym}01120000.CSV`);
  const bytes = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: [row('01'), row('08')].join('\r\n') + '\r\n' }).stdout;
  writeFileSync(name, bytes);
  const r = kaigo(['exchange', 'import', name, '--db', db]);
  assert.equal(r.code, 0, r.err);
}

// step - runs fn; on failure a full-page screenshot is written into the (kept) directory
async function step(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    const shot = join(dir, `fail-${name.replace(/[^A-Za-z0-9]+/g, '-')}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${shot})`;
    // a server that died says why: its exit and the end of what it wrote (kept in the test's directory too)
    if (srv && (srv.child.exitCode !== null || srv.child.signalCode !== null)) {
      writeFileSync(join(dir, 'server.log'), srv.log());
      e.message += `\n(the server exited: ${srv.child.exitCode ?? srv.child.signalCode}; it wrote: ${srv.log().slice(-3000)})`;
    }
    throw e;
  }
}

async function newPage(opts = {}) {
  const ctx = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 }, ...opts });
  const page = await ctx.newPage();
  page.cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) page.cspErrors.push(m.text()); });
  return page;
}

// axeCheck - axe-core with the WCAG 2.0/2.1 A and AA rules; 0 violations expected
async function axeCheck(page, state) {
  await page.evaluate(AXE + ';0');
  const res = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const v = res.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  axeSeen.set(state, v);
  assert.deepEqual(v, [], `axe on ${state} (${page.url()})`);
  assert.deepEqual(page.cspErrors, [], `CSP violations on ${state}`);
}

async function noHorizontalScroll(page, state) {
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(sw <= cw + 1, `${state}: horizontal scroll (${sw} > ${cw})`);
}

// narrow - a page at 200 % zoom (640 px CSS) and at phone width: no horizontal scrolling, axe clean
async function narrow(who, path, state) {
  for (const [name, opts] of [['zoom200', { viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 }],
    ['phone', { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }]]) {
    const p = await newPage(opts);
    await step(p, `${state}-${name}`, async () => {
      await login(p, who);
      await p.goto(srv.url + path);
      await noHorizontalScroll(p, `${name} ${path}`);
      await axeCheck(p, `${name}-${state}`);
    });
    await p.context().close();
  }
}

function totp(login) {
  return kaigo(['totp', SECRETS[login]]).out.trim();
}

// Sessions are reused across tests: a TOTP code is accepted once per 30 s step and account
// (replay protection), so a second form login within the same step would be refused.
const sessions = {};
const lastStep = {};
async function keepSession(page, who) {
  const c = (await page.context().cookies()).find((x) => x.name === 'kaigo_session');
  if (c) sessions[who] = c.value;
  lastStep[who] = Math.floor(Date.now() / 30000);
}

async function formLogin(page, who) {
  while (lastStep[who] === Math.floor(Date.now() / 30000)) await new Promise((r) => setTimeout(r, 500));
  await page.goto(srv.url + '/login');
  await page.getByLabel('ログインID').fill(who);
  await page.getByLabel('パスワード').fill(PW);
  await page.getByLabel('確認コード').fill(totp(who));
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForLoadState('load');
  assert.ok(!page.url().endsWith('/login'), `login as ${who} failed`);
  await keepSession(page, who);
}

async function login(page, who) {
  if (sessions[who]) {
    await page.context().addCookies([{ name: 'kaigo_session', value: sessions[who], url: srv.url }]);
    await page.goto(srv.url + '/');
    if (!/\/login/.test(page.url())) return;
    delete sessions[who];
  }
  await formLogin(page, who);
}

test('axe-core finds a known violation (the check can fail)', async () => {
  const page = await newPage();
  await page.setContent('<html><body><img src="x.png"><input type="text"></body></html>');
  await page.evaluate(AXE + ';0');
  const res = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  const ids = res.violations.map((v) => v.id);
  assert.ok(ids.includes('image-alt') && ids.includes('label') && ids.includes('html-has-lang'), ids.join(','));
  await page.context().close();
});

test('login page: exact accessible names, errors in Japanese, keyboard only with a visible focus', async () => {
  const page = await newPage();
  await step(page, 'login', async () => {
    const res = await page.goto(srv.url + '/');
    assert.ok(page.url().endsWith('/login'), 'a page without a session leads to the login');
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    for (const name of ['ログインID', 'パスワード', '確認コード'])
      assert.equal(await page.getByLabel(name, { exact: true }).count(), 1, name);
    assert.equal(await page.getByRole('button', { name: 'ログイン', exact: true }).count(), 1);
    await axeCheck(page, 'login');
    // a wrong code: the same message whatever was wrong, the lockout explained
    await page.getByLabel('ログインID').fill('demo-person');
    await page.getByLabel('パスワード').fill(PW);
    await page.getByLabel('確認コード').fill(totp('demo-person') === '000000' ? '000001' : '000000');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main [role=alert]').innerText(), /ログインID、パスワード、確認コードのいずれかが正しくありません/);
    assert.match(await page.content(), /5回続けて失敗すると、安全のため15分間/);
    await axeCheck(page, 'login-error');
    // keyboard only: Tab to each field, Enter submits
    await page.goto(srv.url + '/login');
    await page.keyboard.press('Tab'); // skip link
    let focused = await page.evaluate(() => document.activeElement.textContent);
    assert.equal(focused, '本文へ移動');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focus is visible');
    // Tab until the login ID field has the focus
    for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement.id)) !== 'login'; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login');
    await page.keyboard.type('demo-person');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PW);
    await page.keyboard.press('Tab');
    await page.keyboard.type(totp('demo-person'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/me$/);
    // to the card by keyboard: Tab to the menu link and Enter
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement.textContent)) === '介護保険証') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/me\/card$/);
    assert.match(await page.locator('h1').innerText(), /介護保険証/);
    await keepSession(page, 'demo-person');
    const sess = (await page.context().cookies()).find((c) => c.name === 'kaigo_session');
    assert.ok(sess.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(sess.sameSite, 'Strict');
  });
  await page.context().close();
});

test('a full disk: the login is refused with the reason and the form kept, and works again with room (issue 16)', { skip: PG && "the full disk is kaigo-test's SQLite fault VFS (PostgreSQL's unavailable database: tests/pg/failover.sh)" }, async () => {
  const page = await newPage();
  await step(page, 'login-disk-full', async () => {
    while (lastStep['demo-clerk'] === Math.floor(Date.now() / 30000)) await new Promise((r) => setTimeout(r, 500));
    await page.goto(srv.url + '/login');
    writeFileSync(diskFull, '');
    let res;
    try {
      await page.getByLabel('ログインID').fill('demo-clerk');
      await page.getByLabel('パスワード').fill(PW);
      await page.getByLabel('確認コード').fill(totp('demo-clerk'));
      res = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'ログイン' }).click()]);
    } finally {
      rmSync(diskFull);
    }
    lastStep['demo-clerk'] = Math.floor(Date.now() / 30000);
    assert.equal(res[0].status(), 503);
    assert.match(await page.locator('main [role=alert]').innerText(), /ただいまログインを記録できないため、受け付けられません。入力に誤りがあったわけではありません/);
    assert.equal(await page.getByLabel('ログインID').inputValue(), 'demo-clerk', 'the login ID is kept');
    await axeCheck(page, 'login-disk-full');
    await page.screenshot({ path: join(dir, 'login-503-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 740 });
    await noHorizontalScroll(page, 'login-disk-full 375');
    await axeCheck(page, 'login-disk-full-375');
    await page.screenshot({ path: join(dir, 'login-503-375.png'), fullPage: true });
    // with room again the same form logs in
    await formLogin(page, 'demo-clerk');
    assert.ok(page.url().endsWith('/office'));
  });
  await page.context().close();
});

test('the person: every page, dates in 和暦 with 西暦, amounts grouped, access log, consent withdrawal with confirmation', async () => {
  const page = await newPage();
  await step(page, 'person', async () => {
    await login(page, 'demo-person');
    const res = await page.goto(srv.url + '/me/card');
    // security headers on a personal page
    const h = res.headers();
    assert.match(h['content-security-policy'], /default-src 'self'/);
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
    assert.doesNotMatch(h['content-security-policy'], /unsafe-inline|unsafe-eval/);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.equal(h['cache-control'], 'no-store');
    const card = await page.locator('main').innerText();
    assert.match(card, /(令和|平成|昭和)\d+年\d+月\d+日\(\d{4}年\)/, '和暦 with the 西暦 beside it');
    assert.match(card, /要介護\d|要支援\d|事業対象者/);
    assert.match(card, /\d{1,3}(,\d{3})+単位/, 'units grouped');
    assert.match(card, /\(一\)被保険者/);
    assert.equal(await page.locator('#insurer-policy').innerText(),
      'この市町村の介護情報基盤の利用開始: 令和8年10月1日(2026年)。紙の被保険者証は、要介護認定を申請したときに交付されます。');
    await axeCheck(page, 'card');
    for (const [path, h1] of [['/me', 'さんのページ'], ['/me/certification', '認定の状況'], ['/me/care', '担当のケアマネジャー'],
      ['/me/plan', '今月のケアプラン'], ['/me/life', 'LIFE'], ['/me/ledger', '住宅改修'], ['/me/access', 'だれが見たか'],
      ['/me/consents', '同意の確認と撤回'], ['/me/proxies', '代理人'], ['/me/code', '本人確認コード']]) {
      const r = await page.goto(srv.url + path);
      assert.equal(r.status(), 200, path);
      assert.match(await page.locator('h1').innerText(), new RegExp(h1), path);
      await axeCheck(page, path);
    }
    // this month's plan in plain words (the stored 第6表)
    await page.goto(srv.url + '/me/plan');
    const plan = await page.locator('main').innerText();
    assert.match(plan, /通所介護\(151111\)/);
    assert.match(plan, /デイサービスさくら/);
    assert.match(plan, /09:30〜16:00/);
    assert.match(plan, /1日、8日/);
    assert.match(plan, /2回/);
    // LIFE as a time series; the ledger with amounts grouped
    await page.goto(srv.url + '/me/life');
    const life = await page.locator('main').innerText();
    assert.match(life, /BI合計/);
    assert.match(life, /令和8年1月15日\(2026年\)\s+60/);
    assert.match(life, /令和8年4月15日\(2026年\)\s+55/);
    await page.goto(srv.url + '/me/ledger');
    const ledger = await page.locator('main').innerText();
    assert.match(ledger, /12,345円/);
    assert.match(ledger, /87,655円/, '100,000 − 12,345 remains this fiscal year');
    assert.match(ledger, /腰掛便座/);
    // the access log lists the reads just made, with time in 和暦
    await page.goto(srv.url + '/me/access');
    const log = await page.locator('#access-log').innerText();
    assert.match(log, /ご本人/);
    assert.match(log, /資格/);
    assert.match(log, /令和\d+年\d+月\d+日\(\d{4}年\) \d\d:\d\d/);
    // the office that registered by paper: named, with what was checked, visibly marked (issue 16)
    const paperRow = page.locator('#access-log tr', { hasText: 'デモ訪問介護ひまわり' }).filter({ has: page.locator('.badge.warn') });
    assert.equal(await paperRow.count(), 1, 'one entry for the paper registration');
    const badge = paperRow.locator('.badge.warn');
    assert.equal((await badge.innerText()).trim(), '紙の被保険者証で本人確認し、担当事業所として登録');
    assert.ok(await badge.isVisible());
    await page.screenshot({ path: join(dir, 'access-1280.png'), fullPage: true });
    // filtered by a period that holds nothing
    await page.getByLabel('いつから').fill('2020-01-01');
    await page.getByLabel('いつまで').fill('2020-01-31');
    await page.getByRole('button', { name: '絞り込む' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('[role=status]').innerText(), /^0 件/);
    await axeCheck(page, 'access-filtered');
    // 本人確認コード issued from the page
    await page.goto(srv.url + '/me/code');
    await page.getByRole('button', { name: 'コードを発行する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#identity-code').innerText(), /^\d{10}$/);
    await axeCheck(page, 'code-issued');
    // withdraw every office's consent: confirmation first, then in force at once
    await page.goto(srv.url + '/me/consents');
    await page.getByRole('button', { name: 'すべての事業所への同意を撤回する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /同意の撤回の確認/);
    await axeCheck(page, 'withdraw-confirm');
    await page.getByRole('link', { name: 'やめる' }).click(); // cancelling changes nothing
    await page.waitForLoadState('load');
    assert.match(await page.content(), /撤回した同意はありません/);
    // size switch: 大 enlarges the base font and survives the next page
    await page.getByRole('link', { name: '大', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '20px');
    await axeCheck(page, 'consents-large');
    await page.getByRole('link', { name: '標準', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontSize), '16px');
    assert.ok(Number.parseFloat(await page.evaluate(() => getComputedStyle(document.body).lineHeight)) / 16 >= 1.6);
  });
  await page.context().close();
});

test('the provider clerk: refused with what to do next, 本人確認 from the page, then the card; a printed QR checked', async () => {
  const person = await newPage();
  const clerk = await newPage();
  await step(clerk, 'clerk', async () => {
    await login(clerk, 'demo-clerk');
    assert.ok(clerk.url().endsWith('/office'));
    await axeCheck(clerk, 'office');
    // no relationship yet: the same answer as an unknown person, and what to do next
    await clerk.getByLabel('保険者番号', { exact: true }).first().fill(ins);
    await clerk.getByLabel('被保険者番号', { exact: true }).first().fill(no);
    let res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: '確認する', exact: true }).click()]);
    assert.equal(res[0].status(), 404);
    assert.match(await clerk.locator('main [role=alert]').innerText(), /本人確認をして担当事業所として登録し、本人の同意を得て/);
    await axeCheck(clerk, 'check-refused');
    // the person issues a code; the clerk registers with it and the birth date
    await login(person, 'demo-person');
    await person.goto(srv.url + '/me/code');
    await person.getByRole('button', { name: 'コードを発行する' }).click();
    await person.waitForLoadState('load');
    const code = (await person.locator('#identity-code').innerText()).trim();
    await clerk.goto(srv.url + '/office');
    await clerk.locator('#rel_insurer_no').fill(ins);
    await clerk.locator('#rel_insured_no').fill(no);
    await clerk.getByLabel('生年月日').fill(birth);
    await clerk.getByLabel('本人確認コード').fill(code);
    res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: '本人確認して登録する' }).click()]);
    assert.equal(res[0].status(), 201);
    await axeCheck(clerk, 'relationship-done');
    await clerk.goto(srv.url + '/office');
    await clerk.locator('#insurer_no').fill(ins);
    await clerk.locator('#insured_no').fill(no);
    res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: '確認する', exact: true }).click()]);
    assert.equal(res[0].status(), 200);
    const result = await clerk.locator('#check-result').innerText();
    assert.match(result, /有効/);
    assert.match(await clerk.locator('#insurer-policy').innerText(), /介護情報基盤の利用開始: 令和8年10月1日/);
    assert.match(result, /要介護\d|要支援\d/);
    await axeCheck(clerk, 'check-ok');
    await clerk.setViewportSize({ width: 375, height: 740 }); // the check result with the insurer-policy note, phone width
    await noHorizontalScroll(clerk, 'check-ok 375');
    await axeCheck(clerk, 'check-ok-375');
    await clerk.setViewportSize({ width: 1280, height: 900 });
    // a printed 負担割合証's QR: the facts to compare with the paper
    const pdf = join(dir, 'burden.pdf');
    const pr = kaigo(['print', 'burden', '--person', `${ins}/${no}`, pdf, '--db', db]);
    assert.equal(pr.code, 0, pr.err);
    assert.equal(spawnSync('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, join(dir, 'burden')]).status, 0);
    const token = spawnSync('zbarimg', ['--raw', '-q', join(dir, 'burden.png')], { encoding: 'utf8' }).stdout.trim();
    assert.match(token, /^KG2:/);
    // a photo or scan of the paper: the image is uploaded and read on the server
    await clerk.goto(srv.url + '/office');
    await clerk.getByLabel('QR コードの画像または PDF').setInputFiles(join(dir, 'burden.png'));
    res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'QR を確認する' }).click()]);
    assert.equal(res[0].status(), 200);
    const v = await clerk.locator('#verify-result').innerText();
    assert.match(v, /介護保険負担割合証/);
    assert.match(v, new RegExp(no));
    // the 割合 the paper must show, from the signed token: a forged value beside the QR differs
    const ratio = sqlite(db, `SELECT ${field('ratio')} FROM record_versions WHERE kind = 'burden' AND insurer_no = '${ins}' AND insured_no = '${no}' ORDER BY ${field('from')} DESC LIMIT 1`).out.trim();
    assert.match(v, new RegExp(`利用者負担の割合\\s+${ratio}割`));
    await axeCheck(clerk, 'qr-ok');
    // the PDF itself, and the token pasted as text, give the same answer
    await clerk.goto(srv.url + '/office');
    await clerk.getByLabel('QR コードの画像または PDF').setInputFiles(pdf);
    await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'QR を確認する' }).click()]);
    assert.match(await clerk.locator('#verify-result').innerText(), /介護保険負担割合証/);
    await clerk.goto(srv.url + '/office');
    await clerk.getByLabel('QR コードの文字').fill(token);
    await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'QR を確認する' }).click()]);
    assert.match(await clerk.locator('#verify-result').innerText(), /介護保険負担割合証/);
    // not an image (ImageMagick's MVG, which zbarimg would otherwise decode): refused unread
    await clerk.goto(srv.url + '/office');
    await clerk.getByLabel('QR コードの画像または PDF').setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('push graphic-context\nviewbox 0 0 640 480\npop graphic-context\n') });
    res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'QR を確認する' }).click()]);
    assert.equal(res[0].status(), 422);
    assert.match(await clerk.locator('main [role=alert]').innerText(), /ほかの形式は読みません/);
    // an image without a QR code: said so, with the resolution a scan needs
    await clerk.goto(srv.url + '/office');
    await clerk.getByLabel('QR コードの画像または PDF').setInputFiles({ name: 'blank.png', mimeType: 'image/png', buffer: await clerk.screenshot({ clip: { x: 0, y: 0, width: 40, height: 40 } }) });
    res = await Promise.all([clerk.waitForNavigation(), clerk.getByRole('button', { name: 'QR を確認する' }).click()]);
    assert.equal(res[0].status(), 422);
    assert.match(await clerk.locator('main [role=alert]').innerText(), /200 dpi 以上/);
    await axeCheck(clerk, 'qr-unreadable');
    // the person sees the clerk's refused and allowed looks
    await person.goto(srv.url + '/me/access');
    const log = await person.locator('#access-log').innerText();
    assert.match(log, /デモ居宅介護支援事業所/);
    assert.match(log, /拒否/);
    assert.match(log, /署名付き書類の提示/);
  });
  await person.context().close();
  await clerk.context().close();
});

test('the family: a proxy code from the person, the scoped pages, an IDOR refused and shown to the other person, revocation', async () => {
  const person = await newPage();
  const family = await newPage();
  await step(family, 'family', async () => {
    // the demo family member already acts for the demo person
    await login(family, 'demo-family');
    assert.match(await family.locator('main').innerText(), /代理人として見ている方/);
    await axeCheck(family, 'family-home');
    await family.goto(`${srv.url}/p/${ins}/${no}`);
    assert.match(await family.locator('h1').innerText(), /さんの代理人として/);
    await axeCheck(family, 'proxy-home');
    await family.goto(`${srv.url}/p/${ins}/${no}/card`);
    assert.match(await family.locator('main').innerText(), /\(一\)被保険者/);
    await axeCheck(family, 'proxy-card');
    // IDOR: another person's number in the URL
    const other = sqlite(db, `SELECT insured_no FROM record_versions WHERE kind = 'insured' AND insurer_no = '${ins}' AND insured_no <> '${no}' ORDER BY insured_no LIMIT 1`).out.trim();
    const r = await family.goto(`${srv.url}/p/${ins}/${other}/card`);
    assert.equal(r.status(), 404);
    assert.match(await family.locator('main [role=alert]').innerText(), /権限がありません/);
    await axeCheck(family, 'idor-refused');
    // that person logs in and sees the refused look, by the family member's name
    const secret = must2(kaigo(['user', 'add', '--db', db, '--login', 'other-person', '--name', '他の 本人', '--person', `${ins}/${other}`, '--password-stdin'], { input: PW + '\n' }));
    const op = await newPage();
    await op.goto(srv.url + '/login');
    await op.getByLabel('ログインID').fill('other-person');
    await op.getByLabel('パスワード').fill(PW);
    await op.getByLabel('確認コード').fill(kaigo(['totp', secret]).out.trim());
    await op.getByRole('button', { name: 'ログイン' }).click();
    await op.waitForLoadState('load');
    await op.goto(srv.url + '/me/access');
    const olog = await op.locator('#access-log').innerText();
    assert.match(olog, /デモ 家族\(代理人\)/);
    assert.match(olog, /拒否/);
    await op.context().close();
    // a new proxy by code: the person issues it, the family member enters it
    await login(person, 'demo-person');
    await person.goto(srv.url + '/me/proxies');
    await person.getByLabel('LIFE').uncheck();
    await person.getByRole('button', { name: 'コードを発行する' }).click();
    await person.waitForLoadState('load');
    const code = (await person.locator('#proxy-code').innerText()).trim();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await axeCheck(person, 'proxy-code');
    // a code handed to the wrong person can be cancelled before it is used
    await person.goto(srv.url + '/me/proxies');
    await person.getByRole('button', { name: 'コードを発行する' }).click();
    await person.waitForLoadState('load');
    const wrong = (await person.locator('#proxy-code').innerText()).trim();
    await person.goto(srv.url + '/me/proxies');
    assert.match(await person.locator('main').innerText(), /まだ使われていない代理人コード/);
    await axeCheck(person, 'proxy-pending');
    await person.getByRole('button', { name: 'このコードを使えなくする' }).last().click();
    await person.waitForLoadState('load');
    await family.goto(srv.url + '/proxy/accept');
    await family.getByLabel('代理人コード').fill(wrong);
    await family.getByRole('button', { name: '登録する' }).click();
    await family.waitForLoadState('load');
    assert.match(await family.locator('main [role=alert]').innerText(), /使用済み/);
    await family.goto(srv.url + '/proxy/accept');
    await axeCheck(family, 'proxy-accept');
    await family.getByLabel('代理人コード').fill('WRONG-CODE-0000');
    await family.getByRole('button', { name: '登録する' }).click();
    await family.waitForLoadState('load');
    assert.match(await family.locator('main [role=alert]').innerText(), /コードが正しくないか/);
    await axeCheck(family, 'proxy-accept-error');
    await family.getByLabel('代理人コード').fill(code.toLowerCase().replace(/-/g, ''));
    await family.getByRole('button', { name: '登録する' }).click();
    await family.waitForLoadState('load');
    assert.ok(family.url().endsWith(`/p/${ins}/${no}`));
    // the code is used once
    await family.goto(srv.url + '/proxy/accept');
    await family.getByLabel('代理人コード').fill(code);
    await family.getByRole('button', { name: '登録する' }).click();
    await family.waitForLoadState('load');
    assert.match(await family.locator('main [role=alert]').innerText(), /使用済み/);
    // the person revokes every proxy: the family member's pages close
    await person.goto(srv.url + '/me/proxies');
    while (await person.getByRole('button', { name: 'この代理人を取り消す' }).count()) {
      await person.getByRole('button', { name: 'この代理人を取り消す' }).first().click();
      await person.waitForLoadState('load');
    }
    assert.match(await person.locator('main').innerText(), /登録されている代理人はいません/);
    const after = await family.goto(`${srv.url}/p/${ins}/${no}/card`);
    assert.equal(after.status(), 404);
  });
  await person.context().close();
  await family.context().close();
});

function must2(r) {
  assert.equal(r.code, 0, r.err);
  return r.out.match(/TOTP秘密鍵[^:]*: ([A-Z2-7]{32})/)[1];
}

test('CSRF and cross-origin posts are refused; logout clears the session', async () => {
  const page = await newPage();
  await step(page, 'csrf', async () => {
    await login(page, 'demo-person');
    const sess = (await page.context().cookies()).find((c) => c.name === 'kaigo_session');
    const cookie = `kaigo_session=${sess.value}`;
    const post = (path, body, headers = {}) => fetch(srv.url + path, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(body),
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    });
    let r = await post('/me/consents/withdraw', { categories: 'all', grantee: '', confirm: '1' });
    assert.equal(r.status, 403, 'no token');
    r = await post('/me/consents/withdraw', { categories: 'all', grantee: '', confirm: '1', csrf: '0'.repeat(32) });
    assert.equal(r.status, 403, 'a wrong token');
    const token = await page.goto(srv.url + '/me/consents').then(() => page.locator('input[name=csrf]').first().getAttribute('value'));
    r = await post('/me/consents/withdraw', { categories: 'all', grantee: '', confirm: '1', csrf: token }, { Origin: 'http://evil.example' });
    assert.equal(r.status, 403, 'another origin');
    r = await post('/me/consents/withdraw', { categories: 'all', grantee: '', confirm: '1', csrf: token }, { 'Sec-Fetch-Site': 'cross-site' });
    assert.equal(r.status, 403, 'a cross-site request');
    assert.match(await (await fetch(srv.url + '/api/v1/me/consents', { headers: { Cookie: cookie } })).text(), /"withdrawals":\[\]/, 'nothing withdrawn');
    await axeCheck(page, 'consents');
    // logout clears the cookie and ends the session on the server
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login\?out=1$/);
    delete sessions['demo-person'];
    assert.match(await page.locator('[role=status]').innerText(), /ログアウトしました/);
    assert.equal((await page.context().cookies()).filter((c) => c.name === 'kaigo_session').length, 0);
    r = await fetch(srv.url + '/me/card', { redirect: 'manual', headers: { Cookie: cookie } });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/login/);
  });
  await page.context().close();
});

// the care manager's 利用者一覧 (issue #18 §1): the office's people (the demo 居宅 is 担当事業所 of four people of the
// first insurer with a 認定, two with this month's 第6表, and of the demo person since the clerk's test registered
// it, with its 第6表), sorted and filtered by links and a GET form, by keyboard,
// each person's row audited, the row's name leading to the card through the gate
test('the care manager: 利用者一覧 with 認定 periods, 負担割合 and plan states; sorted, filtered, by keyboard; each audited', async () => {
  // one of the office's people reaches the 更新 window: a 区分変更 of 3 months ending at the end of this month (JST)
  const [pins, pno] = sqlite(db, "SELECT insurer_no, insured_no FROM relationships WHERE org_id = 'demo-kyotaku' ORDER BY insured_no LIMIT 1").out.split('|');
  const now = new Date(Date.now() + 9 * 3600e3);
  const iso = (d) => d.toISOString().slice(0, 10);
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)), end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
  const left = Math.round((end - new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))) / 86400e3);
  writeFileSync(join(dir, 'renew.csv'), '保険者番号,被保険者番号,要介護状態区分,申請日,認定年月日,有効期間開始日,有効期間終了日,申請区分,前回要介護状態区分,認定審査会の意見,サービスの種類の指定\n' +
    `${pins},${pno},22,${iso(first)},${iso(new Date(+first + 20 * 86400e3))},${iso(first)},${iso(end)},区分変更,21,,\n`);
  const ir = kaigo(['import', 'certification', join(dir, 'renew.csv'), '--db', db]);
  assert.equal(ir.code, 0, ir.err);
  // another becomes 事業対象者 (基本チェックリスト, no 有効期間): nothing to renew, nothing expired (it showed
  // 「―まで 期限切れ」 when first looked at)
  const [jins, jno] = sqlite(db, `SELECT insurer_no, insured_no FROM relationships WHERE org_id = 'demo-kyotaku' AND insured_no != '${pno}' ORDER BY insured_no DESC LIMIT 1`).out.split('|');
  writeFileSync(join(dir, 'jigyo.csv'), '保険者番号,被保険者番号,要介護状態区分,申請日,認定年月日,有効期間開始日,有効期間終了日,申請区分,前回要介護状態区分,認定審査会の意見,サービスの種類の指定\n' +
    `${jins},${jno},06,${iso(first)},${iso(first)},${iso(first)},,新規,,,\n`);
  const jr = kaigo(['import', 'certification', join(dir, 'jigyo.csv'), '--db', db]);
  assert.equal(jr.code, 0, jr.err);
  const page = await newPage();
  await step(page, 'people', async () => {
    await login(page, 'demo-cm');
    await page.getByRole('link', { name: '利用者一覧' }).click();
    await page.waitForURL(/\/office\/people$/);
    assert.match(await page.locator('h1').innerText(), /利用者一覧/);
    const rows = page.locator('#people tbody tr');
    assert.equal(await rows.count(), 5);
    assert.match(await page.locator('main [role=status]').innerText(), /5 人を表示しています\(担当 5 人\)/);
    // each row: a name linking to the card, numbers, a level by name, a 和暦 date with its 西暦, 負担割合, the plan state
    const first = await rows.first().innerText();
    assert.match(first, /令和\d+年\d+月\d+日\(\d{4}年\)まで/);
    assert.match(first, /要(介護|支援)\d|事業対象者/);
    assert.match(first, /[123]割/);
    assert.equal(await page.locator('#people tbody .badge.warn', { hasText: `更新の時期(あと${left}日)` }).count(), 1);
    const jrow = page.locator('#people tbody tr', { hasText: jno });
    assert.match(await jrow.innerText(), /事業対象者[\s\S]*有効期間なし/);
    assert.equal(await jrow.locator('td[data-label="認定の有効期間"] .badge').count(), 0);
    const states = await page.locator('#people tbody td[data-label="今月の計画"] .badge').allInnerTexts();
    assert.deepEqual(states.filter((x) => x === '送信済').length, 3, states.join(','));
    await axeCheck(page, 'people');
    await page.screenshot({ path: join(dir, 'people.png'), fullPage: true }); // kept with KAIGO_KEEP_TMP=1
    // sorted by the 有効期間 (a header link; aria-sort marks it), then filtered to those without this month's 第6表
    await page.getByRole('link', { name: '認定の有効期間' }).click();
    await page.waitForURL(/sort=valid/);
    assert.equal(await page.locator('th[aria-sort=ascending]').innerText(), '認定の有効期間 ▲');
    const ends = await page.locator('#people tbody td[data-label="認定の有効期間"]').allInnerTexts();
    const years = ends.map((x) => x.match(/\((\d{4})年\)/)?.[1] ?? '9999');
    assert.deepEqual([...years].sort(), years, 'in order of the end of the 有効期間');
    const due = await page.locator('#people tbody td[data-label="認定の有効期間"] .badge').count(); // 更新の時期 or 期限切れ
    await page.getByLabel('しぼりこみ').selectOption('renew');
    await page.getByRole('button', { name: '表示する' }).click();
    await page.waitForURL(/filter=renew/);
    assert.equal(await rows.count(), due);
    assert.match(await page.locator('#people tbody').innerText(), new RegExp(pno));
    await page.getByLabel('しぼりこみ').selectOption('noplan');
    await page.getByRole('button', { name: '表示する' }).click();
    await page.waitForURL(/filter=noplan/);
    assert.equal(await rows.count(), 2);
    assert.equal(await page.locator('#people tbody .badge', { hasText: '未作成' }).count(), 2);
    await axeCheck(page, 'people-filtered');
    // a name search that finds nobody says so
    await page.goto(srv.url + '/office/people?q=' + encodeURIComponent('該当なしの名前'));
    assert.match(await page.locator('main').innerText(), /条件に合う方はいません/);
    // keyboard only: Tab to the first person's name and Enter opens the card (through the gate: allowed)
    await page.goto(srv.url + '/office/people');
    const name = (await page.locator('#people tbody th a').first().innerText()).trim();
    for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement.textContent)) !== name; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), name);
    await Promise.all([page.waitForURL(/\/p\/\d{6}\/\d{10}\/card$/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), /介護保険証/);
    // every listed person got a 資格 and a 計画 entry for the office, before the page was sent
    const counts = sqlite(db + '.audit', "SELECT category, COUNT(DISTINCT insured_no) FROM audit_v WHERE org = 'demo-kyotaku' AND outcome = 'allowed' AND category IN ('shikaku', 'careplan') GROUP BY category ORDER BY category").out;
    assert.match(counts, /careplan\|5/);
    assert.match(counts, /shikaku\|5/);
  });
  await page.context().close();
  const other = await newPage();
  await login(other, 'demo-person');
  const r = await other.goto(srv.url + '/office/people');
  assert.equal(r.status(), 403);
  await other.context().close();
  // phone width and 200 %: the table stacks, nothing scrolls sideways, axe clean
  await narrow('demo-cm', '/office/people', 'people');
});

// the care manager's 取扱件数 (issue #18 §1): this month's 第6表 of the office (the demo's two people with a 6表 and a
// 補足, and the demo person's 6表 without a 補足), as `kaigo caseload --office` counts them: the same numbers
test('the care manager: 取扱件数 from this month\'s 第6表 - the office, each care manager (table and chart), the cases', async () => {
  const page = await newPage();
  await step(page, 'caseload', async () => {
    await login(page, 'demo-cm');
    await page.getByRole('link', { name: '取扱件数' }).click();
    await page.waitForURL(/\/office\/caseload$/);
    const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7);
    const cli = JSON.parse(kaigo(['caseload', '--office', '1270100017', '--month', ym, '--json', '--db', db]).out);
    const office = await page.locator('#office-caseload').innerText();
    assert.match(office, new RegExp(`要介護\\s+${cli.office.care_cases} 件`));
    assert.match(office, new RegExp(`${cli.office.caseload_per_fte} 件\\(基準 44 件\\)`));
    assert.match(office, /基準内/);
    assert.match(office, new RegExp(`${cli.office.units.toLocaleString('en-US')} 単位`));
    assert.equal(await page.locator('#manager-caseload tbody tr').count(), cli.managers.length);
    assert.equal(await page.locator('#cases tbody tr').count(), cli.office.care_cases + cli.office.support_cases + cli.office.yobo_cm_cases);
    assert.equal(await page.locator('svg.chart rect').count(), cli.managers.length);
    await axeCheck(page, 'caseload');
    await page.screenshot({ path: join(dir, 'caseload.png'), fullPage: true });
    // fee (Ⅱ): the standard moves to 49
    await page.getByLabel('居宅介護支援費').selectOption('II');
    await page.getByRole('button', { name: '表示する' }).click();
    await page.waitForURL(/fee=II/);
    assert.match(await page.locator('#office-caseload').innerText(), /基準 49 件/);
    // a month without plans says so; a bad month is refused
    await page.goto(srv.url + '/office/caseload?month=2020-01');
    assert.match(await page.locator('main [role=status]').innerText(), /この月の第6表.*まだありません/);
    assert.equal((await page.goto(srv.url + '/office/caseload?month=2020-13')).status(), 400);
  });
  await page.context().close();
  await narrow('demo-cm', '/office/caseload', 'caseload');
});

// the inbox (issue #18 §2): a provider sends this month's 実績 for the demo person to the demo 居宅 over the relay; the
// care manager sees it in 受信一覧 (sender, month, not yet taken in), opens the person's plan, and confirms receipt
test('the care manager\'s 受信一覧: a provider\'s 実績 arrives, is listed with its sender, and is acknowledged from the page', async () => {
  // the demo's 通所介護 (demo-tsusho, 1370100016) registers the demo person by 本人確認 and sends a 実績 over the API
  const dayTok = kaigo(['token', 'issue', '--db', db, '--org', 'demo-tsusho', '--name', 'browser']).out.trim();
  const code = kaigo(['relationship', 'code', '--db', db, ins, no]).out.trim();
  assert.equal(kaigo(['relationship', 'add', '--db', db, '--org', 'demo-tsusho', ins, no, '--birth', birth, '--code', code]).code, 0);
  const now = new Date(Date.now() + 9 * 3600e3);
  const ym = now.toISOString().slice(0, 7).replace('-', '');
  const q = (x) => '"' + x + '"';
  const row = ['202407', ins, no, ym + '01', ym, '1270100017', q('ケア　太郎'), '658', '', ym + '01', '', '0930', '1600', '1',
    '151111', '', '', q(''), '', '1370100016', q('デモ通所介護'), '', '0', '1370100016', ''].join(',');
  const csv = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: row + '\r\n' }).stdout;
  const stamp = ym + '28090000';
  const up = await srv.as(dayTok, '/api/v1/exchange/units', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ files: [{ name: `UPJSK_${ym}_1370100016_15_1270100017_43_${stamp}.CSV`, data: csv.toString('base64') }] }) });
  assert.equal(up.status, 201, await up.text());
  const page = await newPage();
  await step(page, 'inbox', async () => {
    await login(page, 'demo-cm');
    await page.getByRole('link', { name: '受信一覧' }).click();
    await page.waitForURL(/\/office\/inbox$/);
    const rows = page.locator('#inbox tbody tr');
    assert.equal(await rows.count(), 1);
    const text = await rows.first().innerText();
    assert.match(text, new RegExp(no));
    assert.match(text, /令和\d+年\d+月分の実績/);
    assert.match(text, /デモ通所介護/);
    await axeCheck(page, 'inbox');
    // the person's plan from the row, through the gate
    await Promise.all([page.waitForURL(/\/plan$/), rows.first().getByRole('link', { name: '計画を見る' }).click()]);
    await page.goBack();
    // 受領を確認: gone from the list, said so
    await Promise.all([page.waitForURL(/acked=1/), page.getByRole('button', { name: /受領を確認/ }).click()]);
    assert.match(await page.locator('main [role=status]').first().innerText(), /受領を確認しました/);
    assert.match(await page.locator('main').innerText(), /未確認のものはありません/);
    await axeCheck(page, 'inbox-empty');
    // the API says the same: nothing open
    const api = readFileSync(side(db, '.demo-token'), 'utf8').trim();
    assert.deepEqual((await (await srv.as(api, '/api/v1/exchange/inbox')).json()).deliveries, []);
    // a delivery this office does not have (another office's, or none): 404; without the CSRF token: 403
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    let res = await page.request.post(srv.url + '/office/inbox/ack', { form: { insurer_no: ins, insured_no: no, stamp: '20000101000000',
      csrf }, headers: { Origin: srv.url } });
    assert.equal(res.status(), 404);
    res = await page.request.post(srv.url + '/office/inbox/ack', { form: { insurer_no: ins, insured_no: no, stamp },
      headers: { Origin: srv.url } });
    assert.equal(res.status(), 403);
  });
  await page.context().close();
  await narrow('demo-cm', '/office/inbox', 'inbox');
});

// the 第7表 on the plan page (issue #18 §1/§4): computed from the stored 第6表, 補足 and the sent 第7表 by the same
// function as `kaigo sheet7 --person` - the same numbers, and the same verdict on the sent 第7表
test('the plan page\'s 第7表 equals kaigo sheet7 --person for the same plan, and says whether the sent 第7表 agrees', async () => {
  const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7).replace('-', '');
  const cli = kaigo(['sheet7', '--person', `${ins}/${no}`, '--month', ym, '--db', db, '--codes', side(db, '.codes.csv')]);
  assert.ok(cli.out, cli.err);
  const want = JSON.parse(cli.out);
  const page = await newPage();
  await step(page, 'sheet7', async () => {
    await login(page, 'demo-cm');
    await page.goto(srv.url + `/p/${ins}/${no}/plan`);
    // the 居宅サービス計画書 of the demo's plan as the forms: 第1表's items, 第2表 with a need printed once for its two
    // services, 第3表's week with the service on Tuesday (曜日 2) from 9:30 and the day's activities
    assert.match(await page.locator('#kyo1').innerText(), /【初回】【認定済】[\s\S]*総合的な援助の方針\s+通所介護で入浴と機能訓練/);
    const k2 = page.locator('#kyo2 tbody tr');
    assert.equal(await k2.count(), 2);
    assert.match(await k2.nth(0).innerText(), /一人で入浴するのが不安[\s\S]*入浴介助/);
    assert.doesNotMatch(await k2.nth(1).innerText(), /一人で入浴するのが不安/);
    const tue = await page.locator('#kyo3 tbody tr', { hasText: '8:00〜' }).locator('td').nth(1).innerText();
    assert.match(tue, /通所介護\(09:30〜16:00\)/);
    assert.match(await page.locator('#kyo3').innerText(), /起床\(07:00〜07:30\)[\s\S]*週単位以外のサービス: 福祉用具貸与\(手すり\)/);
    const sec = page.locator('#sheet7');
    assert.match(await sec.innerText(), new RegExp(`区分支給限度基準額 ${want.limit_units.toLocaleString('en-US')}単位、給付率 ${want.benefit_rate}%`));
    const total = (await sec.locator('tbody tr').last().innerText()).replace(/,/g, '');
    for (const k of ['in_limit_units', 'total_cost', 'claim', 'user_share'])
      assert.match(total, new RegExp(`\\b${want.total[k]}\\b`), `${k} ${want.total[k]} in ${total}`);
    const rows = await sec.locator('tbody tr').count();
    assert.equal(rows, want.offices.length + want.limit_exempt_lines.length + 1);
    // the verdict on the sent 第7表 is the CLI's: the fixture's 第6表 (2 days) differs from the demo's sent 第7表 (4 days)
    const m = cli.err.match(/(\d+) 箇所が異なります/);
    if (m) assert.match(await sec.innerText(), new RegExp(`届いた第7表と ${m[1]} か所が異なります`));
    else assert.match(await sec.innerText(), /届いた第7表と一致します/);
    await axeCheck(page, 'plan-sheet7');
  });
  await page.context().close();
  await narrow('demo-cm', `/p/${ins}/${no}/plan`, 'plan-sheet7');
});

// the care manager's month (issue #18 §1/§4): the 第6表 entered with the keyboard only in the editor, the 第7表
// recomputed on the page as it is edited, equal to `kaigo sheet7 --person` once sent; the 送信 reaches the 通所介護,
// whose clerk answers with the 実績 from the page, and the 実績 arrives in the care manager's 受信一覧
test('the care manager runs a month: 第6表 by keyboard, the live 第7表 equals kaigo sheet7, 送信, the provider\'s 実績 back', async () => {
  const [pins, pno] = sqlite(db, `SELECT insurer_no, insured_no FROM relationships WHERE org_id = 'demo-kyotaku' AND established_by != 'paper' AND insured_no != '${no}' ORDER BY insured_no LIMIT 1`).out.trim().split('|');
  const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7).replace('-', '');
  const page = await newPage();
  await step(page, 'editor', async () => {
    await login(page, 'demo-cm');
    await page.goto(srv.url + '/office/people');
    await Promise.all([page.waitForURL(/\/office\/plan\//), page.locator('#people tbody tr', { hasText: pno }).getByRole('link', { name: /第6表を(作成|編集)/ }).click()]);
    assert.match(await page.locator('h1').innerText(), /サービス利用票\(第6表\)の作成 令和\d+年\d+月分/);
    await axeCheck(page, 'plan-editor');
    // the first empty line, by keyboard only: 事業所番号, 事業所名, サービスコード, then the calendar's days
    const blank = await page.locator('section.line h3', { hasText: '追加する場合に入力' }).first().getAttribute('id');
    const i = blank.slice(2);
    await page.locator(`#o${i}`).focus();
    await page.keyboard.type('1370100016');
    await page.keyboard.press('Tab');
    await page.keyboard.type('デモ通所介護');
    await page.keyboard.press('Tab');
    await page.keyboard.type('151111');
    for (const id of [`s${i}`, `e${i}`, `k${i}`]) { // the times stay empty (9999) and 1日の回数 1
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement.id) !== id) await page.keyboard.press('Tab');
    }
    let days = 0;
    for (let t = 0; t < 80 && days < 28; t++) { // Tab into the calendar; Space ticks a day; 7 days on, the next week's same weekday
      await page.keyboard.press('Tab');
      const name = await page.evaluate(() => document.activeElement.name);
      if (name !== `d${i}`) continue;
      await page.keyboard.press('Space');
      for (let k = 0; k < 6; k++) await page.keyboard.press('Tab');
      days += 7;
    }
    const ticked = await page.locator(`input[name=d${i}]:checked`).count();
    assert.ok(ticked >= 4 && ticked <= 5, `${ticked} days ticked by keyboard`);
    // the office's 単位数単価, typed; the live 第7表 follows
    await page.locator('#p1370100016').fill('10.00');
    await page.waitForFunction(() => document.querySelector('#sheet7-live[data-computed]') && !/計算できませんでした/.test(document.querySelector('#sheet7').innerText));
    assert.match(await page.locator('main p[role=status]').last().innerText(), /第7表を計算し直しました/);
    const live = (await page.locator('#sheet7 tbody tr').last().innerText()).replace(/,/g, '');
    await axeCheck(page, 'plan-editor-computed');
    // 下書き保存: 作成中, kept across a visit to 利用者一覧, sent to no one
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '下書き保存' }).click()]);
    assert.match(await page.locator('main [role=status]').first().innerText(), /下書きを保存しました/);
    assert.match(await page.locator('#plan-state').innerText(), /作成中/);
    await page.goto(srv.url + '/office/people');
    assert.match(await page.locator('#people tbody tr', { hasText: pno }).innerText(), /未送信の変更あり|作成中/);
    await page.goto(srv.url + `/office/plan/${pins}/${pno}`);
    assert.match(await page.locator('main [role=status]').first().innerText(), /保存した下書きを開いています/);
    assert.equal(await page.locator(`input[name=d${i}]:checked`).count(), ticked);
    await page.waitForFunction(() => !/計算できませんでした/.test(document.querySelector('#sheet7').innerText));
    assert.equal((await page.locator('#sheet7 tbody tr').last().innerText()).replace(/,/g, ''), live);
    // 送信: a unit to the office; the page says so and shows the month as stored
    await Promise.all([page.waitForURL(/sent=1/), page.getByRole('button', { name: '提供票を送信' }).click()]);
    assert.match(await page.locator('main [role=status]').first().innerText(), /提供票を 1 事業所へ送信しました/);
    const cli = kaigo(['sheet7', '--person', `${pins}/${pno}`, '--month', ym, '--db', db, '--codes', side(db, '.codes.csv')]);
    assert.ok(cli.out, cli.err);
    const want = JSON.parse(cli.out);
    for (const k of ['in_limit_units', 'total_cost', 'claim', 'user_share'])
      assert.match(live, new RegExp(`\\b${want.total[k]}\\b`), `live ${k} ${want.total[k]} in ${live}`);
    assert.match(cli.err, /一致|差異はありません|0 箇所/); // the sent 第7表 is the one computed
    const stored = (await page.locator('#sheet7 tbody tr').last().innerText()).replace(/,/g, '');
    assert.equal(stored, live);
    assert.doesNotMatch(await page.locator('#plan-state').innerText(), /作成中/); // the draft was what was sent
    // the month as the forms: a PDF of the 第6表 and the 第7表 with the same figures
    const pdf = await page.request.get(srv.url + `/office/plan/${pins}/${pno}/pdf?month=${ym}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    writeFileSync(join(dir, 'sheet67.pdf'), await pdf.body());
    const txt = spawnSync('pdftotext', ['-layout', join(dir, 'sheet67.pdf'), '-'], { encoding: 'utf8' }).stdout;
    assert.match(txt, /第6表\s+サービス利用票/);
    assert.match(txt, /第7表\s+サービス利用票別表/);
    assert.match(txt, new RegExp(want.total.user_share.toLocaleString('en-US')), 'the 第7表\'s 利用者負担 in the PDF');
    await Promise.all([page.waitForURL(/done=issued/), page.getByRole('button', { name: '利用者に交付した' }).click()]);
    assert.match(await page.locator('#plan-state').innerText(), /送信済[\s\S]*交付済/);
    // モニタリング訪問: recorded from the editor, and the caseload's due list counts from it (要介護: the end of next month)
    assert.match(await page.locator('#visit').innerText(), /前回の居宅訪問: 記録なし/);
    await Promise.all([page.waitForURL(/done=visited/), page.locator('#visit').getByRole('button', { name: '訪問を記録' }).click()]);
    assert.match(await page.locator('#visit').innerText(), /前回の居宅訪問: 令和\d+年\d+月\d+日/);
    await axeCheck(page, 'plan-editor-visit');
    await page.goto(srv.url + '/office/caseload');
    const now = new Date(Date.now() + 9 * 3600e3);
    const nextEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 0));
    const mrow = await page.locator('#monitoring tbody tr', { hasText: pno }).innerText();
    assert.match(mrow, new RegExp(`${nextEnd.getUTCMonth() + 1}月${nextEnd.getUTCDate()}日\\(${nextEnd.getUTCFullYear()}年\\)`), mrow);
    assert.doesNotMatch(mrow, /期限超過/);
    assert.match(await page.locator('#monitoring').innerText(), /記録なし/); // the others: never visited, due this month
    await axeCheck(page, 'caseload-monitoring');
    // the 利用者一覧 says the same per person, and its filter leaves out the one just visited
    await page.goto(srv.url + '/office/people');
    assert.match(await page.locator('#people tbody tr', { hasText: pno }).locator('td[data-label="モニタリング"]').innerText(),
      new RegExp(`次の訪問 令和\\d+年${nextEnd.getUTCMonth() + 1}月${nextEnd.getUTCDate()}日`));
    await page.getByLabel('しぼりこみ').selectOption('visit');
    await Promise.all([page.waitForURL(/filter=visit/), page.getByRole('button', { name: '表示する' }).click()]);
    assert.equal(await page.locator('#people tbody tr', { hasText: pno }).count(), 0);
    assert.ok(await page.locator('#people tbody tr').count() > 0, 'the others are due this month');
  });
  await page.context().close();
  // the 通所介護's clerk: the 提供票 in its 受信一覧, the 実績 entered from it (one planned day not provided)
  const prov = await newPage();
  await step(prov, 'actual', async () => {
    await login(prov, 'demo-provider');
    await prov.goto(srv.url + '/office/inbox');
    const row = prov.locator('#inbox tbody tr', { hasText: pno });
    assert.match(await row.innerText(), /分の提供票\(第6表・第7表\)[\s\S]*デモ居宅介護支援事業所/);
    await Promise.all([prov.waitForURL(/\/office\/actual\//), row.getByRole('link', { name: '実績を入力' }).click()]);
    assert.match(await prov.locator('h1').innerText(), /サービス提供の実績/);
    await axeCheck(prov, 'actual-editor');
    const planned = await prov.locator('input[type=checkbox][name^=d]:checked').count();
    await prov.locator('input[type=checkbox][name^=d]:checked').first().uncheck();
    await Promise.all([prov.waitForURL(/sent=1/), prov.getByRole('button', { name: '実績を送信' }).click()]);
    assert.match(await prov.locator('main [role=status]').first().innerText(), /実績を送信しました/);
    assert.equal(await prov.locator('input[type=checkbox][name^=d]:checked').count(), planned - 1);
    // and acknowledges the 提供票 in its 受信一覧
    await prov.goto(srv.url + '/office/inbox');
    await Promise.all([prov.waitForURL(/acked=1/), prov.locator('#inbox tbody tr', { hasText: pno }).getByRole('button', { name: /受領を確認/ }).click()]);
  });
  await prov.context().close();
  const cm = await newPage();
  await step(cm, 'actual-arrives', async () => {
    await login(cm, 'demo-cm');
    await cm.goto(srv.url + '/office/inbox');
    assert.match(await cm.locator('#inbox tbody tr', { hasText: pno }).innerText(), /分の実績[\s\S]*デモ通所介護/);
    await cm.goto(srv.url + '/office/people');
    assert.match(await cm.locator('#people tbody tr', { hasText: pno }).innerText(), /実績受領/);
    // the 送信の状況: the unit sent to the 通所介護, acknowledged by its clerk
    await cm.goto(srv.url + `/office/plan/${pins}/${pno}`);
    assert.match(await cm.locator('#sent tbody').innerText(), /デモ通所介護[\s\S]*提供票\(第6表・第7表\)[\s\S]*受領確認済/);
    // the editor shows what the office sent back against each planned line: one planned day was not provided
    await cm.goto(srv.url + `/office/plan/${pins}/${pno}`);
    const notes = await cm.locator('section.line p.note').allInnerTexts();
    assert.ok(notes.some((x) => /^実績\(事業所から\): .*\(予定 (\d+) 日のうち (\d+) 日\)$/.test(x)), notes.join(' / '));
    await axeCheck(cm, 'plan-editor-actual');
  });
  await cm.context().close();
  await narrow('demo-cm', `/office/plan/${pins}/${pno}`, 'plan-editor');
  await narrow('demo-provider', `/office/actual/${pins}/${pno}?month=${ym}`, 'actual-editor');
  await narrow('demo-cm', '/office/caseload', 'caseload-monitoring');
});

// a send unit made by other care software, sent from the 受信一覧 page (issue #18 §1 "upload a send unit from other care
// software"): refused whole with the file, line and item when it is wrong; accepted and delivered when it is right
test('an office sends another software\'s send unit from the page: refused with the line, then accepted', async () => {
  const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7).replace('-', '');
  const q = (x) => '"' + x + '"';
  const row = (day, code) => ['202407', ins, no, ym + '01', ym, '1270100017', q('ケア　太郎'), '658', '', ym + day, '', '0930', '1600', '1',
    code, '', '', q(''), '', '1370100016', q('デモ通所介護'), '', '0', '1370100016', ''].join(',');
  const csv = (rows) => spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: rows.join('\r\n') + '\r\n' }).stdout;
  const name = `UPJSK_${ym}_1370100016_15_1270100017_43_${ym}27100000.CSV`;
  const page = await newPage();
  await step(page, 'upload', async () => {
    await login(page, 'demo-provider');
    await page.goto(srv.url + '/office/inbox');
    await axeCheck(page, 'inbox-upload');
    await page.getByLabel('送信単位のファイル').setInputFiles([{ name, mimeType: 'text/csv', buffer: csv([row('08', '151111'), row('32', '151111')]) }]);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '送信する' }).click()]);
    assert.match(await page.locator('h1').innerText(), /送信できませんでした/);
    assert.match(await page.locator('#unit-errors').innerText(), new RegExp(`${name}:2:10\\(サービス利用日\\)`));
    await axeCheck(page, 'upload-refused');
    await page.goto(srv.url + '/office/inbox');
    await page.getByLabel('送信単位のファイル').setInputFiles([{ name, mimeType: 'text/csv', buffer: csv([row('08', '151111'), row('15', '151111')]) }]);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '送信する' }).click()]);
    assert.match(await page.locator('main [role=status]').innerText(), /1 ファイル、2 件の記録を受け付け/);
  });
  await page.context().close();
  // it arrives at the care manager's office like any 実績
  const api = readFileSync(side(db, '.demo-token'), 'utf8').trim();
  const inbox = (await (await srv.as(api, '/api/v1/exchange/inbox')).json()).deliveries;
  assert.ok(inbox.some((d) => d.stamp === `${ym}27100000` && d.insured_no === no), JSON.stringify(inbox));
});

// 自己作成 (issue #18 §1 "自己作成 too"): the person plans a month without a care manager - the same editor and 第7表,
// printed for the municipality, nothing kept or sent
test('the person plans the month themselves (自己作成): the 第7表 as they edit, and the forms as a PDF', async () => {
  const page = await newPage();
  await step(page, 'self-plan', async () => {
    await login(page, 'demo-person');
    await page.goto(srv.url + '/me/plan');
    await Promise.all([page.waitForURL(/\/me\/plan\/edit$/), page.getByRole('link', { name: /自己作成/ }).click()]);
    assert.match(await page.locator('h1').innerText(), /サービス利用票\(第6表\)の自己作成/);
    assert.equal(await page.getByRole('button', { name: '提供票を送信' }).count(), 0);
    await axeCheck(page, 'self-editor');
    const blank = await page.locator('section.line h3', { hasText: '追加する場合に入力' }).first().getAttribute('id');
    const i = blank.slice(2);
    await page.locator(`#o${i}`).fill('1370100016');
    await page.locator(`#c${i}`).fill('151111');
    for (const d of ['3', '10', '17']) await page.locator(`input[name=d${i}][value="${d}"]`).check();
    // the price from the office's 地域区分 (その他: 10.00 yen a unit for every service type) instead of a typed one
    await page.waitForSelector('#g1370100016');
    await page.locator('#g1370100016').selectOption('8');
    await page.waitForFunction(() => /10\.00/.test(document.querySelector('#sheet7')?.innerText ?? ''));
    await page.waitForFunction(() => document.querySelector('#sheet7-live[data-computed]') && !/計算できませんでした/.test(document.querySelector('#sheet7').innerText));
    const total = (await page.locator('#sheet7 tbody tr').last().innerText()).replace(/,/g, '');
    const form = await page.evaluate(() => new URLSearchParams(new FormData(document.getElementById('plan6'))).toString());
    const [res] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/me/plan/edit/pdf')),
      page.getByRole('button', { name: /PDF で印刷/ }).click()]);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    // the same form posted for its bytes (a PDF opened by navigation has no body for the test to read)
    const pdf = await page.request.post(srv.url + '/me/plan/edit/pdf', { data: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.url } });
    assert.equal(pdf.status(), 200);
    writeFileSync(join(dir, 'self67.pdf'), await pdf.body());
    const txt = spawnSync('pdftotext', ['-layout', join(dir, 'self67.pdf'), '-'], { encoding: 'utf8' }).stdout;
    assert.match(txt, /自己作成/);
    const share = total.split(/\s+/).filter(Boolean)[4]; // 合計 in-limit over cost claim share …
    assert.ok(txt.includes(Number(share).toLocaleString('en-US')), `利用者負担 ${share} in the PDF`);
  });
  await page.context().close();
  await narrow('demo-person', '/me/plan/edit', 'self-editor');
  await narrow('demo-person', '/me/plan', 'plan-kyo123');
});

// the doctor (issue #18 §3): the 意見書作成依頼 the municipality sent to the demo hospital, the form of the date in
// force (the older one with the 同意 field for a 記入日 before 2026-04-01), a draft kept, checked, submitted
test('the doctor: the request inbox, the 主治医意見書 form of the date in force, draft, check, submit', async () => {
  const page = await newPage();
  await step(page, 'doctor', async () => {
    await login(page, 'demo-doctor');
    await page.goto(srv.url + '/');
    await page.waitForURL(/\/clinic\/requests$/);
    const row = page.locator('#requests tbody tr').first();
    assert.match(await row.innerText(), /未着手/);
    await axeCheck(page, 'clinic-requests');
    await Promise.all([page.waitForURL(/\/clinic\/requests\/\d+\/\d+\/A/), row.getByRole('link', { name: '意見書を書く' }).click()]);
    assert.match(await page.locator('main').innerText(), /令和8年4月1日からの様式/);
    assert.equal(await page.locator('input[name=consent]').count(), 0);
    await page.getByLabel('最終診察日').fill('2026-11-20');
    await page.getByLabel('初回').check();
    await page.getByLabel('無', { exact: true }).check();
    await page.getByLabel('診断名 1', { exact: true }).fill('脳梗塞');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '下書き保存' }).click()]);
    assert.match(await page.locator('main [role=status]').first().innerText(), /下書きを保存しました/);
    await page.goto(srv.url + '/clinic/requests');
    assert.match(await page.locator('#requests tbody tr').first().innerText(), /下書きあり/);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '下書きを開く' }).click()]);
    assert.equal(await page.getByLabel('診断名 1', { exact: true }).inputValue(), '脳梗塞');
    // a 記入日 before 2026-04-01: the older form, whose 同意 must be answered
    await page.getByLabel(/記入日/).fill('2026-03-20');
    await page.getByLabel('最終診察日').fill('2026-03-10');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '確認' }).click()]);
    assert.match(await page.locator('main').innerText(), /令和8年3月31日までの様式/);
    assert.equal(await page.locator('input[name=consent]').count(), 2);
    assert.match(await page.locator('.alert.error').innerText(), /同意/);
    await axeCheck(page, 'clinic-opinion-error');
    // back to today's form: checked, then submitted
    const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
    await page.getByLabel(/記入日/).fill(today);
    await page.getByLabel('最終診察日').fill('2026-11-20');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '確認' }).click()]);
    assert.equal(await page.locator('input[name=consent]').count(), 0);
    assert.match(await page.locator('main [role=status]').first().innerText(), /誤りは見つかりません/);
    await axeCheck(page, 'clinic-opinion');
    await Promise.all([page.waitForURL(/submitted=1/), page.getByRole('button', { name: '提出' }).click()]);
    assert.match(await page.locator('main [role=status]').first().innerText(), /提出しました/);
    assert.match(await page.locator('#requests tbody tr').first().innerText(), /提出済/);
  });
  await page.context().close();
  // the care manager of that person reads it from the person's pages (the 2026 form has no 同意 field: shown)
  const [rins, rno, rapp] = sqlite(db, "SELECT insurer_no, insured_no, app_id FROM ikensho_requests ORDER BY request_id LIMIT 1").out.trim().split('|');
  // the municipality's 認定調査票 for the same application (the API, as the e2e cert test does: every item)
  const items = ['1-1-1', '1-1-2', '1-1-3', '1-1-4', '1-1-5', '1-2-1', '1-2-2', '1-2-3', '1-2-4',
    ...Array.from({ length: 11 }, (_, i) => `1-${i + 3}`), ...Array.from({ length: 12 }, (_, i) => `2-${i + 1}`),
    ...Array.from({ length: 9 }, (_, i) => `3-${i + 1}`), ...Array.from({ length: 15 }, (_, i) => `4-${i + 1}`),
    ...Array.from({ length: 6 }, (_, i) => `5-${i + 1}`), ...Array.from({ length: 12 }, (_, i) => `6-${i + 1}`)];
  const answers = { ...Object.fromEntries(items.map((x) => [x, '1'])), '7-1': 'A1', '7-2': 'IIa' };
  const insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  const sr = await srv.as(insapi, `/api/v1/insurers/${rins}/insured/${rno}/applications/${rapp}/chosa`, { method: 'POST',
    body: JSON.stringify({ surveyed: today, investigator: '調査員 一郎', place: '自宅', services_now: '', environment: '',
      answers, notes: { '1-7': '杖を使って屋内を歩く' } }) });
  assert.equal(sr.status, 201, await sr.text());
  const cm = await newPage();
  await step(cm, 'cm-ikensho', async () => {
    await login(cm, 'demo-cm');
    await cm.goto(srv.url + `/p/${rins}/${rno}/card`);
    assert.match(await cm.locator('#basis').innerText(), /根拠: 同意・担当事業所\(本人確認をして担当事業所として登録し、本人・市町村の同意があります\)/);
    await Promise.all([cm.waitForURL(/\/ikensho$/), cm.getByRole('navigation', { name: 'この方の情報' }).getByRole('link', { name: '主治医意見書' }).click()]);
    assert.match(await cm.locator('main').innerText(), /主治医意見書\(記入日 令和\d+年[\s\S]*脳梗塞/);
    await axeCheck(cm, 'person-ikensho');
    await cm.goto(srv.url + `/p/${rins}/${rno}/chosa`);
    assert.match(await cm.locator('h1').innerText(), /認定調査票/);
    assert.ok(await cm.locator('main tbody tr').count() >= 74, 'every item of the form');
    assert.match(await cm.locator('main tbody tr', { hasText: '1-7' }).innerText(), /杖を使って屋内を歩く/);
    await axeCheck(cm, 'person-chosa');
  });
  await cm.context().close();
  await narrow('demo-doctor', '/clinic/requests', 'clinic-requests');
  await narrow('demo-cm', `/p/${rins}/${rno}/chosa`, 'person-chosa');
  await narrow('demo-cm', `/p/${rins}/${rno}/ikensho`, 'person-ikensho');
});

// 被保険者の検索 (issue #19 §1): by カナ (hiragana, spaces folded) and 生年月日, the list audited per person (the person's
// だれが見たか counts it), a malformed number refused with the form kept, a name opens the card through the gate
test('the clerk: 被保険者の検索 by カナ and 生年月日 - each person listed is audited; the card opens from the list', async () => {
  const page = await newPage();
  await step(page, 'people-search', async () => {
    const kana = sqlite(db, `SELECT ${field('kana')} FROM record_versions WHERE kind = 'insured' AND insurer_no = '${ins}' AND insured_no = '${no}' ORDER BY version DESC LIMIT 1`).out.trim();
    const before = Number(sqlite(db + '.audit', `SELECT count(*) FROM audit_log WHERE insurer_no = '${ins}'`).out);
    await login(page, 'demo-staff');
    assert.match(page.url(), /\/city\/people$/); // the clerk's start page
    // hiragana with a space for the first name part of the カナ: folded to katakana, spaces dropped
    const family = kana.split('　')[0];
    const hira = [...family].map((c) => String.fromCodePoint(c.codePointAt(0) - 0x60)).join('');
    await page.getByLabel('カナ氏名(前方一致)').fill(hira + ' ');
    await page.getByLabel('生年月日').fill(birth);
    await page.getByRole('button', { name: '検索する' }).click();
    await page.waitForURL(/kana=/);
    const rows = await page.locator('#hits tbody tr').allInnerTexts();
    assert.ok(rows.some((t) => t.includes(no)), rows.join('|'));
    for (const t of rows) assert.ok(t.includes(family), t);
    const after = Number(sqlite(db + '.audit', `SELECT count(*) FROM audit_log WHERE insurer_no = '${ins}'`).out);
    assert.ok(after - before >= rows.length, `each listed person audited (${after - before} entries for ${rows.length})`);
    await axeCheck(page, 'people-search');
    await page.screenshot({ path: join(dir, 'people-search.png'), fullPage: true });
    // the card from the list: a disclosure through the gate
    await page.locator('#hits tbody tr', { hasText: no }).getByRole('link').first().click();
    await page.waitForURL(new RegExp(`/p/${ins}/${no}/card$`));
    assert.match(await page.locator('h1').innerText(), /被保険者証|介護保険/);
    // 資格の異動 (住所変更) from the person's menu: a new version with who and why, the card shows the new address
    await page.getByRole('navigation', { name: 'この方の情報' }).getByRole('link', { name: '記録の履歴・資格の異動' }).click();
    await page.waitForURL(new RegExp(`/p/${ins}/${no}/history$`));
    const insured = () => page.locator('section.history', { hasText: '資格(被保険者)' }).locator('tbody tr');
    const versions = await insured().count();
    await axeCheck(page, 'history');
    await page.getByLabel('異動の種類').selectOption('move');
    await page.getByLabel('新しい郵便番号').fill('040-0001');
    await page.getByLabel('新しい住所(住所地特例は施設の住所)').fill('北海道函館市五稜郭町1番1号');
    await page.getByLabel('理由(届出など)').fill('転居届');
    await page.getByRole('button', { name: '記録する' }).click();
    await page.waitForURL(/history\?done=1/);
    assert.equal(await insured().count(), versions + 1);
    const top = await insured().first().innerText();
    assert.match(top, /住所変更: 転居届/);
    assert.match(top, /デモ 市町村職員/);
    assert.match(top, /五稜郭町1番1号/);
    await page.goto(`${srv.url}/p/${ins}/${no}/card`);
    assert.match(await page.locator('main').innerText(), /五稜郭町1番1号/);
    // a 喪失 before the 取得 is refused with the reason, nothing written
    await page.goto(`${srv.url}/p/${ins}/${no}/history`);
    await page.getByLabel('異動の種類').selectOption('lose');
    await page.getByLabel('異動日').fill('1900-01-01');
    await page.getByLabel('理由(届出など)').fill('誤り');
    await page.getByRole('button', { name: '記録する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main [role=alert]').first().innerText(), /喪失日は取得日より後/);
    await page.goto(`${srv.url}/p/${ins}/${no}/history`);
    assert.equal(await insured().count(), versions + 1);
    // a number of 9 digits: 400, the form kept with the reason
    const bad = no.slice(0, 9);
    const r = await page.goto(srv.url + '/city/people?no=' + bad);
    assert.equal(r.status(), 400);
    assert.equal(await page.getByLabel('被保険者番号').inputValue(), bad);
    assert.match(await page.locator('main [role=alert]').first().innerText(), /被保険者番号は10桁/);
    await axeCheck(page, 'people-search-error');
  });
  await page.context().close();
  await narrow('demo-staff', `/city/people?birth=${birth}`, 'people-search');
  await narrow('demo-staff', `/p/${ins}/${no}/history`, 'history');
});

// 認定 from the clerk's pages (issue #19 §1): 申請受付 with the paper 包括同意 → 調査の依頼 → 認定調査票 (a missing answer
// refused with every other answer kept) → 意見書の依頼 (the 医療機関 submits) → 一次判定 → 審査会 → 決定, and the card shows
// the new level; the worklist lists pending applications by deadline
test('the clerk: 申請 → 調査票 → 意見書 → 一次判定 → 審査会 → 決定 from the pages, and the card changes', async () => {
  const page = await newPage();
  const person = sqlite(db, `SELECT DISTINCT insured_no FROM record_versions r WHERE insurer_no = '${ins}' AND kind = 'certification'
    AND NOT EXISTS (SELECT 1 FROM record_versions a WHERE a.insurer_no = r.insurer_no AND a.insured_no = r.insured_no AND a.kind = 'application')
    ORDER BY insured_no DESC LIMIT 1`).out.trim();
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  let appId = '';
  await step(page, 'cert-flow', async () => {
    await login(page, 'demo-staff');
    await page.getByRole('link', { name: '認定の進捗' }).click();
    await page.waitForURL(/\/city\/cert$/);
    assert.ok(await page.locator('#worklist tbody tr').count() >= 1); // the demo's 区分変更
    await axeCheck(page, 'cert-worklist');
    await page.goto(`${srv.url}/p/${ins}/${person}/certification`);
    // 申請受付: 区分変更, today, 包括同意 in writing
    await page.getByLabel('申請区分').selectOption('区分変更');
    await page.getByLabel('同意あり(書面)').check();
    await axeCheck(page, 'cert-file-form');
    await page.getByRole('button', { name: '申請を受け付ける' }).click();
    await page.waitForURL(/done=filed/);
    assert.match(await page.locator('main [role=status]').first().innerText(), /申請を受け付けました/);
    const consents = Number(sqlite(db, `SELECT count(*) FROM consents WHERE insurer_no = '${ins}' AND insured_no = '${person}'`).out);
    assert.ok(consents >= 1, 'the paper 包括同意 is recorded');
    const app = await page.locator('input[name=app]').first().inputValue();
    appId = app;
    // 認定調査の依頼 and 主治医意見書の依頼
    await page.getByLabel('調査員').fill('調査員 一郎');
    await page.getByRole('button', { name: '調査を依頼する' }).click();
    await page.waitForURL(/done=/);
    await page.getByLabel('医療機関').selectOption('demo-hospital');
    await page.getByRole('button', { name: '意見書を依頼する' }).click();
    await page.waitForURL(/done=/);
    assert.match(await page.locator('.progress').innerText(), /調査員: 調査員 一郎/);
    assert.match(await page.locator('.progress').innerText(), /依頼先: demo-hospital/);
    await axeCheck(page, 'cert-steps');
    // 認定調査票: every item but one answered → refused, every answer kept; then the last one
    await page.getByRole('link', { name: '認定調査票を入力する' }).click();
    await page.waitForURL(/\/chosa$/);
    await page.getByLabel('調査実施者').fill('調査員 一郎');
    const items = page.locator('fieldset.item');
    const n = await items.count();
    assert.equal(n, 76); // 74 基本調査 + 2 日常生活自立度
    await page.evaluate(() => { for (const f of [...document.querySelectorAll('fieldset.item')].slice(0, -1)) f.querySelector('input[type=radio]').checked = true; });
    await page.getByRole('button', { name: '認定調査票を記録する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main [role=alert]').first().innerText(), /に答えていません/);
    assert.equal(await page.locator('fieldset.item input[type=radio]:checked').count(), n - 1);
    assert.equal(await page.getByLabel('調査実施者').inputValue(), '調査員 一郎');
    await axeCheck(page, 'chosa-form-error');
    await items.last().locator('input[type=radio]').first().check();
    await page.getByRole('button', { name: '認定調査票を記録する' }).click();
    await page.waitForURL(/certification\?done=/);
    // the 主治医意見書 from the 医療機関 (the API, as its software sends it)
    const insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
    const op = await srv.as(insapi, `/api/v1/insurers/${ins}/insured/${person}/applications/${app}/ikensho`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ written: today, doctor: '主治医 花子', last_exam: today, times: 1, diagnoses: [{ name: '脳梗塞後遺症', onset: '2020-01-10' }], stability: '安定' }) });
    assert.equal(op.status, 201, await op.text());
    await page.reload();
    // 一次判定 → 審査会 → 決定
    await page.getByLabel('一次判定', { exact: true }).selectOption('22');
    await page.getByLabel('要介護認定等基準時間(分)').fill('52.3');
    await page.getByRole('button', { name: '一次判定を記録する' }).click();
    await page.waitForURL(/done=primary/);
    await page.getByLabel('二次判定').selectOption('23');
    await page.getByLabel('審査会の意見').fill('特になし');
    await page.getByRole('button', { name: '審査会の結果を記録する' }).click();
    await page.waitForURL(/done=board/);
    // a 延期通知 (介護保険法 第27条 第11項ただし書), printed from the page and from the worklist
    const expected = new Date(Date.now() + 9 * 3600e3 + 40 * 86400e3).toISOString().slice(0, 10);
    await page.getByLabel('決定の見込み').fill(expected);
    await page.getByLabel('延期の理由').fill('主治医意見書の提出が遅れたため');
    await page.getByRole('button', { name: '延期通知を記録する' }).click();
    await page.waitForURL(/done=/);
    assert.match(await page.locator('.progress').innerText(), /延期通知: .*理由: 主治医意見書の提出が遅れたため/);
    const [notice] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '延期通知を印刷' }).click()]);
    assert.match(notice.suggestedFilename(), new RegExp(`^postpone-${person}\\.pdf$`));
    const pdfPath = join(dir, 'postpone.pdf');
    await notice.saveAs(pdfPath);
    const text = spawnSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, '');
    assert.match(text, /要介護認定等の処分の延期について/);
    assert.match(text, /第27条第11項ただし書/);
    assert.match(text, /主治医意見書の提出が遅れたため/);
    await page.goto(srv.url + '/city/cert');
    assert.equal(await page.locator('#worklist tbody tr', { hasText: person }).getByRole('button', { name: '延期通知を印刷' }).count(), 1);
    await page.goto(`${srv.url}/p/${ins}/${person}/certification`);
    await axeCheck(page, 'cert-decide-form');
    await page.getByRole('button', { name: /決定する/ }).click();
    await page.waitForURL(/done=decided/);
    assert.match(await page.locator('main').innerText(), /要介護3/);
    // the card's panel (二) shows the new level
    await page.goto(`${srv.url}/p/${ins}/${person}/card`);
    assert.match(await page.locator('main').innerText(), /要介護3/);
    // a step out of order is refused with the reason and nothing written
    const csrf = await page.evaluate(() => document.querySelector('input[name=csrf]')?.value);
    const before = sqlite(db, `SELECT count(*) FROM record_versions WHERE insured_no = '${person}' AND kind = 'application'`).out;
    const bad = await page.request.post(`${srv.url}/city/cert/${ins}/${person}`, { form: { csrf, a: 'decision', app, on: today }, headers: { Origin: srv.url } });
    assert.equal(bad.status(), 422);
    assert.match(await bad.text(), /記録できませんでした/);
    assert.equal(sqlite(db, `SELECT count(*) FROM record_versions WHERE insured_no = '${person}' AND kind = 'application'`).out, before);
  });
  await page.context().close();
  await narrow('demo-staff', '/city/cert', 'cert-worklist');
  await narrow('demo-staff', `/city/cert/${ins}/${person}/${appId}/chosa`, 'chosa-form');
  await narrow('demo-staff', `/p/${ins}/${person}/certification`, 'cert-decided');
});

// 印刷 (issue #19 §1): a batch print as a job with its progress on the page; stopped by a fault, resumed from the page,
// the PDF and its list downloaded; the entries name the clerk; one card printed again supersedes the earlier paper
test('the clerk: 一括印刷 with progress, stopped and resumed from the page; 再交付 supersedes the old card', async () => {
  const page = await newPage();
  await step(page, 'print', async () => {
    await login(page, 'demo-staff');
    await page.getByRole('link', { name: '印刷', exact: true }).click();
    await page.waitForURL(/\/city\/print$/);
    await axeCheck(page, 'print');
    writeFileSync(printFail, 'x'); // the job stops at its first part
    await page.getByLabel('書類').selectOption('burden');
    await page.getByRole('button', { name: '印刷を始める' }).click();
    await page.waitForURL(/\/city\/print\/\d{8}-\d{6}-burden$/);
    const state = async () => (await page.locator('#job-state').innerText()).trim();
    for (let i = 0; i < 60 && (await state()) === '印刷中'; i++) await page.waitForTimeout(500), await page.reload();
    assert.match(await state(), /中断/);
    assert.match(await page.locator('main [role=alert]').first().innerText(), /続きから印刷できます/);
    await axeCheck(page, 'print-stopped');
    rmSync(printFail);
    await page.getByRole('button', { name: '続きから印刷する' }).click();
    for (let i = 0; i < 60 && (await state()) !== '完了'; i++) await page.waitForTimeout(500), await page.reload();
    assert.equal(await state(), '完了');
    assert.equal(await page.locator('#job-progress').getAttribute('value'), '100');
    assert.match(await page.locator('#job-said').innerText(), /枚を印刷しました/);
    await axeCheck(page, 'print-done');
    const pdf = await page.request.get(srv.url + await page.getByRole('link', { name: 'PDF をダウンロード' }).getAttribute('href'));
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    const list = await (await page.request.get(srv.url + await page.getByRole('link', { name: '印刷した一覧(CSV)' }).getAttribute('href'))).text();
    assert.match(list.split('\n')[0], /部,番号,被保険者番号/);
    assert.ok(list.trim().split('\n').length > 1);
    // the job is listed; its audit entries name the clerk
    const jobUrl = page.url();
    await page.getByRole('link', { name: '印刷の一覧に戻る' }).click();
    assert.match(await page.locator('#jobs tbody tr').first().innerText(), /負担割合証\s+完了/);
    // the files (personal data) are removed from the server once downloaded; the issue records stay
    const issued = sqlite(db, `SELECT count(*) FROM paper_documents WHERE insurer_no = '${ins}' AND kind = 2`).out;
    await page.goto(jobUrl);
    await page.getByRole('button', { name: 'サーバのファイルを消す' }).click();
    await page.waitForURL(/deleted=1/);
    assert.match(await page.locator('main [role=status]').first().innerText(), /消しました/);
    assert.equal(await page.locator('#jobs tbody tr', { hasText: '負担割合証' }).count(), 0);
    assert.equal((await page.goto(jobUrl)).status(), 404);
    assert.equal(sqlite(db, `SELECT count(*) FROM paper_documents WHERE insurer_no = '${ins}' AND kind = 2`).out, issued);
    await page.goto(srv.url + '/city/print');
    assert.ok(Number(sqlite(db + '.audit', PG ? "SELECT count(*) FROM audit_log WHERE position('for user:'::bytea in entry) > 0"
      : "SELECT count(*) FROM audit_log WHERE CAST(entry AS TEXT) LIKE '%for user:%'").out) > 0);
    // 再交付 of the demo person's card: a PDF, and the card printed at the start is now superseded
    const insapi = readFileSync(side(db, '.demo-insurer-token'), 'utf8').trim();
    const status = async () => (await (await srv.as(insapi, '/api/v1/verify?token=' + encodeURIComponent(cardQr))).json()).status;
    assert.equal(await status(), 'current');
    await page.goto(`${srv.url}/p/${ins}/${no}/card`);
    await page.getByLabel('書類', { exact: true }).selectOption('card');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PDF を作る' }).click()]);
    assert.match(dl.suggestedFilename(), /^card-\d{10}\.pdf$/);
    assert.equal(await status(), 'superseded'); // the office's QR check says 「再交付により置き換えられています」
  });
  await page.context().close();
  await narrow('demo-staff', '/city/print', 'print');
});

// the clerk's oversight (issue #19 §1): a break-glass access reviewed with a note, the paper registrations listed, a
// 福祉用具 claim against the ledger, 開示請求 answered as the printed access notice, the audit log verified from the page
test('the clerk: 事後確認, a 福祉用具 claim, 開示請求 printed, the audit log verified', async () => {
  // an emergency doctor's break-glass access to the demo person
  const erSecret = addUser(db, ['--login', 'er-doc', '--name', '救急 医師', '--org', 'demo-hospital', '--perms', 'breakglass']);
  const lr = await fetch(srv.url + '/api/v1/login', { method: 'POST', body: JSON.stringify({ login: 'er-doc', password: 'Kaigo-test-2026!', totp: kaigo(['totp', erSecret]).out.trim() }) });
  assert.equal(lr.status, 200, await lr.clone().text());
  const erCookie = lr.headers.get('set-cookie').split(';')[0];
  const bg = await fetch(srv.url + '/api/v1/breakglass', { method: 'POST', headers: { Cookie: erCookie }, body: JSON.stringify({ insurer_no: ins, insured_no: no, reason: '救急搬送のため資格確認が必要(意識なし)' }) });
  assert.equal(bg.status, 201, await bg.text());
  const page = await newPage();
  await step(page, 'oversight', async () => {
    await login(page, 'demo-staff');
    await page.getByRole('link', { name: '事後確認' }).click();
    await page.waitForURL(/\/city\/reviews$/);
    const row = page.locator('#breakglass tbody tr', { hasText: no });
    assert.match(await row.innerText(), /救急搬送のため/);
    assert.match(await page.locator('#paper-regs').innerText(), /デモ訪問介護ひまわり/); // the paper-registered office of the setup
    await axeCheck(page, 'reviews');
    await row.getByLabel('確認の結果').fill('救急搬送の記録と一致。妥当');
    await row.getByRole('button', { name: '確認済みにする' }).click();
    await page.waitForURL(/done=1/);
    assert.equal(await page.locator('#breakglass tbody tr', { hasText: no }).count(), 0);
    // a 特定福祉用具購入 claim against the ledger: the remaining amount goes down
    await page.goto(`${srv.url}/p/${ins}/${no}/ledger`);
    const before = await page.locator('main').innerText();
    await page.getByLabel('費用額(円)').fill('20000');
    await page.getByLabel('品目・工事の種類').fill('入浴補助用具');
    await page.getByRole('button', { name: '記録する' }).click();
    await page.waitForURL(/ledger\?done=1/);
    const after = await page.locator('main').innerText();
    assert.match(after, /入浴補助用具/);
    assert.notEqual(before, after);
    await axeCheck(page, 'ledger-claim');
    // a claim with no amount is refused with the reason
    await page.getByLabel('品目・工事の種類').fill('腰掛便座');
    await page.getByLabel('費用額(円)').fill('abc');
    await page.getByRole('button', { name: '記録する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main [role=alert]').first().innerText(), /費用額は円の整数/);
    // a withdrawal the person made on paper at the counter, recorded by the clerk on the person's 同意 page: it names
    // the clerk and holds at once (the paper-registered office is refused)
    await page.goto(`${srv.url}/p/${ins}/${no}/consents`);
    await page.locator('form', { has: page.locator('input[name=grantee][value=demo-paper]') }).getByRole('button').first().click();
    await page.getByRole('button', { name: '撤回する' }).click();
    assert.match(await page.locator('main [role=status]').first().innerText(), /撤回はすでに有効です/);
    const wd = sqlite(db, `SELECT by_actor FROM consent_withdrawals WHERE insurer_no = '${ins}' AND insured_no = '${no}' AND grantee = 'demo-paper'`).out;
    assert.match(wd, /user:/);
    // 開示請求: the access log page offers the printed notice
    await page.goto(`${srv.url}/p/${ins}/${no}/access`);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '閲覧記録のお知らせを印刷する' }).click()]);
    assert.match(dl.suggestedFilename(), /^access-\d{10}\.pdf$/);
    // the audit log: its state and a verification from the page
    await page.goto(srv.url + '/city/audit');
    assert.match(await page.locator('#audit-state').innerText(), /記録の件数\s+[\d,]+ 件/);
    await axeCheck(page, 'audit');
    await page.getByRole('button', { name: 'いま検証する' }).click();
    await page.waitForURL(/verified=/);
    assert.match(page.url(), /verified=ok/);
    assert.match(await page.locator('main [role=status]').first().innerText(), /改ざんは見つかりませんでした/);
  });
  await page.context().close();
  await narrow('demo-staff', '/city/reviews', 'reviews');
  await narrow('demo-staff', '/city/audit', 'audit');
  await narrow('demo-staff', `/p/${ins}/${no}/ledger`, 'ledger-claim');
});

// 集計 (issue #19 §2): the clerk's statistics page, its chart and its CSV come from one suppressed table and equal
// `kaigo stats … --csv`; every cell is an integer or x; offices cannot open it
test('the clerk: 集計 - the table, the chart and the CSV equal kaigo stats, suppressed; others refused', async () => {
  const page = await newPage();
  const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7);
  await step(page, 'stats', async () => {
    await login(page, 'demo-staff');
    await page.getByRole('link', { name: '集計' }).click();
    await page.waitForURL(/\/city\/stats$/);
    assert.match(await page.locator('h2').first().innerText(), /認定者数/);
    // the table: 8 rows (要支援1 … 要介護5, 計) × 18 columns, every cell a number or x
    assert.equal(await page.locator('#stats tbody tr').count(), 8);
    const cells = await page.locator('#stats tbody td').allInnerTexts();
    assert.equal(cells.length, 8 * 18);
    for (const c of cells) assert.match(c.trim(), /^(x|\d{1,3}(,\d{3})*)$/);
    assert.match(await page.locator('#stats-note').innerText(), /10人未満のセル.*3事業所未満.*二次秘匿.*人口 30,000 人/);
    // the CSV download is the CLI's CSV, byte for byte
    const cli = kaigo(['stats', 'nintei', '--insurer', ins, '--month', ym, '--csv', '--db', db]);
    assert.equal(cli.code, 0, cli.err);
    const href = await page.getByRole('link', { name: 'CSV をダウンロード' }).getAttribute('href');
    const res = await page.request.get(srv.url + href);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /text\/csv/);
    assert.match(res.headers()['content-disposition'], /attachment; filename="kaigo-nintei-\d{6}\.csv"/);
    assert.equal(await res.text(), cli.out);
    const lines = cli.out.trim().split('\r\n');
    assert.equal(lines.length, 9);
    for (const l of lines.slice(1)) for (const f of l.split(',').slice(1)) assert.match(f, /^(x|\d+)$/);
    // the page shows what the CSV shows, cell by cell
    const csvCells = lines.slice(1).flatMap((l) => l.split(',').slice(1));
    assert.deepEqual(cells.map((c) => c.trim().replaceAll(',', '')), csvCells);
    // the chart: a bar per shown row total, x for a hidden one
    const totals = lines.slice(1, 8).map((l) => l.split(',').at(-1));
    assert.equal(await page.locator('figure.chart svg rect').count(), totals.filter((t) => t !== 'x').length);
    await axeCheck(page, 'stats');
    await page.screenshot({ path: join(dir, 'stats.png'), fullPage: true });
    // another table by keyboard: 申請から認定までの日数
    await page.getByLabel('集計表').selectOption('days');
    await page.getByLabel('対象年月').fill(ym);
    await page.getByLabel('対象年月').press('Enter');
    await page.waitForURL(/table=days/);
    assert.equal(await page.locator('#stats tbody tr').count(), 4);
    assert.match(await page.locator('#stats thead').innerText(), /30日以内の割合/);
    await axeCheck(page, 'stats-days');
    // the second insurer's figures are not the clerk's; a bad month and an unknown table are refused
    assert.equal((await page.goto(srv.url + '/city/stats?month=2026-13')).status(), 400);
    assert.equal((await page.goto(srv.url + '/city/stats?table=people')).status(), 400);
  });
  await page.context().close();
  // an office's staff cannot open the statistics
  const cm = await newPage();
  await step(cm, 'stats-refused', async () => {
    await login(cm, 'demo-cm');
    assert.equal((await cm.goto(srv.url + '/city/stats')).status(), 403);
    assert.equal((await cm.goto(srv.url + '/city/stats.csv')).status(), 403);
    assert.equal(await cm.getByRole('link', { name: '集計' }).count(), 0);
  });
  await cm.context().close();
  await narrow('demo-staff', '/city/stats', 'stats');
});

// 二次利用 (issue #19 §2): the person opts in on 同意; the clerk's pseudonymised export has that person alone (no
// number, a new pseudonym each time), the person sees it in だれが見たか; after opting out the export is empty
test('二次利用: opt-in by the person, the pseudonymised export of opted-in persons only, audited, then opt-out', async () => {
  const ym = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7);
  const person = await newPage();
  const clerk = await newPage();
  await step(person, 'niji', async () => {
    await login(person, 'demo-person');
    await person.goto(srv.url + '/me/consents');
    assert.match(await person.locator('#niji-state').innerText(), /協力していません/);
    await axeCheck(person, 'consents-niji');
    await person.getByRole('button', { name: '二次利用に協力する' }).click();
    await person.waitForURL(/\/me\/consents/);
    assert.match(await person.locator('#niji-state').innerText(), /協力しています/);
    await login(clerk, 'demo-staff');
    await clerk.goto(`${srv.url}/city/stats?month=${ym}`);
    const href = await clerk.getByRole('link', { name: '二次利用データ(CSV)を作る' }).getAttribute('href');
    const get = async () => (await (await clerk.request.get(srv.url + href)).text()).trim().split('\r\n');
    const one = await get();
    assert.equal(one[0], '仮名ID,年齢階級,性別,要介護度,サービス種類,計画単位数');
    assert.equal(one.length, 2, one.join('|'));
    assert.match(one[1], /^[0-9a-f]{32},\d+〜\d+歳,(男|女),要(支援|介護)\d,[0-9;]*,\d+$/);
    assert.ok(!one.join('\n').includes(no) && !one.join('\n').includes(birth), 'no number or birth date in the export');
    const two = await get();
    assert.notEqual(two[1].split(',')[0], one[1].split(',')[0]); // a new key each export: not joinable
    assert.equal(two[1].split(',').slice(1).join(','), one[1].split(',').slice(1).join(','));
    // the command line gives the same rows (its own pseudonyms)
    const cli = kaigo(['stats', 'export', '--insurer', ins, '--month', ym, '--db', db]);
    assert.equal(cli.code, 0, cli.err);
    assert.equal(cli.out.trim().split('\r\n').length, 2);
    // the person sees it
    await person.goto(srv.url + '/me/access');
    assert.match(await person.locator('#access-log').innerText(), /二次利用/);
    // opting out ends it at once
    await person.goto(srv.url + '/me/consents');
    await person.getByRole('button', { name: '二次利用への協力をやめる' }).click();
    await person.waitForURL(/\/me\/consents/);
    assert.match(await person.locator('#niji-state').innerText(), /協力していません/);
    assert.equal((await get()).length, 1);
  });
  await person.context().close();
  await clerk.context().close();
});

test('200 % zoom at 1280 px and a 375 px phone: no horizontal scrolling; error pages are pages', async () => {
  for (const [name, opts] of [['zoom200', { viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 }],
    ['phone', { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }]]) {
    const page = await newPage(opts);
    await step(page, name, async () => {
      await page.goto(srv.url + '/login');
      await noHorizontalScroll(page, `${name} login`);
      await login(page, 'demo-person');
      for (const path of ['/me', '/me/card', '/me/access', '/me/consents', '/me/proxies']) {
        await page.goto(srv.url + path);
        await noHorizontalScroll(page, `${name} ${path}`);
        if (path === '/me/card') await axeCheck(page, `${name}-card`); // the insurer-policy note at phone width and zoom
      }
      await axeCheck(page, `${name}-proxies`);
      // the access log with the paper-registration badge: axe, and the badge inside the screen
      await page.goto(srv.url + '/me/access');
      await axeCheck(page, `${name}-access`);
      const box = await page.locator('#access-log .badge.warn').first().boundingBox();
      const width = await page.evaluate(() => document.documentElement.clientWidth);
      assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `${name}: the badge fits (${JSON.stringify(box)} in ${width})`);
      await page.locator('#access-log tr', { has: page.locator('.badge.warn') }).screenshot({ path: join(dir, `access-${name}.png`) });
      const r = await page.goto(srv.url + '/no/such/page');
      assert.equal(r.status(), 404);
      assert.match(await page.locator('h1').innerText(), /ページが見つかりません/);
      await axeCheck(page, `${name}-404`);
    });
    await page.context().close();
  }
});

test('session expiry: warned before it happens, and an idle session leads to the login with a reason', async () => {
  const page = await newPage();
  await step(page, 'expiry', async () => {
    await page.clock.install();
    await login(page, 'demo-person');
    await page.goto(srv.url + '/me/card');
    assert.match(await page.locator('#session-note').innerText(), /30分たつと、安全のため自動的にログアウト/);
    assert.equal(await page.locator('#session-warning').isVisible(), false);
    await page.clock.fastForward('28:30');
    await page.locator('#session-warning').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#session-warning').getAttribute('role'), 'alert');
    await axeCheck(page, 'session-warning');
    // idle on the server: the session is over, the login says why
    sqlite(db, 'UPDATE sessions SET last_seen_ms = last_seen_ms - 31 * 60 * 1000');
    for (const k of Object.keys(sessions)) delete sessions[k];
    await page.goto(srv.url + '/me/card');
    assert.match(page.url(), /\/login\?expired=1$/);
    assert.match(await page.locator('[role=status]').innerText(), /一定時間操作がなかったため/);
    await axeCheck(page, 'login-expired');
  });
  await page.context().close();
});

test('axe ran on every page and state above', () => {
  assert.ok(axeSeen.size >= 35, `axe ran on ${axeSeen.size} pages and states`);
});
