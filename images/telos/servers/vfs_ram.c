/* The `ram` plugin of vfs_server: files and directories in memory, gone at power-off.
 * RAM_NODES nodes (node 0 is the root) and a pool of RAM_PAGES 4 KiB pages that files
 * take as they grow; a page never written reads as zeros. An unlinked file still open
 * lives until its last handle closes. */
#include "servers/vfs_plugin.h"
#include "lib/string.h"

#define RAM_NODES      128
#define RAM_PAGES      256                       /* 1 MiB in all */
#define RAM_PAGE       4096u
#define RAM_FILE_PAGES 256                       /* 1 MiB a file */
#define NONE           0xFFFFu

struct rnode {
    bool used, dir, unlinked;
    u16 parent;
    u32 opens, size;
    u16 pages[RAM_FILE_PAGES];                   /* page index + 1; 0 = none */
    u32 name_len;
    char name[VFS_NAME_MAX + 1];
};

static struct rnode nodes[RAM_NODES];
static u8 pool[RAM_PAGES][RAM_PAGE] __attribute__((aligned(4096)));
static bool page_used[RAM_PAGES];

static u32 child(u32 dir, const char *name, u32 len)
{
    for (u32 i = 1; i < RAM_NODES; i++)
        if (nodes[i].used && !nodes[i].unlinked && nodes[i].parent == dir && nodes[i].name_len == len &&
            !memcmp(nodes[i].name, name, len))
            return i;
    return NONE;
}

/* Walks `len` bytes of a relative path. */
static int walk(const char *path, u32 len, u32 *node)
{
    u32 cur = 0;
    for (u32 i = 0; i < len;) {
        u32 s = i;
        while (i < len && path[i] != '/')
            i++;
        if (!nodes[cur].dir)
            return VFS_ENOTDIR;
        cur = child(cur, path + s, i - s);
        if (cur == NONE)
            return VFS_ENOENT;
        i++;
    }
    *node = cur;
    return 0;
}

/* The directory holding the last name of `path`, and that name. */
static int walk_parent(const char *path, u32 *dir, const char **leaf, u32 *leaf_len)
{
    u32 len = strlen(path), cut = len;
    while (cut && path[cut - 1] != '/')
        cut--;
    int err = walk(path, cut ? cut - 1 : 0, dir);
    if (err)
        return err;
    if (!nodes[*dir].dir)
        return VFS_ENOTDIR;
    *leaf = path + cut;
    *leaf_len = len - cut;
    return *leaf_len > VFS_NAME_MAX ? VFS_ENAMETOOLONG : 0;
}

static int make(const char *path, bool dir, u32 *out)
{
    u32 parent, len;
    const char *leaf;
    int err = walk_parent(path, &parent, &leaf, &len);
    if (err)
        return err;
    if (child(parent, leaf, len) != NONE)
        return VFS_EEXIST;
    for (u32 i = 1; i < RAM_NODES; i++)
        if (!nodes[i].used) {
            memset(&nodes[i], 0, sizeof nodes[i]);
            nodes[i].used = true;
            nodes[i].dir = dir;
            nodes[i].parent = (u16)parent;
            nodes[i].name_len = len;
            memcpy(nodes[i].name, leaf, len);
            *out = i;
            return 0;
        }
    return VFS_ENOSPC;
}

static void truncate_all(struct rnode *n)
{
    for (u32 p = 0; p < RAM_FILE_PAGES; p++)
        if (n->pages[p]) {
            page_used[n->pages[p] - 1] = false;
            n->pages[p] = 0;
        }
    n->size = 0;
}

static void release(u32 node)
{
    truncate_all(&nodes[node]);
    nodes[node].used = false;
}

static int ram_lookup(void *fs, const char *path, u32 *node)
{
    (void)fs;
    return walk(path, strlen(path), node);
}

static int ram_stat(void *fs, u32 node, struct vfs_node_stat *st)
{
    (void)fs;
    st->type = nodes[node].dir ? VFS_TYPE_DIR : VFS_TYPE_FILE;
    st->size = nodes[node].size;
    st->links = nodes[node].unlinked ? 0 : 1;
    return 0;
}

static int ram_open(void *fs, const char *path, u32 flags, u32 *node)
{
    (void)fs;
    int err = walk(path, strlen(path), node);
    if (err == VFS_ENOENT && (flags & VFS_O_CREATE))
        err = make(path, false, node);
    else if (!err && (flags & VFS_O_CREATE) && (flags & VFS_O_EXCL))
        err = VFS_EEXIST;
    if (err)
        return err;
    if (nodes[*node].dir)
        return VFS_EISDIR;
    if (flags & VFS_O_TRUNC)
        truncate_all(&nodes[*node]);
    nodes[*node].opens++;
    return 0;
}

static void ram_close(void *fs, u32 node)
{
    (void)fs;
    if (--nodes[node].opens == 0 && nodes[node].unlinked)
        release(node);
}

static i32 ram_read(void *fs, u32 node, u64 off, void *buf, u32 n)
{
    (void)fs;
    struct rnode *f = &nodes[node];
    if (off >= f->size)
        return 0;
    if (n > f->size - off)
        n = (u32)(f->size - off);
    for (u32 done = 0; done < n;) {
        u32 at = (u32)off + done, page = at / RAM_PAGE, in = at % RAM_PAGE;
        u32 k = RAM_PAGE - in < n - done ? RAM_PAGE - in : n - done;
        if (f->pages[page])
            memcpy((u8 *)buf + done, pool[f->pages[page] - 1] + in, k);
        else
            memset((u8 *)buf + done, 0, k);
        done += k;
    }
    return (i32)n;
}

static i32 ram_write(void *fs, u32 node, u64 off, const void *buf, u32 n)
{
    (void)fs;
    struct rnode *f = &nodes[node];
    if (off + n > (u64)RAM_FILE_PAGES * RAM_PAGE)
        return -VFS_ENOSPC;
    u32 done = 0;
    while (done < n) {
        u32 at = (u32)off + done, page = at / RAM_PAGE, in = at % RAM_PAGE;
        u32 k = RAM_PAGE - in < n - done ? RAM_PAGE - in : n - done;
        if (!f->pages[page]) {
            u32 p = 0;
            while (p < RAM_PAGES && page_used[p])
                p++;
            if (p == RAM_PAGES)
                break;
            page_used[p] = true;
            memset(pool[p], 0, RAM_PAGE);
            f->pages[page] = (u16)(p + 1);
        }
        memcpy(pool[f->pages[page] - 1] + in, (const u8 *)buf + done, k);
        done += k;
    }
    if (done && off + done > f->size)
        f->size = (u32)off + done;
    return done || !n ? (i32)done : -VFS_ENOSPC;
}

static int ram_readdir(void *fs, u32 dir, u64 *cookie, struct vfs_dirent *e)
{
    (void)fs;
    if (!nodes[dir].dir)
        return VFS_ENOTDIR;
    for (u64 i = *cookie ? *cookie : 1; i < RAM_NODES; i++) {
        const struct rnode *n = &nodes[i];
        if (n->used && !n->unlinked && n->parent == dir) {
            e->type = n->dir ? VFS_TYPE_DIR : VFS_TYPE_FILE;
            e->size = n->size;
            e->name_len = n->name_len;
            memcpy(e->name, n->name, n->name_len);
            *cookie = i + 1;
            return 0;
        }
    }
    *cookie = RAM_NODES;
    return 1;
}

static int ram_mkdir(void *fs, const char *path)
{
    (void)fs;
    u32 node;
    return make(path, true, &node);
}

static bool has_children(u32 dir)
{
    for (u32 i = 1; i < RAM_NODES; i++)
        if (nodes[i].used && !nodes[i].unlinked && nodes[i].parent == dir)
            return true;
    return false;
}

static void remove(u32 node)
{
    if (nodes[node].opens)
        nodes[node].unlinked = true;
    else
        release(node);
}

static int ram_unlink(void *fs, const char *path)
{
    (void)fs;
    u32 node;
    int err = walk(path, strlen(path), &node);
    if (err)
        return err;
    if (nodes[node].dir && has_children(node))
        return VFS_ENOTEMPTY;
    remove(node);
    return 0;
}

static int ram_rename(void *fs, const char *from, const char *to)
{
    (void)fs;
    u32 node, parent, len;
    const char *leaf;
    int err = walk(from, strlen(from), &node);
    if (!err)
        err = walk_parent(to, &parent, &leaf, &len);
    if (err)
        return err;
    for (u32 up = parent;; up = nodes[up].parent) {
        if (up == node)
            return VFS_EINVAL;   /* into its own subtree */
        if (up == 0)
            break;
    }
    u32 old = child(parent, leaf, len);
    if (old == node)
        return 0;
    if (old != NONE) {
        if (nodes[old].dir && !nodes[node].dir)
            return VFS_EISDIR;
        if (!nodes[old].dir && nodes[node].dir)
            return VFS_ENOTDIR;
        if (nodes[old].dir && has_children(old))
            return VFS_ENOTEMPTY;
        remove(old);
    }
    nodes[node].parent = (u16)parent;
    nodes[node].name_len = len;
    memcpy(nodes[node].name, leaf, len);
    return 0;
}

static int ram_statfs(void *fs, struct vfs_fs_stat *st)
{
    (void)fs;
    st->block_size = RAM_PAGE;
    st->blocks = RAM_PAGES;
    st->inodes = RAM_NODES;
    st->free_blocks = st->free_inodes = 0;
    for (u32 i = 0; i < RAM_PAGES; i++)
        st->free_blocks += !page_used[i];
    for (u32 i = 0; i < RAM_NODES; i++)
        st->free_inodes += !nodes[i].used;
    return 0;
}

static int ram_sync(void *fs)
{
    (void)fs;
    return 0;
}

void *vfs_ram_init(void)
{
    nodes[0] = (struct rnode){ .used = true, .dir = true, .parent = 0 };
    return nodes;
}

const struct vfs_plugin_ops vfs_ram_ops = {
    "ram", ram_lookup, ram_stat, ram_open, ram_close, ram_read, ram_write, ram_readdir,
    ram_mkdir, ram_unlink, ram_rename, ram_statfs, ram_sync,
};
