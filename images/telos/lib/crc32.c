/* CRC-32, table-driven (the table is built on first use: 1 KiB, no startup cost when
 * unused). The PS checksums every byte it writes, so this is on its hot path. */
#include "lib/crc32.h"

static u32 table[256];
static bool table_ready;

static void build_table(void)
{
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (u32 b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
        table[i] = c;
    }
    table_ready = true;
}

u32 crc32(const void *data, usize n)
{
    if (!table_ready)
        build_table();
    const u8 *p = data;
    u32 crc = 0xFFFFFFFFu;
    for (usize i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
