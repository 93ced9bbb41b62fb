/*
 * cmd_audit.c - kaigo audit verify | prove | consistency.
 *
 * verify: for each insurer, entries must be numbered 1, 2, 3, … without gaps;
 * each leaf hash must equal SHA-256(0x00 ‖ the stored canonical bytes), which
 * must be a canonical entry carrying the row's insurer and seq; every signed checkpoint
 * (Merkle tree head) must carry a valid Ed25519 signature by the log's key and
 * the root of the first `size` leaves; a checkpoint larger than the log means
 * the tail was removed. The first failure is named with its sequence number
 * and the exit code is 1.
 * prove / consistency: RFC 9162 inclusion and consistency proofs against the
 * signed checkpoints, printed and verified.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/merkle.h"
#include "domain/wareki.h"
#include "util/jsonw.h"
#include "store/directory.h"
#include "store/store.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo audit verify [--db PATH] [--insurer INSURER] [--pubkey FILE]\n"
    "        kaigo audit prove [--db PATH] [--pubkey FILE] INSURER SEQ\n"
    "        kaigo audit consistency [--db PATH] [--pubkey FILE] INSURER SIZE1 SIZE2\n"
    "  verify      保険者ごとの監査ログ(各記録のハッシュと署名済みチェックポイント)を再計算して検証します。\n"
    "              改ざん・削除・挿入・並べ替え・末尾の切り詰めがあれば、最初の不正な連番を示して\n"
    "              終了コード1で終わります。\n"
    "  prove       連番 SEQ の記録が最新の署名済みチェックポイントに含まれることの証明(RFC 9162)。\n"
    "  consistency 二つの署名済みチェックポイント(サイズ SIZE1 ≤ SIZE2)の一貫性証明(RFC 9162)。\n"
    "        kaigo audit scope [--db PATH] (--org ORG | --actor ACTOR) --from 日付 --to 日付 [--json]\n"
    "  --pubkey    検証用の公開鍵(既定: <db>.audit-key.pub)\n"
    "  --db directory:FILE  保険者→クラスタの一覧: verify は各クラスタを検証し、各クラスタに一覧どおりの保険者だけが\n"
    "              あることも確かめます。prove と consistency はその保険者のクラスタで行います。\n"
    "  scope       漏えい時の範囲特定: 組織または利用者(user:N / token:N)が期間内(--to の日を含む)に\n"
    "              アクセスした被保険者と区分の一覧(許可・拒否の件数つき)。\n";

/* ---- the log's public key ------------------------------------------------ */

static int load_pubkey(const char *db, const char *file, unsigned char pk[AUDIT_PK_BYTES],
                       bool *have)
{
    char path[4096], hex[AUDIT_PK_BYTES * 2 + 8];
    *have = false;
    if (!file) {
        if (store_side_path(db, ".audit-key.pub", path, sizeof path))
            return 0;
        file = path;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    size_t bin = 0;
    if (n < AUDIT_PK_BYTES * 2 ||
        sodium_hex2bin(pk, AUDIT_PK_BYTES, hex, (size_t)n, "\n", &bin, NULL) || bin != AUDIT_PK_BYTES) {
        fprintf(stderr, "kaigo audit: %s: 公開鍵の形式が不正です\n", file);
        return -1;
    }
    *have = true;
    return 0;
}

/* ---- verify -------------------------------------------------------------- */

struct ckpts {
    struct audit_checkpoint *c;
    size_t n, cap;
};

static int add_ckpt(void *ctx, const struct audit_checkpoint *c)
{
    struct ckpts *cs = ctx;
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->c = xrealloc(cs->c, size_mul(cs->cap, sizeof *cs->c));
    }
    cs->c[cs->n++] = *c;
    return 0;
}

/* Order-independent fingerprint of a set of (seq, person) pairs: the sums of
 * the two 64-bit halves of SipHash-2-4-128 under a key chosen at random for
 * this run (so no one can prepare a substitute pair with the same value), and
 * the count. */
struct idx_fp {
    uint64_t a, b;
    long long n;
};
static unsigned char fp_key[crypto_shorthash_siphashx24_KEYBYTES];

static void fp_add(struct idx_fp *f, long long seq, const char *insured_no, size_t nlen)
{
    unsigned char m[40], h[crypto_shorthash_siphashx24_BYTES];
    if (nlen > 20)
        nlen = 20;
    memcpy(m, &seq, sizeof seq); /* fixed width, so no two pairs share bytes */
    memcpy(m + sizeof seq, insured_no, nlen);
    size_t len = sizeof seq + nlen;
    uint64_t x, y;
    crypto_shorthash_siphashx24(h, m, len, fp_key); /* 128 bits in one pass */
    memcpy(&x, h, 8);
    memcpy(&y, h + 8, 8);
    f->a += x;
    f->b += y;
    f->n++;
}

/* The stored roots of the complete blocks 0 .. n-1 (contiguous: a gap ends the
 * list, and verify reports the block). */
struct block_roots {
    unsigned char *h; /* n × 32 */
    uint64_t n, cap;
};

static int add_root(void *ctx, int64_t blk, const unsigned char root[32])
{
    struct block_roots *r = ctx;
    if (blk != (int64_t)r->n)
        return 1;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->h = xrealloc(r->h, size_mul(r->cap, AUDIT_HASH_BYTES));
    }
    memcpy(r->h + r->n++ * AUDIT_HASH_BYTES, root, AUDIT_HASH_BYTES);
    return 0;
}

/* The tree as a proof sees it: the stored block roots, and the leaves of the
 * (at most two) blocks a proof reaches into, read on demand. Only stored
 * hashes enter a proof, so a tampered one fails against the signed root; the
 * proved entry's own leaf is also recomputed from its stored bytes. */
#define LEAF_SLOTS 4

struct tree_src {
    struct store *st;
    const char *insurer;
    struct block_roots roots;
    struct {
        int64_t blk; /* -1: empty */
        size_t n;
        unsigned char h[AUDIT_BLOCK][AUDIT_HASH_BYTES];
    } *slot;
    int next_slot;
    int64_t want; /* the proved entry's seq, 0 if none */
    bool want_ok, bad;
    int64_t bad_seq;
};

struct slot_fill {
    struct tree_src *t;
    int k;
    int64_t first;
};

static int fill_leaf(void *ctx, int64_t seq, const unsigned char *entry, size_t len,
                     const unsigned char leaf[32])
{
    struct slot_fill *f = ctx;
    struct tree_src *t = f->t;
    if (seq != f->first + (int64_t)t->slot[f->k].n || t->slot[f->k].n >= (size_t)AUDIT_BLOCK) {
        if (!t->bad)
            t->bad_seq = f->first + (int64_t)t->slot[f->k].n;
        t->bad = true;
        return 1;
    }
    if (seq == t->want) {
        unsigned char h[32];
        audit_leaf_hash(entry, len, h);
        t->want_ok = memcmp(h, leaf, 32) == 0;
    }
    memcpy(t->slot[f->k].h[t->slot[f->k].n++], leaf, AUDIT_HASH_BYTES);
    return 0;
}

static void src_leaf(void *ctx, uint64_t i, unsigned char out[MERKLE_HASH])
{
    struct tree_src *t = ctx;
    int64_t blk = (int64_t)(i >> AUDIT_BLOCK_BITS);
    size_t off = (size_t)(i & (AUDIT_BLOCK - 1));
    int k;
    for (k = 0; k < LEAF_SLOTS && t->slot[k].blk != blk; k++)
        ;
    if (k == LEAF_SLOTS) {
        k = t->next_slot;
        t->next_slot = (t->next_slot + 1) % LEAF_SLOTS;
        t->slot[k].blk = blk;
        t->slot[k].n = 0;
        struct slot_fill f = {t, k, blk * AUDIT_BLOCK + 1};
        if (t->st->ops->audit_entries_from(t->st, t->insurer, f.first, AUDIT_BLOCK, fill_leaf, &f)) {
            t->bad = true;
            t->bad_seq = f.first;
        }
    }
    if (off < t->slot[k].n)
        memcpy(out, t->slot[k].h[off], MERKLE_HASH);
    else {
        memset(out, 0, MERKLE_HASH); /* missing: the proof then fails */
        if (!t->bad)
            t->bad_seq = (int64_t)i + 1;
        t->bad = true;
    }
}

struct vctx {
    int64_t expect;
    int bad;
    long long entries;
    const char *insurer;
    struct merkle_frontier f;
    struct ckpts cs;
    size_t next; /* next checkpoint to meet */
    const unsigned char *pk;
    int64_t last_time;
    /* per checkpoint, filled by the part that meets it: the fold of that part's
     * own frontier at the checkpoint's size, and whether the signature holds */
    unsigned char (*ck_fold)[AUDIT_HASH_BYTES];
    bool *ck_sig_ok;
    struct block_roots blocks; /* the stored block roots (for proofs) */
    /* the person index: a keyed multiset fingerprint of (seq, person) for seq ≤ idx_upto */
    long long idx_upto;
    struct idx_fp log_fp, idx_fp;
    bool idx_epochs_bad;
};

/* ---- entries: verified in parts of 2^15, two at a time in parallel ----
 *
 * Each entry's leaf hash and form can be checked on its own, so two threads,
 * each on its own read connection, take parts in turn. The Merkle tree is
 * parallel too: every part starts on a multiple of its size (a power of two),
 * so each part builds its own frontier from zero; at each checkpoint
 * inside it, it keeps its frontier's fold and checks the checkpoint's signature
 * (which covers the stored root). In sequence, the main thread then only
 * finishes each checkpoint's root over the frontier of everything before the
 * part (merkle_frontier_root_over: at most one hash per level) and appends the
 * part's frontier (merkle_frontier_join). The first failure by sequence number
 * is reported, with the same messages as a single pass. */

enum vbad { VB_NONE, VB_GAP, VB_LEAF, VB_FORM, VB_BLOCK };

struct vpart {
    struct store *st;
    struct vctx *v; /* read-only in the part, but for its own checkpoints' slots */
    int64_t from, to; /* the seqs this part must find, inclusive */
    /* results */
    int64_t expect; /* next seq wanted */
    struct merkle_frontier lf; /* the part's own frontier (leaves from..expect-1) */
    size_t ck_first, ck_next;  /* the checkpoints met: [ck_first, ck_next) */
    size_t n;
    enum vbad bad;
    int64_t bad_seq, bad_expect;
    struct idx_fp fp; /* (seq, person) of the part's entries up to idx_upto */
    int err;
};

static int part_row(void *ctx, int64_t seq, const unsigned char *entry, size_t len,
                    const unsigned char leaf[32])
{
    struct vpart *p = ctx;
    struct vctx *v = p->v;
    if (seq > p->to && p->expect == p->to + 1)
        return 1; /* the row after the range: the range is complete */
    if (seq != p->expect) {
        p->bad = VB_GAP;
        p->bad_seq = seq;
        p->bad_expect = p->expect;
        return 1;
    }
    /* the stored bytes are the hashed bytes; they must also be a canonical
     * entry of this row (its key's insurer and seq) */
    unsigned char l[32];
    struct audit_fields e;
    audit_leaf_hash(entry, len, l);
    /* plain memcmp: these hashes are public, there is no secret to time */
    if (memcmp(l, leaf, 32) != 0) {
        p->bad = VB_LEAF;
        p->bad_seq = seq;
        return 1;
    }
    if (!audit_fields_parse(entry, len, &e) || e.seq != seq || e.insurer_no.n != strlen(v->insurer) ||
        memcmp(e.insurer_no.p, v->insurer, e.insurer_no.n) != 0) {
        p->bad = VB_FORM;
        p->bad_seq = seq;
        return 1;
    }
    /* parts start on multiples of AUDIT_BLOCK: a block completes in the part's
     * own frontier exactly when it completes in the log's */
    unsigned char br[32];
    bool block_done = merkle_frontier_append_get(&p->lf, l, AUDIT_BLOCK_BITS, br);
    p->n++;
    while (p->ck_next < v->cs.n && v->cs.c[p->ck_next].size == seq) {
        merkle_frontier_root(&p->lf, v->ck_fold[p->ck_next]);
        /* the signature covers the stored root; whether that root is the log's
         * is decided in sequence (settle). No key: reported at the end. */
        v->ck_sig_ok[p->ck_next] = !v->pk || audit_checkpoint_verify(&v->cs.c[p->ck_next], v->pk);
        p->ck_next++;
    }
    if (block_done) {
        uint64_t k = (uint64_t)(seq - 1) / AUDIT_BLOCK;
        if (k >= v->blocks.n || memcmp(br, v->blocks.h + k * AUDIT_HASH_BYTES, 32) != 0) {
            p->bad = VB_BLOCK;
            p->bad_seq = seq;
            if (seq <= v->idx_upto)
                fp_add(&p->fp, seq, e.insured_no.p, e.insured_no.n);
            p->expect++;
            return 1;
        }
    }
    if (seq <= v->idx_upto)
        fp_add(&p->fp, seq, e.insured_no.p, e.insured_no.n);
    p->expect++;
    return 0;
}

static void *part_run(void *arg)
{
    struct vpart *p = arg;
    /* one row past the range, so that rows missing at its end show as a gap */
    if (p->st->ops->audit_entries_from(p->st, p->v->insurer, p->from, p->to - p->from + 2, part_row, p))
        p->err = 1;
    return NULL;
}

static void report(const struct vctx *v, const struct vpart *p, enum vbad kind, int64_t seq)
{
    switch (kind) {
    case VB_GAP:
        printf("保険者 %s: 連番 %lld: 連番が飛んでいるか重複しています(期待値 %lld)\n", v->insurer,
               (long long)seq, (long long)p->bad_expect);
        break;
    case VB_LEAF:
        printf("保険者 %s: 連番 %lld: 記録内容がハッシュと一致しません(改ざん)\n", v->insurer,
               (long long)seq);
        break;
    case VB_BLOCK:
        printf("保険者 %s: 連番 %lld〜%lld: 証明用のブロック根が記録と一致しないか、ありません\n",
               v->insurer, (long long)(seq - AUDIT_BLOCK + 1), (long long)seq);
        break;
    case VB_FORM:
        printf("保険者 %s: 連番 %lld: 記録の形式か連番・保険者番号が行と一致しません(改ざん)\n",
               v->insurer, (long long)seq);
        break;
    case VB_NONE:
        break;
    }
}

/* settle_checkpoints - the checkpoints the part met, in order, over the frontier
 * of everything before the part (v->f). -1 on the first failure (reported). */
static int settle_checkpoints(struct vctx *v, const struct vpart *p)
{
    for (size_t k = p->ck_first; k < p->ck_next; k++) {
        const struct audit_checkpoint *c = &v->cs.c[k];
        unsigned char root[AUDIT_HASH_BYTES];
        merkle_frontier_root_over(&v->f, v->ck_fold[k], root);
        if (sodium_memcmp(root, c->root, AUDIT_HASH_BYTES) != 0) {
            printf("保険者 %s: 連番 %lld: 署名済みチェックポイントの根ハッシュと一致しません(改ざん)\n",
                   v->insurer, (long long)c->size);
            return -1;
        }
        if (!v->ck_sig_ok[k]) {
            printf("保険者 %s: 連番 %lld: チェックポイントの署名が不正です\n", v->insurer,
                   (long long)c->size);
            return -1;
        }
        if (c->time_ms < v->last_time) {
            printf("保険者 %s: 連番 %lld: チェックポイントの時刻が前のものより前です\n", v->insurer,
                   (long long)c->size);
            return -1;
        }
        v->last_time = c->time_ms;
        v->next = k + 1;
    }
    return 0;
}

/* settle - after a part ran: the checkpoints it met, its own failure, then its
 * frontier onto the log's. Returns 1 on a failure (reported), 0 to go on. */
static int settle(struct vctx *v, struct vpart *p)
{
    if (settle_checkpoints(v, p))
        return 1;
    merkle_frontier_join(&v->f, &p->lf);
    v->entries += (long long)p->n;
    if (p->bad != VB_NONE) {
        report(v, p, p->bad, p->bad_seq);
        return 1;
    }
    v->log_fp.a += p->fp.a;
    v->log_fp.b += p->fp.b;
    v->log_fp.n += p->fp.n;

    v->expect = p->expect;
    return 0;
}

/* first_ckpt - the first checkpoint of size ≥ seq (checkpoints are sorted by size). */
static size_t first_ckpt(const struct vctx *v, int64_t seq)
{
    size_t lo = 0, hi = v->cs.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->cs.c[mid].size < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Parts are handed out in order to two workers (the main thread and one more,
 * each with its own read connection), a batch at a time; a worker stops taking
 * parts past the first one that failed. The batch is then settled in order. */
#define VPART 32768 /* a power of two: every part starts on a multiple of its size */
#define VBATCH 128  /* parts held at once (≈ 4M entries, ≈ 300 KiB) */

struct vrun {
    pthread_mutex_t mu;
    struct vpart *parts;
    int64_t first, next, end; /* seq of part k's first entry: first + k * VPART */
    int64_t head;
    size_t taken, stop; /* parts handed out; no part at or past stop is wanted */
};

static void *worker(void *arg, struct store *st)
{
    struct vrun *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t k = r->taken;
        bool go = k < r->stop && r->next <= r->end;
        if (go) {
            r->taken++;
            r->next += VPART;
        }
        pthread_mutex_unlock(&r->mu);
        if (!go)
            return NULL;
        struct vpart *p = &r->parts[k];
        p->st = st;
        part_run(p);
        if (p->err || p->bad != VB_NONE) {
            pthread_mutex_lock(&r->mu);
            if (k + 1 < r->stop)
                r->stop = k + 1; /* this part is settled (it reports); none after it */
            pthread_mutex_unlock(&r->mu);
        }
    }
}

struct worker2 {
    struct vrun *r;
    struct store *st;
};

static void *worker_thread(void *arg)
{
    struct worker2 *w = arg;
    return worker(w->r, w->st);
}

/* verify_entries - the whole log of one insurer. -1 on a database error. */
static int verify_entries(struct vctx *v, struct store *st1, struct store *st2)
{
    int64_t head;
    if (st1->ops->audit_head_seq(st1, v->insurer, &head))
        return -1;
    v->ck_fold = xcalloc(v->cs.n + 1, AUDIT_HASH_BYTES);
    v->ck_sig_ok = xcalloc(v->cs.n + 1, sizeof *v->ck_sig_ok);
    struct vrun r = {.parts = xcalloc(VBATCH, sizeof *r.parts), .head = head};
    pthread_mutex_init(&r.mu, NULL);
    int rc = 0;
    for (int64_t a = 1; a <= head && !v->bad && !rc; a += (int64_t)VPART * VBATCH) {
        size_t n = 0;
        for (int64_t from = a; from <= head && n < VBATCH; from += VPART, n++) {
            struct vpart *p = &r.parts[n];
            memset(p, 0, sizeof *p);
            p->v = v;
            p->from = from;
            p->to = from + VPART - 1 < head ? from + VPART - 1 : head;
            p->expect = from;
            merkle_frontier_init(&p->lf);
            p->ck_first = p->ck_next = first_ckpt(v, from);
        }
        r.first = r.next = a;
        r.end = a + (int64_t)(n - 1) * VPART;
        r.taken = 0;
        r.stop = n;
        struct worker2 w = {&r, st2};
        pthread_t t;
        bool two = n > 1 && st2 && pthread_create(&t, NULL, worker_thread, &w) == 0;
        worker(&r, st1);
        if (two)
            pthread_join(t, NULL);
        for (size_t k = 0; k < r.stop && k < n; k++) {
            if (r.parts[k].err) {
                rc = -1;
                break;
            }
            if (settle(v, &r.parts[k])) {
                v->bad = 1;
                break;
            }
            if (r.parts[k].n == 0)
                break; /* nothing at or after its start: the log ends */
        }
    }
    pthread_mutex_destroy(&r.mu);
    free(r.parts);
    free(v->ck_fold);
    free(v->ck_sig_ok);
    return rc;
}

struct allctx {
    struct store *st, *st2, *st3; /* read connections: two parts of the log, and the index */
    const char *only;
    const unsigned char *pk;
    int bad, err, logs;
    long long entries, checkpoints;
};

/* The person index, scanned whole on a third connection and thread beside the
 * two parts (measured: 0.87 s against 0.93 s for 1M entries when each part
 * scanned the epochs that begin in it on its own connection). */
struct idx_scan {
    struct store *st;
    const struct vctx *v;
    struct idx_fp fp;
    bool epochs_bad; /* an index row outside its seq's epoch */
    int err;
};

static int idx_row(void *ctx, const char *insured_no, size_t n, long long seq, bool epoch_ok)
{
    struct idx_scan *sc = ctx;
    if (!epoch_ok)
        sc->epochs_bad = true;
    fp_add(&sc->fp, seq, insured_no, n);
    return 0;
}

static void *idx_scan_run(void *arg)
{
    struct idx_scan *sc = arg;
    if (sc->st->ops->audit_index_scan(sc->st, sc->v->insurer, idx_row, sc) < 0)
        sc->err = 1;
    return NULL;
}

static int verify_insurer(void *ctx, const char *no)
{
    struct allctx *a = ctx;
    if (a->only && strcmp(a->only, no) != 0)
        return 0;
    struct vctx *v = xcalloc(1, sizeof *v);
    v->expect = 1;
    v->insurer = no;
    v->pk = a->pk;
    merkle_frontier_init(&v->f);
    if (a->st->ops->audit_index_upto(a->st, no, &v->idx_upto) < 0 ||
        a->st->ops->audit_blocks(a->st, no, add_root, &v->blocks)) {
        a->err = 1;
        free(v->blocks.h);
        free(v);
        return 1;
    }
    struct idx_scan sc = {.st = a->st3 ? a->st3 : a->st, .v = v};
    pthread_t scan_thread;
    bool scan_started = v->idx_upto > 0 && a->st3 &&
                        pthread_create(&scan_thread, NULL, idx_scan_run, &sc) == 0;
    if (v->idx_upto > 0 && !scan_started)
        idx_scan_run(&sc);
    int failed = a->st->ops->audit_checkpoints(a->st, no, add_ckpt, &v->cs) ||
                 verify_entries(v, a->st, a->st2);
    if (scan_started)
        pthread_join(scan_thread, NULL);
    v->idx_fp = sc.fp;
    v->idx_epochs_bad = sc.epochs_bad;
    if (failed || sc.err) {
        a->err = 1;
        free(v->cs.c);
        free(v->blocks.h);
        free(v);
        return 1;
    }
    if (!v->bad && v->blocks.n != (uint64_t)v->entries / AUDIT_BLOCK) {
        /* every complete block has its root (checked in the parts); no more */
        printf("保険者 %s: 証明用のブロック根が %llu 件あります(記録 %lld 件なら %lld 件)\n", no,
               (unsigned long long)v->blocks.n, v->entries, v->entries / AUDIT_BLOCK);
        v->bad = 1;
    }
    if (!v->bad && v->next < v->cs.n) {
        /* a signed checkpoint covers more entries than the log has: the tail is gone */
        printf("保険者 %s: 連番 %lld: 以降の記録が失われています(署名済みチェックポイントは %lld 件を記録)\n",
               no, (long long)v->entries + 1, (long long)v->cs.c[v->cs.n - 1].size);
        v->bad = 1;
    }
    /* the person index (derived, used by the person's access report) must
     * match the log: a removed or moved index row would hide an access from the
     * person. Compared by fingerprint over a scan of every index row. */
    if (!v->bad && v->idx_upto > 0 &&
        (v->idx_epochs_bad || v->idx_fp.n != v->idx_upto ||
         v->log_fp.n != v->idx_upto || v->idx_fp.a != v->log_fp.a || v->idx_fp.b != v->log_fp.b)) {
        printf("保険者 %s: 人別索引(.audit-idx)が監査ログと一致しません(本人向けアクセス記録に影響)\n", no);
        v->bad = 1;
    }
    a->logs++;
    a->entries += v->entries;
    a->checkpoints += (long long)v->cs.n;
    if (v->bad)
        a->bad = 1;
    else
        printf("保険者 %s: %lld 件, 署名済みチェックポイント %zu 件 OK\n", no, v->entries, v->cs.n);
    free(v->cs.c);
    free(v->blocks.h);
    free(v);
    return 0;
}

/* ---- prove / consistency ---------------------------------------------------- */

static void print_hash(const char *label, const unsigned char h[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, 32);
    printf("  %-14s %s\n", label, hex);
}

/* find_ckpt - the checkpoint of exactly 'size', or the latest if size < 0; verified. */
static const struct audit_checkpoint *find_ckpt(const struct ckpts *cs, int64_t size,
                                                const unsigned char *pk)
{
    const struct audit_checkpoint *c = NULL;
    for (size_t i = 0; i < cs->n; i++)
        if (size < 0 || cs->c[i].size == size)
            c = &cs->c[i];
    if (!c) {
        fprintf(stderr, "kaigo audit: そのサイズの署名済みチェックポイントがありません\n");
        return NULL;
    }
    if (!pk || !audit_checkpoint_verify(c, pk)) {
        fprintf(stderr, "kaigo audit: チェックポイント(サイズ %lld)の署名を検証できません\n",
                (long long)c->size);
        return NULL;
    }
    return c;
}

static int prove(struct store *st, const char *insurer, const char *const *args, int nargs,
                 bool consistency, const unsigned char *pk)
{
    char *end;
    long long a = strtoll(args[0], &end, 10);
    if (*end || a < 1)
        return EXIT_USAGE;
    long long b = -1;
    if (consistency) {
        b = strtoll(args[1], &end, 10);
        if (*end || b < a)
            return EXIT_USAGE;
    }
    (void)nargs;
    struct ckpts cs = {0};
    struct tree_src t = {.st = st, .insurer = insurer, .want = consistency ? 0 : a};
    t.slot = xcalloc(LEAF_SLOTS, sizeof *t.slot);
    for (int k = 0; k < LEAF_SLOTS; k++)
        t.slot[k].blk = -1;
    int rc = EXIT_INVALID;
    int64_t head;
    unsigned char(*proof)[MERKLE_HASH] = xcalloc(MERKLE_MAX_PROOF, MERKLE_HASH);
    if (st->ops->audit_checkpoints(st, insurer, add_ckpt, &cs) ||
        st->ops->audit_head_seq(st, insurer, &head) ||
        st->ops->audit_blocks(st, insurer, add_root, &t.roots)) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    const struct audit_checkpoint *c = NULL, *c1 = NULL, *c2 = NULL;
    if (!consistency) {
        if (!(c = find_ckpt(&cs, -1, pk)))
            goto out;
        if (a > c->size || c->size > head) {
            fprintf(stderr, "kaigo audit: 連番 %lld は最新の署名済みチェックポイント(%lld 件)に含まれていません\n",
                    a, (long long)c->size);
            goto out;
        }
    } else {
        if (!(c1 = find_ckpt(&cs, a, pk)) || !(c2 = find_ckpt(&cs, b, pk)))
            goto out;
        if (b > head) {
            fprintf(stderr, "kaigo audit: 記録が %lld 件しかありません(末尾が失われています)\n",
                    (long long)head);
            goto out;
        }
    }
    int64_t size = consistency ? b : c->size;
    struct merkle_blocks mb = {AUDIT_BLOCK_BITS, t.roots.h,
                               t.roots.n < (uint64_t)size / AUDIT_BLOCK ? t.roots.n
                                                                       : (uint64_t)size / AUDIT_BLOCK,
                               src_leaf, &t};
    if (!consistency) {
        unsigned char leaf[MERKLE_HASH];
        src_leaf(&t, (uint64_t)a - 1, leaf);
        int len = merkle_inclusion_proof_by(merkle_mth_blocks, &mb, (uint64_t)c->size, (uint64_t)a - 1,
                                            &proof[0][0]);
        if (t.bad)
            fprintf(stderr, "kaigo audit: 連番 %lld の記録がありません(kaigo audit verify で確認してください)\n",
                    (long long)t.bad_seq);
        else if (!t.want_ok)
            fprintf(stderr, "kaigo audit: 連番 %lld の記録内容が葉ハッシュと一致しません(改ざん)\n", a);
        bool ok = !t.bad && t.want_ok && len >= 0 &&
                  merkle_inclusion_verify((uint64_t)a - 1, (uint64_t)c->size, leaf, &proof[0][0],
                                          (size_t)len, c->root);
        printf("保険者 %s 連番 %lld の包含証明 (RFC 9162)\n", insurer, a);
        print_hash("葉ハッシュ", leaf);
        printf("  %-14s %lld\n", "木のサイズ", (long long)c->size);
        print_hash("根ハッシュ", c->root);
        for (int i = 0; i < len; i++)
            print_hash(i == 0 ? "証明" : "", proof[i]);
        printf("  検証: %s\n", ok ? "OK" : "失敗");
        rc = ok ? 0 : EXIT_INVALID;
    } else {
        int len = merkle_consistency_proof_by(merkle_mth_blocks, &mb, (uint64_t)a, (uint64_t)b,
                                              &proof[0][0]);
        if (t.bad)
            fprintf(stderr, "kaigo audit: 連番 %lld の記録がありません(kaigo audit verify で確認してください)\n",
                    (long long)t.bad_seq);
        bool ok = !t.bad && len >= 0 &&
                  merkle_consistency_verify((uint64_t)a, (uint64_t)b, c1->root, c2->root,
                                            &proof[0][0], (size_t)len);
        printf("保険者 %s チェックポイント %lld → %lld の一貫性証明 (RFC 9162)\n", insurer, a, b);
        print_hash("根ハッシュ1", c1->root);
        print_hash("根ハッシュ2", c2->root);
        for (int i = 0; i < len; i++)
            print_hash(i == 0 ? "証明" : "", proof[i]);
        printf("  検証: %s\n", ok ? "OK" : "失敗");
        rc = ok ? 0 : EXIT_INVALID;
    }
out:
    free(proof);
    free(cs.c);
    free(t.roots.h);
    free(t.slot);
    return rc;
}

struct scope_ctx {
    bool json;
    struct jsonw w;
    struct buf refused; /* text: rows with only refusals, listed apart (nothing was disclosed) */
    long long rows;
    char last[INSURER_NO_LEN + INSURED_NO_LEN + 2];
    long long persons;
};

static int scope_row(void *ctx, const struct scope_row *r)
{
    struct scope_ctx *c = ctx;
    char key[sizeof c->last];
    snprintf(key, sizeof key, "%s/%s", r->person.insurer_no, r->person.insured_no);
    if (strcmp(key, c->last) != 0) {
        c->persons++;
        memcpy(c->last, key, sizeof key);
    }
    c->rows++;
    if (c->json) {
        jw_obj(&c->w, NULL);
        jw_str(&c->w, "insurer_no", r->person.insurer_no);
        jw_str(&c->w, "insured_no", r->person.insured_no);
        jw_str(&c->w, "category", r->category);
        jw_int(&c->w, "allowed", r->allowed);
        jw_int(&c->w, "denied", r->denied);
        jw_end(&c->w);
    } else {
        enum category cat = category_from_code(r->category, strlen(r->category));
        const char *name = cat ? category_name(cat) : r->category;
        if (r->allowed)
            printf("%s\t%s\t%s\t%lld\t%lld\n", r->person.insurer_no, r->person.insured_no, name, r->allowed,
                   r->denied);
        else
            buf_addf(&c->refused, "%s\t%s\t%s\t%lld\n", r->person.insurer_no, r->person.insured_no, name, r->denied);
    }
    return 0;
}

static int64_t jst_day_ms(const char *s, int add_days)
{
    struct date d;
    const char *why;
    if (!s || date_parse_any(s, strlen(s), &d, &why))
        return -1;
    return date_jst_ms(date_add_days(d, add_days));
}

/* audit scope - leak scoping (security.md P7). */
static int scope(int argc, char **argv)
{
    const char *db = db_default(), *org = NULL, *actor = NULL, *from_s = NULL, *to_s = NULL;
    struct scope_ctx c = {0};
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--org")))
            org = v;
        else if ((v = opt_value(argc, argv, &i, "--actor")))
            actor = v;
        else if ((v = opt_value(argc, argv, &i, "--from")))
            from_s = v;
        else if ((v = opt_value(argc, argv, &i, "--to")))
            to_s = v;
        else if (strcmp(argv[i], "--json") == 0)
            c.json = true;
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    int64_t from = jst_day_ms(from_s, 0), to = jst_day_ms(to_s, 1);
    if (!db)
        return cli_no_db("kaigo audit scope");
    if ((!org && !actor) || from < 0 || to < 0 || to <= from) {
        fprintf(stderr, "kaigo audit scope: --org か --actor と、--from ≤ --to の日付が必要です\n");
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct store *st = store_open(db, true);
    if (!st)
        return EXIT_INTERNAL;
    if (c.json) {
        jw_init(&c.w, 1u << 30);
        jw_obj(&c.w, NULL);
        jw_arr(&c.w, "accessed");
    }
    buf_init(&c.refused, 64u << 20);
    if (!c.json)
        printf("保険者番号\t被保険者番号\t区分\t開示\t拒否\n");
    int rc = st->acc->audit_scope(st, org, actor, from, to, scope_row, &c);
    if (rc) {
        fprintf(stderr, "kaigo audit scope: %s\n", store_errmsg(st));
        store_close(st);
        if (c.json)
            buf_release(&c.w.b);
        buf_release(&c.refused);
        return EXIT_INTERNAL;
    }
    store_close(st);
    if (c.json) {
        jw_end(&c.w);
        jw_int(&c.w, "persons", c.persons);
        jw_int(&c.w, "rows", c.rows);
        jw_end(&c.w);
        char *out = jw_detach(&c.w, NULL);
        if (!out)
            return EXIT_INTERNAL;
        puts(out);
        free(out);
    } else {
        if (c.refused.len) { /* reads that were all refused: nothing reached the org or actor */
            printf("\n拒否のみ(情報は開示されていません)\n保険者番号\t被保険者番号\t区分\t拒否\n");
            fwrite(c.refused.ptr, 1, c.refused.len, stdout);
        }
        fflush(stdout); /* the rows first, then the summary */
        fprintf(stderr, "%lld 人、%lld 件(被保険者×区分)\n", c.persons, c.rows);
    }
    buf_release(&c.refused);
    return 0;
}

/* ---- a directory of clusters (store/directory.h) ------------------------ */

struct placed {
    const struct directory *dir;
    int cluster;
    const char *shown;
    long bad;
};

static int placed_check(struct placed *p, const char *insurer, const char *what)
{
    int c = directory_lookup(p->dir, insurer);
    if (c != p->cluster) {
        printf("検証失敗: 保険者 %s の%sがクラスタ %s にありますが、一覧では%s\n", insurer, what, p->shown,
               c < 0 ? "どのクラスタにも割り当てられていません" : "別のクラスタです");
        p->bad++;
    }
    return 0;
}

static int placed_log(void *ctx, const char *insurer)
{
    return placed_check(ctx, insurer, "監査ログ");
}

static int placed_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    (void)persons;
    return placed_check(ctx, ins->insurer_no, "登録データ");
}

/* verify_directory - verify on every cluster of the directory (or the one of --insurer), and that each
 * cluster holds only the insurers the directory gives it: data or a log on the wrong cluster would be
 * missed by a node that looks where the directory says */
static int verify_directory(const char *db, const char *only, const char *pubfile)
{
    struct directory dir;
    if (cli_directory("kaigo audit", db, &dir))
        return EXIT_USAGE;
    int worst = 0, want = only ? directory_lookup(&dir, only) : -1;
    if (only && want < 0) {
        fprintf(stderr, "kaigo audit: 保険者 %s のクラスタが一覧にありません\n", only);
        directory_free(&dir);
        return EXIT_INVALID;
    }
    for (size_t i = 0; i < dir.nclusters; i++) {
        if (only && (int)i != want)
            continue;
        char shown[512];
        store_where_redact(dir.url[i], shown, sizeof shown);
        printf("クラスタ %s:\n", shown);
        fflush(stdout);
        char *args[9] = {"audit", "verify", "--db", dir.url[i]};
        int n = 4;
        if (only)
            args[n++] = "--insurer", args[n++] = (char *)only;
        if (pubfile)
            args[n++] = "--pubkey", args[n++] = (char *)pubfile;
        int rc = cmd_audit(n, args);
        fflush(stdout);
        struct placed p = {&dir, (int)i, shown, 0};
        struct store *st = rc == EXIT_INTERNAL ? NULL : store_open(dir.url[i], true);
        if (st && (st->ops->audit_insurers(st, placed_log, &p) || st->ops->insurer_list(st, placed_insurer, &p))) {
            fprintf(stderr, "kaigo audit verify: %s\n", store_errmsg(st));
            rc = EXIT_INTERNAL;
        } else if (!st && rc != EXIT_INTERNAL)
            rc = EXIT_INTERNAL;
        store_close(st);
        if (p.bad && rc == 0)
            rc = EXIT_INVALID;
        if (rc > worst)
            worst = rc;
    }
    if (!worst)
        printf("検証成功: クラスタ %zu 個すべて\n", only ? (size_t)1 : dir.nclusters);
    directory_free(&dir);
    return worst;
}

int cmd_audit(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "scope") == 0)
        return scope(argc, argv);
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "verify") && strcmp(sub, "prove") && strcmp(sub, "consistency")) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *db = db_default(), *only = NULL, *pubfile = NULL, *pos[3] = {0};
    int np = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--insurer")))
            only = v;
        else if ((v = opt_value(argc, argv, &i, "--pubkey")))
            pubfile = v;
        else if (argv[i][0] != '-' && np < 3)
            pos[np++] = argv[i];
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    int want = strcmp(sub, "verify") == 0 ? 0 : strcmp(sub, "prove") == 0 ? 2 : 3;
    if (!db)
        return cli_no_db("kaigo audit");
    if (np != want) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct directory dir;
    char dir_url[DIRECTORY_URL_MAX + 1];
    if (directory_path(db) && !want)
        return verify_directory(db, only, pubfile);
    if (directory_path(db)) { /* a proof is of one insurer's log: on its cluster */
        if (cli_directory("kaigo audit", db, &dir))
            return EXIT_USAGE;
        int c = directory_lookup(&dir, pos[0]);
        if (c >= 0)
            str_cut(dir_url, sizeof dir_url, dir.url[c]);
        directory_free(&dir);
        if (c < 0) {
            fprintf(stderr, "kaigo audit: 保険者 %s のクラスタが一覧にありません\n", pos[0]);
            return EXIT_INVALID;
        }
        db = dir_url;
    }
    unsigned char pk[AUDIT_PK_BYTES];
    bool have_pk;
    if (load_pubkey(db, pubfile, pk, &have_pk))
        return EXIT_INVALID;
    struct store *st = store_open(db, true);
    if (!st && store_audit_absent && !want) {
        printf("検証成功: 監査ログはまだありません(0 件。次に書き込みで開いたときに作られます)\n");
        return 0;
    }
    if (!st && store_audit_missing) {
        printf("検証失敗: 監査ログが失われています (audit log missing)\n");
        return EXIT_INVALID;
    }
    if (!st)
        return EXIT_INTERNAL;
    if (want) {
        int rc = prove(st, pos[0], pos + 1, np - 1, want == 3, have_pk ? pk : NULL);
        store_close(st);
        if (rc == EXIT_USAGE)
            fputs(help, stderr);
        return rc;
    }
    randombytes_buf(fp_key, sizeof fp_key);
    struct store *st2 = store_open(db, true); /* NULL: one range at a time */
    struct store *st3 = store_open(db, true); /* NULL: the index is scanned first */
    struct allctx a = {st, st2, st3, only, have_pk ? pk : NULL, 0, 0, 0, 0, 0};
    if (st->ops->audit_insurers(st, verify_insurer, &a) || a.err) {
        fprintf(stderr, "kaigo audit verify: %s\n", store_errmsg(st));
        store_close(st);
        store_close(st2);
        store_close(st3);
        return EXIT_INTERNAL;
    }
    /* P10: every version says who wrote it and why (its change) and for which insurer */
    long long orphans = 0;
    int orc = a.bad ? 0 : st->ops->unattributed(st, only, &orphans);
    if (orc)
        fprintf(stderr, "kaigo audit verify: %s\n", store_errmsg(st));
    store_close(st);
    store_close(st2);
    store_close(st3);
    if (orc)
        return EXIT_INTERNAL;
    if (a.bad) {
        printf("検証失敗: 監査ログが改ざんされています\n");
        return EXIT_INVALID;
    }
    if (orphans) {
        printf("検証失敗: 登録されていない変更・保険者を指す記録の版が %lld 件あります(誰がいつ書いたか分かりません)\n",
               orphans);
        return EXIT_INVALID;
    }
    if (!have_pk && a.checkpoints > 0) {
        char pub[4200];
        if (store_side_path(db, ".audit-key.pub", pub, sizeof pub))
            str_cut(pub, sizeof pub, "audit-key.pub");
        printf("検証失敗: 公開鍵(%s)がないため署名を検証できません\n", pub);
        return EXIT_INVALID;
    }
    printf("検証成功: %d 保険者, %lld 件, 署名済みチェックポイント %lld 件\n", a.logs, a.entries,
           a.checkpoints);
    return 0;
}
