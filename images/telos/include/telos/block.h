/* The block server's IPC protocol (servers/block.c). The block server owns the ATA
 * controller's I/O ports and serves block sessions: each session is a range of sectors
 * of one disk (a partition or the whole disk), read-only or read-write, named by the
 * badge of the endpoint capability its client holds. Data moves through a buffer of
 * BLOCK_BUFFER_SECTORS sectors shared by the server and that one client (frames the root
 * task maps into both), so a sector never travels in message registers.
 *
 * Calls on the server's endpoint; the label names the operation, the reply label is 0 or
 * a TELOS_E* error code (BLOCK_EIO when the drive failed). Sector numbers are relative to
 * the session: a request that reaches past the session's last sector answers
 * TELOS_ERANGE and touches nothing, so a client can never reach sectors outside it. */
#ifndef TELOS_BLOCK_H
#define TELOS_BLOCK_H

/* Session operations (any session badge). */
#define BLOCK_INFO   1  /* -> MR0 sectors in the session, MR1 1 when writable, MR2 buffer sectors */
#define BLOCK_READ   2  /* MR0 first sector, MR1 count (1..BLOCK_BUFFER_SECTORS): into the buffer */
#define BLOCK_WRITE  3  /* MR0 first sector, MR1 count: from the buffer; not flushed */
#define BLOCK_FLUSH  4  /* returns when every write before it is on the medium */

/* Control operations (the control badge only: the root task). */
#define BLOCK_DISKS  16 /* -> MR0 sectors of disk 0 (primary master), MR1 of disk 1 (primary slave); 0 = none */
#define BLOCK_OPEN   17 /* MR0 session badge, MR1 disk, MR2 first sector, MR3 sectors, MR4 1 = writable */
#define BLOCK_CLOSE  18 /* MR0 session badge */

#define BLOCK_EIO    100 /* the drive reported an error or did not answer */

#define BLOCK_SECTOR          512
#define BLOCK_BUFFER_SECTORS  256     /* 128 KiB: one ATA command's worth (at most 255) fits */
#define BLOCK_BUFFER_BYTES    (BLOCK_BUFFER_SECTORS * BLOCK_SECTOR)
#define BLOCK_BADGE_CONTROL   1
#define BLOCK_FIRST_SESSION   2       /* session badges are BLOCK_FIRST_SESSION .. + BLOCK_MAX_SESSIONS - 1 */
#define BLOCK_MAX_SESSIONS    16
/* Where the server sees session `badge`'s buffer (one page table's 4 MiB holds them all). */
#define BLOCK_SERVER_BUFFERS  0x50000000u
#define BLOCK_SERVER_BUFFER(badge) (BLOCK_SERVER_BUFFERS + ((badge) - BLOCK_FIRST_SESSION) * BLOCK_BUFFER_BYTES)
/* Where a client conventionally sees its session's buffer (the PS, the VFS). */
#define BLOCK_CLIENT_BUFFER   0x50000000u

#endif
