/* The Persistence Server's disk format (primary ATA master, 512-byte sectors, all
 * integers little-endian u32). src/machine/psdisk.ts reads the same bytes.
 *
 * Sector 0, the superblock:
 *   0  magic "TLPSDISK" (8 bytes)
 *   8  format version (PSDISK_VERSION)
 *   12 generation: 1 when formatted, +1 at every mount
 *   16 first log sector (PSDISK_LOG_START)
 *   20 CRC-32 of bytes 0..19
 *   rest zero. An all-zero sector 0 is an empty disk, which the PS formats; anything
 *   else that fails these checks is a damaged superblock, and the PS refuses to touch
 *   the disk rather than format over data.
 *
 * From PSDISK_LOG_START, an append-only log of transactions. Each record starts on a
 * sector boundary and is one byte stream spread over as many sectors as it needs:
 *   0  magic "TXN1"
 *   4  tid: 1 for the first record, then +1 each
 *   8  object count
 *   12 payload length in bytes
 *   16 CRC-32 of the payload
 *   20 CRC-32 of bytes 0..19
 *   24 payload: per object { oid u32, length u32, bytes, zero padding to 4 }
 * and is closed by a commit marker in the next sector after it:
 *   0  magic "CMT1"
 *   4  tid
 *   8  the record's header CRC (bytes 20..23 of the record)
 *   12 CRC-32 of bytes 0..11
 * The PS writes the record's sectors first and the marker last, so a transaction is on
 * disk exactly when its marker is. Recovery reads records from PSDISK_LOG_START while
 * each is whole (magics, tids in sequence, all CRCs, marker present); the first record
 * that is not ends the log, and its sector is zeroed (the torn tail is truncated).
 * Objects are the latest value of each oid over the recovered records.
 *
 * Object contents are UTF-8 text lines `key=value` (genesis: name, parent, kind, image). */
#ifndef TELOS_PSDISK_H
#define TELOS_PSDISK_H

#define PSDISK_SECTOR_SIZE     512
#define PSDISK_MAGIC_0         0x5350544Cu /* "TLPS" */
#define PSDISK_MAGIC_1         0x4B534944u /* "DISK" */
#define PSDISK_VERSION         1
#define PSDISK_LOG_START       1
#define PSDISK_TXN_MAGIC       0x314E5854u /* "TXN1" */
#define PSDISK_COMMIT_MAGIC    0x31544D43u /* "CMT1" */
#define PSDISK_TXN_HEADER_SIZE 24
#define PSDISK_MAX_OBJECT_SIZE 4096
#define PSDISK_MAX_PAYLOAD     1056768 /* 256 objects of 4 KiB with their headers */

#endif
