// Eight X25519 scalar multiplications at once (RFC 7748), one per 64-bit lane of AVX-512 registers, with the
// 52-bit multiply-add instructions of AVX-512 IFMA (vpmadd52luq / vpmadd52huq).
//
// Why: a mix node does two X25519 per packet (the key agreement and the re-blinding of alpha) and nothing else
// it does comes close in cost. One scalar X25519 (OpenSSL's ADX code) is ~60 k cycles; eight lanes of this
// ladder together cost about as much as two or three, so a node that has several packets waiting unwraps them
// two to three times faster. Used only when the CPU has AVX-512 F + IFMA; otherwise the managed code keeps using
// OpenSSL one packet at a time.
//
// Representation: a field element is five limbs of radix 2^51 (value = sum l[i] * 2^(51 i)), each limb a vector
// of eight lanes. IFMA multiplies the low 52 bits of its inputs, so every limb fed to a multiplication is kept
// below 2^52 (every add/sub is followed by a carry pass). The 104-bit product of two limbs comes back as
// lo (bits 0..51) and hi (bits 52..103); in radix 2^51, hi * 2^52 = (2 hi) * 2^51, so hi counts twice in the
// next column. Columns 5..9 fold down with 2^255 = 19 (mod p).
//
// Constant time: the ladder runs all 255 steps for every lane, swaps with lane masks (no branch and no memory
// index depends on a scalar bit), and the inversion is a fixed chain. Secrets on the stack and in registers are
// wiped on return (see mb8_burn_stack).

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define MIXNODE_EXPORT __attribute__((visibility("default")))

// Nonzero when this CPU (and OS) can run mixnode_x25519_mb8. Compiled without AVX-512 so it is safe to call anywhere.
MIXNODE_EXPORT int mixnode_x25519_mb8_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512ifma")

typedef __m512i v8;
typedef struct { v8 l[5]; } fe8;

#define MASK51 ((1ULL << 51) - 1)

// Stack wiped after the ladder: gcc 12 -O3 -fstack-usage gives mb8_ladder (fe_invert inlined) 6336 bytes, and its
// callees 8 each; 16 KiB leaves room for other compilers and flags.
#define MB8_RESIDUE_BYTES 16384

static inline v8 bcast(uint64_t x) { return _mm512_set1_epi64((long long)x); }

static inline v8 times19(v8 x)
{
    // 19 x = 16 x + 2 x + x: three cheap ops instead of vpmullq.
    return _mm512_add_epi64(_mm512_add_epi64(_mm512_slli_epi64(x, 4), _mm512_slli_epi64(x, 1)), x);
}

// One carry pass: limbs of any size below 2^63 come out below 2^51, except limb 1 which may be 2^51.
static inline void fe_carry(fe8 *r)
{
    const v8 m = bcast(MASK51);
    v8 c;
    c = _mm512_srli_epi64(r->l[0], 51); r->l[0] = _mm512_and_si512(r->l[0], m); r->l[1] = _mm512_add_epi64(r->l[1], c);
    c = _mm512_srli_epi64(r->l[1], 51); r->l[1] = _mm512_and_si512(r->l[1], m); r->l[2] = _mm512_add_epi64(r->l[2], c);
    c = _mm512_srli_epi64(r->l[2], 51); r->l[2] = _mm512_and_si512(r->l[2], m); r->l[3] = _mm512_add_epi64(r->l[3], c);
    c = _mm512_srli_epi64(r->l[3], 51); r->l[3] = _mm512_and_si512(r->l[3], m); r->l[4] = _mm512_add_epi64(r->l[4], c);
    c = _mm512_srli_epi64(r->l[4], 51); r->l[4] = _mm512_and_si512(r->l[4], m); r->l[0] = _mm512_add_epi64(r->l[0], times19(c));
    c = _mm512_srli_epi64(r->l[0], 51); r->l[0] = _mm512_and_si512(r->l[0], m); r->l[1] = _mm512_add_epi64(r->l[1], c);
}

static inline void fe_add(fe8 *r, const fe8 *f, const fe8 *g)
{
    for (int i = 0; i < 5; i++) r->l[i] = _mm512_add_epi64(f->l[i], g->l[i]);
    fe_carry(r);
}

// f - g + 2p, then carried: never negative for g's limbs below 2^52 - 38.
static inline void fe_sub(fe8 *r, const fe8 *f, const fe8 *g)
{
    const v8 two_p0 = bcast((1ULL << 52) - 38);
    const v8 two_pi = bcast((1ULL << 52) - 2);
    r->l[0] = _mm512_sub_epi64(_mm512_add_epi64(f->l[0], two_p0), g->l[0]);
    for (int i = 1; i < 5; i++) r->l[i] = _mm512_sub_epi64(_mm512_add_epi64(f->l[i], two_pi), g->l[i]);
    fe_carry(r);
}

// Columns t[0..9] (each below 2^56) folded to five limbs and carried.
static inline void fe_reduce_columns(fe8 *r, v8 t[10])
{
    for (int k = 0; k < 5; k++) r->l[k] = _mm512_add_epi64(t[k], times19(t[k + 5]));
    fe_carry(r);
}

static inline void fe_mul(fe8 *r, const fe8 *f, const fe8 *g)
{
    const v8 z = _mm512_setzero_si512();
    v8 lo[10] = { z, z, z, z, z, z, z, z, z, z };
    v8 hi[10] = { z, z, z, z, z, z, z, z, z, z };
    for (int i = 0; i < 5; i++)
    {
        for (int j = 0; j < 5; j++)
        {
            lo[i + j] = _mm512_madd52lo_epu64(lo[i + j], f->l[i], g->l[j]);
            hi[i + j + 1] = _mm512_madd52hi_epu64(hi[i + j + 1], f->l[i], g->l[j]);
        }
    }

    v8 t[10];
    for (int k = 0; k < 10; k++) t[k] = _mm512_add_epi64(lo[k], _mm512_slli_epi64(hi[k], 1));
    fe_reduce_columns(r, t);
}

static inline void fe_sq(fe8 *r, const fe8 *f)
{
    // Cross products f_i f_j (i < j) appear twice: computed once into their own columns, doubled at the end.
    const v8 z = _mm512_setzero_si512();
    v8 dlo[10] = { z, z, z, z, z, z, z, z, z, z };
    v8 dhi[10] = { z, z, z, z, z, z, z, z, z, z };
    v8 xlo[10] = { z, z, z, z, z, z, z, z, z, z };
    v8 xhi[10] = { z, z, z, z, z, z, z, z, z, z };
    for (int i = 0; i < 5; i++)
    {
        dlo[2 * i] = _mm512_madd52lo_epu64(dlo[2 * i], f->l[i], f->l[i]);
        dhi[2 * i + 1] = _mm512_madd52hi_epu64(dhi[2 * i + 1], f->l[i], f->l[i]);
        for (int j = i + 1; j < 5; j++)
        {
            xlo[i + j] = _mm512_madd52lo_epu64(xlo[i + j], f->l[i], f->l[j]);
            xhi[i + j + 1] = _mm512_madd52hi_epu64(xhi[i + j + 1], f->l[i], f->l[j]);
        }
    }

    // column = dlo + 2 dhi + 2 xlo + 4 xhi; below 2^56 for limbs below 2^52.
    v8 t[10];
    for (int k = 0; k < 10; k++)
    {
        v8 d = _mm512_add_epi64(dlo[k], _mm512_slli_epi64(dhi[k], 1));
        v8 x = _mm512_add_epi64(_mm512_slli_epi64(xlo[k], 1), _mm512_slli_epi64(xhi[k], 2));
        t[k] = _mm512_add_epi64(d, x);
    }

    fe_reduce_columns(r, t);
}

// f * 121665 ((A - 2) / 4 for Curve25519, RFC 7748's a24).
static inline void fe_mul_a24(fe8 *r, const fe8 *f)
{
    const v8 a24 = bcast(121665);
    const v8 z = _mm512_setzero_si512();
    v8 lo[5], hi[5];
    for (int i = 0; i < 5; i++)
    {
        lo[i] = _mm512_madd52lo_epu64(z, f->l[i], a24);
        hi[i] = _mm512_madd52hi_epu64(z, f->l[i], a24);
    }

    // hi of limb i lands (doubled) in limb i + 1; limb 4's wraps to limb 0 times 19.
    r->l[0] = _mm512_add_epi64(lo[0], times19(_mm512_slli_epi64(hi[4], 1)));
    for (int i = 1; i < 5; i++) r->l[i] = _mm512_add_epi64(lo[i], _mm512_slli_epi64(hi[i - 1], 1));
    fe_carry(r);
}

static inline void fe_sq_n(fe8 *r, const fe8 *f, int n)
{
    fe_sq(r, f);
    for (int i = 1; i < n; i++) fe_sq(r, r);
}

// z^(p - 2) = z^(2^255 - 21), the addition chain of ref10's fe_invert.
static void fe_invert(fe8 *out, const fe8 *z)
{
    fe8 t0, t1, t2, t3;
    fe_sq(&t0, z);
    fe_sq_n(&t1, &t0, 2);
    fe_mul(&t1, z, &t1);
    fe_mul(&t0, &t0, &t1);
    fe_sq(&t2, &t0);
    fe_mul(&t1, &t1, &t2);
    fe_sq_n(&t2, &t1, 5);
    fe_mul(&t1, &t2, &t1);
    fe_sq_n(&t2, &t1, 10);
    fe_mul(&t2, &t2, &t1);
    fe_sq_n(&t3, &t2, 20);
    fe_mul(&t2, &t3, &t2);
    fe_sq_n(&t2, &t2, 10);
    fe_mul(&t1, &t2, &t1);
    fe_sq_n(&t2, &t1, 50);
    fe_mul(&t2, &t2, &t1);
    fe_sq_n(&t3, &t2, 100);
    fe_mul(&t2, &t3, &t2);
    fe_sq_n(&t2, &t2, 50);
    fe_mul(&t1, &t2, &t1);
    fe_sq_n(&t1, &t1, 5);
    fe_mul(out, &t1, &t0);
}

static inline void fe_cswap(__mmask8 swap, fe8 *a, fe8 *b)
{
    for (int i = 0; i < 5; i++)
    {
        v8 x = _mm512_mask_blend_epi64(swap, a->l[i], b->l[i]);
        v8 y = _mm512_mask_blend_epi64(swap, b->l[i], a->l[i]);
        a->l[i] = x;
        b->l[i] = y;
    }
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); // x86-64 is little-endian, as RFC 7748's encoding
    return v;
}

static inline void store64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

// Carries limb i into limb i + 1 for i = 0..3, leaving limbs 0..3 below 2^51; then limb 4's carry either wraps
// to limb 0 times 19 (2^255 = 19 mod p) or, with wrap = 0, is dropped (a subtraction of 2^255).
static void carry_scalar(uint64_t t[5], int wrap)
{
    const uint64_t m = MASK51;
    t[1] += t[0] >> 51; t[0] &= m;
    t[2] += t[1] >> 51; t[1] &= m;
    t[3] += t[2] >> 51; t[2] &= m;
    t[4] += t[3] >> 51; t[3] &= m;
    t[0] += wrap ? 19 * (t[4] >> 51) : 0;
    t[4] &= m;
}

// Canonical 32-byte encoding of lane values already carried below 2^52 per limb (donna-c64's fcontract).
static void contract(uint8_t out[32], uint64_t t[5])
{
    carry_scalar(t, 1);
    carry_scalar(t, 1);

    // Now 0 <= t < 2^255. Add 19 and carry: t >= p exactly when this reaches 2^255.
    t[0] += 19;
    carry_scalar(t, 1);

    // Offset by 2^255 - 19 (i.e. subtract 19 modulo 2^255), dropping the top carry.
    t[0] += (1ULL << 51) - 19;
    t[1] += (1ULL << 51) - 1;
    t[2] += (1ULL << 51) - 1;
    t[3] += (1ULL << 51) - 1;
    t[4] += (1ULL << 51) - 1;
    carry_scalar(t, 0);

    store64(out, t[0] | (t[1] << 51));
    store64(out + 8, (t[1] >> 13) | (t[2] << 38));
    store64(out + 16, (t[2] >> 26) | (t[3] << 25));
    store64(out + 24, (t[3] >> 39) | (t[4] << 12));
}

// Wiping. Every field element of the ladder and the inversion is derived from the scalar, and the compiler keeps
// them where it likes: ~6 KiB of spills in mb8_ladder's frame and all 32 zmm registers (the k mask registers hold
// the scalar's bits as swap masks). Clearing the named locals would miss the spills and the registers, so after the
// ladder returns, mixnode_x25519_mb8 zeroes the stack it ran on and every vector, mask and caller-saved register.

// Zeroes MB8_RESIDUE_BYTES of stack just below the caller's frame, where mb8_ladder's frame was. explicit_bzero is
// an opaque call with the array's address, so the compiler must allocate the array and cannot drop the stores.
static __attribute__((noinline)) void mb8_burn_stack(void)
{
    uint8_t area[MB8_RESIDUE_BYTES];
    explicit_bzero(area, sizeof area);
}

// Zeroes zmm0..31 (a VEX vpxor clears the whole zmm0..15), k1..k7 and the caller-saved general registers. Volatile
// inline assembly with a "memory" clobber is never removed or moved across the calls around it; the clobber list
// tells the compiler these registers are dead afterwards, so it keeps nothing of its own in them.
static inline void mb8_wipe_registers(void)
{
    __asm__ volatile(
        "vpxor %%xmm0, %%xmm0, %%xmm0\n\t" "vpxor %%xmm1, %%xmm1, %%xmm1\n\t"
        "vpxor %%xmm2, %%xmm2, %%xmm2\n\t" "vpxor %%xmm3, %%xmm3, %%xmm3\n\t"
        "vpxor %%xmm4, %%xmm4, %%xmm4\n\t" "vpxor %%xmm5, %%xmm5, %%xmm5\n\t"
        "vpxor %%xmm6, %%xmm6, %%xmm6\n\t" "vpxor %%xmm7, %%xmm7, %%xmm7\n\t"
        "vpxor %%xmm8, %%xmm8, %%xmm8\n\t" "vpxor %%xmm9, %%xmm9, %%xmm9\n\t"
        "vpxor %%xmm10, %%xmm10, %%xmm10\n\t" "vpxor %%xmm11, %%xmm11, %%xmm11\n\t"
        "vpxor %%xmm12, %%xmm12, %%xmm12\n\t" "vpxor %%xmm13, %%xmm13, %%xmm13\n\t"
        "vpxor %%xmm14, %%xmm14, %%xmm14\n\t" "vpxor %%xmm15, %%xmm15, %%xmm15\n\t"
        "vpxord %%zmm16, %%zmm16, %%zmm16\n\t" "vpxord %%zmm17, %%zmm17, %%zmm17\n\t"
        "vpxord %%zmm18, %%zmm18, %%zmm18\n\t" "vpxord %%zmm19, %%zmm19, %%zmm19\n\t"
        "vpxord %%zmm20, %%zmm20, %%zmm20\n\t" "vpxord %%zmm21, %%zmm21, %%zmm21\n\t"
        "vpxord %%zmm22, %%zmm22, %%zmm22\n\t" "vpxord %%zmm23, %%zmm23, %%zmm23\n\t"
        "vpxord %%zmm24, %%zmm24, %%zmm24\n\t" "vpxord %%zmm25, %%zmm25, %%zmm25\n\t"
        "vpxord %%zmm26, %%zmm26, %%zmm26\n\t" "vpxord %%zmm27, %%zmm27, %%zmm27\n\t"
        "vpxord %%zmm28, %%zmm28, %%zmm28\n\t" "vpxord %%zmm29, %%zmm29, %%zmm29\n\t"
        "vpxord %%zmm30, %%zmm30, %%zmm30\n\t" "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
        "kxorw %%k1, %%k1, %%k1\n\t" "kxorw %%k2, %%k2, %%k2\n\t" "kxorw %%k3, %%k3, %%k3\n\t"
        "kxorw %%k4, %%k4, %%k4\n\t" "kxorw %%k5, %%k5, %%k5\n\t" "kxorw %%k6, %%k6, %%k6\n\t"
        "kxorw %%k7, %%k7, %%k7\n\t"
        "xorl %%ecx, %%ecx\n\t" "xorl %%edx, %%edx\n\t" "xorl %%esi, %%esi\n\t" "xorl %%edi, %%edi\n\t"
        "xorl %%r8d, %%r8d\n\t" "xorl %%r9d, %%r9d\n\t" "xorl %%r10d, %%r10d\n\t" "xorl %%r11d, %%r11d\n\t"
        :
        :
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
          "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31",
          "k1", "k2", "k3", "k4", "k5", "k6", "k7",
          "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc", "memory");
}

// The whole computation. Not inlined, so that its frame (and fe_invert's below it) lies within the stack that
// mixnode_x25519_mb8 burns after it returns.
static __attribute__((noinline)) int mb8_ladder(uint8_t *outputs, const uint8_t *scalars, const uint8_t *points, int count)
{
    uint64_t limbs[5][8];
    uint64_t words[4][8];
    for (int lane = 0; lane < 8; lane++)
    {
        // Unused lanes repeat lane 0: they do the same work and are never written out.
        int from = lane < count ? lane : 0;
        uint8_t k[32];
        memcpy(k, scalars + 32 * from, 32);
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;
        for (int w = 0; w < 4; w++) words[w][lane] = load64(k + 8 * w);
        explicit_bzero(k, sizeof k);

        const uint8_t *u = points + 32 * from;
        uint64_t w0 = load64(u), w1 = load64(u + 8), w2 = load64(u + 16), w3 = load64(u + 24);
        limbs[0][lane] = w0 & MASK51;
        limbs[1][lane] = ((w0 >> 51) | (w1 << 13)) & MASK51;
        limbs[2][lane] = ((w1 >> 38) | (w2 << 26)) & MASK51;
        limbs[3][lane] = ((w2 >> 25) | (w3 << 39)) & MASK51;
        limbs[4][lane] = (w3 >> 12) & MASK51; // drops bit 255, as RFC 7748 requires
    }

    fe8 x1, x2, z2, x3, z3;
    v8 kv[4];
    for (int i = 0; i < 5; i++) x1.l[i] = _mm512_loadu_si512(limbs[i]);
    for (int w = 0; w < 4; w++) kv[w] = _mm512_loadu_si512(words[w]);
    const v8 zero = _mm512_setzero_si512();
    x2.l[0] = bcast(1);
    z3.l[0] = bcast(1);
    z2.l[0] = zero;
    for (int i = 1; i < 5; i++) x2.l[i] = z2.l[i] = z3.l[i] = zero;
    x3 = x1;

    __mmask8 swap = 0;
    for (int t = 254; t >= 0; t--)
    {
        __mmask8 bit = _mm512_test_epi64_mask(kv[t >> 6], bcast(1ULL << (t & 63)));
        swap ^= bit;
        fe_cswap(swap, &x2, &x3);
        fe_cswap(swap, &z2, &z3);
        swap = bit;

        fe8 a, aa, b, bb, e, c, d, da, cb, s;
        fe_add(&a, &x2, &z2);
        fe_sq(&aa, &a);
        fe_sub(&b, &x2, &z2);
        fe_sq(&bb, &b);
        fe_sub(&e, &aa, &bb);
        fe_add(&c, &x3, &z3);
        fe_sub(&d, &x3, &z3);
        fe_mul(&da, &d, &a);
        fe_mul(&cb, &c, &b);
        fe_add(&s, &da, &cb);
        fe_sq(&x3, &s);
        fe_sub(&s, &da, &cb);
        fe_sq(&s, &s);
        fe_mul(&z3, &x1, &s);
        fe_mul(&x2, &aa, &bb);
        fe_mul_a24(&s, &e);
        fe_add(&s, &aa, &s);
        fe_mul(&z2, &e, &s);
    }

    fe_cswap(swap, &x2, &x3);
    fe_cswap(swap, &z2, &z3);

    fe8 inv, result;
    fe_invert(&inv, &z2);
    fe_mul(&result, &x2, &inv);
    for (int i = 0; i < 5; i++) _mm512_storeu_si512(limbs[i], result.l[i]);

    int lowOrder = 0;
    for (int lane = 0; lane < count; lane++)
    {
        uint64_t t[5] = { limbs[0][lane], limbs[1][lane], limbs[2][lane], limbs[3][lane], limbs[4][lane] };
        uint8_t *out = outputs + 32 * lane;
        contract(out, t);
        uint8_t any = 0;
        for (int i = 0; i < 32; i++) any |= out[i];
        lowOrder |= (any == 0) << lane;
    }

    explicit_bzero(words, sizeof words);
    explicit_bzero(limbs, sizeof limbs);
    explicit_bzero(kv, sizeof kv);
    return lowOrder;
}

// outputs, scalars and points: count (1..8) consecutive 32-byte values. Returns a bit mask of the lanes whose
// result is all zero (a low-order point: RFC 7748 says to refuse it); their output is all zero as well.
MIXNODE_EXPORT int mixnode_x25519_mb8(uint8_t *outputs, const uint8_t *scalars, const uint8_t *points, int count)
{
    if (count < 1 || count > 8)
    {
        return -1;
    }

    int lowOrder = mb8_ladder(outputs, scalars, points, count);
    mb8_burn_stack();
    mb8_wipe_registers();
    return lowOrder;
}

#pragma GCC pop_options

// ---- Test aid: what a call leaves behind. Compiled without AVX-512 (only called where mb8 is supported); the
// register reads are inline assembly, so the compiler never uses zmm16..31 or k1..k7 in this code itself.

// Tests zmm register N and k register (N & 7) and sets bit N of *mask when either is nonzero.
#define MB8_TEST_REGISTER(n) \
    "vptestmq %%zmm" #n ", %%zmm" #n ", %%k0\n\t" \
    "kortestw %%k0, %%k0\n\t" \
    "setnz %%al\n\t" \
    "movzbq %%al, %%rax\n\t" \
    "shlq $" #n ", %%rax\n\t" \
    "orq %%rax, %0\n\t"

// Counts the nonzero 8-byte words in the stack area below the caller's frame (what the previous call left there).
// Reads memory below this function's own frame through a volatile pointer: nothing the compiler can reason about.
static __attribute__((noinline)) int mb8_nonzero_stack_words(void)
{
    uint8_t area[MB8_RESIDUE_BYTES];
    explicit_bzero(area, 0); // keeps the area in this frame without writing it
    volatile const uint64_t *words = (volatile const uint64_t *)area;
    int nonzero = 0;
    for (size_t i = 0; i < MB8_RESIDUE_BYTES / 8; i++) nonzero += words[i] != 0;
    return nonzero;
}

// Runs mixnode_x25519_mb8 on a zeroed stack, then reports in *vectorRegisters a bit per zmm register (bits 0..31)
// still nonzero right after it returns, and returns the number of nonzero 8-byte words it left on the stack below
// (return addresses and saved registers among them), or -1 if count is out of range.
MIXNODE_EXPORT int mixnode_x25519_mb8_residue(uint8_t *outputs, const uint8_t *scalars, const uint8_t *points, int count,
                                              uint64_t *vectorRegisters)
{
    mb8_burn_stack(); // starts from a zeroed stack, so whatever is found below was left by this call
    if (mixnode_x25519_mb8(outputs, scalars, points, count) < 0)
    {
        return -1;
    }

    uint64_t mask = 0;
    __asm__ volatile(
        MB8_TEST_REGISTER(0) MB8_TEST_REGISTER(1) MB8_TEST_REGISTER(2) MB8_TEST_REGISTER(3)
        MB8_TEST_REGISTER(4) MB8_TEST_REGISTER(5) MB8_TEST_REGISTER(6) MB8_TEST_REGISTER(7)
        MB8_TEST_REGISTER(8) MB8_TEST_REGISTER(9) MB8_TEST_REGISTER(10) MB8_TEST_REGISTER(11)
        MB8_TEST_REGISTER(12) MB8_TEST_REGISTER(13) MB8_TEST_REGISTER(14) MB8_TEST_REGISTER(15)
        MB8_TEST_REGISTER(16) MB8_TEST_REGISTER(17) MB8_TEST_REGISTER(18) MB8_TEST_REGISTER(19)
        MB8_TEST_REGISTER(20) MB8_TEST_REGISTER(21) MB8_TEST_REGISTER(22) MB8_TEST_REGISTER(23)
        MB8_TEST_REGISTER(24) MB8_TEST_REGISTER(25) MB8_TEST_REGISTER(26) MB8_TEST_REGISTER(27)
        MB8_TEST_REGISTER(28) MB8_TEST_REGISTER(29) MB8_TEST_REGISTER(30) MB8_TEST_REGISTER(31)
        : "+r"(mask) : : "rax", "cc");
    *vectorRegisters = mask;
    return mb8_nonzero_stack_words();
}
