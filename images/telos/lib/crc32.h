/* CRC-32 (IEEE 802.3, the zlib one), for the Persistence Server's disk records. */
#ifndef TELOS_LIB_CRC32_H
#define TELOS_LIB_CRC32_H
#include <telos/types.h>

u32 crc32(const void *data, usize n);
/* The CRC-32 of the bytes that gave `crc_so_far` followed by these: crc32(a + b) ==
 * crc32_continue(crc32(a), b), so data in pieces is checksummed without copying it. */
u32 crc32_continue(u32 crc_so_far, const void *data, usize n);

#endif
