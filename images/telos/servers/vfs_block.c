/* The `block` plugin of vfs_server: a block session of the block server as one file, the
 * raw device. The mount holds that file alone (its name given at init); its size is the
 * session's sectors times 512, and it reads and writes at any offset: a write that covers
 * a sector in part reads the sector first and writes it back whole, so the bytes around it
 * stay. A write that reaches past the end is refused whole (VFS_ENOSPC, nothing written); a
 * read there answers what lies before the end. An offset whose sector number does not fit
 * the block protocol's 32 bits, or whose end wraps, is VFS_EINVAL. `sync` is the block
 * server's flush. Nothing can be created, removed, renamed or truncated here.
 *
 * Every sector moves through the session, so the block server bounds what the plugin (and
 * so any vfs_server client) can reach to the sectors the root task gave it. Nodes: 1 the
 * mount's root, 2 the device file. */
#include <telos/block.h>
#include "servers/vfs_plugin.h"
#include "user/blockclient.h"
#include "user/telos.h"
#include "lib/string.h"

#define NODE_ROOT   1u
#define NODE_DEVICE 2u

static struct block_session dev;
static char file_name[VFS_NAME_MAX + 1];

static u64 device_bytes(void) { return (u64)dev.sectors * BLOCK_SECTOR; }

static int blk_lookup(void *fs, const char *path, u32 *node)
{
    (void)fs;
    if (!*path) {
        *node = NODE_ROOT;
        return 0;
    }
    u32 n = strlen(file_name);
    if (!strncmp(path, file_name, n) && path[n] == '/')
        return VFS_ENOTDIR;
    if (strcmp(path, file_name))
        return VFS_ENOENT;
    *node = NODE_DEVICE;
    return 0;
}

static int blk_stat(void *fs, u32 node, struct vfs_node_stat *st)
{
    (void)fs;
    st->type = node == NODE_ROOT ? VFS_TYPE_DIR : VFS_TYPE_FILE;
    st->size = node == NODE_ROOT ? 0 : device_bytes();
    st->links = node == NODE_ROOT ? 2 : 1;
    return 0;
}

static int blk_open(void *fs, const char *path, u32 flags, u32 *node)
{
    int err = blk_lookup(fs, path, node);
    if (err == VFS_ENOENT && (flags & VFS_O_CREATE))
        return VFS_EROFS;   /* the mount holds the device and nothing else */
    if (err)
        return err;
    if (*node == NODE_ROOT)
        return VFS_EISDIR;
    if ((flags & VFS_O_CREATE) && (flags & VFS_O_EXCL))
        return VFS_EEXIST;
    if (flags & VFS_O_TRUNC)
        return VFS_EINVAL;  /* a device's size is its sectors: it cannot be emptied */
    if ((flags & VFS_O_WRITE) && !dev.writable)
        return VFS_EROFS;
    return 0;
}

static void blk_close(void *fs, u32 node)
{
    (void)fs;
    (void)node;
}

/* The sectors holding bytes [off, off + n) of the device: checked, in the shared buffer's
 * range (a request is at most VFS_MAX_DATA bytes, so at most two sectors). */
static int span(u64 off, u32 n, u32 *first, u32 *count)
{
    if (off + n < off || (off + n) >> 9 > 0xFFFFFFFFull)
        return VFS_EINVAL;   /* no sector number of the block protocol says where */
    *first = (u32)(off >> 9);
    *count = n ? (u32)((off + n - 1) >> 9) - *first + 1 : 0;
    return *count > BLOCK_BUFFER_SECTORS ? VFS_EINVAL : 0;
}

static i32 blk_read(void *fs, u32 node, u64 off, void *buf, u32 n)
{
    (void)fs;
    if (node != NODE_DEVICE)
        return -VFS_EISDIR;
    u32 first, count;
    int err = span(off, n, &first, &count);
    if (err)
        return -err;
    if (off >= device_bytes())
        return 0;
    if (n > device_bytes() - off)
        n = (u32)(device_bytes() - off);
    err = span(off, n, &first, &count);
    if (err || !n)
        return -err;
    if (block_request(dev.ep, BLOCK_READ, first, count))
        return -VFS_EIO;
    memcpy(buf, dev.buffer + (off & (BLOCK_SECTOR - 1)), n);
    return (i32)n;
}

static i32 blk_write(void *fs, u32 node, u64 off, const void *buf, u32 n)
{
    (void)fs;
    if (node != NODE_DEVICE)
        return -VFS_EISDIR;
    if (!dev.writable)
        return -VFS_EROFS;
    u32 first, count;
    int err = span(off, n, &first, &count);
    if (err)
        return -err;
    if (off > device_bytes() || n > device_bytes() - off)
        return -VFS_ENOSPC;   /* the device ends there: nothing of the request is written */
    if (!n)
        return 0;
    u32 head = (u32)(off & (BLOCK_SECTOR - 1)), tail = (u32)((off + n) & (BLOCK_SECTOR - 1));
    /* A sector covered in part: what it holds around the bytes stays (read-modify-write). */
    if ((head || tail) && block_request(dev.ep, BLOCK_READ, first, count))
        return -VFS_EIO;
    memcpy(dev.buffer + head, buf, n);
    if (block_request(dev.ep, BLOCK_WRITE, first, count))
        return -VFS_EIO;
    return (i32)n;
}

static int blk_readdir(void *fs, u32 dir, u64 *cookie, struct vfs_dirent *e)
{
    (void)fs;
    if (dir != NODE_ROOT)
        return VFS_ENOTDIR;
    if (*cookie > 0)
        return 1;
    e->type = VFS_TYPE_FILE;
    e->size = device_bytes();
    e->name_len = strlen(file_name);
    memcpy(e->name, file_name, e->name_len + 1);
    *cookie = 1;
    return 0;
}

/* The device file is fixed: nothing is made, removed or renamed beside it. */
static int blk_no_new_names(void *fs, const char *path)
{
    (void)fs;
    (void)path;
    return VFS_EROFS;
}

static int blk_rename(void *fs, const char *from, const char *to)
{
    (void)fs;
    (void)from;
    (void)to;
    return VFS_EROFS;
}

static int blk_statfs(void *fs, struct vfs_fs_stat *st)
{
    (void)fs;
    st->block_size = BLOCK_SECTOR;
    st->blocks = dev.sectors;
    st->free_blocks = 0;
    st->inodes = 1;
    st->free_inodes = 0;
    return 0;
}

static int blk_sync(void *fs)
{
    (void)fs;
    return block_flush(&dev) ? VFS_EIO : 0;
}

const struct vfs_plugin_ops vfs_block_ops = {
    .name = "block",
    .lookup = blk_lookup,
    .stat = blk_stat,
    .open = blk_open,
    .close = blk_close,
    .read = blk_read,
    .write = blk_write,
    .readdir = blk_readdir,
    .mkdir = blk_no_new_names,
    .unlink = blk_no_new_names,
    .rename = blk_rename,
    .statfs = blk_statfs,
    .sync = blk_sync,
};

void *vfs_block_init(u32 ep, void *buffer, const char *name)
{
    if (block_session_init(&dev, ep, buffer) || !dev.sectors)
        return NULL;
    u32 n = strlen(name);
    if (n > VFS_NAME_MAX)
        return NULL;
    memcpy(file_name, name, n + 1);
    return &dev;
}
