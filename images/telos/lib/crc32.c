/* CRC-32, bitwise (small and table-free; the disk records are small). */
#include "lib/crc32.h"

u32 crc32(const void *data, usize n)
{
    const u8 *p = data;
    u32 crc = 0xFFFFFFFFu;
    for (usize i = 0; i < n; i++) {
        crc ^= p[i];
        for (u32 b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}
