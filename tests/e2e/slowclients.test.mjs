// slowclients.test.mjs - slow clients and floods do not lock others out (security.md P21,
// issue 16): a request head must be complete within --header-timeout of the connection's start
// (a header line every half second no longer keeps a connection for ever: libmicrohttpd's idle
// timeout restarts on each byte), and one address holds at most 1/16 of the connections, so a
// flood from a few addresses leaves room for a fresh one; past its share (or past all but 1/16 of
// every connection) a newcomer is still served and an idle connection gives way (issue 21). The limits are made small here
// (--header-timeout 2, --max-connections 64 → 4 per address) to test them in seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { tmp, fixture, startServer } from './lib.mjs';

let srv, port;
before(async () => {
  srv = await startServer(fixture(tmp()), ['--header-timeout', '2', '--max-connections', '64']);
  port = Number(new URL(srv.url).port);
});
after(async () => { await srv.stop(); });

// open - a connection from a given loopback address; resolves once connected
function open(from) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}
const closedWithin = (s, ms) => new Promise((resolve) => {
  const t0 = Date.now();
  const t = setTimeout(() => resolve(null), ms);
  s.once('close', () => { clearTimeout(t); resolve(Date.now() - t0); });
});
function get(from, path = '/healthz') {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let buf = '';
    s.setTimeout(4000, () => { s.destroy(); resolve({ status: 'timeout', ms: Date.now() - t0 }); });
    s.on('data', (d) => { buf += d; });
    s.on('error', () => resolve({ status: 'error', ms: Date.now() - t0 }));
    s.on('close', () => { const m = buf.match(/^HTTP\/1\.1 (\d+)/); resolve({ status: m ? Number(m[1]) : 'closed', ms: Date.now() - t0 }); });
  });
}

test('a head sent a line every half second is cut at the head deadline, not kept for ever', async () => {
  const conns = await Promise.all([0, 1, 2].map(() => open('127.0.0.2')));
  const timers = conns.map((s) => {
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    return setInterval(() => { if (!s.destroyed) s.write('X-Slow: 1\r\n'); }, 500);
  });
  const t = await Promise.all(conns.map((s) => closedWithin(s, 8000)));
  timers.forEach(clearInterval);
  for (const ms of t) {
    assert.ok(ms !== null, 'a dripping connection was still open after 8 s');
    assert.ok(ms >= 1500 && ms < 4500, `closed after ${ms} ms (deadline 2 s, kept within 1 s)`);
  }
});

test('an idle keep-alive connection is not cut by the head deadline (it has the idle allowance)', async () => {
  const s = await open('127.0.0.3');
  let buf = '';
  s.on('data', (d) => { buf += d; });
  s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 3000)); // longer than --header-timeout, idle
  assert.ok(!s.destroyed, 'closed while idle between requests');
  s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal([...buf.matchAll(/HTTP\/1\.1 200/g)].length, 2);
  s.destroy();
});

test('8 flooding addresses leave room: a fresh address is answered at once, and so is a flooding one, at the cost of its own least recently active connection', async () => {
  const flood = [];
  for (let a = 4; a < 12; a++)
    for (let i = 0; i < 4; i++) flood.push(await open(`127.0.0.${a}`).catch(() => null));
  assert.ok(flood.filter(Boolean).length >= 32);
  // issue 21: a full address's newcomer is served (a care office behind one NAT address is not
  // locked out) and the address's connection idle longest - here its first - gives way
  const [oldest, ...rest] = flood.slice(0, 4);
  const gone = closedWithin(oldest, 3000);
  const more = await get('127.0.0.4');
  assert.equal(more.status, 200, 'a fifth connection from a full address was not served');
  assert.notEqual(await gone, null, 'the address\'s oldest idle connection was not shut to make room');
  assert.ok(rest.every((s) => !s.destroyed), 'a newer connection of the address was shut instead');
  // ... and a fresh address is served at once
  const fresh = await get('127.0.0.20');
  assert.equal(fresh.status, 200);
  // before any flooding connection could have been cut by the 2-s head deadline: it did not wait for room (a fixed
  // 1 s bound failed when the browser tests loaded both cores, issue #19's run; the property is "not locked out")
  assert.ok(fresh.ms < 2000, `answered after ${fresh.ms} ms`);
  flood.forEach((s) => s && s.destroy());
});

test('one address filling every connection displaces only itself: a fresh address is answered at once', async () => {
  // --max-connections 32 with no share per address: past 24 (all but the headroom: 1/16, at least 8) an idle
  // connection of the address holding the most gives way to each newcomer
  const one = await startServer(fixture(tmp()), ['--header-timeout', '5', '--max-connections', '32', '--max-per-address', '32']);
  const p = Number(new URL(one.url).port);
  const conn = (from) => new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p, localAddress: from }, () => resolve(s));
    s.on('error', () => resolve(s));
  });
  try {
    const flood = [];
    // paced past the soft bound: an evicted connection closes at the server's next turn, and until then
    // libmicrohttpd's hard bound (32) still counts it (under ASan a turn takes milliseconds)
    for (let i = 0; i < 40; i++) {
      flood.push(await conn('127.0.0.30'));
      if (i >= 20) await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300));
    const open_ = flood.filter((s) => !s.destroyed && s.readyState === 'open');
    assert.ok(open_.length <= 31, `${open_.length} of one address's connections still open`);
    // (which connection gives way - the least recently active - is the third test's; here, under ASan with both cores
    // busy, libmicrohttpd's hard bound may still refuse a newcomer before an evicted connection has closed)
    const t0 = Date.now();
    const r = await fetch(one.url + '/healthz');
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 < 2000, `answered after ${Date.now() - t0} ms`);
    const m = await (await one.op('/metrics')).text();
    assert.ok(Number(/^kaigo_http_connections_evicted_total (\d+)$/m.exec(m)[1]) >= 1, 'evictions not counted');
    flood.forEach((s) => s.destroy());
  } finally {
    await one.stop();
  }
});
