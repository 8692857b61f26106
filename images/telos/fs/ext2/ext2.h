/* The `posix` file-system core: ext2 revision 1 (256-byte inodes with nanosecond times) over
 * a block device. Freestanding: no libc, no TelOS calls; the host gives it block I/O, a clock
 * and memory through struct e2_dev, so the same source builds in the kernel tree
 * (gcc -m32 -ffreestanding) and on the host (the FUSE adapter and tests in tests/posix/).
 *
 * Calls work on inode numbers (like FUSE's low-level API); e2_resolve walks paths for callers
 * that have paths. Every call that acts for a user takes its credentials and checks
 * permissions itself. Errors are negative Linux errno values (E2_E*). Not thread-safe: one
 * caller at a time (the host adapter runs single-threaded, vfs_server serialises). */
#ifndef TELOS_FS_EXT2_H
#define TELOS_FS_EXT2_H

typedef __UINT8_TYPE__  e2_u8;
typedef __UINT16_TYPE__ e2_u16;
typedef __UINT32_TYPE__ e2_u32;
typedef __UINT64_TYPE__ e2_u64;
typedef __INT32_TYPE__  e2_s32;
typedef __INT64_TYPE__  e2_s64;
typedef __SIZE_TYPE__   e2_size;

/* Linux errno values, negated in returns. */
#define E2_EPERM         1
#define E2_ENOENT        2
#define E2_EIO           5
#define E2_ENXIO         6
#define E2_E2BIG         7
#define E2_EBADF         9
#define E2_ENOMEM       12
#define E2_EACCES       13
#define E2_EBUSY        16
#define E2_EEXIST       17
#define E2_EXDEV        18
#define E2_ENOTDIR      20
#define E2_EISDIR       21
#define E2_EINVAL       22
#define E2_EFBIG        27
#define E2_ENOSPC       28
#define E2_EROFS        30
#define E2_EMLINK       31
#define E2_ERANGE       34
#define E2_ENAMETOOLONG 36
#define E2_ENOSYS       38
#define E2_ENOTEMPTY    39
#define E2_ELOOP        40
#define E2_EOVERFLOW    75
#define E2_EUCLEAN     117   /* the file system's structures are damaged */
#define E2_EOPNOTSUPP   95

/* File types and permission bits of a mode (the POSIX values). */
#define E2_S_IFMT   0170000
#define E2_S_IFSOCK 0140000
#define E2_S_IFLNK  0120000
#define E2_S_IFREG  0100000
#define E2_S_IFBLK  0060000
#define E2_S_IFDIR  0040000
#define E2_S_IFCHR  0020000
#define E2_S_IFIFO  0010000
#define E2_S_ISUID  04000
#define E2_S_ISGID  02000
#define E2_S_ISVTX  01000

#define E2_ROOT_INO 2
#define E2_NAME_MAX 255
#define E2_LINK_MAX 32000
#define E2_PATH_MAX 4096

/* The block device and host services the core runs on. Sectors are 512 bytes. Calls return
 * 0 or a negative errno. alloc returns memory aligned for any use, or 0. */
struct e2_dev {
    void *ctx;
    int (*read)(void *ctx, e2_u64 sector, e2_u32 count, void *buf);
    int (*write)(void *ctx, e2_u64 sector, e2_u32 count, const void *buf);
    int (*flush)(void *ctx);                    /* everything written is on the medium */
    void (*now)(void *ctx, e2_s64 *sec, e2_u32 *nsec);
    void *(*alloc)(void *ctx, e2_size bytes);
    void (*free)(void *ctx, void *p);
    e2_u64 sectors;                             /* the device's size */
};

/* Who is asking: permission checks use these (uid 0 is the superuser). */
struct e2_cred {
    e2_u32 uid, gid;
    e2_u32 ngroups;
    const e2_u32 *groups;                       /* supplementary groups */
};

struct e2_stat {
    e2_u32 ino, mode, nlink, uid, gid;
    e2_u32 rdev_major, rdev_minor;
    e2_u32 blksize;
    e2_u64 size;
    e2_u64 blocks;                              /* 512-byte units allocated */
    e2_s64 atime, mtime, ctime;
    e2_u32 atime_ns, mtime_ns, ctime_ns;
    e2_u32 generation;
};

struct e2_statfs {
    e2_u32 bsize;
    e2_u64 blocks, bfree, bavail;
    e2_u64 files, ffree;
    e2_u32 namemax;
};

/* e2_setattr: which fields of struct e2_setattr to apply. */
#define E2_SET_MODE      0x001
#define E2_SET_UID       0x002
#define E2_SET_GID       0x004
#define E2_SET_SIZE      0x008
#define E2_SET_ATIME     0x010                  /* to atime/atime_ns */
#define E2_SET_MTIME     0x020
#define E2_SET_ATIME_NOW 0x040                  /* to the current time */
#define E2_SET_MTIME_NOW 0x080
#define E2_SET_OPEN_FILE 0x100                  /* through a descriptor open for writing (ftruncate) */

struct e2_setattr {
    e2_u32 valid;
    e2_u32 mode, uid, gid;
    e2_u64 size;
    e2_s64 atime, mtime;
    e2_u32 atime_ns, mtime_ns;
};

/* Access masks for e2_access and open checks. */
#define E2_MAY_EXEC  1
#define E2_MAY_WRITE 2
#define E2_MAY_READ  4

/* e2_rename flags (Linux renameat2 values). */
#define E2_RENAME_NOREPLACE 1
#define E2_RENAME_EXCHANGE  2

/* e2_mount flags. */
#define E2_MOUNT_RDONLY 1

struct e2_fs;

/* e2_mkfs options; zeros choose the defaults. */
struct e2_mkfs_opts {
    e2_u32 block_size;                          /* 1024, 2048 or 4096 (default 4096, 1024 below 512 MiB) */
    e2_u32 bytes_per_inode;                     /* default 16384 (4096 below 512 MiB) */
    e2_u32 reserved_percent;                    /* blocks only root may use, default 5 (101: none) */
    char label[16];                             /* volume name, NUL-padded */
};
/* Writes an empty ext2 revision 1 file system over the whole device: 256-byte inodes,
 * sparse_super, filetype, large_file, a root directory and lost+found. e2fsck finds it clean. */
int e2_mkfs(const struct e2_dev *dev, const struct e2_mkfs_opts *opts);

/* Mount: reads the superblock and group descriptors, checks the features; a writable mount
 * marks the file system "not clean" on disk until e2_unmount. cache_blocks bounds the block
 * cache (0: a default). */
int e2_mount(struct e2_fs **out, const struct e2_dev *dev, unsigned flags, unsigned cache_blocks);
/* Frees orphans (unlinked inodes nobody holds), writes everything, marks the disk clean, frees
 * the mount. Returns the first write error, the mount is freed either way. */
int e2_unmount(struct e2_fs *fs);
/* Write every dirty block (file data first, metadata after) and flush the device: after it
 * returns, a power cut loses nothing done before the call. fsync and fdatasync use it. */
int e2_sync(struct e2_fs *fs);

int e2_statfs(struct e2_fs *fs, struct e2_statfs *st);
e2_u32 e2_block_size(const struct e2_fs *fs);

int e2_lookup(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len, e2_u32 *ino);
int e2_getattr(struct e2_fs *fs, e2_u32 ino, struct e2_stat *st);
int e2_setattr(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, const struct e2_setattr *a);
int e2_access(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, int mask);
/* Checks an open: access mode (0 read, 1 write, 2 read-write) and O_TRUNC; truncates when asked. */
int e2_open(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, int accmode, int trunc);

/* Create a regular file, FIFO, socket or device node (mode carries the type). */
int e2_mknod(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
             e2_u32 mode, e2_u32 rdev_major, e2_u32 rdev_minor, e2_u32 *ino);
int e2_mkdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
             e2_u32 mode, e2_u32 *ino);
int e2_symlink(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
               const char *target, e2_u32 tlen, e2_u32 *ino);
int e2_link(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, e2_u32 dir, const char *name, e2_u32 len);
int e2_unlink(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len);
int e2_rmdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len);
int e2_rename(struct e2_fs *fs, const struct e2_cred *c, e2_u32 odir, const char *oname, e2_u32 olen,
              e2_u32 ndir, const char *nname, e2_u32 nlen, unsigned flags);
/* Copies the target (not NUL-terminated) into buf; *len gets its full length. */
int e2_readlink(struct e2_fs *fs, e2_u32 ino, char *buf, e2_u32 size, e2_u32 *len);

/* Data: return bytes moved or a negative errno. Reads stop at end of file; holes read as 0. */
long e2_read(struct e2_fs *fs, e2_u32 ino, e2_u64 off, void *buf, e2_u32 n);
long e2_write(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, e2_u64 off, const void *buf, e2_u32 n);

/* Directory listing from *cookie (0 = start); calls emit for each entry, "." and ".." included,
 * with the cookie of the entry after it; stops when emit returns non-zero (that entry is not
 * consumed) and leaves *cookie at the next entry to list. Needs read permission. */
typedef int (*e2_emit_fn)(void *arg, const char *name, e2_u32 len, e2_u32 ino, e2_u32 dtype, e2_u64 next);
int e2_readdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, e2_u64 *cookie, e2_emit_fn emit, void *arg);

/* Holders of an inode (open files, FUSE lookups): an unlinked inode's space is freed when the
 * last holder lets go (or at unmount). */
int e2_hold(struct e2_fs *fs, e2_u32 ino);
int e2_release(struct e2_fs *fs, e2_u32 ino, e2_u64 count);

/* Path walk from the root for callers that have paths (vfs_server): search permission on each
 * directory, symbolic links followed (the last one only when follow is set). *ino gets the
 * inode, or 0 with *parent, *last and *last_len naming the missing final component
 * (-E2_ENOENT is returned for a missing inner one). */
int e2_resolve(struct e2_fs *fs, const struct e2_cred *c, const char *path, int follow,
               e2_u32 *ino, e2_u32 *parent, const char **last, e2_u32 *last_len);

#endif
