/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit MAC for short inputs. The PS
 * authenticates its record headers and commit markers with it under the disk's key. */
#ifndef TELOS_LIB_SIPHASH_H
#define TELOS_LIB_SIPHASH_H
#include <telos/types.h>

u64 siphash24(const u8 key[16], const void *data, usize n);

#endif
