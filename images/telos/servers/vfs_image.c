/* The `living_image` plugin of vfs_server: the Persistence Server's object graph as a
 * read-only tree. `objects/` holds one file per object, named by its oid, whose text is
 * the object's name, its slots (data values, parents, methods, capability slots) and its
 * trait uses, or the size of a blob; `roots` names the graph's root (the lobby). Every
 * read asks the PS again, so a commit shows at once. Nothing here can change: any change
 * is VFS_EROFS. Nodes: 1 the mount's root, 2 objects/, 3 roots, NODE_OBJECT + oid. */
#include <telos/genesis.h>
#include <telos/ps.h>
#include <telos/psdisk.h>
#include "servers/vfs_plugin.h"
#include "user/psclient.h"
#include "user/telos.h"
#include "lib/psobj.h"
#include "lib/psshow.h"
#include "lib/format.h"
#include "lib/string.h"

#define NODE_ROOT    1u
#define NODE_OBJECTS 2u
#define NODE_ROOTS   3u
#define NODE_OBJECT  16u
#define TEXT_MAX     8192u

static u32 ps;
static char text[TEXT_MAX];
static u32 text_len;
static u8 object[PSDISK_MAX_OBJECT_SIZE], other[PSDISK_MAX_OBJECT_SIZE];

__attribute__((format(printf, 1, 2))) static void put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (text_len < TEXT_MAX)
        text_len += format_vto(text + text_len, TEXT_MAX - text_len, fmt, ap);
    va_end(ap);
    if (text_len >= TEXT_MAX)
        text_len = TEXT_MAX - 1;
}

static const char *name_of(u32 oid, char *out, u32 size)
{
    struct psobj o;
    u32 len;
    out[0] = 0;
    if (ps_get(ps, oid, other, sizeof other, &len) == PS_OK && len <= sizeof other && psobj_parse(other, len, &o) &&
        !o.blob) {
        u32 n = o.name_length < size - 1 ? o.name_length : size - 1;
        memcpy(out, o.name, n);
        out[n] = 0;
    }
    return out;
}

/* The text of object `oid` into text/text_len; VFS_ENOENT when the PS has none. */
static int object_text(u32 oid)
{
    u32 len;
    text_len = 0;
    if (ps_get(ps, oid, object, sizeof object, &len) != PS_OK || len > sizeof object)
        return VFS_ENOENT;
    text_len = psshow_object(oid, object, len, name_of, text, TEXT_MAX);
    return 0;
}

static int node_text(u32 node)
{
    if (node == NODE_ROOTS) {
        char name[PSDISK_MAX_NAME + 1];
        text_len = 0;
        put("%u %s\n", GENESIS_LOBBY, name_of(GENESIS_LOBBY, name, sizeof name));
        return 0;
    }
    return object_text(node - NODE_OBJECT);
}

/* The oid at `index` of the PS's list, or 0 past the end. */
static u32 oid_at(u32 index)
{
    u32 r[TELOS_MAX_MRS], n;
    if (telos_call_words(ps, PS_LIST, 1, &index, r, &n) || n < 2 || r[1] == 0 || n < 2 + 1)
        return 0;
    return r[2];
}

static int parse_oid(const char *s, u32 len, u32 *oid)
{
    u32 v = 0;
    if (!len || len > 9 || (s[0] == '0' && len > 1))
        return VFS_ENOENT;
    for (u32 i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return VFS_ENOENT;
        v = v * 10 + (u32)(s[i] - '0');
    }
    *oid = v;
    return 0;
}

static int img_lookup(void *fs, const char *path, u32 *node)
{
    (void)fs;
    if (!*path) {
        *node = NODE_ROOT;
        return 0;
    }
    if (!strcmp(path, "roots")) {
        *node = NODE_ROOTS;
        return 0;
    }
    if (!strcmp(path, "objects")) {
        *node = NODE_OBJECTS;
        return 0;
    }
    if (strncmp(path, "objects/", 8))
        return strncmp(path, "roots/", 6) ? VFS_ENOENT : VFS_ENOTDIR;
    u32 oid, len;
    if (parse_oid(path + 8, strlen(path + 8), &oid) || ps_get(ps, oid, object, sizeof object, &len) != PS_OK)
        return VFS_ENOENT;
    *node = NODE_OBJECT + oid;
    return 0;
}

static int img_stat(void *fs, u32 node, struct vfs_node_stat *st)
{
    (void)fs;
    st->links = 1;
    if (node == NODE_ROOT || node == NODE_OBJECTS) {
        st->type = VFS_TYPE_DIR;
        st->size = 0;
        return 0;
    }
    int err = node_text(node);
    st->type = VFS_TYPE_FILE;
    st->size = text_len;
    return err;
}

static int img_open(void *fs, const char *path, u32 flags, u32 *node)
{
    int err = img_lookup(fs, path, node);
    if (err == VFS_ENOENT && (flags & VFS_O_CREATE))
        return VFS_EROFS;
    if (err)
        return err;
    if (flags & (VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC))
        return VFS_EROFS;
    return *node == NODE_ROOT || *node == NODE_OBJECTS ? VFS_EISDIR : 0;
}

static void img_close(void *fs, u32 node)
{
    (void)fs;
    (void)node;
}

static i32 img_read(void *fs, u32 node, u64 off, void *buf, u32 n)
{
    (void)fs;
    int err = node_text(node);
    if (err)
        return -err;
    if (off >= text_len)
        return 0;
    if (n > text_len - off)
        n = text_len - (u32)off;
    memcpy(buf, text + off, n);
    return (i32)n;
}

static i32 img_write(void *fs, u32 node, u64 off, const void *buf, u32 n)
{
    (void)fs, (void)node, (void)off, (void)buf, (void)n;
    return -VFS_EROFS;
}

static int img_readdir(void *fs, u32 dir, u64 *cookie, struct vfs_dirent *e)
{
    (void)fs;
    if (dir == NODE_ROOT) {
        if (*cookie >= 2)
            return 1;
        const char *name = *cookie == 0 ? "objects" : "roots";
        e->type = *cookie == 0 ? VFS_TYPE_DIR : VFS_TYPE_FILE;
        e->size = 0;
        if (*cookie == 1 && !node_text(NODE_ROOTS))
            e->size = text_len;
        e->name_len = strlen(name);
        memcpy(e->name, name, e->name_len);
        (*cookie)++;
        return 0;
    }
    if (dir != NODE_OBJECTS)
        return VFS_ENOTDIR;
    u32 oid = oid_at((u32)*cookie);
    if (!oid)
        return 1;
    e->type = VFS_TYPE_FILE;
    e->size = object_text(oid) ? 0 : text_len;
    e->name_len = format_to(e->name, sizeof e->name, "%u", oid);
    (*cookie)++;
    return 0;
}

static int img_refuse(void *fs, const char *path)
{
    (void)fs, (void)path;
    return VFS_EROFS;
}

static int img_rename(void *fs, const char *from, const char *to)
{
    (void)fs, (void)from, (void)to;
    return VFS_EROFS;
}

static int img_statfs(void *fs, struct vfs_fs_stat *st)
{
    (void)fs;
    struct ps_stat s;
    if (ps_stat(ps, &s) != PS_OK)
        return VFS_EIO;
    st->block_size = 1;
    st->blocks = s.object_bytes;
    st->free_blocks = 0;
    st->inodes = s.objects;
    st->free_inodes = 0;
    return 0;
}

static int img_sync(void *fs)
{
    (void)fs;
    return 0;
}

void *vfs_image_init(u32 ps_ep)
{
    ps = ps_ep;
    struct ps_stat s;
    if (ps_stat(ps, &s) != PS_OK) {
        telos_print("TelOS: vfs: the PS did not answer: /image not mounted\n");
        return NULL;
    }
    return &ps;
}

const struct vfs_plugin_ops vfs_image_ops = {
    "living_image", img_lookup, img_stat, img_open, img_close, img_read, img_write, img_readdir,
    img_refuse, img_refuse, img_rename, img_statfs, img_sync,
};
