/* The `posix` plugin of vfs_server: the ext2 core (fs/ext2/) on the second disk, through
 * a block session. A disk with an ext2 file system is mounted; a blank one (its first
 * 32 KiB all zeros) gets a new file system first (e2_mkfs), and the console says so;
 * anything else is left alone and not mounted. The server acts as the superuser (uid 0).
 * Paths are walked here name by name: a symbolic link inside a path is refused
 * (VFS_ELOOP), so no link on the disk leads out of the directory a session was given. */
#include <telos/block.h>
#include "servers/vfs_plugin.h"
#include "fs/ext2/ext2.h"
#include "user/blockclient.h"
#include "user/ioport.h"
#include "user/telos.h"
#include "lib/string.h"

#define HEAP_BYTES   (1536u * 1024)
#define CACHE_BLOCKS 256

static struct block_session disk;
static struct e2_fs *fs_;
static const struct e2_cred root_cred = { 0, 0, 0, 0 };

/* --- memory for the core: first fit over a static heap, neighbours merged on free ---- */

struct chunk {
    u32 size;   /* bytes after the header */
    u32 free;
    u32 pad[2];
};
static u8 heap[HEAP_BYTES] __attribute__((aligned(16)));

static void *heap_alloc(void *ctx, e2_size n)
{
    (void)ctx;
    n = (n + 15) & ~15u;
    for (u8 *p = heap; p < heap + HEAP_BYTES;) {
        struct chunk *c = (struct chunk *)p;
        if (c->free && c->size >= n) {
            if (c->size >= n + 2 * sizeof *c) {
                struct chunk *rest = (struct chunk *)(p + sizeof *c + n);
                rest->size = c->size - n - sizeof *c;
                rest->free = 1;
                c->size = n;
            }
            c->free = 0;
            return p + sizeof *c;
        }
        p += sizeof *c + c->size;
    }
    return 0;
}

static void heap_free(void *ctx, void *ptr)
{
    (void)ctx;
    if (!ptr)
        return;
    struct chunk *c = (struct chunk *)((u8 *)ptr - sizeof *c);
    c->free = 1;
    for (u8 *p = heap; p < heap + HEAP_BYTES;) {
        struct chunk *a = (struct chunk *)p;
        u8 *next = p + sizeof *a + a->size;
        while (a->free && next < heap + HEAP_BYTES && ((struct chunk *)next)->free) {
            a->size += sizeof *a + ((struct chunk *)next)->size;
            next = p + sizeof *a + a->size;
        }
        p = next;
    }
}

/* --- the block device --------------------------------------------------------------- */

/* dev.sectors bounds every request: the sectors the file system spans, so the plugin never
 * touches what lies after it on the disk (the `block` plugin's device, vfs.c). */
static struct e2_dev dev;

static int dev_read(void *ctx, e2_u64 sector, e2_u32 count, void *buf)
{
    (void)ctx;
    return sector + count > dev.sectors || block_read(&disk, (u32)sector, count, buf) ? -E2_EIO : 0;
}

static int dev_write(void *ctx, e2_u64 sector, e2_u32 count, const void *buf)
{
    (void)ctx;
    return sector + count > dev.sectors || block_write(&disk, (u32)sector, count, buf) ? -E2_EIO : 0;
}

static int dev_flush(void *ctx)
{
    (void)ctx;
    return block_flush(&disk) ? -E2_EIO : 0;
}


/* --- the clock: the CMOS real-time clock (ports 0x70/0x71), read at each change ------- */

static struct io_ports rtc;
static bool have_rtc;

static u32 cmos(u32 reg)
{
    io_out8(&rtc, 0x70, reg);
    return io_in8(&rtc, 0x71);
}

static u32 from_bcd(u32 v) { return (v >> 4) * 10 + (v & 15); }

/* Days since 1970-01-01 of a date in the Gregorian calendar. */
static i32 days_from_civil(i32 y, u32 m, u32 d)
{
    y -= m <= 2;
    i32 era = y / 400;
    u32 yoe = (u32)(y - era * 400);
    u32 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    u32 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (i32)doe - 719468;
}

static void rtc_now(void *ctx, e2_s64 *sec, e2_u32 *nsec)
{
    (void)ctx;
    *sec = 0;
    *nsec = 0;
    if (!have_rtc)
        return;
    for (u32 tries = 0; tries < 100000 && (cmos(0x0A) & 0x80); tries++)
        ;   /* an update in progress */
    u32 s = cmos(0x00), mi = cmos(0x02), h = cmos(0x04), d = cmos(0x07), mo = cmos(0x08), y = cmos(0x09);
    u32 b = cmos(0x0B);
    bool pm = h & 0x80;
    h &= 0x7F;
    if (!(b & 4)) {
        s = from_bcd(s);
        mi = from_bcd(mi);
        h = from_bcd(h);
        d = from_bcd(d);
        mo = from_bcd(mo);
        y = from_bcd(y);
    }
    if (!(b & 2))
        h = (h % 12) + (pm ? 12 : 0);   /* 12-hour mode */
    if (s > 59 || mi > 59 || h > 23 || d < 1 || d > 31 || mo < 1 || mo > 12 || y > 99)
        return;
    *sec = (e2_s64)days_from_civil(2000 + (i32)y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static struct e2_dev dev = { 0, dev_read, dev_write, dev_flush, rtc_now, heap_alloc, heap_free, 0 };

static int vfs_error(int e2)
{
    switch (-e2) {
    case 0: return 0;
    case E2_ENOENT: return VFS_ENOENT;
    case E2_EEXIST: return VFS_EEXIST;
    case E2_ENOTDIR: return VFS_ENOTDIR;
    case E2_EISDIR: return VFS_EISDIR;
    case E2_ENOTEMPTY: return VFS_ENOTEMPTY;
    case E2_ENOSPC: case E2_EFBIG: case E2_EMLINK: case E2_ENOMEM: return VFS_ENOSPC;
    case E2_EROFS: return VFS_EROFS;
    case E2_ENAMETOOLONG: return VFS_ENAMETOOLONG;
    case E2_ELOOP: return VFS_ELOOP;
    case E2_EBUSY: return VFS_EBUSY;
    case E2_EINVAL: return VFS_EINVAL;
    case E2_EXDEV: return VFS_EXDEV;
    case E2_EACCES: case E2_EPERM: return VFS_EACCES;
    default: return VFS_EIO;
    }
}

/* --- paths -------------------------------------------------------------------------- */

static int type_of(u32 ino, u32 *type, struct e2_stat *st)
{
    int r = e2_getattr(fs_, ino, st);
    if (r)
        return vfs_error(r);
    u32 fmt = st->mode & E2_S_IFMT;
    *type = fmt == E2_S_IFREG ? VFS_TYPE_FILE : fmt == E2_S_IFDIR ? VFS_TYPE_DIR : fmt == E2_S_IFLNK ? VFS_TYPE_SYMLINK
                                                                                                   : VFS_TYPE_OTHER;
    return 0;
}

/* Walks `len` bytes of a relative path; every name but the last must be a directory. */
static int walk(const char *path, u32 len, u32 *ino)
{
    u32 cur = E2_ROOT_INO;
    for (u32 i = 0; i < len;) {
        u32 s = i, type;
        struct e2_stat st;
        while (i < len && path[i] != '/')
            i++;
        int r = type_of(cur, &type, &st);
        if (r)
            return r;
        if (type == VFS_TYPE_SYMLINK)
            return VFS_ELOOP;
        if (type != VFS_TYPE_DIR)
            return VFS_ENOTDIR;
        r = e2_lookup(fs_, &root_cred, cur, path + s, i - s, &cur);
        if (r)
            return vfs_error(r);
        i++;
    }
    *ino = cur;
    return 0;
}

static int walk_parent(const char *path, u32 *dir, const char **leaf, u32 *leaf_len)
{
    u32 len = strlen(path), cut = len, type;
    struct e2_stat st;
    while (cut && path[cut - 1] != '/')
        cut--;
    int r = walk(path, cut ? cut - 1 : 0, dir);
    if (!r)
        r = type_of(*dir, &type, &st);
    if (r)
        return r;
    if (type != VFS_TYPE_DIR)
        return type == VFS_TYPE_SYMLINK ? VFS_ELOOP : VFS_ENOTDIR;
    *leaf = path + cut;
    *leaf_len = len - cut;
    return *leaf_len > VFS_NAME_MAX ? VFS_ENAMETOOLONG : 0;
}

/* --- the ops ------------------------------------------------------------------------ */

static int px_lookup(void *fs, const char *path, u32 *node)
{
    (void)fs;
    return walk(path, strlen(path), node);
}

static int px_stat(void *fs, u32 node, struct vfs_node_stat *st)
{
    (void)fs;
    struct e2_stat s;
    int r = type_of(node, &st->type, &s);
    st->size = s.size;
    st->links = s.nlink;
    return r;
}

static int px_open(void *fs, const char *path, u32 flags, u32 *node)
{
    (void)fs;
    int r = walk(path, strlen(path), node);
    if (r == VFS_ENOENT && (flags & VFS_O_CREATE)) {
        u32 dir, len;
        const char *leaf;
        r = walk_parent(path, &dir, &leaf, &len);
        if (!r)
            r = vfs_error(e2_mknod(fs_, &root_cred, dir, leaf, len, E2_S_IFREG | 0644, 0, 0, node));
    } else if (!r && (flags & VFS_O_CREATE) && (flags & VFS_O_EXCL)) {
        r = VFS_EEXIST;
    }
    if (r)
        return r;
    u32 type;
    struct e2_stat st;
    if ((r = type_of(*node, &type, &st)) != 0)
        return r;
    if (type == VFS_TYPE_DIR)
        return VFS_EISDIR;
    if (type == VFS_TYPE_SYMLINK)
        return VFS_ELOOP;
    int acc = (flags & VFS_O_READ) && (flags & VFS_O_WRITE) ? 2 : (flags & VFS_O_WRITE) ? 1 : 0;
    if ((r = vfs_error(e2_open(fs_, &root_cred, *node, acc, (flags & VFS_O_TRUNC) != 0))) != 0)
        return r;
    return vfs_error(e2_hold(fs_, *node));
}

static void px_close(void *fs, u32 node)
{
    (void)fs;
    e2_release(fs_, node, 1);
}

static i32 px_read(void *fs, u32 node, u64 off, void *buf, u32 n)
{
    (void)fs;
    long r = e2_read(fs_, node, off, buf, n);
    return r < 0 ? -vfs_error((int)r) : (i32)r;
}

static i32 px_write(void *fs, u32 node, u64 off, const void *buf, u32 n)
{
    (void)fs;
    long r = e2_write(fs_, &root_cred, node, off, buf, n);
    return r < 0 ? -vfs_error((int)r) : (i32)r;
}

struct capture {
    bool got;
    u32 ino, len;
    u64 next;
    char name[VFS_NAME_MAX + 1];
};

static int capture_one(void *arg, const char *name, e2_u32 len, e2_u32 ino, e2_u32 dtype, e2_u64 next)
{
    (void)dtype;
    struct capture *c = arg;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    c->got = true;
    c->ino = ino;
    c->len = len;
    c->next = next;
    memcpy(c->name, name, len);
    return 1;
}

static int px_readdir(void *fs, u32 dir, u64 *cookie, struct vfs_dirent *e)
{
    (void)fs;
    static struct capture c;
    c.got = false;
    int r = e2_readdir(fs_, &root_cred, dir, cookie, capture_one, &c);
    if (r)
        return vfs_error(r);
    if (!c.got)
        return 1;
    *cookie = c.next;
    struct e2_stat st;
    if ((r = type_of(c.ino, &e->type, &st)) != 0)
        return r;
    e->size = st.size;
    e->name_len = c.len;
    memcpy(e->name, c.name, c.len);
    return 0;
}

static int px_mkdir(void *fs, const char *path)
{
    (void)fs;
    u32 dir, len, ino;
    const char *leaf;
    int r = walk_parent(path, &dir, &leaf, &len);
    return r ? r : vfs_error(e2_mkdir(fs_, &root_cred, dir, leaf, len, 0755, &ino));
}

static int px_unlink(void *fs, const char *path)
{
    (void)fs;
    u32 dir, len, ino, type;
    const char *leaf;
    struct e2_stat st;
    int r = walk_parent(path, &dir, &leaf, &len);
    if (!r)
        r = vfs_error(e2_lookup(fs_, &root_cred, dir, leaf, len, &ino));
    if (!r)
        r = type_of(ino, &type, &st);
    if (r)
        return r;
    return vfs_error(type == VFS_TYPE_DIR ? e2_rmdir(fs_, &root_cred, dir, leaf, len)
                                          : e2_unlink(fs_, &root_cred, dir, leaf, len));
}

static int px_rename(void *fs, const char *from, const char *to)
{
    (void)fs;
    u32 odir, olen, ndir, nlen;
    const char *oleaf, *nleaf;
    int r = walk_parent(from, &odir, &oleaf, &olen);
    if (!r)
        r = walk_parent(to, &ndir, &nleaf, &nlen);
    return r ? r : vfs_error(e2_rename(fs_, &root_cred, odir, oleaf, olen, ndir, nleaf, nlen, 0));
}

static int px_statfs(void *fs, struct vfs_fs_stat *st)
{
    (void)fs;
    struct e2_statfs s;
    int r = e2_statfs(fs_, &s);
    if (r)
        return vfs_error(r);
    st->block_size = s.bsize;
    st->blocks = (u32)s.blocks;
    st->free_blocks = (u32)s.bfree;
    st->inodes = (u32)s.files;
    st->free_inodes = (u32)s.ffree;
    return 0;
}

static int px_sync(void *fs)
{
    (void)fs;
    return vfs_error(e2_sync(fs_));
}

const struct vfs_plugin_ops vfs_posix_ops = {
    "posix", px_lookup, px_stat, px_open, px_close, px_read, px_write, px_readdir,
    px_mkdir, px_unlink, px_rename, px_statfs, px_sync,
};

/* --- mounting ----------------------------------------------------------------------- */

void *vfs_posix_init(u32 ep, void *buffer, u32 clock, u32 mkfs_sectors, u32 *extent)
{
    *extent = 0;
    if (clock) {
        io_ports_open(&rtc, clock, 0);
        have_rtc = true;
    }
    struct chunk *first = (struct chunk *)heap;
    first->size = HEAP_BYTES - sizeof *first;
    first->free = 1;
    if (block_session_init(&disk, ep, buffer) || !disk.sectors) {
        telos_print("TelOS: vfs: hdb: the block session did not answer: /disk not mounted\n");
        return NULL;
    }
    dev.sectors = disk.sectors;
    static u8 head[64 * BLOCK_SECTOR];
    u32 n = disk.sectors < 64 ? disk.sectors : 64;
    if (block_read(&disk, 0, n, head)) {
        telos_print("TelOS: vfs: hdb: read error: /disk not mounted\n");
        return NULL;
    }
    bool ext2 = n >= 3 && head[1024 + 56] == 0x53 && head[1024 + 57] == 0xEF;
    if (!ext2) {
        bool blank = true;
        for (u32 i = 0; i < n * BLOCK_SECTOR && blank; i++)
            blank = head[i] == 0;
        if (!blank) {
            telos_print("TelOS: vfs: hdb holds no ext2 file system and is not blank: left alone, /disk not mounted\n");
            return NULL;
        }
        struct e2_mkfs_opts opts;
        memset(&opts, 0, sizeof opts);
        memcpy(opts.label, "telos", 5);
        if (mkfs_sectors && mkfs_sectors < disk.sectors)
            dev.sectors = mkfs_sectors;
        int r = e2_mkfs(&dev, &opts);
        if (r) {
            telos_printf("TelOS: vfs: hdb is blank but making a file system failed (errno %d)\n", -r);
            return NULL;
        }
        telos_printf("TelOS: vfs: hdb was blank: made an ext2 file system on it (%u KiB)\n", (u32)dev.sectors / 2);
    } else {
        /* Its size from the superblock: blocks of 1024 << log bytes. A size past the disk
         * stays the disk's, and e2_mount refuses it. */
        u32 blocks = head[1024 + 4] | head[1024 + 5] << 8 | head[1024 + 6] << 16 | (u32)head[1024 + 7] << 24;
        u32 log = head[1024 + 24] | head[1024 + 25] << 8 | head[1024 + 26] << 16 | (u32)head[1024 + 27] << 24;
        u64 sectors = log < 7 ? (u64)blocks << (log + 1) : ~0ull;
        if (sectors <= disk.sectors)
            dev.sectors = sectors;
    }
    int r = e2_mount(&fs_, &dev, disk.writable ? 0 : E2_MOUNT_RDONLY, CACHE_BLOCKS);
    if (r) {
        telos_printf("TelOS: vfs: hdb: the ext2 file system could not be mounted (errno %d): /disk not mounted\n", -r);
        return NULL;
    }
    struct e2_statfs s;
    e2_statfs(fs_, &s);
    telos_printf("TelOS: vfs: mounted hdb's ext2 file system at /disk (%u blocks of %u bytes, %u free)\n",
                 (u32)s.blocks, s.bsize, (u32)s.bfree);
    *extent = (u32)dev.sectors;
    return fs_;
}
