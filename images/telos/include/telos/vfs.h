/* The VFS session protocol (servers/vfs.c). vfs_server composes file-system plugins into
 * one tree (/tmp: ram, /disk: posix on hdb, /dev: block, hdb's raw region, /image:
 * living_image) and serves it through *sessions*. A session is
 * named by the badge of the endpoint capability its client holds and carries a namespace:
 * up to VFS_MAX_GRANTS grants, each a directory path of the tree and its rights (read-only
 * or read-write). A client can name only paths inside its grants; from its session it can
 * make a narrower one (VFS_SESSION) and hand that capability to a child, so a parent
 * builds each child's namespace from what it holds itself.
 *
 * Calls on a session capability; the label names the operation, the reply label is 0 or
 * an error: TELOS_EINVALID_CAPABILITY for a badge that names no open session (forged or
 * stale), TELOS_ETRUNCATED_MESSAGE when a length field reaches past the message,
 * TELOS_EILLEGAL_OPERATION for an unknown label, else a VFS_E* code.
 *
 * Paths travel as a length word followed by the bytes packed little-endian into words.
 * A path is absolute ('/' first), at most VFS_PATH_MAX bytes, no NUL; "." is skipped,
 * ".." goes up one level, repeated and trailing slashes count as one. The server
 * normalises it first: ".." above "/" is VFS_EOUTSIDE, and so is any path that then lies
 * outside every grant of the session. The most specific grant containing the path gives
 * the rights; a change under a read-only grant is VFS_EROFS, and so is a rename whose
 * source or target holds a read-only grant of the session. A change (and VFS_SYNC)
 * answers the medium's sync error when the change did not reach it. Symbolic links on the disk
 * are not followed inside a path (VFS_ELOOP), so no link leads out of a grant. */
#ifndef TELOS_VFS_H
#define TELOS_VFS_H

#define VFS_OPEN          1  /* MR0 flags (VFS_O_*), path from MR1 -> MR0 handle */
#define VFS_READ          2  /* MR0 handle, MR1/MR2 offset (low, high), MR3 count <= VFS_MAX_DATA
                              * -> MR0 bytes read (0 at end of file), the bytes from MR1 */
#define VFS_WRITE         3  /* MR0 handle, MR1/MR2 offset, MR3 count <= VFS_MAX_DATA, bytes from MR4
                              * -> MR0 bytes written */
#define VFS_CLOSE         4  /* MR0 handle; a handle that wrote is synced to the medium first */
#define VFS_STAT          5  /* path from MR0 -> MR0 type (VFS_TYPE_*), MR1/MR2 size, MR3 links */
#define VFS_READDIR       6  /* MR0/MR1 cookie (0 first), path from MR2 -> MR0 1 when an entry follows
                              * (0: the end), MR1/MR2 next cookie, MR3 type, MR4/MR5 size,
                              * name (length word, bytes) from MR6 */
#define VFS_MKDIR         7  /* path from MR0 */
#define VFS_UNLINK        8  /* path from MR0: a file or an empty directory */
#define VFS_RENAME        9  /* old path from MR0, new path after it (both in one mount) */
#define VFS_STATFS       10  /* path from MR0 -> MR0 block size, MR1 blocks, MR2 free blocks, MR3 inodes,
                              * MR4 free inodes, plugin name (length word, bytes) from MR5 */
#define VFS_SYNC         11  /* every change of every mount on its medium */
#define VFS_SESSION      12  /* MR0 grant count (1..VFS_MAX_GRANTS), MR1 the new session's quota, then
                              * per grant a rights word (VFS_RIGHT_*) and a path; each grant must
                              * lie inside one of this session's, with no more rights, and 1 + the
                              * quota comes out of this session's quota (VFS_EQUOTA when it does
                              * not) -> the new session's capability (one extra cap; the caller's
                              * capability needs Grant, and its IPC buffer a receive slot), MR0 its
                              * badge. When the capability did not arrive the caller closes the
                              * session by that badge (VFS_SESSION_CLOSE, MR0), as vfs_session does. */
#define VFS_SESSION_CLOSE 13 /* no MR: closes this session; MR0 a badge: closes that session, which
                              * must have been made from this one (else VFS_EINVAL). Either way the
                              * sessions made from it and their handles close too, their quota
                              * goes back to the maker, and every capability of them is revoked. */

#define VFS_O_READ   1u
#define VFS_O_WRITE  2u
#define VFS_O_CREATE 4u   /* create a regular file when missing */
#define VFS_O_EXCL   8u   /* with CREATE: VFS_EEXIST when it exists */
#define VFS_O_TRUNC  16u
#define VFS_O_ALL    31u

#define VFS_RIGHT_RO 0u
#define VFS_RIGHT_RW 1u

#define VFS_TYPE_FILE    1
#define VFS_TYPE_DIR     2
#define VFS_TYPE_SYMLINK 3
#define VFS_TYPE_OTHER   4

#define VFS_ENOENT        101  /* no such file or directory */
#define VFS_EEXIST        102
#define VFS_ENOTDIR       103
#define VFS_EISDIR        104
#define VFS_ENOTEMPTY     105
#define VFS_ENOSPC        106
#define VFS_EIO           107
#define VFS_EROFS         108  /* a change under a read-only grant (or a read-only mount) */
#define VFS_EOUTSIDE      109  /* the path leaves the session's namespace */
#define VFS_EBADPATH      110  /* not absolute, a NUL byte, or an empty name */
#define VFS_EBADHANDLE    111  /* no such open handle in this session */
#define VFS_ETOOMANY      112  /* no free handle or session */
#define VFS_EXDEV         113  /* rename across mounts */
#define VFS_EINVAL        114  /* a field out of range */
#define VFS_ENAMETOOLONG  115
#define VFS_ELOOP         116  /* a symbolic link inside a path */
#define VFS_EBUSY         117  /* a mount point cannot be removed or renamed */
#define VFS_EACCES        118  /* a new session asked for more rights than its grant */
#define VFS_EBADF         119  /* read on a handle opened write-only, or the reverse */
#define VFS_EQUOTA        120  /* the session's quota of sessions is used up */

#define VFS_MAX_GRANTS    4
#define VFS_PATH_MAX      255
#define VFS_NAME_MAX      255
#define VFS_MAX_DATA      448    /* bytes of file data in one READ or WRITE */
#define VFS_MAX_HANDLES   16     /* open handles per session */
#define VFS_MAX_SESSIONS  64     /* the root session's and all it hands out, directly or not */
/* Session quotas: every session may make as many sessions (counting those made from them
 * in turn) as its quota says. The root session's is the whole table but itself; a new
 * session's quota is chosen by its maker and paid from the maker's own, with one more for
 * the new session itself, and both come back when it closes. So no client can take more
 * of the table than its maker gave it, and no session is ever refused for a full table.
 *
 * A session's badge: its index in the server's table and a generation. Closing a session
 * revokes every capability derived from the one the server minted for it (the client's,
 * its copies and the sends queued under the badge), so no capability of a closed session
 * remains to reach whatever later takes its index, even after the 22-bit generation
 * wraps; the generation still refuses a badge minted from the raw endpoint for a closed
 * session. */
#define VFS_BADGE(index, gen) (((gen) << 6) | (index))
#define VFS_BADGE_INDEX(b)    ((b) & 63u)
#define VFS_BADGE_GEN(b)      ((b) >> 6)
/* What the root task gives vfs_server (its start argument): the second disk's block
 * session, the PS. */
#define VFS_ARG_DISK 1u
#define VFS_ARG_PS   2u
#define VFS_ARG_CLOCK 4u   /* the CMOS real-time clock's ports, for file times */
#define VFS_ARG_RAW   8u   /* a block session of the second disk's raw region, /dev/hdb-raw */
/* The raw region of a second disk of `sectors` sectors: its last eighth, whole 4 KiB pages
 * (servers/vfs.c says why the ext2 file system and it never share a sector). */
#define VFS_HDB_RAW_SECTORS(sectors) (((sectors) / 8) & ~7u)
/* The first session, open from the start: "/" read-write, for the root task; its quota is
 * VFS_MAX_SESSIONS - 1. */
#define VFS_ROOT_BADGE        VFS_BADGE(0, 1)

#endif
