// bench/pages.mjs URL - what the pages cost a browser (issue #14 §5), in Debian's chromium:
// bytes over the wire for a first load (assets included, empty cache) and for later pages
// (assets cached), and the time to the card on screen for the chosen design (server-rendered
// HTML from C) against the alternative measured in the same run (a static page that fetches
// GET /api/v1/me/card and renders it with script; served from the same origin by the browser's
// request interception, so both pay the same server). Medians of RUNS loads. Loopback only.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
const require = createRequire(new URL('../tests/browser/', import.meta.url));
const { chromium } = require('playwright-core');
const [url, kaigo] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS || 15);
const b = await chromium.launch({ executablePath: process.env.KAIGO_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await b.newContext({ locale: 'ja-JP' });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Network.enable');
let bytes = 0;
cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
// log in (the form), then measure
await page.goto(url + '/login');
await page.getByLabel('ログインID').fill('bench-person');
await page.getByLabel('パスワード').fill('bench-Password-2026');
await page.getByLabel('確認コード').fill(execFileSync(kaigo, ['totp', 'BENCHPERSONBENCHPERSONBENCHPERS2']).toString().trim());
await page.getByRole('button', { name: 'ログイン' }).click();
await page.waitForLoadState('load');
const load = async (path) => {
  bytes = 0;
  await page.goto(url + path, { waitUntil: 'load' });
  await new Promise((r) => setTimeout(r, 50)); // the last loadingFinished events
  return bytes;
};
await cdp.send('Network.clearBrowserCache');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
const first = await load('/me/card');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
await load('/me/card'); // assets now in the cache
const later = {};
for (const p of ['/me', '/me/card', '/me/certification', '/me/plan', '/me/access', '/me/consents', '/me/proxies']) later[p] = await load(p);
console.log(`bytes  first load of /me/card with assets: ${first} B (target <= 150 KB)`);
for (const [p, n] of Object.entries(later)) console.log(`bytes  later ${p.padEnd(18)}: ${n} B (target <= 30 KB)`);
// time to the card on screen: server-rendered vs static page + JSON API
const proto = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>proto</title>
<link rel="stylesheet" href="/assets/kaigo.css"></head><body><main id="main"></main>
<script>fetch('/api/v1/me/card').then(r=>r.json()).then(c=>{const m=document.getElementById('main');
const h=document.createElement('h1');h.textContent='介護保険証';m.appendChild(h);
const p=document.createElement('p');p.id='name';p.textContent=c.panel1.name+' '+(c.panel2?c.panel2.level:'');m.appendChild(p);});</script></body></html>`;
await page.route('**/proto-static', (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: proto }));
const timeTo = async (path, selector) => {
  const t0 = Date.now();
  await page.goto(url + path, { waitUntil: 'commit' });
  await page.locator(selector).first().waitFor();
  const t = Date.now() - t0;
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 5000 });
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0].startTime);
  return [t, fcp];
};
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ssr = [], st = [], ssrF = [], stF = [];
for (let i = 0; i < RUNS; i++) {
  let [t, f] = await timeTo('/me/card', 'dl.items dd');
  ssr.push(t); ssrF.push(f);
  [t, f] = await timeTo('/proto-static', '#name');
  st.push(t); stF.push(f);
}
console.log(`paint  server-rendered /me/card : card on screen ${med(ssr)} ms, first contentful paint ${med(ssrF).toFixed(0)} ms (median of ${RUNS})`);
console.log(`paint  static page + JSON API   : card on screen ${med(st)} ms, first contentful paint ${med(stF).toFixed(0)} ms (median of ${RUNS})`);
console.log(`paint  ratio static/server-rendered (card on screen): ${(med(st) / Math.max(1, med(ssr))).toFixed(2)}`);
await b.close();
