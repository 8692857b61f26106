/* The file API of TelOS programs: calls on a vfs_server session (include/telos/vfs.h).
 * Each takes the session's endpoint capability and returns 0 or the server's error
 * (TELOS_E* or VFS_E*; vfs_error_name says which). Reads and writes of any length are
 * cut into VFS_MAX_DATA pieces. */
#ifndef TELOS_USER_VFSCLIENT_H
#define TELOS_USER_VFSCLIENT_H
#include <telos/types.h>
#include <telos/vfs.h>

struct vfs_stat {
    u32 type;   /* VFS_TYPE_* */
    u64 size;
    u32 links;
};

struct vfs_entry {
    u32 type;
    u64 size;
    char name[VFS_NAME_MAX + 1];   /* NUL-terminated */
};

struct vfs_fsinfo {
    u32 block_size, blocks, free_blocks, inodes, free_inodes;
    char plugin[16];
};

struct vfs_grant {
    const char *path;
    u32 rights;   /* VFS_RIGHT_RO or VFS_RIGHT_RW */
};

/* An open file with a position, for read/write in sequence. */
struct vfs_file {
    u32 ep, handle;
    u64 pos;
};

u32 vfs_open(u32 ep, const char *path, u32 flags, struct vfs_file *f);
/* From the position on; *got bytes read (fewer than n only at the end of the file). */
u32 vfs_read(struct vfs_file *f, void *buf, u32 n, u32 *got);
u32 vfs_write(struct vfs_file *f, const void *buf, u32 n);
u32 vfs_close(struct vfs_file *f);
u32 vfs_read_at(u32 ep, u32 handle, u64 off, void *buf, u32 n, u32 *got);
u32 vfs_write_at(u32 ep, u32 handle, u64 off, const void *buf, u32 n);
u32 vfs_stat(u32 ep, const char *path, struct vfs_stat *st);
/* One entry of a directory from *cookie (0 first); *end set (and no entry) after the last. */
u32 vfs_readdir(u32 ep, const char *path, u64 *cookie, struct vfs_entry *e, bool *end);
u32 vfs_mkdir(u32 ep, const char *path);
u32 vfs_unlink(u32 ep, const char *path);
u32 vfs_rename(u32 ep, const char *from, const char *to);
u32 vfs_statfs(u32 ep, const char *path, struct vfs_fsinfo *info);
u32 vfs_sync(u32 ep);
/* A narrower session for a child, which may make `quota` sessions in turn (paid, with
 * the new session, from ep's quota): its capability lands in our slot `slot` (empty).
 * TELOS_EFAILED_LOOKUP when no capability arrived (ep lacks Grant, or `slot` is not
 * empty); the session the server made is then closed again, its quota given back. */
u32 vfs_session(u32 ep, const struct vfs_grant *grants, u32 count, u32 quota, u32 slot);
/* Closes ep's session (and those made from it); all their capabilities are revoked. */
u32 vfs_session_close(u32 ep);
const char *vfs_error_name(u32 err);

#endif
