/* vfs_server: file-system plugins (servers/vfs_plugin.h) composed into one tree and
 * served as sessions (include/telos/vfs.h). Mounts: /tmp (ram) always, /disk (posix: ext2
 * on the second disk through a block session) when there is one, /dev (block: the raw
 * device /dev/hdb-raw, the second disk's last eighth through a block session of its own)
 * when the ext2 file system ends before it, /image (living_image) when the PS runs; "/"
 * itself is a directory of the mount points and holds nothing else.
 *
 * Every request names its session by the badge of the capability it came through (index
 * and generation); every path is normalised and checked against the session's grants
 * before a plugin sees it, and every length field against the message it came in. The
 * server keeps the capability it minted for each session in a slot of its own, so the
 * client's capability and every copy of it derive from that one: closing the session
 * revokes them all. Sessions are paid for from their maker's quota (include/telos/vfs.h).
 *
 * Capabilities: ARG0 its endpoint (it mints session capabilities from it), ARG1 the block
 * session on the second disk (when `arg` has VFS_ARG_DISK), ARG2 the PS (VFS_ARG_PS:
 * /image, the living image), ARG3 the CMOS clock's ports 0x70-0x71 (VFS_ARG_CLOCK: file
 * times), ARG4 the block session of the second disk's raw region (VFS_ARG_RAW); the block
 * buffers at BLOCK_CLIENT_BUFFER and, for the raw region, the next BLOCK_BUFFER_BYTES. */
#include <telos/block.h>
#include <telos/vfs.h>
#include "servers/vfs_plugin.h"
#include "user/blockclient.h"
#include "user/telos.h"
#include "lib/string.h"

#define EP           CHILD_SLOT_ARG0
#define BLOCK_EP     CHILD_SLOT_ARG1
#define PS_EP        CHILD_SLOT_ARG2
#define CLOCK_PORTS  CHILD_SLOT_ARG3
#define RAW_EP       CHILD_SLOT_ARG4
#define SESSION_CAP_SLOT(i) (64 + (i))   /* the capability minted for session i, parent of all its others */
#define NO_PARENT    0xFFFFFFFFu
#define ROOT_MOUNT   0xFFFFFFFFu   /* "/" itself */

struct grant {
    bool rw;
    u32 len;
    char path[VFS_PATH_MAX + 1];   /* normalised: "/" or "/a/b" */
};

struct handle {
    bool open, readable, writable, wrote;
    u32 mount, node;
};

struct session {
    bool open;
    u32 gen, parent, ngrants;
    u32 quota;                     /* sessions it may still make, those made from them included */
    struct grant grants[VFS_MAX_GRANTS];
    struct handle handles[VFS_MAX_HANDLES];
};

struct mount {
    const char *path;              /* "/tmp" */
    u32 len;
    const struct vfs_plugin_ops *ops;
    void *fs;                      /* NULL: not mounted */
};

static struct session sessions[VFS_MAX_SESSIONS];
enum { MOUNT_TMP, MOUNT_DISK, MOUNT_DEV, MOUNT_IMAGE };
static struct mount mounts[4] = {
    [MOUNT_TMP] = { "/tmp", 4, &vfs_ram_ops, NULL },
    [MOUNT_DISK] = { "/disk", 5, &vfs_posix_ops, NULL },
    [MOUNT_DEV] = { "/dev", 4, &vfs_block_ops, NULL },
    [MOUNT_IMAGE] = { "/image", 6, &vfs_image_ops, NULL },
};
#define MOUNTS (sizeof mounts / sizeof mounts[0])

/* --- paths ------------------------------------------------------------------------- */

/* Normalises an absolute path into out (VFS_PATH_MAX + 1 bytes). */
static u32 normalize(const u8 *in, u32 len, char *out)
{
    if (len > VFS_PATH_MAX)
        return VFS_ENAMETOOLONG;
    if (len == 0 || in[0] != '/')
        return VFS_EBADPATH;
    u32 o = 0, i = 0;
    while (i < len) {
        while (i < len && in[i] == '/')
            i++;
        u32 s = i;
        while (i < len && in[i] != '/') {
            if (!in[i])
                return VFS_EBADPATH;
            i++;
        }
        u32 n = i - s;
        if (n == 0 || (n == 1 && in[s] == '.'))
            continue;
        if (n == 2 && in[s] == '.' && in[s + 1] == '.') {
            if (o == 0)
                return VFS_EOUTSIDE;   /* above the root */
            do
                o--;
            while (out[o] != '/');
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, in + s, n);
        o += n;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = 0;
    return 0;
}

/* Whether `path` is `dir` or lies under it (both normalised). */
static bool within(const char *path, const char *dir, u32 dir_len)
{
    if (dir_len == 1)
        return true;
    return !strncmp(path, dir, dir_len) && (path[dir_len] == 0 || path[dir_len] == '/');
}

/* The most specific grant of `s` holding `path`, or NULL. */
static const struct grant *grant_of(const struct session *s, const char *path)
{
    const struct grant *best = NULL;
    for (u32 i = 0; i < s->ngrants; i++)
        if (within(path, s->grants[i].path, s->grants[i].len) && (!best || s->grants[i].len > best->len))
            best = &s->grants[i];
    return best;
}

/* Checks the session may see (and, with `write`, change) `path`. */
static u32 allowed(const struct session *s, const char *path, bool write)
{
    const struct grant *g = grant_of(s, path);
    if (!g)
        return VFS_EOUTSIDE;
    return write && !g->rw ? VFS_EROFS : 0;
}

/* The mount holding `path` and the path inside it; ROOT_MOUNT for "/", VFS_ENOENT for a
 * path under "/" that is no mount's. */
static u32 mount_of(const char *path, u32 *mount, const char **rel)
{
    if (!strcmp(path, "/")) {
        *mount = ROOT_MOUNT;
        *rel = "";
        return 0;
    }
    for (u32 i = 0; i < MOUNTS; i++)
        if (mounts[i].fs && within(path, mounts[i].path, mounts[i].len)) {
            *mount = i;
            *rel = path[mounts[i].len] ? path + mounts[i].len + 1 : "";
            return 0;
        }
    return VFS_ENOENT;
}

/* --- messages ---------------------------------------------------------------------- */

struct request {
    u32 len;
    const u32 *w;
};

/* Reads a path (length word, bytes) at word *at, normalised into out. */
static u32 take_path(const struct request *r, u32 *at, char *out)
{
    if (*at >= r->len)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 n = r->w[*at];
    if (n > VFS_PATH_MAX)
        return VFS_ENAMETOOLONG;
    u32 words = (n + 3) / 4;
    if (words > r->len - *at - 1)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 err = normalize((const u8 *)&r->w[*at + 1], n, out);
    *at += 1 + words;
    return err;
}

/* A path the session may use, its mount and the path inside it. */
static u32 take_target(const struct session *s, const struct request *r, u32 *at, bool write, char *path, u32 *mount,
                       const char **rel)
{
    u32 err = take_path(r, at, path);
    if (!err)
        err = allowed(s, path, write);
    if (!err)
        err = mount_of(path, mount, rel);
    if (err == VFS_ENOENT && write)
        err = VFS_EROFS;   /* "/" holds only the mount points */
    return err;
}

static void put_name(u32 *rep, u32 at, const char *name, u32 len, u32 *rlen)
{
    rep[at] = len;
    memset(&rep[at + 1], 0, (len + 3) / 4 * 4);
    memcpy(&rep[at + 1], name, len);
    *rlen = at + 1 + (len + 3) / 4;
}

/* Syncs every mount; the first error, after trying them all. */
static u32 sync_all(void)
{
    u32 first = 0;
    for (u32 i = 0; i < MOUNTS; i++)
        if (mounts[i].fs) {
            u32 err = (u32)mounts[i].ops->sync(mounts[i].fs);
            if (err && !first)
                first = err;
        }
    return first;
}

/* --- sessions ---------------------------------------------------------------------- */

static struct session *session_of(u32 badge)
{
    struct session *s = &sessions[VFS_BADGE_INDEX(badge)];
    if (VFS_BADGE_INDEX(badge) >= VFS_MAX_SESSIONS || !s->open || VFS_BADGE_GEN(badge) != s->gen || !badge)
        return NULL;
    return s;
}

/* Closes session `index` and every session made from it: their handles close, their
 * capabilities are revoked and their quota goes back to the maker. */
static void session_close(u32 index)
{
    struct session *s = &sessions[index];
    for (u32 i = 0; i < VFS_MAX_SESSIONS; i++)
        if (sessions[i].open && sessions[i].parent == index)
            session_close(i);
    for (u32 i = 0; i < VFS_MAX_HANDLES; i++) {
        struct handle *h = &s->handles[i];
        if (h->open) {
            const struct mount *m = &mounts[h->mount];
            /* No one to answer: the console hears of a change that did not reach the medium. */
            u32 err = h->wrote ? (u32)m->ops->sync(m->fs) : 0;
            if (err)
                telos_printf("TelOS: vfs: closing session %u: sync of %s failed (error %u)\n", index, m->path, err);
            m->ops->close(m->fs, h->node);
            h->open = false;
        }
    }
    /* Every capability derived from ours goes, and sends queued under the badge with them
     * (CancelBadgedSends); the slot is empty for the next session of this index. */
    TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_REVOKE, SESSION_CAP_SLOT(index));
    TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, SESSION_CAP_SLOT(index));
    /* Its sessions closed first and gave their share back: its quota is whole again. */
    sessions[s->parent].quota += 1 + s->quota;
    s->open = false;
}

/* VFS_SESSION: a narrower session from `s`. */
static u32 session_make(struct session *s, const struct request *r, u32 *rep, u32 *rlen, u32 *caps)
{
    if (r->len < 2)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 n = r->w[0], quota = r->w[1];
    if (n == 0 || n > VFS_MAX_GRANTS)
        return VFS_EINVAL;
    static struct grant g[VFS_MAX_GRANTS];
    u32 at = 2;
    for (u32 i = 0; i < n; i++) {
        if (at >= r->len)
            return TELOS_ETRUNCATED_MESSAGE;
        u32 rights = r->w[at++];
        if (rights > VFS_RIGHT_RW)
            return VFS_EINVAL;
        u32 err = take_path(r, &at, g[i].path);
        if (err)
            return err;
        g[i].len = strlen(g[i].path);
        g[i].rw = rights == VFS_RIGHT_RW;
        const struct grant *holder = grant_of(s, g[i].path);
        if (!holder)
            return VFS_EOUTSIDE;
        if (g[i].rw) {
            /* Read-write only where every grant of ours it covers is read-write too. */
            if (!holder->rw)
                return VFS_EACCES;
            for (u32 k = 0; k < s->ngrants; k++)
                if (!s->grants[k].rw && within(s->grants[k].path, g[i].path, g[i].len))
                    return VFS_EACCES;
        }
    }
    /* The new session and its quota: 1 + quota out of ours (written so nothing overflows). */
    if (quota >= s->quota)
        return VFS_EQUOTA;
    u32 index = 1;
    while (index < VFS_MAX_SESSIONS && sessions[index].open)
        index++;
    if (index == VFS_MAX_SESSIONS)
        return VFS_ETOOMANY;   /* unreachable while the quotas add up to the table */
    struct session *c = &sessions[index];
    u32 gen = (c->gen + 1) & ((1u << (TELOS_BADGE_BITS - 6)) - 1);
    if (!gen)
        gen = 1;
    u32 badge = VFS_BADGE(index, gen);
    /* The slot was emptied when the index's last session closed. */
    if (TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_MINT, SESSION_CAP_SLOT(index), CHILD_SLOT_CNODE, EP,
                     TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, badge))
        return VFS_ETOOMANY;
    memset(c, 0, sizeof *c);
    c->open = true;
    c->gen = gen;
    c->parent = (u32)(s - sessions);
    c->ngrants = n;
    c->quota = quota;
    s->quota -= 1 + quota;
    memcpy(c->grants, g, n * sizeof g[0]);
    /* The reply's capability is derived from the one in the session's slot. */
    telos_ipc->caps_or_badges[0] = SESSION_CAP_SLOT(index);
    *caps = 1;
    rep[0] = badge;
    *rlen = 1;
    return 0;
}

/* --- operations -------------------------------------------------------------------- */

static struct handle *handle_of(struct session *s, u32 h)
{
    if (h == 0 || h > VFS_MAX_HANDLES || !s->handles[h - 1].open)
        return NULL;
    return &s->handles[h - 1];
}

static u32 op_open(struct session *s, const struct request *r, u32 *rep, u32 *rlen)
{
    static char path[VFS_PATH_MAX + 1];
    if (r->len < 1)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 flags = r->w[0];
    if ((flags & ~VFS_O_ALL) || !(flags & (VFS_O_READ | VFS_O_WRITE)))
        return VFS_EINVAL;
    bool changes = flags & (VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC);
    u32 at = 1, mount;
    const char *rel;
    u32 err = take_target(s, r, &at, changes, path, &mount, &rel);
    if (err)
        return err;
    if (mount == ROOT_MOUNT)
        return VFS_EISDIR;
    u32 h = 0;
    while (h < VFS_MAX_HANDLES && s->handles[h].open)
        h++;
    if (h == VFS_MAX_HANDLES)
        return VFS_ETOOMANY;
    const struct mount *m = &mounts[mount];
    u32 node;
    err = m->ops->open(m->fs, rel, flags, &node);
    if (err)
        return err;
    if (flags & (VFS_O_CREATE | VFS_O_TRUNC)) {
        err = (u32)m->ops->sync(m->fs);
        if (err) {
            m->ops->close(m->fs, node);   /* the creation or truncation may not be on the medium */
            return err;
        }
    }
    s->handles[h] = (struct handle){ true, (flags & VFS_O_READ) != 0, (flags & VFS_O_WRITE) != 0, false, mount, node };
    rep[0] = h + 1;
    *rlen = 1;
    return 0;
}

static u32 op_io(struct session *s, u32 label, const struct request *r, u32 *rep, u32 *rlen)
{
    if (r->len < 4)
        return TELOS_ETRUNCATED_MESSAGE;
    struct handle *h = handle_of(s, r->w[0]);
    if (!h)
        return VFS_EBADHANDLE;
    u64 off = r->w[1] | ((u64)r->w[2] << 32);
    u32 count = r->w[3];
    if (count > VFS_MAX_DATA)
        return VFS_EINVAL;
    const struct mount *m = &mounts[h->mount];
    i32 n;
    if (label == VFS_READ) {
        if (!h->readable)
            return VFS_EBADF;
        /* The reply is whole words and the plugin may answer fewer bytes than asked: zero
         * them all first, else the last word's padding carries bytes of an earlier reply
         * (another file, another session). */
        memset(&rep[1], 0, (count + 3) / 4 * 4);
        n = m->ops->read(m->fs, h->node, off, &rep[1], count);
        if (n < 0)
            return (u32)-n;
        *rlen = 1 + ((u32)n + 3) / 4;
    } else {
        if (!h->writable)
            return VFS_EBADF;
        if ((count + 3) / 4 > r->len - 4)
            return TELOS_ETRUNCATED_MESSAGE;
        n = m->ops->write(m->fs, h->node, off, &r->w[4], count);
        if (n < 0)
            return (u32)-n;
        h->wrote = true;
        *rlen = 1;
    }
    rep[0] = (u32)n;
    return 0;
}

static u32 op_stat(struct session *s, const struct request *r, u32 *rep, u32 *rlen)
{
    static char path[VFS_PATH_MAX + 1];
    u32 at = 0, mount, node;
    const char *rel;
    u32 err = take_target(s, r, &at, false, path, &mount, &rel);
    if (err)
        return err;
    struct vfs_node_stat st = { VFS_TYPE_DIR, 0, 2 };
    if (mount != ROOT_MOUNT) {
        const struct mount *m = &mounts[mount];
        err = m->ops->lookup(m->fs, rel, &node);
        if (!err)
            err = m->ops->stat(m->fs, node, &st);
        if (err)
            return err;
    }
    rep[0] = st.type;
    rep[1] = (u32)st.size;
    rep[2] = (u32)(st.size >> 32);
    rep[3] = st.links;
    *rlen = 4;
    return 0;
}

static u32 op_readdir(struct session *s, const struct request *r, u32 *rep, u32 *rlen)
{
    static char path[VFS_PATH_MAX + 1];
    static struct vfs_dirent e;
    if (r->len < 2)
        return TELOS_ETRUNCATED_MESSAGE;
    u64 cookie = r->w[0] | ((u64)r->w[1] << 32);
    u32 at = 2, mount, node;
    const char *rel;
    u32 err = take_target(s, r, &at, false, path, &mount, &rel);
    if (err)
        return err;
    int more;
    if (mount == ROOT_MOUNT) {
        while (cookie < MOUNTS && !mounts[cookie].fs)
            cookie++;
        more = cookie < MOUNTS;
        if (more) {
            const struct mount *m = &mounts[cookie++];
            e.type = VFS_TYPE_DIR;
            e.size = 0;
            e.name_len = m->len - 1;
            memcpy(e.name, m->path + 1, e.name_len);
        }
    } else {
        const struct mount *m = &mounts[mount];
        err = m->ops->lookup(m->fs, rel, &node);
        if (err)
            return err;
        int got = m->ops->readdir(m->fs, node, &cookie, &e);
        if (got < 0 || got > 1)
            return (u32)got;
        more = got == 0;
    }
    rep[0] = more ? 1 : 0;
    rep[1] = (u32)cookie;
    rep[2] = (u32)(cookie >> 32);
    *rlen = 3;
    if (more) {
        rep[3] = e.type;
        rep[4] = (u32)e.size;
        rep[5] = (u32)(e.size >> 32);
        put_name(rep, 6, e.name, e.name_len, rlen);
    }
    return 0;
}

static u32 op_change(struct session *s, u32 label, const struct request *r)
{
    static char path[VFS_PATH_MAX + 1], path2[VFS_PATH_MAX + 1];
    u32 at = 0, mount, mount2;
    const char *rel, *rel2;
    u32 err = take_target(s, r, &at, true, path, &mount, &rel);
    if (err)
        return err;
    if (label == VFS_RENAME) {
        err = take_target(s, r, &at, true, path2, &mount2, &rel2);
        if (err)
            return err;
        if (mount != mount2)
            return VFS_EXDEV;
    }
    if (mount == ROOT_MOUNT || (!*rel && label != VFS_MKDIR) || (label == VFS_RENAME && !*rel2))
        return VFS_EBUSY;   /* "/" and the mount points stay */
    if (!*rel)
        return VFS_EEXIST;
    if (label == VFS_RENAME) {
        /* A rename moves a whole subtree: none may hold a read-only grant of the session
         * (it would move under a read-write one), nor may the target (the moved tree would
         * take the read-only grant's place). */
        u32 len = strlen(path), len2 = strlen(path2);
        for (u32 k = 0; k < s->ngrants; k++)
            if (!s->grants[k].rw && (within(s->grants[k].path, path, len) || within(s->grants[k].path, path2, len2)))
                return VFS_EROFS;
    }
    const struct mount *m = &mounts[mount];
    if (label == VFS_MKDIR)
        err = m->ops->mkdir(m->fs, rel);
    else if (label == VFS_UNLINK)
        err = m->ops->unlink(m->fs, rel);
    else
        err = m->ops->rename(m->fs, rel, rel2);
    if (!err)
        err = (u32)m->ops->sync(m->fs);
    return err;
}

static u32 op_statfs(struct session *s, const struct request *r, u32 *rep, u32 *rlen)
{
    static char path[VFS_PATH_MAX + 1];
    u32 at = 0, mount;
    const char *rel;
    u32 err = take_target(s, r, &at, false, path, &mount, &rel);
    if (err)
        return err;
    if (mount == ROOT_MOUNT)
        return VFS_EINVAL;   /* "/" is no file system of its own */
    const struct mount *m = &mounts[mount];
    struct vfs_fs_stat st;
    err = m->ops->statfs(m->fs, &st);
    if (err)
        return err;
    rep[0] = st.block_size;
    rep[1] = st.blocks;
    rep[2] = st.free_blocks;
    rep[3] = st.inodes;
    rep[4] = st.free_inodes;
    put_name(rep, 5, m->ops->name, strlen(m->ops->name), rlen);
    return 0;
}

static u32 serve(u32 badge, u32 label, const struct request *r, u32 *rep, u32 *rlen, u32 *caps)
{
    *rlen = 0;
    *caps = 0;
    struct session *s = session_of(badge);
    if (!s)
        return TELOS_EINVALID_CAPABILITY;
    switch (label) {
    case VFS_OPEN:
        return op_open(s, r, rep, rlen);
    case VFS_READ:
    case VFS_WRITE:
        return op_io(s, label, r, rep, rlen);
    case VFS_CLOSE: {
        if (r->len < 1)
            return TELOS_ETRUNCATED_MESSAGE;
        struct handle *h = handle_of(s, r->w[0]);
        if (!h)
            return VFS_EBADHANDLE;
        const struct mount *m = &mounts[h->mount];
        u32 err = h->wrote ? (u32)m->ops->sync(m->fs) : 0;
        m->ops->close(m->fs, h->node);
        h->open = false;
        return err;
    }
    case VFS_STAT:
        return op_stat(s, r, rep, rlen);
    case VFS_READDIR:
        return op_readdir(s, r, rep, rlen);
    case VFS_MKDIR:
    case VFS_UNLINK:
    case VFS_RENAME:
        return op_change(s, label, r);
    case VFS_STATFS:
        return op_statfs(s, r, rep, rlen);
    case VFS_SYNC:
        return sync_all();
    case VFS_SESSION:
        return session_make(s, r, rep, rlen, caps);
    case VFS_SESSION_CLOSE: {
        struct session *t = s;
        if (r->len >= 1) {
            /* A session this one made, e.g. one whose capability never arrived. */
            t = session_of(r->w[0]);
            if (!t || t->parent != (u32)(s - sessions))
                return VFS_EINVAL;
        }
        if (t == &sessions[0])
            return VFS_EBUSY;   /* the root session stays */
        session_close((u32)(t - sessions));
        return 0;
    }
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

/* hdb: ext2 at /disk, and the raw region after it as /dev/hdb-raw. The root task gives us
 * two sessions, the whole disk (so an ext2 file system made over all of it by an earlier
 * TelOS still mounts) and its last eighth (VFS_HDB_RAW_SECTORS). A blank disk gets its
 * file system on the sectors before that eighth only; the device is served only when the
 * mounted file system ends at or before its first sector, so the two never share a
 * sector: the posix plugin reads and writes only the sectors its file system spans, and
 * the block server bounds the device's session. A disk holding anything else, or a file
 * system reaching into the region, gets no device (nothing of it is written). */
static void mount_hdb(u32 arg)
{
    struct block_session whole, raw;
    u32 raw_first = 0, extent = 0;
    bool have_raw = (arg & VFS_ARG_RAW) && !block_session_init(&whole, BLOCK_EP, (void *)BLOCK_CLIENT_BUFFER) &&
                    !block_session_init(&raw, RAW_EP, (void *)(BLOCK_CLIENT_BUFFER + BLOCK_BUFFER_BYTES)) &&
                    raw.sectors && raw.sectors < whole.sectors;
    if (have_raw)
        raw_first = whole.sectors - raw.sectors;
    mounts[MOUNT_DISK].fs = vfs_posix_init(BLOCK_EP, (void *)BLOCK_CLIENT_BUFFER, arg & VFS_ARG_CLOCK ? CLOCK_PORTS : 0,
                                           raw_first, &extent);
    if (!have_raw)
        return;
    if (!mounts[MOUNT_DISK].fs || extent > raw_first) {
        telos_printf("TelOS: vfs: %s: /dev not mounted\n",
                     mounts[MOUNT_DISK].fs ? "hdb's ext2 file system reaches into its last eighth" : "hdb left alone");
        return;
    }
    mounts[MOUNT_DEV].fs = vfs_block_init(RAW_EP, (void *)(BLOCK_CLIENT_BUFFER + BLOCK_BUFFER_BYTES), "hdb-raw");
    if (mounts[MOUNT_DEV].fs)
        telos_printf("TelOS: vfs: /dev/hdb-raw is hdb's sectors %u-%u (%u KiB), past the ext2 file system\n", raw_first,
                     whole.sectors - 1, raw.sectors / 2);
}

int main(u32 role, u32 arg)
{
    (void)role;
    sessions[0].open = true;
    sessions[0].gen = VFS_BADGE_GEN(VFS_ROOT_BADGE);
    sessions[0].parent = NO_PARENT;
    sessions[0].ngrants = 1;
    sessions[0].quota = VFS_MAX_SESSIONS - 1;
    sessions[0].grants[0] = (struct grant){ true, 1, "/" };
    for (u32 i = 1; i < VFS_MAX_SESSIONS; i++)
        sessions[i].parent = NO_PARENT;
    mounts[MOUNT_TMP].fs = vfs_ram_init();
    if (arg & VFS_ARG_DISK)
        mount_hdb(arg);
    else
        telos_print("TelOS: vfs: no second disk: /disk not mounted\n");
    if (arg & VFS_ARG_PS)
        mounts[MOUNT_IMAGE].fs = vfs_image_init(PS_EP);
    telos_printf("TelOS: vfs: serving /tmp (ram)%s%s%s\n", mounts[MOUNT_DISK].fs ? ", /disk (posix on hdb)" : "",
                 mounts[MOUNT_DEV].fs ? ", /dev (block on hdb)" : "",
                 mounts[MOUNT_IMAGE].fs ? ", /image (living_image of the PS)" : "");
    static u32 req[TELOS_MAX_MRS], rep[TELOS_MAX_MRS];
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(EP, &m);
    for (;;) {
        struct request r = { TELOS_MSG_LENGTH(info), req };
        if (r.len > TELOS_MAX_MRS)
            r.len = TELOS_MAX_MRS;
        for (u32 i = 0; i < r.len; i++)
            req[i] = i < TELOS_FAST_MRS ? m.mr[i] : telos_ipc->msg[i];
        u32 rlen, caps;
        u32 status = serve(m.badge, TELOS_MSG_LABEL(info), &r, rep, &rlen, &caps);
        if (status)
            rlen = caps = 0;
        telos_put_words(&m, rep, rlen);
        info = telos_reply_recv(EP, TELOS_MSG_INFO(status, caps, rlen), &m);
    }
}
