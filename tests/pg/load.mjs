// tests/pg/load.mjs - card reads against one or more kaigo nodes for a fixed time, every answer
// kept: for the failover test (tests/pg/failover.sh, issue #22 §2), which must prove that every
// read answered 200 has its audit entry, so wrk's totals are not enough.
//
//   node tests/pg/load.mjs URL[,URL…] TOKEN INSURER PERSONS CONNS SECONDS OUT.json
//
// CONNS keep-alive connections, spread over the URLs in turn; each asks for the card of the next
// person in a cycle over the PERSONS synthetic numbers (1000000001 …). A connection refused or
// reset counts as status 0 and is tried again after 20 ms. Stops by itself after SECONDS.
// OUT.json: totals, per node and per person the number of 200s, and the answers over time (per
// 100 ms from t0: [ok, failed], overall and per node), from which the test takes the seconds
// without service.
import http from "node:http";
import fs from "node:fs";

const [urlsArg, token, insurer, personsArg, connsArg, secondsArg, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: load.mjs URL[,URL…] TOKEN INSURER PERSONS CONNS SECONDS OUT.json");
  process.exit(2);
}
const urls = urlsArg.split(",").map((u) => new URL(u));
const persons = Number(personsArg), conns = Number(connsArg), seconds = Number(secondsArg);
const t0 = Date.now(), end = t0 + seconds * 1000;
const okByPerson = new Map();
const byNode = urls.map(() => ({ ok: 0, failed: 0, statuses: {}, slots: [] }));
const slots = []; // per 100 ms: [ok, failed]
let next = 0;

function slotOf(list, t) {
  const k = Math.floor((t - t0) / 100);
  while (list.length <= k) list.push([0, 0]);
  return list[k];
}

function one(node, agent) {
  return new Promise((resolve) => {
    const n = 1000000000 + (next++ % persons) + 1;
    const no = String(n).padStart(10, "0");
    const u = urls[node];
    const req = http.get({ host: u.hostname, port: u.port, agent,
      path: `/api/v1/insurers/${insurer}/insured/${no}/card`,
      headers: { authorization: `Bearer ${token}` }, timeout: 10000 }, (res) => {
      res.resume();
      res.on("end", () => resolve([no, res.statusCode]));
      res.on("error", () => resolve([no, 0]));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve([no, 0]));
  });
}

async function loop(i) {
  const node = i % urls.length;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < end) {
    const [no, status] = await one(node, agent);
    const t = Date.now(), b = byNode[node], s = slotOf(slots, t), sn = slotOf(b.slots, t);
    b.statuses[status] = (b.statuses[status] || 0) + 1;
    if (status === 200) {
      s[0]++; sn[0]++; b.ok++;
      okByPerson.set(no, (okByPerson.get(no) || 0) + 1);
    } else {
      s[1]++; sn[1]++; b.failed++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  agent.destroy();
}

await Promise.all(Array.from({ length: conns }, (_, i) => loop(i)));
const total = byNode.reduce((a, b) => a + b.ok + b.failed, 0);
const ok = byNode.reduce((a, b) => a + b.ok, 0);
fs.writeFileSync(out, JSON.stringify({ t0, seconds: (Date.now() - t0) / 1000, total, ok, failed: total - ok,
  nodes: byNode, slots, okByPerson: Object.fromEntries(okByPerson) }));
console.log(`load: ${total} requests, ${ok} answered 200, ${total - ok} not`);
