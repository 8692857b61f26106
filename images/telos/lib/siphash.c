/* SipHash-2-4, from the paper's description: four 64-bit lanes, two rounds per 8-byte
 * word, four to finish. Only additions, rotations and exclusive ors, so no 64-bit
 * division is needed on i386. */
#include "lib/siphash.h"

static u64 rd64(const u8 *p)
{
    u64 v = 0;
    for (u32 i = 0; i < 8; i++)
        v |= (u64)p[i] << (8 * i);
    return v;
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                                     \
    do {                                                                                                             \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                                    \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                                       \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                                       \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                                    \
    } while (0)

u64 siphash24(const u8 key[16], const void *data, usize n)
{
    const u8 *p = data;
    u64 k0 = rd64(key), k1 = rd64(key + 8);
    u64 v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    u64 v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    usize whole = n & ~(usize)7;
    for (usize i = 0; i < whole; i += 8) {
        u64 m = rd64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    u64 last = (u64)(n & 0xFF) << 56;
    for (usize i = 0; i < (n & 7); i++)
        last |= (u64)p[whole + i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xFF;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}
