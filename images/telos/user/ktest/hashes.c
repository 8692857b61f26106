/* Kernel test of the checksums the PS trusts (hashes): the guest's CRC-32 (slicing by
 * four, with unaligned heads and tails) and SipHash-2-4, computed in the guest over inputs
 * the host can rebuild, printed for tests/kernel/hashes.test.ts to compare with zlib's
 * CRC-32, the published SipHash vectors and the host's reader of the disk format. */
#include "user/ktest/ktest.h"
#include "lib/crc32.h"
#include "lib/siphash.h"

/* The bytes the host rebuilds: byte i is (i * 167 + 13) & 0xFF. */
static u8 data[4100 + 4];

static const u32 lengths[] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 15, 16,  17,   31,   32,
                               33, 63, 64, 65, 100, 124, 127, 128, 129, 255, 256, 511, 512, 513, 4095, 4096, 4097 };

static void print64(const char *what, u32 len, u32 off, u64 v)
{
    telos_printf("TelOS: hashes: %s %u %u %llx\n", what, len, off, v);
}

/* Catches: a kernel CRC-32 or SipHash that differs from the real ones (a wrong table, a
 * slicing step that mishandles an unaligned start or a tail of 1-3 bytes, a SipHash with
 * a wrong rotation or finalisation): the PS would then accept what it should refuse or
 * refuse what it wrote, and the host's reader would disagree with the disk. */
void test_hashes(void)
{
    for (u32 i = 0; i < sizeof data; i++)
        data[i] = (u8)(i * 167 + 13);
    u32 lines = 0;
    for (u32 l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
        for (u32 off = 0; off < 4; off++) {
            telos_printf("TelOS: hashes: crc32 %u %u %x\n", lengths[l], off, crc32(data + off, lengths[l]));
            lines++;
        }
    /* crc32_continue in two pieces of every split point of a 40-byte input. */
    for (u32 split = 0; split <= 40; split++) {
        u32 c = crc32_continue(crc32(data + 1, split), data + 1 + split, 40 - split);
        telos_printf("TelOS: hashes: crc32-split %u %x\n", split, c);
        lines++;
    }
    /* The SipHash paper's vectors: key 00..0f, message 00..n-1. */
    u8 key[16], msg[64];
    for (u32 i = 0; i < 16; i++)
        key[i] = (u8)i;
    for (u32 i = 0; i < 64; i++)
        msg[i] = (u8)i;
    for (u32 n = 0; n < 64; n++) {
        print64("siphash-ref", n, 0, siphash24(key, msg, n));
        lines++;
    }
    /* The data bytes under a key taken from them, at every alignment. */
    for (u32 l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
        for (u32 off = 0; off < 4; off++) {
            print64("siphash", lengths[l], off, siphash24(data + 100, data + off, lengths[l]));
            lines++;
        }
    telos_printf("TelOS: hashes: %u values printed\n", lines);
}
