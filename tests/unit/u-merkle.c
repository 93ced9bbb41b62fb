/* u-merkle.c - RFC 9162 Merkle trees: the RFC 6962/9162 reference vectors (the eight
 * leaves used by the Certificate Transparency implementations), frontier = recursive
 * root, and every inclusion and consistency proof for sizes up to 70 verifies while
 * every single-bit change, wrong size or wrong length is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/merkle.h"
#include "util/sha256.h"

static void hex(const char *s, unsigned char out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        char b[3] = {s[2 * i], s[2 * i + 1], 0};
        v = (unsigned)strtoul(b, NULL, 16);
        out[i] = (unsigned char)v;
    }
}

static void leaf_of(const unsigned char *data, size_t n, unsigned char out[32])
{
    audit_leaf_hash(data, n, out); /* SHA-256(0x00 || data) */
}

static void t_vectors(void **s)
{
    (void)s;
    static const struct {
        const char *data;
        size_t len;
    } in[8] = {{"", 0},
               {"\x00", 1},
               {"\x10", 1},
               {"\x20\x21", 2},
               {"\x30\x31", 2},
               {"\x40\x41\x42\x43", 4},
               {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
               {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16}};
    static const char *roots[9] = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    unsigned char leaves[8][32], want[32], got[32];
    for (int i = 0; i < 8; i++)
        leaf_of((const unsigned char *)in[i].data, in[i].len, leaves[i]);
    struct merkle_frontier f;
    merkle_frontier_init(&f);
    for (int n = 0; n <= 8; n++) {
        hex(roots[n], want);
        merkle_root(&leaves[0][0], (uint64_t)n, got);
        assert_memory_equal(got, want, 32);
        merkle_frontier_root(&f, got);
        assert_memory_equal(got, want, 32);
        if (n < 8)
            merkle_frontier_append(&f, leaves[n]);
    }
}

#define N 70

static void t_properties(void **s)
{
    (void)s;
    static unsigned char leaves[N][32];
    for (int i = 0; i < N; i++) {
        unsigned char b[4] = {(unsigned char)i, 0xAB, (unsigned char)(i * 7), 1};
        leaf_of(b, sizeof b, leaves[i]);
    }
    unsigned char proof[MERKLE_MAX_PROOF + 1][32], root[32], root2[32];
    struct merkle_frontier f;
    merkle_frontier_init(&f);
    for (uint64_t n = 1; n <= N; n++) {
        merkle_frontier_append(&f, leaves[n - 1]);
        merkle_root(&leaves[0][0], n, root);
        merkle_frontier_root(&f, root2);
        assert_memory_equal(root, root2, 32);
        for (uint64_t m = 0; m < n; m++) {
            int len = merkle_inclusion_proof(&leaves[0][0], n, m, &proof[0][0]);
            assert_true(len >= 0);
            assert_true(merkle_inclusion_verify(m, n, leaves[m], &proof[0][0], (size_t)len, root));
            /* wrong index, wrong leaf, short or long proof: all fail. (A different tree
             * size can share the path's shape; the signed tree head binds size to root.) */
            if (n > 1)
                assert_false(merkle_inclusion_verify((m + 1) % n, n, leaves[m], &proof[0][0], (size_t)len, root));
            assert_false(merkle_inclusion_verify(m, n, leaves[(m + 1) % N], &proof[0][0], (size_t)len, root));
            if (len > 0)
                assert_false(merkle_inclusion_verify(m, n, leaves[m], &proof[0][0], (size_t)len - 1, root));
            memcpy(proof[len], leaves[0], 32);
            assert_false(merkle_inclusion_verify(m, n, leaves[m], &proof[0][0], (size_t)len + 1, root));
            for (int i = 0; i < len; i++)
                for (int bit = 0; bit < 256; bit += 37) {
                    proof[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
                    assert_false(merkle_inclusion_verify(m, n, leaves[m], &proof[0][0], (size_t)len, root));
                    proof[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
                }
            assert_false(merkle_inclusion_verify(n, n, leaves[m], &proof[0][0], (size_t)len, root));
        }
        for (uint64_t m = 1; m <= n; m++) {
            unsigned char r1[32];
            merkle_root(&leaves[0][0], m, r1);
            int len = merkle_consistency_proof(&leaves[0][0], m, n, &proof[0][0]);
            assert_true(len >= 0);
            assert_true(merkle_consistency_verify(m, n, r1, root, &proof[0][0], (size_t)len));
            /* reversed sizes, swapped roots, short or long proofs, any changed hash: all fail */
            if (m < n) {
                assert_false(merkle_consistency_verify(n, m, root, r1, &proof[0][0], (size_t)len));
                assert_false(merkle_consistency_verify(m, n, root, r1, &proof[0][0], (size_t)len));
                assert_false(merkle_consistency_verify(m, n, r1, root, &proof[0][0], 0));
                assert_false(merkle_consistency_verify(m, n, r1, root, &proof[0][0], (size_t)len - 1));
                memcpy(proof[len], leaves[0], 32);
                assert_false(merkle_consistency_verify(m, n, r1, root, &proof[0][0], (size_t)len + 1));
                for (int i = 0; i < len; i++) {
                    proof[i][i % 32] ^= 0x40;
                    assert_false(merkle_consistency_verify(m, n, r1, root, &proof[0][0], (size_t)len));
                    proof[i][i % 32] ^= 0x40;
                }
            } else {
                assert_int_equal(len, 0);
                unsigned char other[32];
                memcpy(other, root, 32);
                other[0] ^= 1;
                assert_false(merkle_consistency_verify(m, n, r1, other, &proof[0][0], 0));
            }
        }
    }
    assert_int_equal(merkle_consistency_proof(&leaves[0][0], 0, 5, &proof[0][0]), -1);
    assert_int_equal(merkle_consistency_proof(&leaves[0][0], 6, 5, &proof[0][0]), -1);
    assert_int_equal(merkle_inclusion_proof(&leaves[0][0], 5, 5, &proof[0][0]), -1);
}

/* SHA-256: FIPS 180-4 examples, then libsodium as the oracle for every length
 * 0..300 split at every point, with and without the SHA extensions. */
/* Stretches, as `kaigo audit verify` splits the log: for every prefix size P
 * that is a multiple of 2^k and every stretch length 1..2^k (within N), a
 * frontier built from zero over the stretch, joined to the prefix's, gives the
 * recursive root of P + len leaves, and so does root_over from the stretch's
 * own fold; a stretch placed off its alignment gives a different root (the
 * precondition matters). */
static void t_stretches(void **s)
{
    (void)s;
    static unsigned char leaves[N][32];
    for (int i = 0; i < N; i++) {
        unsigned char b[3] = {(unsigned char)i, 0x5A, 7};
        leaf_of(b, sizeof b, leaves[i]);
    }
    int checked = 0;
    for (uint64_t k = 1; k <= 64; k <<= 1)
        for (uint64_t p = 0; p < N; p += k)
            for (uint64_t len = 1; len <= k && p + len <= N; len++) {
                struct merkle_frontier pre, tail, joined;
                merkle_frontier_init(&pre);
                merkle_frontier_init(&tail);
                for (uint64_t i = 0; i < p; i++)
                    merkle_frontier_append(&pre, leaves[i]);
                for (uint64_t i = p; i < p + len; i++)
                    merkle_frontier_append(&tail, leaves[i]);
                unsigned char want[32], got[32], fold[32];
                merkle_root(&leaves[0][0], p + len, want);
                joined = pre;
                merkle_frontier_join(&joined, &tail);
                assert_int_equal(joined.size, p + len);
                merkle_frontier_root(&joined, got);
                assert_memory_equal(got, want, 32);
                merkle_frontier_root(&tail, fold);
                merkle_frontier_root_over(&pre, fold, got);
                assert_memory_equal(got, want, 32);
                /* the joined frontier goes on like one built leaf by leaf */
                if (p + len < N) {
                    merkle_frontier_append(&joined, leaves[p + len]);
                    merkle_root(&leaves[0][0], p + len + 1, want);
                    merkle_frontier_root(&joined, got);
                    assert_memory_equal(got, want, 32);
                }
                checked++;
            }
    assert_int_equal(checked, 7 * N); /* each k covers every leaf position once */
    /* misaligned: a prefix of 3 and a stretch of 2 built from zero is not MTH(5) */
    struct merkle_frontier pre, tail;
    merkle_frontier_init(&pre);
    merkle_frontier_init(&tail);
    for (int i = 0; i < 3; i++)
        merkle_frontier_append(&pre, leaves[i]);
    for (int i = 3; i < 5; i++)
        merkle_frontier_append(&tail, leaves[i]);
    unsigned char want[32], fold[32], got[32];
    merkle_root(&leaves[0][0], 5, want);
    merkle_frontier_root(&tail, fold);
    merkle_frontier_root_over(&pre, fold, got);
    assert_memory_not_equal(got, want, 32);
}

/* append_get: reports the root of each aligned 2^h subtree as it completes */
static void t_append_get(void **s)
{
    (void)s;
    static unsigned char leaves[N][32];
    for (int i = 0; i < N; i++) {
        unsigned char b[2] = {(unsigned char)i, 0x33};
        leaf_of(b, sizeof b, leaves[i]);
    }
    for (int h = 0; h <= 6; h++) {
        struct merkle_frontier f, g;
        merkle_frontier_init(&f);
        merkle_frontier_init(&g);
        int got = 0;
        for (uint64_t n = 1; n <= N; n++) {
            unsigned char out[32], want[32], r1[32], r2[32];
            bool done = merkle_frontier_append_get(&f, leaves[n - 1], h, out);
            merkle_frontier_append(&g, leaves[n - 1]);
            assert_int_equal(done, n % (1u << h) == 0);
            if (done) {
                merkle_root(&leaves[n - (1u << h)][0], 1u << h, want);
                assert_memory_equal(out, want, 32);
                got++;
            }
            /* and the frontier is the same as a plain append's */
            merkle_frontier_root(&f, r1);
            merkle_frontier_root(&g, r2);
            assert_memory_equal(r1, r2, 32);
        }
        assert_int_equal(got, N >> h);
    }
}

/* Proofs from stored block roots and a few leaves equal the flat proofs, for
 * every size, index and block size; an inclusion proof reads the leaves of at
 * most two blocks. */
struct leafsrc {
    const unsigned char (*leaves)[32];
    int bits;
    uint64_t touched; /* bit per block whose leaves were read */
};

static void src_leaf(void *ctx, uint64_t i, unsigned char out[32])
{
    struct leafsrc *l = ctx;
    l->touched |= 1ull << (i >> l->bits);
    memcpy(out, l->leaves[i], 32);
}

static int popcount64(uint64_t x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

static void t_proofs_by_blocks(void **s)
{
    (void)s;
    static unsigned char leaves[N][32], roots[N][32];
    for (int i = 0; i < N; i++) {
        unsigned char b[3] = {(unsigned char)i, 0x77, 1};
        leaf_of(b, sizeof b, leaves[i]);
    }
    unsigned char p1[MERKLE_MAX_PROOF][32], p2[MERKLE_MAX_PROOF][32];
    for (int bits = 1; bits <= 3; bits++) {
        uint64_t size = 1u << bits;
        for (uint64_t n = 1; n <= N; n++) {
            uint64_t nroots = n / size;
            for (uint64_t k = 0; k < nroots; k++)
                merkle_root(&leaves[k * size][0], size, roots[k]);
            struct leafsrc ls = {(const unsigned char(*)[32])leaves, bits, 0};
            struct merkle_blocks mb = {bits, &roots[0][0], nroots, src_leaf, &ls};
            for (uint64_t m = 0; m < n; m++) {
                ls.touched = 0;
                int a = merkle_inclusion_proof(&leaves[0][0], n, m, &p1[0][0]);
                int b = merkle_inclusion_proof_by(merkle_mth_blocks, &mb, n, m, &p2[0][0]);
                assert_int_equal(a, b);
                assert_memory_equal(p1, p2, (size_t)a * 32);
                assert_true(popcount64(ls.touched) <= 2);
                a = merkle_consistency_proof(&leaves[0][0], m + 1, n, &p1[0][0]);
                b = merkle_consistency_proof_by(merkle_mth_blocks, &mb, m + 1, n, &p2[0][0]);
                assert_int_equal(a, b);
                assert_memory_equal(p1, p2, (size_t)a * 32);
            }
        }
    }
}

static void t_sha256(void **s)
{
    (void)s;
    static const struct {
        const char *msg;
        const char *hex;
    } v[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    bool hw = sha256_hw_available();
    for (int pass = 0; pass < 2; pass++) {
        sha256_use_hw(pass == 0 && hw);
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            unsigned char out[32];
            char hex[65];
            sha256(v[i].msg, strlen(v[i].msg), out);
            sodium_bin2hex(hex, sizeof hex, out, 32);
            assert_string_equal(hex, v[i].hex);
        }
        unsigned char buf[300], a[32], b[32];
        randombytes_buf(buf, sizeof buf);
        for (size_t n = 0; n <= sizeof buf; n++) {
            crypto_hash_sha256(a, buf, n);
            for (size_t cut = 0; cut <= n; cut += (n > 130 ? 7 : 1)) {
                struct sha256 c;
                sha256_init(&c);
                sha256_update(&c, buf, cut);
                sha256_update(&c, buf + cut, n - cut);
                sha256_final(&c, b);
                assert_memory_equal(a, b, 32);
            }
        }
        /* a million 'a's, fed in odd pieces */
        static unsigned char m[1000000];
        memset(m, 'a', sizeof m);
        struct sha256 c;
        sha256_init(&c);
        for (size_t off = 0; off < sizeof m; off += 997)
            sha256_update(&c, m + off, sizeof m - off < 997 ? sizeof m - off : 997);
        sha256_final(&c, b);
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, b, 32);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    sha256_use_hw(true);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_vectors), cmocka_unit_test(t_properties),
                                       cmocka_unit_test(t_stretches),
                                       cmocka_unit_test(t_append_get),
                                       cmocka_unit_test(t_proofs_by_blocks),
                                       cmocka_unit_test(t_sha256)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
