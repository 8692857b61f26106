/* CRC-32, table-driven, four bytes per step ("slicing by 4": table k gives the CRC of a
 * byte followed by k zero bytes, so a whole word folds in with four lookups). The tables
 * (4 KiB) are built on first use, so a program that never checksums pays nothing. The
 * PS checksums every byte it writes, so this is on its hot path. */
#include "lib/crc32.h"

static u32 table[4][256];
static bool table_ready;

static void build_table(void)
{
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (u32 b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
        table[0][i] = c;
    }
    for (u32 i = 0; i < 256; i++)
        for (u32 k = 1; k < 4; k++)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xFF];
    table_ready = true;
}

u32 crc32(const void *data, usize n) { return crc32_continue(0, data, n); }

u32 crc32_continue(u32 crc_so_far, const void *data, usize n)
{
    if (!table_ready)
        build_table();
    const u8 *p = data;
    u32 crc = ~crc_so_far;
    for (; n && ((usize)p & 3); n--)
        crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    for (; n >= 4; n -= 4, p += 4) {
        crc ^= *(const u32 *)p; /* x86 is little-endian: byte 0 is the low byte */
        crc = table[3][crc & 0xFF] ^ table[2][(crc >> 8) & 0xFF] ^ table[1][(crc >> 16) & 0xFF] ^ table[0][crc >> 24];
    }
    for (; n; n--)
        crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
