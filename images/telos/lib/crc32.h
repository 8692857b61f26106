/* CRC-32 (IEEE 802.3, the zlib one), for the Persistence Server's disk records. */
#ifndef TELOS_LIB_CRC32_H
#define TELOS_LIB_CRC32_H
#include <telos/types.h>

u32 crc32(const void *data, usize n);

#endif
