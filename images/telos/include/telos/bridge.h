/* The IDE bridge on COM2: framed binary requests from the host (TelOS Studio's Machine)
 * answered by the bridge server, which forwards them as IPC to the PS and the PMS.
 * src/machine/bridge.ts speaks the same frames.
 *
 * Frames carry up to 8 KiB: a file moves a frame per round trip, and on v86 a round trip
 * costs as much as several KiB of bytes through the UART, so 1 KiB frames spent most of a
 * transfer waiting (bench/bridge-files.bench.ts). Not more: v86 queues a COM port's input
 * in a JavaScript array and takes each byte with shift(), which V8 makes a copy of the
 * whole array once it holds more than about 16K elements; a 16 KiB frame cost seconds a
 * MiB there.
 *
 * A frame, all integers little-endian:
 *   0  magic 'T' 'B'
 *   2  u16 payload length (at most BRIDGE_MAX_PAYLOAD)
 *   4  u8  type
 *   5  u8  status: 0 in requests and successful responses, else a BRIDGE_E* code
 *   6  u16 id, chosen by the host and echoed in the response
 *   8  payload
 *   8+length  u32 CRC-32 of bytes 0 .. 8+length-1
 * A response has the request's type with bit 7 set. A frame that cannot be served
 * (bad checksum, too long, unknown type, malformed payload) is answered with a
 * BRIDGE_ERROR frame carrying the id (when readable), the code and a text; the bridge
 * then looks for the next magic one byte further on and goes on serving.
 *
 * Requests and response payloads (the host side is src/machine/bridge.ts):
 *   LIST_OBJECTS   -> u32 count, count x u32 oid
 *   GET_OBJECT     u32 oid -> u32 oid, u32 length, then its first min(length, 1016) bytes
 *   LIST_PROCESSES -> u32 count, count x { u32 oid, u32 state (1 running), 16-byte name }
 *   SPAWN          u32 image oid, u32 process oid -> u32 process oid
 *   SHUTDOWN       -> u32 last tid, u32 generation: the PS has aborted any open
 *                  transaction and accepts no more; power can be cut safely
 *   GET_OBJECTS    u32 count (1..255), count x u32 oid -> one or more response frames with
 *                  the request's id, each: u32 flags (BRIDGE_MORE: another frame follows),
 *                  u32 entries, entries x { u32 oid, u32 status (0 or BRIDGE_ENOT_FOUND),
 *                  u32 length, u32 offset, u32 n, n bytes padded to 4 }. An object larger
 *                  than what is left of a frame goes on at its offset in the next one.
 *   TX_BEGIN       -> u32 txid, u32 snapshot tid (a PS transaction on the bridge's behalf)
 *   TX_PUT         u32 txid, u32 oid, u32 total length, u32 offset, then bytes: part of one
 *                  object, in order of offset (PS_PUT_PART) -> nothing
 *   TX_COMMIT      u32 txid -> u32 tid
 *   TX_ABORT       u32 txid -> nothing
 *   SEND           u32 server oid (GENESIS_PS or GENESIS_PMS), u32 label, then up to
 *                  BRIDGE_MAX_WORDS words -> u32 reply label, u32 count, count words
 *   TERMINATE      u32 process oid -> u32 process oid (PMS_TERMINATE_PROCESS)
 *   PROCESS_STATE  u32 process oid -> u32 oid, u32 state (1 running, 2 ended: recorded in
 *                  the PS but not running), 16-byte name (empty when ended)
 *   FS_LIST        u32 cookie low, u32 cookie high (0 first), then a path (1..255 bytes, no
 *                  NUL) -> u32 flags (BRIDGE_MORE: ask again from the next cookie), u32
 *                  next cookie low, u32 high, u32 count, count x { u32 type (VFS_TYPE_*),
 *                  u32 size low, u32 size high, u32 name length, name padded to 4 }: the
 *                  entries of a directory of the bridge's file-system session
 *                  (the whole tree: /disk, /tmp, /image), as many as fit a frame
 *   FS_READ        u32 offset low, u32 offset high, then a path -> u32 file size low, u32
 *                  high, then the file's bytes from the offset (as many as fill the frame,
 *                  BRIDGE_MAX_PAYLOAD - 8; none at or past the end)
 *   FS_WRITE       u32 offset low, u32 offset high, u32 flags (BRIDGE_FS_*), u32 path length
 *                  (1..255), the path (no NUL), then the bytes to write at the offset (up to
 *                  what is left of the frame, none allowed) -> u32 bytes written (all of them).
 *                  BRIDGE_FS_CREATE makes a missing file, BRIDGE_FS_TRUNCATE empties it
 *                  first, BRIDGE_FS_LAST closes it after this write: its bytes are on the
 *                  medium when the answer comes (a sync error is this frame's error). The
 *                  bridge keeps the file open between the frames of one upload; any other
 *                  request, or a write to another path, closes it first.
 *   FS_MKDIR       a path -> nothing: a new, empty directory
 *   FS_REMOVE      a path -> nothing: a file or an empty directory removed
 * The bridge's file-system session: the whole tree read-only ("/"), and read-write the
 * mounts that hold files, /tmp (RAM) and /disk (ext2 on hdb). /image, the living image, is
 * changed only through the PS's transactions (TX_*), never through a file write; /dev
 * (hdb's raw sectors) is not the host's to write either. A change
 * refused by those grants is BRIDGE_EREAD_ONLY; a change under /disk when no file disk is
 * mounted is BRIDGE_ENOT_FOUND naming the missing mount.
 * A vfs_server refusal is an error frame: BRIDGE_ENOT_FOUND for a missing path, else
 * BRIDGE_EREFUSED with the refusal's name (VFS_ENOTDIR, no space left, ...).
 * A PS or PMS refusal is an error frame BRIDGE_EREFUSED whose text starts with the
 * refusal's name (PS_ECONFLICT, ...). Nothing is changed by a refused or malformed request.
 *
 * Events: unrequested frames of type BRIDGE_EVENT with id 0, payload u32 kind, u32 oid or
 * tid. After every wake-up in which it served a request, the bridge compares the PMS's
 * processes and the PS's last tid with what it last reported and sends an event per
 * change: PROCESS_STARTED, PROCESS_EXITED (oid), TX_COMMITTED (tid, the newest). */
#ifndef TELOS_BRIDGE_H
#define TELOS_BRIDGE_H

#define BRIDGE_MAGIC_0        0x54
#define BRIDGE_MAGIC_1        0x42
#define BRIDGE_HEADER_SIZE    8
#define BRIDGE_MAX_PAYLOAD    8192

#define BRIDGE_LIST_OBJECTS   1
#define BRIDGE_GET_OBJECT     2
#define BRIDGE_LIST_PROCESSES 3
#define BRIDGE_SPAWN          4
#define BRIDGE_SHUTDOWN       5
#define BRIDGE_GET_OBJECTS    6
#define BRIDGE_TX_BEGIN       7
#define BRIDGE_TX_PUT         8
#define BRIDGE_TX_COMMIT      9
#define BRIDGE_TX_ABORT       10
#define BRIDGE_SEND           11
#define BRIDGE_TERMINATE      12
#define BRIDGE_PROCESS_STATE  13
#define BRIDGE_FS_LIST        14
#define BRIDGE_FS_READ        15
#define BRIDGE_FS_WRITE       16
#define BRIDGE_FS_MKDIR       17
#define BRIDGE_FS_REMOVE      18
#define BRIDGE_EVENT          0x7E
#define BRIDGE_RESPONSE       0x80
#define BRIDGE_ERROR          0x7F

#define BRIDGE_EBAD_CRC       1
#define BRIDGE_ETOO_LONG      2
#define BRIDGE_EUNKNOWN_TYPE  3
#define BRIDGE_EBAD_PAYLOAD   4
#define BRIDGE_ENOT_FOUND     5
#define BRIDGE_EFAILED        6
#define BRIDGE_EREFUSED       7
#define BRIDGE_EREAD_ONLY     8

#define BRIDGE_MORE           1
#define BRIDGE_FS_CREATE      1
#define BRIDGE_FS_TRUNCATE    2
#define BRIDGE_FS_LAST        4
#define BRIDGE_MAX_WORDS      100
#define BRIDGE_MAX_BATCH      255

#define BRIDGE_EVENT_PROCESS_STARTED 1
#define BRIDGE_EVENT_PROCESS_EXITED  2
#define BRIDGE_EVENT_TX_COMMITTED    3

#endif
