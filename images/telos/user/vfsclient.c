/* The file API over vfs_server sessions (user/vfsclient.h). */
#include "user/vfsclient.h"
#include "user/telos.h"
#include "lib/string.h"

static u32 req[TELOS_MAX_MRS], rep[TELOS_MAX_MRS];

/* Appends a path (length word, bytes) at word *n; false when it does not fit. */
static bool put_path(u32 *n, const char *path)
{
    u32 len = strlen(path), words = (len + 3) / 4;
    if (*n + 1 + words > TELOS_MAX_MRS)
        return false;
    req[*n] = len;
    memset(&req[*n + 1], 0, words * 4);
    memcpy(&req[*n + 1], path, len);
    *n += 1 + words;
    return true;
}

static u32 call(u32 ep, u32 label, u32 n, u32 *rlen)
{
    u32 len = 0;
    u32 err = telos_call_words(ep, label, n, req, rep, &len);
    if (rlen)
        *rlen = len;
    return err;
}

static u32 path_call(u32 ep, u32 label, const char *path)
{
    u32 n = 0;
    if (!put_path(&n, path))
        return VFS_ENAMETOOLONG;
    return call(ep, label, n, NULL);
}

u32 vfs_open(u32 ep, const char *path, u32 flags, struct vfs_file *f)
{
    u32 n = 1;
    req[0] = flags;
    if (!put_path(&n, path))
        return VFS_ENAMETOOLONG;
    u32 err = call(ep, VFS_OPEN, n, NULL);
    f->ep = ep;
    f->handle = err ? 0 : rep[0];
    f->pos = 0;
    return err;
}

u32 vfs_read_at(u32 ep, u32 handle, u64 off, void *buf, u32 n, u32 *got)
{
    *got = 0;
    while (n) {
        u32 k = n > VFS_MAX_DATA ? VFS_MAX_DATA : n, len;
        req[0] = handle;
        req[1] = (u32)off;
        req[2] = (u32)(off >> 32);
        req[3] = k;
        u32 err = call(ep, VFS_READ, 4, &len);
        if (err)
            return err;
        u32 r = rep[0];
        if (r > k || len < 1 + (r + 3) / 4)
            return VFS_EIO;
        memcpy((u8 *)buf + *got, &rep[1], r);
        *got += r;
        if (r < k)
            break;
        off += r;
        n -= r;
    }
    return 0;
}

u32 vfs_write_at(u32 ep, u32 handle, u64 off, const void *buf, u32 n)
{
    while (n) {
        u32 k = n > VFS_MAX_DATA ? VFS_MAX_DATA : n;
        req[0] = handle;
        req[1] = (u32)off;
        req[2] = (u32)(off >> 32);
        req[3] = k;
        memset(&req[4], 0, (k + 3) / 4 * 4);
        memcpy(&req[4], buf, k);
        u32 err = call(ep, VFS_WRITE, 4 + (k + 3) / 4, NULL);
        if (err)
            return err;
        if (rep[0] != k)
            return VFS_ENOSPC;
        off += k;
        n -= k;
        buf = (const u8 *)buf + k;
    }
    return 0;
}

u32 vfs_read(struct vfs_file *f, void *buf, u32 n, u32 *got)
{
    u32 err = vfs_read_at(f->ep, f->handle, f->pos, buf, n, got);
    f->pos += *got;
    return err;
}

u32 vfs_write(struct vfs_file *f, const void *buf, u32 n)
{
    u32 err = vfs_write_at(f->ep, f->handle, f->pos, buf, n);
    if (!err)
        f->pos += n;
    return err;
}

u32 vfs_close(struct vfs_file *f)
{
    req[0] = f->handle;
    return call(f->ep, VFS_CLOSE, 1, NULL);
}

u32 vfs_stat(u32 ep, const char *path, struct vfs_stat *st)
{
    u32 err = path_call(ep, VFS_STAT, path);
    if (!err) {
        st->type = rep[0];
        st->size = rep[1] | ((u64)rep[2] << 32);
        st->links = rep[3];
    }
    return err;
}

u32 vfs_readdir(u32 ep, const char *path, u64 *cookie, struct vfs_entry *e, bool *end)
{
    u32 n = 2, len;
    req[0] = (u32)*cookie;
    req[1] = (u32)(*cookie >> 32);
    if (!put_path(&n, path))
        return VFS_ENAMETOOLONG;
    u32 err = call(ep, VFS_READDIR, n, &len);
    if (err)
        return err;
    *end = rep[0] == 0;
    *cookie = rep[1] | ((u64)rep[2] << 32);
    if (*end)
        return 0;
    u32 name_len = rep[6];
    if (len < 7 || name_len > VFS_NAME_MAX || len < 7 + (name_len + 3) / 4)
        return VFS_EIO;
    e->type = rep[3];
    e->size = rep[4] | ((u64)rep[5] << 32);
    memcpy(e->name, &rep[7], name_len);
    e->name[name_len] = 0;
    return 0;
}

u32 vfs_mkdir(u32 ep, const char *path) { return path_call(ep, VFS_MKDIR, path); }
u32 vfs_unlink(u32 ep, const char *path) { return path_call(ep, VFS_UNLINK, path); }

u32 vfs_rename(u32 ep, const char *from, const char *to)
{
    u32 n = 0;
    if (!put_path(&n, from) || !put_path(&n, to))
        return VFS_ENAMETOOLONG;
    return call(ep, VFS_RENAME, n, NULL);
}

u32 vfs_statfs(u32 ep, const char *path, struct vfs_fsinfo *info)
{
    u32 len, err = path_call(ep, VFS_STATFS, path);
    (void)len;
    if (err)
        return err;
    info->block_size = rep[0];
    info->blocks = rep[1];
    info->free_blocks = rep[2];
    info->inodes = rep[3];
    info->free_inodes = rep[4];
    u32 n = rep[5] < sizeof info->plugin - 1 ? rep[5] : sizeof info->plugin - 1;
    memcpy(info->plugin, &rep[6], n);
    info->plugin[n] = 0;
    return 0;
}

u32 vfs_sync(u32 ep) { return call(ep, VFS_SYNC, 0, NULL); }

u32 vfs_session(u32 ep, const struct vfs_grant *grants, u32 count, u32 quota, u32 slot)
{
    u32 n = 2;
    req[0] = count;
    req[1] = quota;
    for (u32 i = 0; i < count; i++) {
        if (n >= TELOS_MAX_MRS)
            return VFS_ENAMETOOLONG;
        req[n++] = grants[i].rights;
        if (!put_path(&n, grants[i].path))
            return VFS_ENAMETOOLONG;
    }
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_put_words(&m, req, n);
    telos_ipc->receive_index = slot;
    u32 info = telos_call(ep, TELOS_MSG_INFO(VFS_SESSION, 0, n), &m);
    telos_ipc->receive_index = 0;
    u32 err = TELOS_MSG_LABEL(info);
    /* The kernel counts the capabilities it put in our slot: none when ep lacks Grant or
     * the slot is not empty, and then the answer names a session no one can reach. The
     * server cannot see that: we close it by its badge, so it does not stay allocated. */
    if (!err && TELOS_MSG_EXTRA_CAPS(info) != 1) {
        req[0] = m.mr[0];
        call(ep, VFS_SESSION_CLOSE, 1, NULL);
        err = TELOS_EFAILED_LOOKUP;
    }
    return err;
}

u32 vfs_session_close(u32 ep) { return call(ep, VFS_SESSION_CLOSE, 0, NULL); }

const char *vfs_error_name(u32 err)
{
    static const char *const names[] = {
        "no such file or directory", "already exists", "not a directory", "is a directory", "directory not empty",
        "no space left", "I/O error", "read-only", "outside the session's namespace", "malformed path",
        "no such handle", "too many open", "across mounts", "invalid argument", "name too long",
        "symbolic link in the path", "busy (a mount point)", "more rights than granted", "handle not open for that",
        "session quota used up",
    };
    if (err >= VFS_ENOENT && err < VFS_ENOENT + sizeof names / sizeof names[0])
        return names[err - VFS_ENOENT];
    return telos_error_name(err);
}
