// slowclients.test.mjs - slow clients and floods do not lock others out (security.md P21,
// issue 16): a request head must be complete within --header-timeout of the connection's start
// (a header line every half second no longer keeps a connection for ever: libmicrohttpd's idle
// timeout restarts on each byte), and one address holds at most 1/16 of the connections, so a
// flood from a few addresses leaves room for a fresh one. The limits are made small here
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

test('8 flooding addresses leave room: a fresh address is answered at once', async () => {
  const flood = [];
  for (let a = 4; a < 12; a++)
    for (let i = 0; i < 4; i++) flood.push(await open(`127.0.0.${a}`).catch(() => null));
  assert.ok(flood.filter(Boolean).length >= 32);
  // the flooding address's next connection is refused (its share is used up) ...
  const more = await get('127.0.0.4');
  assert.notEqual(more.status, 200, 'a fifth connection from one address was served');
  // ... and a fresh address is served at once
  const fresh = await get('127.0.0.20');
  assert.equal(fresh.status, 200);
  // before any flooding connection could have been cut by the 2-s head deadline: it did not wait for room (a fixed
  // 1 s bound failed when the browser tests loaded both cores, issue #19's run; the property is "not locked out")
  assert.ok(fresh.ms < 2000, `answered after ${fresh.ms} ms`);
  flood.forEach((s) => s && s.destroy());
});
