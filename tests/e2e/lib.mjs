// lib.mjs - helpers for end-to-end tests: temporary databases, the real kaigo
// binary, a server on a free loopback port (read from its first stdout line).
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const BIN = process.env.KAIGO_BIN;
if (!BIN) throw new Error('KAIGO_BIN is not set (run through ctest)');

// tmp - a fresh directory, removed when the test file's process exits if every test passed
// (a failed run keeps them for a look, and says where; KAIGO_KEEP_TMP=1 keeps them always):
// a suite run leaves nothing behind (the audit tests alone write some 400 MB).
const made = [];
process.on('exit', (code) => {
  if (process.env.KAIGO_KEEP_TMP || code !== 0 || (process.exitCode && process.exitCode !== 0)) {
    if (made.length) process.stderr.write(`e2e: kept ${made.join(' ')}\n`);
    return;
  }
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
export function tmp() {
  const d = mkdtempSync(join(tmpdir(), 'kaigo-e2e-'));
  made.push(d);
  return d;
}

// ---- the backend under test ------------------------------------------------------------------
// KAIGO_TEST_BACKEND=postgresql (ctest e2e-pg-*): every database fixture() or newDb() makes is a fresh
// PostgreSQL database of one throw-away cluster per test file (tests/pg/cluster.sh, kaigo's schema in a
// template), opened by its URL as the application's role; its side files (keys, tokens) are in a state
// directory of its own (KAIGO_STATE), which kaigo() and startServer() pass for a --db they are given.
export const PG = process.env.KAIGO_TEST_BACKEND === 'postgresql';
const SRC = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const pg = { dir: null, admin: null, app: null, n: 0, state: new Map() };
function pgStart() {
  if (pg.dir) return;
  pg.dir = mkdtempSync(join(tmpdir(), 'kaigo-e2e-pg-'));
  spawnSync('chmod', ['711', pg.dir]);
  const c = spawnSync(join(SRC, 'tests/pg/cluster.sh'), ['start', join(pg.dir, 'pg')], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error('e2e: no PostgreSQL cluster: ' + c.stderr);
  const adminKaigo = readFileSync(join(pg.dir, 'pg/admin-url'), 'utf8').trim();
  pg.admin = adminKaigo.replace(/\/[^/]*$/, '/postgres');
  pg.app = readFileSync(join(pg.dir, 'pg/url'), 'utf8').trim();
  const psql = (url, ...args) => {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, ...args], { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
    if (r.status !== 0) throw new Error('e2e: psql: ' + r.stderr);
    return r.stdout;
  };
  psql(pg.admin, '-c', 'CREATE DATABASE kaigo_tmpl');
  psql(adminKaigo.replace(/\/[^/]*$/, '/kaigo_tmpl'), '-c', 'REVOKE ALL ON SCHEMA public FROM PUBLIC', '-c', 'GRANT USAGE ON SCHEMA public TO kaigo_app',
    '-f', join(SRC, 'src/store/pg/schema.sql'), '-c', 'GRANT kaigo_rw TO kaigo_app');
  pg.psql = psql;
  process.on('exit', () => {
    spawnSync(join(SRC, 'tests/pg/cluster.sh'), ['stop', join(pg.dir, 'pg')]);
    rmSync(pg.dir, { recursive: true, force: true });
  });
}

// newDb - a new empty database: a file in dir (SQLite), or a fresh PostgreSQL database with its own
// state directory in dir (KAIGO_TEST_BACKEND=postgresql)
export function newDb(dir, name = 'k.db') {
  if (!PG) return join(dir, name);
  pgStart();
  const db = `t${++pg.n}`;
  pg.psql(pg.admin, '-c', `CREATE DATABASE ${db} TEMPLATE kaigo_tmpl`);
  const url = pg.app.replace(/\/[^/]*$/, '/' + db);
  const state = join(dir, name + '.state');
  mkdirSync(state, { recursive: true });
  pg.state.set(url, state);
  return url;
}

// ownerUrl - db's URL as the role that installed the schema (PostgreSQL; kaigo migrate needs it)
export function ownerUrl(db) {
  return pg.admin.replace(/\/[^/]*$/, '/' + db.replace(/^.*\//, ''));
}

// side - a file kept beside the store (kaigo's store_side_path): <db><suffix>, or in its state directory
export function side(db, suffix) {
  const state = pg.state.get(db);
  return state ? join(state, 'kaigo' + suffix) : db + suffix;
}

// dbEnv - the environment a kaigo process needs for db (its state directory, for PostgreSQL)
export function dbEnv(db) {
  const state = pg.state.get(db);
  return state ? { KAIGO_STATE: state } : {};
}
function envFor(args) {
  const i = args.indexOf('--db');
  return i >= 0 ? dbEnv(args[i + 1]) : {};
}

// audit - rows of a query over the audit log's view audit_v (the same columns on both backends)
export function audit(db, sql) {
  if (!pg.state.has(db)) return sqlite(db + '.audit', sql);
  // the one SQLite aggregate the tests use, in PostgreSQL's words
  const q = sql.replace(/group_concat\(([^()]*)\)/g, "string_agg(($1)::text, ',')");
  const r = spawnSync('psql', ['-X', '-A', '-t', '-F', '|', db, '-c', q], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

export function kaigo(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...envFor(args), ...(opts.env || {}) }, input: opts.input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The audit log keeps each entry as its canonical bytes; the view audit_v names
// the fields through kaigo_audit_field, which the shell gets from our extension.
export const AUDIT_EXT = join(dirname(BIN), 'kaigo_audit');

// sqlite - rows of a query, '|'-separated: by sqlite3 on a SQLite file (<db>.audit: the audit log, with
// kaigo's extension for audit_v), by psql on a PostgreSQL database of newDb() (<url>.audit names the
// same database, whose audit_log and audit_v have the same columns)
export function sqlite(db, sql) {
  const m = pgPart(db);
  if (m) return audit(m[1], pgTables(sql, m));
  const args = db.endsWith('.audit') ? ['-cmd', `.load ${AUDIT_EXT}`, db, sql] : [db, sql];
  const r = spawnSync('sqlite3', args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

export function writeCsv(dir, name, lines) {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\r\n') + '\r\n');
  return p;
}

export const INSURED_HEADER = '保険者番号,被保険者番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,資格取得日,資格喪失日,交付年月日';
export const CERT_HEADER = '保険者番号,被保険者番号,要介護状態区分,申請日,認定年月日,有効期間開始日,有効期間終了日,申請区分,前回要介護状態区分,認定審査会の意見,サービスの種類の指定';

// A small fixed registry: 市原市 (122192) with two persons, one certified.
export function fixture(dir, db = newDb(dir)) {
  const ins = writeCsv(dir, 'insured.csv', [
    INSURED_HEADER,
    '122192,0000000001,髙橋　﨑子,タカハシ　サキコ,昭和15年4月2日,2,290-0001,千葉県市原市五井1丁目1番1号,2005-04-01,,R6.4.1',
    '122192,0000000002,山田　太郎,ヤマダ　タロウ,1950-01-10,1,2900002,千葉県市原市八幡2-3,2015-01-01,,',
  ]);
  const cert = writeCsv(dir, 'cert.csv', [
    CERT_HEADER,
    '122192,0000000001,23,2024-02-01,2024-03-05,2024-04-01,2028-03-31,更新,23,,',
    '122192,0000000002,22,2019-02-15,2019-03-10,2019-04-01,2020-03-31,更新,21,,',
  ]);
  const burden = writeCsv(dir, 'burden.csv', ['保険者番号,被保険者番号,負担割合,適用開始日,適用終了日', '122192,0000000001,2,2026-08-01,2027-07-31']);
  for (const [k, f] of [['insured', ins], ['certification', cert], ['burden', burden]]) {
    const r = kaigo(['import', k, f, '--db', db, '--quiet']);
    if (r.code !== 0) throw new Error(`fixture import ${k}: ${r.err}`);
  }
  // the insurer (市原市) as an organisation with an API token: statutory access to its insured
  must(kaigo(['org', 'add', '--db', db, '--id', 'ichihara', '--kind', 'insurer', '--name', '市原市', '--insurer', '122192']));
  writeFileSync(side(db, '.api-token'), must(kaigo(['token', 'issue', '--db', db, '--org', 'ichihara', '--name', 'e2e'])).out.trim());
  return db;
}

export function must(r) {
  if (r.code !== 0) throw new Error('kaigo failed: ' + r.err);
  return r;
}

// totp - RFC 6238 code (HMAC-SHA1, 30 s, 6 digits) for a base32 secret, independent of kaigo's code.
export function totp(b32, t = Date.now()) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of b32) bits += alpha.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[19] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// addUser - creates an account; returns its TOTP secret.
export function addUser(db, args, password = 'Kaigo-test-2026!') {
  const r = must(kaigo(['user', 'add', '--db', db, '--password-stdin', ...args], { input: password + '\n' }));
  return r.out.match(/TOTP秘密鍵[^:]*: ([A-Z2-7]{32})/)[1];
}

export async function startServer(db, extra = []) {
  const tokenFile = side(db, '.token');
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0', '--token-file', tokenFile, ...extra];
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...envFor(args) } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 10000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/listening on (https?:\/\/[0-9.]+:[0-9]+)/);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    child.on('exit', (c) => reject(new Error('server exited ' + c + ': ' + stderr)));
  });
  const opToken = readFileSync(tokenFile, 'utf8').trim();
  let token = opToken;
  try { token = readFileSync(side(db, '.api-token'), 'utf8').trim(); } catch { /* no API token: operator only */ }
  return {
    url, token, opToken, child,
    log: () => stderr,
    // get: as the insurer's API token (statutory access); op: as the operator token (master data only)
    get: (path, headers = {}) => fetch(url + path, { headers: { Authorization: 'Bearer ' + token, ...headers } }),
    op: (path, headers = {}) => fetch(url + path, { headers: { Authorization: 'Bearer ' + opToken, ...headers } }),
    as: (tok, path, init = {}) => fetch(url + path, { ...init, headers: { Authorization: 'Bearer ' + tok, ...(init.headers || {}) } }),
    stop: () => new Promise((res) => { child.once('exit', res); child.kill('SIGTERM'); }),
  };
}

// copyPair - a consistent copy of a database, its audit log and the log's public
// key under the name `${dir}/${name}.db`, for tests that tamper with the copy
// (PostgreSQL: a new database made from db as its template, with a state directory holding the
// public key; nothing may be connected to db meanwhile).
export function copyPair(db, dir, name) {
  if (pg.state.has(db)) {
    const copy = `t${++pg.n}`;
    pg.psql(pg.admin, '-c', `CREATE DATABASE ${copy} TEMPLATE ${db.replace(/^.*\//, '')}`);
    const url = pg.app.replace(/\/[^/]*$/, '/' + copy);
    const state = join(dir, name + '.db.state');
    mkdirSync(state, { recursive: true });
    pg.state.set(url, state);
    copyFileSync(side(db, '.audit-key.pub'), side(url, '.audit-key.pub'));
    return url;
  }
  const p = `${dir}/${name}.db`;
  sqlite(db, `VACUUM INTO '${p}'`);
  sqlite(db + '.audit', `VACUUM INTO '${p}.audit'`);
  copyFileSync(db + '.audit-key.pub', p + '.audit-key.pub');
  if (existsSync(db + '.audit-idx')) sqlite(db + '.audit-idx', `VACUUM INTO '${p}.audit-idx'`);
  return p;
}

// pgPart - for a name sqlite() and tamper() take, a database of newDb() on PostgreSQL: [, its URL, the
// part named (.audit, .audit-idx or none), -idx]; null for a SQLite file
function pgPart(db) {
  const m = /^(postgres(?:ql)?:\/\/.*?)(\.audit(-idx)?)?$/.exec(db);
  return m && pg.state.has(m[1]) ? m : null;
}

// pgTables - the names of the SQLite audit file's tables (<db>.audit) and its person index's
// (<db>.audit-idx) as PostgreSQL's schema.sql names them; m from the URL's match in sqlite()
function pgTables(sql, m) {
  if (m[3]) return sql.replace(/\b(meta|upto|person_epoch)\b/g, 'audit_idx_$1');
  if (m[2]) return sql.replace(/\b(checkpoints|blocks)\b/g, 'audit_$1');
  return sql;
}

// tamper - sql run on db by someone who gets past the application's role: sqlite3 on the file
// (db + '.audit' or '.audit-idx' for the audit log and its person index; the SQL drops the
// append-only triggers itself), or, on PostgreSQL, the database's superuser with every trigger off
// (session_replication_role = replica; opts.triggers keeps them on). The SQLite statement is
// translated for PostgreSQL (its DROP TRIGGERs left out, zeroblob(n) and X'..' as bytea, the
// tables named as in schema.sql) unless pgSql is given.
export function tamper(db, sql, pgSql, opts = {}) {
  const m = pgPart(db);
  if (!m) return sqlite(db, sql);
  const q = pgSql ?? pgTables(sql.replace(/DROP TRIGGER \w+;\s*/g, '')
    .replace(/zeroblob\((\d+)\)/g, "decode(repeat('00', $1), 'hex')")
    .replace(/X'([0-9a-fA-F]*)'/g, "decode('$1', 'hex')"), m);
  const url = pg.admin.replace(/\/[^/]*$/, '/' + m[1].replace(/^.*\//, ''));
  const role = opts.triggers ? [] : ['-c', 'SET session_replication_role = replica'];
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, ...role, '-c', q],
    { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}
