// bench/idle.mjs - many idle keep-alive connections against one server (bench/idle.sh starts it).
//
//   node bench/idle.mjs PORT PID CONNS ADDRESSES
//
// Opens CONNS connections spread over ADDRESSES loopback source addresses (127.0.0.1 …), each
// asks GET /healthz once and then stays idle with keep-alive. Prints the server's resident
// memory before and after (baseline: the same server with no connection) and, while all are
// held, how long a request from a fresh address and one more from the busiest address take.
import net from 'node:net';
import { readFileSync } from 'node:fs';

const [port, pid, conns, addrs] = process.argv.slice(2).map(Number);
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const addrOf = (i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

// one keep-alive request on a new connection from `from`; resolves with the socket still open
function open(from) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    let buf = '';
    s.on('error', () => resolve({ s: null, ok: false }));
    s.on('close', () => resolve({ s: null, ok: /^HTTP\/1\.1 200/.test(buf) }));
    s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.on('data', (d) => {
      buf += d;
      if (/\r\n\r\n[\s\S]*\}/.test(buf))
        resolve({ s, ok: /^HTTP\/1\.1 200/.test(buf), ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

const before = rssKb();
const held = [];
let refused = 0; // not answered 200 (closed before its answer, or refused)
const t0 = Date.now();
for (let i = 0; i < conns; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(conns, i + 200); j++) batch.push(open(addrOf(j % addrs)));
  for (const r of await Promise.all(batch)) {
    if (r.s) held.push(r.s);
    if (!r.ok) refused++;
  }
}
await new Promise((r) => setTimeout(r, 500));
const alive = held.filter((s) => !s.destroyed).length;
const after = rssKb();
const fresh = await open('127.0.250.250');
const busiest = await open(addrOf(0));
console.log(`idle: ${conns} connections from ${addrs} address(es) in ${Date.now() - t0} ms; ${alive} still open, ${refused} not answered 200`);
console.log(`  server RSS: ${(before / 1024).toFixed(1)} MB with none (baseline), ${(after / 1024).toFixed(1)} MB with them; ` +
  `${((after - before) / Math.max(alive, 1)).toFixed(1)} KB per open connection; ratio ${(after / before).toFixed(2)}`);
console.log(`  while held: a fresh address ${fresh.ok ? `answered in ${fresh.ms.toFixed(1)} ms` : 'NOT ANSWERED'}; ` +
  `the busiest address ${busiest.ok ? `answered in ${busiest.ms.toFixed(1)} ms` : 'NOT ANSWERED'}`);
console.log(`RESULT ${alive} ${after} ${before} ${fresh.ok ? 1 : 0} ${busiest.ok ? 1 : 0}`);
for (const s of [...held, fresh.s, busiest.s]) s && s.destroy();
process.exit(0);
