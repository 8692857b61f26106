/* The Persistence Server's disk format, version 2 (primary ATA master, 512-byte sectors,
 * all integers little-endian). This comment is the specification; src/machine/psdisk.ts
 * reads the same bytes and tests/kernel/psdisk-format.test.ts keeps the numbers in step.
 *
 * ASSUMPTIONS. A single sector is written whole or not at all. The sectors of one
 * multi-sector write, and separate writes between two CACHE FLUSH commands, may reach
 * the medium in any order; a FLUSH returns only when everything written before it is
 * on the medium. Every ordering the format relies on is a FLUSH, named below.
 *
 * LAYOUT
 *   sector 0, 1     two copies of the superblock; the valid one with the higher sequence
 *                   number rules. Sequence s is written to sector s & 1, so a torn or
 *                   lost superblock write leaves the previous one in the other sector.
 *   region 0        sectors [2, 2 + R)
 *   region 1        sectors [2 + R, 2 + 2R), R = (disk sectors - 2) / 2, set at format.
 * One region is active: it holds the log, a checkpoint followed by transaction records.
 * The other is free; compaction (checkpoint and pack) writes the next log there.
 *
 * SUPERBLOCK (bytes 0..127 of its sector, the rest zero)
 *   0   magic "TLPSDISK"
 *   8   u32 format version (PSDISK_VERSION; format 1 kept it at the same offset)
 *   12  u32 sequence: +1 at every superblock write
 *   16  u32 generation: 1 when formatted, +1 at every mount
 *   20  u32 R, sectors per region
 *   24  u32 active region (0 or 1)
 *   28  u32 epoch of the active log: every record in it carries this number
 *   32  u32 the last epoch ever handed out (a compaction takes the next one)
 *   36  u32 checkpoint sectors: the checkpoint fills [region start, + this)
 *   40  u32 checkpoint tid: the checkpoint holds the state after this transaction
 *   44  u32 checkpoint objects
 *   48  u32 high-water mark: no sector of the active region at or beyond region start
 *           + this has been written in this epoch
 *   52  u32 flags: PSDISK_FLAG_CLEAN when written by Shutdown (informational)
 *   56  16 bytes: the disk's secret key, random at format (TSC jitter). Clients never
 *           see it: records and markers are authenticated with it, so bytes a client
 *           chose (object contents) can never pass as a record header or marker.
 *   72  zero
 *   124 u32 CRC-32 of bytes 0..123
 * Both superblock sectors all zero: an empty disk, which the PS formats (writing sequence
 * 1 to sector 1). Magic right but another version: a disk of another format, refused
 * untouched (format 1, the text log of earlier TelOS, is not migrated: its records were
 * untyped `key=value` text and its genesis is rebuilt on an empty disk; erase the disk or
 * keep it with an older TelOS). Anything else without a valid copy: damaged, refused.
 *
 * RECORDS. Each record starts on a sector boundary of the active region:
 *   0   u32 magic "TXR2"
 *   4   u32 type: PSDISK_RECORD_TXN (a transaction, closed by a commit marker),
 *           PSDISK_RECORD_CHECKPOINT (part of the checkpoint; no marker),
 *           PSDISK_RECORD_PREPARE, PSDISK_RECORD_DECISION (reserved for a prepared
 *           transaction and its later commit or abort: two-phase commit)
 *   8   u32 epoch (the superblock's)
 *   12  u32 tid: TXN, its transaction id (the previous record's + 1); CHECKPOINT, the
 *           checkpoint tid
 *   16  u32 part: CHECKPOINT, 0, 1, 2... in order; TXN, 0
 *   20  u32 entry count
 *   24  u32 payload length in bytes (at most PSDISK_MAX_PAYLOAD)
 *   28  u32 CRC-32 of the payload
 *   32  u64 MAC: SipHash-2-4 under the disk key of bytes 0..31
 *   40  payload: entries, each
 *         0  u32 oid (not 0)
 *         4  u32 serial: the tid that wrote this value (TXN: the record's own tid)
 *         8  u32 length (at most PSDISK_MAX_OBJECT_SIZE)
 *         12 the object's bytes, zero padding to a multiple of 4
 *       then zeros to the end of the record's last sector.
 * COMMIT MARKER: the sector right after a TXN record's last sector:
 *   0   u32 magic "CMT2"
 *   4   u32 epoch
 *   8   u32 tid
 *   12  u32 the record's first sector, relative to the region start
 *   16  u64 the record header's MAC
 *   24  u64 MAC: SipHash-2-4 under the disk key of bytes 0..23
 *   rest zero
 *
 * COMMIT (acknowledged only after its last FLUSH; refused with nothing written when the
 * result would not fit in memory or in a region, see CAPACITY):
 *   1. if the record and marker would pass the region's end: compaction (below) first;
 *   2. if they would pass the high-water mark: superblock with hwm = their end +
 *      PSDISK_HWM_STEP, FLUSH;
 *   3. the record's sectors, FLUSH; 4. the marker, FLUSH.
 * A marker therefore only exists for a record whose every sector is on the medium.
 *
 * COMPACTION (checkpoint; pack is the same with only the objects reachable from the root):
 *   1. superblock with last epoch + 1 reserved (both superblock sectors now describe the
 *      active region), FLUSH;
 *   2. the checkpoint as CHECKPOINT records of the new epoch from the free region's
 *      start, FLUSH;
 *   3. superblock naming the other region active, the new epoch, the checkpoint's size,
 *      tid and object count, hwm = checkpoint sectors + PSDISK_HWM_STEP, FLUSH.
 * Step 3 is the commit point: a power cut before it leaves the old log whole, after it
 * the new one. Records of other epochs left in a region are never read as this epoch's.
 *
 * RECOVERY (at every mount):
 *   1. the superblock (above);
 *   2. the checkpoint: exactly `checkpoint sectors` of CHECKPOINT records of the epoch,
 *      parts in order, every MAC and CRC right, `checkpoint objects` entries in all;
 *      anything else is a damaged disk, refused untouched;
 *   3. TXN records after it while each is whole: type, epoch, the next tid, MAC, CRC,
 *      entries that parse, inside the region, and its marker (magic, epoch, tid,
 *      sector, header MAC, MAC). The first that is not ends the log. (Only the PS with
 *      the key writes records, so none of this epoch lies beyond the high-water mark of
 *      the newest superblock; should that copy be lost, the previous one's lower mark
 *      must not cut committed records off);
 *   4. every sector from the log's end up to the high-water mark is zeroed (the torn
 *      extent: whatever a cut left there), FLUSH; then the superblock with generation
 *      + 1, FLUSH.
 * The objects are the checkpoint's entries, then each TXN entry in order replacing the
 * value of its oid.
 *
 * CAPACITY. A commit is refused (PS_EFULL, nothing written or applied) when after it the
 * PS's object table or object memory would overflow, when its record and marker take more
 * than half a region, or when a checkpoint of the resulting objects would take more than
 * half a region; so a compaction always leaves room for the next commit and the log never
 * fills under steady use.
 *
 * OBJECTS. The bytes of an object are either a typed object or a blob:
 *   typed object
 *     0  u32 PSDISK_OBJ_MAGIC "PSOB"
 *     4  u16 slot count
 *     6  u16 trait-use count
 *     8  u8  name length (at most PSDISK_MAX_NAME), then the object's name (printable
 *            ASCII, spaces allowed: how tools show it, as the World's object name)
 *        zero padding to a multiple of 4, then the slots, then the trait uses; each
 *        starts on a multiple of 4 and the last ends exactly at the object's length.
 *     slot
 *       0 u8  kind: PSDISK_SLOT_DATA, _PARENT, _METHOD or _CAP
 *       1 u8  selector length, 1..PSDISK_MAX_NAME (printable ASCII, no space); unique
 *             within the object
 *       2 u16 value length
 *       4 selector, then the value, then zero padding to a multiple of 4
 *       values: DATA one value (below), exactly the value length;
 *               PARENT u32 oid of the parent (not 0);
 *               METHOD u32 IPC label the object's server answers for this selector (0:
 *                      none), then the method's source text (UTF-8, may be empty);
 *               CAP    a capability descriptor, 16 bytes:
 *                      0 u8 object kind (TELOS_OBJ_* or TELOS_CAP_* of abi.h; 0: no cap)
 *                      1 u8 rights (TELOS_RIGHT_* bits)
 *                      2 u16 zero
 *                      4 u32 badge
 *                      8 u32 holder: oid of the process object whose CSpace holds the
 *                             cap (0: the root task); not a reference for reachability
 *                      12 u32 the CSpace slot (CPtr) it lives in while the system runs
 *                             (0: not held)
 *     value: u8 type, then
 *       PSDISK_VAL_NIL, _FALSE, _TRUE  nothing
 *       PSDISK_VAL_INT      i32
 *       PSDISK_VAL_NUMBER   IEEE 754 double (the World's numbers)
 *       PSDISK_VAL_STRING   u16 length, UTF-8 bytes
 *       PSDISK_VAL_BYTES    u16 length, bytes
 *       PSDISK_VAL_REF      u32 oid (not 0)
 *       PSDISK_VAL_LIST     u16 count, then count values (nesting at most
 *                           PSDISK_MAX_DEPTH deep)
 *     trait use
 *       0 u32 oid of the trait object (not 0)
 *       4 u8  excluded selector count, 5 u8 alias count
 *       6 u16 length of the names that follow
 *       8 each excluded selector as (u8 length, bytes), then each alias as (u8 length,
 *         alias, u8 length, the trait's selector it names); zero padding to 4
 *   blob: u32 PSDISK_BLOB_MAGIC "PSBL", then raw bytes (program image chunks)
 * The PS refuses (PS_EMALFORMED) a Put of bytes that are neither. An object's
 * references are its parent slots, REF values (in lists too) and trait uses; what is
 * not reachable from PSDISK_ROOT_OID through them is removed by a pack.
 *
 * LOOKUP of a selector sent to an object (lib/psobj.c, the World's rule): the object's
 * own slots; then the methods of its trait uses (a trait contributes its own method
 * slots and, for selectors it has no slot of its own for, what its trait uses
 * contribute; excluded selectors are left out and aliases added; two different methods
 * for one selector are a trait conflict); then its parent slots in order, each searched
 * by the same rule, an object reached twice searched once, and two different holders
 * found through different parents an ambiguous send. */
#ifndef TELOS_PSDISK_H
#define TELOS_PSDISK_H

#define PSDISK_SECTOR_SIZE     512
#define PSDISK_MAGIC_0         0x5350544Cu /* "TLPS" */
#define PSDISK_MAGIC_1         0x4B534944u /* "DISK" */
#define PSDISK_VERSION         2
#define PSDISK_SUPERBLOCK_BYTES 128
#define PSDISK_KEY_SIZE        16
#define PSDISK_REGION_START    2           /* first sector of region 0 */
#define PSDISK_MIN_REGION      64          /* smallest region the PS formats */
#define PSDISK_FLAG_CLEAN      1
#define PSDISK_RECORD_MAGIC    0x32525854u /* "TXR2" */
#define PSDISK_MARKER_MAGIC    0x32544D43u /* "CMT2" */
#define PSDISK_RECORD_TXN      1
#define PSDISK_RECORD_CHECKPOINT 2
#define PSDISK_RECORD_PREPARE  3
#define PSDISK_RECORD_DECISION 4
#define PSDISK_RECORD_HEADER_SIZE 40
#define PSDISK_ENTRY_HEADER_SIZE 12
#define PSDISK_MARKER_SIZE     32
#define PSDISK_MAX_OBJECT_SIZE 4096
#define PSDISK_MAX_PAYLOAD     1056768     /* 256 objects of 4 KiB with their entry headers */
#define PSDISK_HWM_STEP        64
#define PSDISK_ROOT_OID        1

#define PSDISK_OBJ_MAGIC       0x424F5350u /* "PSOB" */
#define PSDISK_BLOB_MAGIC      0x4C425350u /* "PSBL" */
#define PSDISK_MAX_NAME        63
#define PSDISK_MAX_DEPTH       8
#define PSDISK_SLOT_DATA       1
#define PSDISK_SLOT_PARENT     2
#define PSDISK_SLOT_METHOD     3
#define PSDISK_SLOT_CAP        4
#define PSDISK_CAP_SIZE        16
#define PSDISK_VAL_NIL         0
#define PSDISK_VAL_FALSE       1
#define PSDISK_VAL_TRUE        2
#define PSDISK_VAL_INT         3
#define PSDISK_VAL_NUMBER      4
#define PSDISK_VAL_STRING      5
#define PSDISK_VAL_BYTES       6
#define PSDISK_VAL_REF         7
#define PSDISK_VAL_LIST        8

#endif
