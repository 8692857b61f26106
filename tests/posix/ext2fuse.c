/* FUSE 3 adapter for the posix file-system core (tests only, not part of TelOS): mounts an
 * ext2 image file and answers the kernel's low-level requests with the core. It runs
 * single-threaded and without default_permissions, and passes each caller's uid, gid and
 * supplementary groups, so every permission decision pjdfstest sees is the core's own.
 * Entry and attribute timeouts are 0 so the kernel asks again on every path walk (a cached
 * lookup would skip the search-permission check of a different caller).
 *
 * usage: ext2fuse IMAGE MOUNTPOINT [-o fuse-options] [--cache BLOCKS]    (stays in foreground) */
#define FUSE_USE_VERSION 34
#define _GNU_SOURCE
#include <fuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "hostdev.h"

static struct e2_fs *fs;
static struct hostdev dev;
static int unmount_status;

/* FUSE's root is inode 1, ext2's is 2; inode 1 (bad blocks) never shows in a directory. */
static e2_u32 to_e2(fuse_ino_t i) { return i == FUSE_ROOT_ID ? E2_ROOT_INO : (e2_u32)i; }
static fuse_ino_t to_fuse(e2_u32 i) { return i == E2_ROOT_INO ? FUSE_ROOT_ID : i; }

struct caller { struct e2_cred c; e2_u32 groups[64]; };
static const struct e2_cred *cred(fuse_req_t req, struct caller *k)
{
    const struct fuse_ctx *x = fuse_req_ctx(req);
    k->c.uid = x->uid;
    k->c.gid = x->gid;
    gid_t g[64];
    int n = fuse_req_getgroups(req, 64, g);
    if (n < 0) n = 0;
    if (n > 64) n = 64;
    for (int i = 0; i < n; i++) k->groups[i] = g[i];
    k->c.ngroups = (e2_u32)n;
    k->c.groups = k->groups;
    return &k->c;
}

static void to_stat(const struct e2_stat *s, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_ino = to_fuse(s->ino);
    st->st_mode = s->mode;
    st->st_nlink = s->nlink;
    st->st_uid = s->uid;
    st->st_gid = s->gid;
    st->st_rdev = makedev(s->rdev_major, s->rdev_minor);
    st->st_size = (off_t)s->size;
    st->st_blocks = (blkcnt_t)s->blocks;
    st->st_blksize = s->blksize;
    st->st_atim.tv_sec = s->atime; st->st_atim.tv_nsec = s->atime_ns;
    st->st_mtim.tv_sec = s->mtime; st->st_mtim.tv_nsec = s->mtime_ns;
    st->st_ctim.tv_sec = s->ctime; st->st_ctim.tv_nsec = s->ctime_ns;
}

/* The entry for ino, now held for the kernel (it keeps a lookup count until FORGET). */
static int entry_of(e2_u32 ino, struct fuse_entry_param *e)
{
    struct e2_stat s;
    int r = e2_getattr(fs, ino, &s);
    if (r || (r = e2_hold(fs, ino)) != 0) return r;
    memset(e, 0, sizeof *e);
    e->ino = to_fuse(ino);
    e->generation = s.generation;
    to_stat(&s, &e->attr);
    e->attr_timeout = 0;
    e->entry_timeout = 0;
    return 0;
}

/* Answers a request that names an inode (lookup, mknod, mkdir, ...). */
static void reply_entry(fuse_req_t req, int r, e2_u32 ino)
{
    struct fuse_entry_param e;
    if (!r) r = entry_of(ino, &e);
    if (r) { fuse_reply_err(req, -r); return; }
    if (fuse_reply_entry(req, &e)) e2_release(fs, ino, 1);
}

static void reply_attr(fuse_req_t req, e2_u32 ino)
{
    struct e2_stat s;
    int r = e2_getattr(fs, ino, &s);
    if (r) { fuse_reply_err(req, -r); return; }
    struct stat st;
    to_stat(&s, &st);
    fuse_reply_attr(req, &st, 0);
}

static void op_init(void *ud, struct fuse_conn_info *conn)
{
    (void)ud;
    /* open(O_TRUNC) reaches open, where the core checks write permission, instead of an
     * unchecked setattr after it */
    if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
    conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
}

static void op_destroy(void *ud)
{
    (void)ud;
    if (fs) unmount_status = e2_unmount(fs);
    fs = NULL;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct caller k;
    e2_u32 ino;
    int r = e2_lookup(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name), &ino);
    reply_entry(req, r, ino);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t n)
{
    e2_release(fs, to_e2(ino), n);
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
    for (size_t i = 0; i < count; i++) e2_release(fs, to_e2(f[i].ino), f[i].nlookup);
    fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    reply_attr(req, to_e2(ino));
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
    struct caller k;
    struct e2_setattr a;
    memset(&a, 0, sizeof a);
    if (to_set & FUSE_SET_ATTR_MODE) { a.valid |= E2_SET_MODE; a.mode = attr->st_mode; }
    if (to_set & FUSE_SET_ATTR_UID) { a.valid |= E2_SET_UID; a.uid = attr->st_uid; }
    if (to_set & FUSE_SET_ATTR_GID) { a.valid |= E2_SET_GID; a.gid = attr->st_gid; }
    if (to_set & FUSE_SET_ATTR_SIZE) { a.valid |= E2_SET_SIZE; a.size = (e2_u64)attr->st_size; }
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) a.valid |= E2_SET_ATIME_NOW;
    else if (to_set & FUSE_SET_ATTR_ATIME) { a.valid |= E2_SET_ATIME; a.atime = attr->st_atim.tv_sec; a.atime_ns = (e2_u32)attr->st_atim.tv_nsec; }
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) a.valid |= E2_SET_MTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_MTIME) { a.valid |= E2_SET_MTIME; a.mtime = attr->st_mtim.tv_sec; a.mtime_ns = (e2_u32)attr->st_mtim.tv_nsec; }
    if (fi) a.valid |= E2_SET_OPEN_FILE;
    int r = e2_setattr(fs, cred(req, &k), to_e2(ino), &a);
    if (r) { fuse_reply_err(req, -r); return; }
    reply_attr(req, to_e2(ino));
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    char buf[E2_PATH_MAX + 1];
    e2_u32 len;
    int r = e2_readlink(fs, to_e2(ino), buf, E2_PATH_MAX, &len);
    if (r) { fuse_reply_err(req, -r); return; }
    buf[len] = 0;
    fuse_reply_readlink(req, buf);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    struct caller k;
    e2_u32 ino;
    int r = e2_mknod(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name), mode, major(rdev), minor(rdev), &ino);
    reply_entry(req, r, ino);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    struct caller k;
    e2_u32 ino;
    int r = e2_mkdir(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name), mode, &ino);
    reply_entry(req, r, ino);
}

static void op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
    struct caller k;
    e2_u32 ino;
    int r = e2_symlink(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name), target, (e2_u32)strlen(target), &ino);
    reply_entry(req, r, ino);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
    struct caller k;
    int r = e2_link(fs, cred(req, &k), to_e2(ino), to_e2(parent), name, (e2_u32)strlen(name));
    reply_entry(req, r, to_e2(ino));
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct caller k;
    fuse_reply_err(req, -e2_unlink(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name)));
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct caller k;
    fuse_reply_err(req, -e2_rmdir(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name)));
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags)
{
    struct caller k;
    fuse_reply_err(req, -e2_rename(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name),
                                   to_e2(newparent), newname, (e2_u32)strlen(newname), flags));
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct caller k;
    int r = e2_open(fs, cred(req, &k), to_e2(ino), fi->flags & O_ACCMODE, !!(fi->flags & O_TRUNC));
    if (r) { fuse_reply_err(req, -r); return; }
    fuse_reply_open(req, fi);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
    struct caller k;
    e2_u32 ino;
    int r = e2_mknod(fs, cred(req, &k), to_e2(parent), name, (e2_u32)strlen(name), (mode & 07777) | S_IFREG, 0, 0, &ino);
    struct fuse_entry_param e;
    if (!r) r = entry_of(ino, &e);
    if (r) { fuse_reply_err(req, -r); return; }
    if (fuse_reply_create(req, &e, fi)) e2_release(fs, ino, 1);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    char *buf = malloc(size ? size : 1);
    if (!buf) { fuse_reply_err(req, ENOMEM); return; }
    long n = e2_read(fs, to_e2(ino), (e2_u64)off, buf, (e2_u32)size);
    if (n < 0) fuse_reply_err(req, (int)-n);
    else fuse_reply_buf(req, buf, (size_t)n);
    free(buf);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    struct caller k;
    long n = e2_write(fs, cred(req, &k), to_e2(ino), (e2_u64)off, buf, (e2_u32)size);
    if (n < 0) fuse_reply_err(req, (int)-n);
    else fuse_reply_write(req, (size_t)n);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)ino; (void)datasync; (void)fi;
    fuse_reply_err(req, -e2_sync(fs));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct caller k;
    int r = e2_access(fs, cred(req, &k), to_e2(ino), E2_MAY_READ);
    if (r) { fuse_reply_err(req, -r); return; }
    struct e2_stat s;
    if ((r = e2_getattr(fs, to_e2(ino), &s)) != 0) { fuse_reply_err(req, -r); return; }
    if (!S_ISDIR(s.mode)) { fuse_reply_err(req, ENOTDIR); return; }
    fuse_reply_open(req, fi);
}

struct dirfill { fuse_req_t req; char *buf; size_t size, used; };
static int fill(void *arg, const char *name, e2_u32 len, e2_u32 ino, e2_u32 dtype, e2_u64 next)
{
    struct dirfill *d = arg;
    char nm[E2_NAME_MAX + 1];
    memcpy(nm, name, len);
    nm[len] = 0;
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_ino = to_fuse(ino);
    st.st_mode = dtype << 12;
    size_t need = fuse_add_direntry(d->req, d->buf + d->used, d->size - d->used, nm, &st, (off_t)next);
    if (need > d->size - d->used) return 1;
    d->used += need;
    return 0;
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    struct dirfill d = { req, malloc(size), size, 0 };
    if (!d.buf) { fuse_reply_err(req, ENOMEM); return; }
    e2_u64 cookie = (e2_u64)off;
    int r = e2_readdir(fs, NULL, to_e2(ino), &cookie, fill, &d);     /* read permission: checked at opendir */
    if (r && d.used == 0) fuse_reply_err(req, -r);
    else fuse_reply_buf(req, d.buf, d.used);
    free(d.buf);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    struct e2_statfs s;
    e2_statfs(fs, &s);
    struct statvfs v;
    memset(&v, 0, sizeof v);
    v.f_bsize = v.f_frsize = s.bsize;
    v.f_blocks = s.blocks; v.f_bfree = s.bfree; v.f_bavail = s.bavail;
    v.f_files = s.files; v.f_ffree = v.f_favail = s.ffree;
    v.f_namemax = s.namemax;
    fuse_reply_statfs(req, &v);
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
    struct caller k;
    fuse_reply_err(req, -e2_access(fs, cred(req, &k), to_e2(ino), mask));
}

static const struct fuse_lowlevel_ops ops = {
    .init = op_init, .destroy = op_destroy, .lookup = op_lookup, .forget = op_forget,
    .forget_multi = op_forget_multi, .getattr = op_getattr, .setattr = op_setattr,
    .readlink = op_readlink, .mknod = op_mknod, .mkdir = op_mkdir, .unlink = op_unlink,
    .rmdir = op_rmdir, .symlink = op_symlink, .rename = op_rename, .link = op_link,
    .open = op_open, .read = op_read, .write = op_write, .fsync = op_fsync,
    .opendir = op_opendir, .readdir = op_readdir, .fsyncdir = op_fsync, .statfs = op_statfs,
    .access = op_access, .create = op_create,
};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IMAGE MOUNTPOINT [-o fuse-options] [--cache BLOCKS]\n", argv[0]);
        return 2;
    }
    const char *image = argv[1], *mnt = argv[2];
    unsigned cache = 8192;
    char opts[4200];
    snprintf(opts, sizeof opts, "fsname=%s,subtype=ext2,allow_other", image);
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    fuse_opt_add_arg(&args, argv[0]);
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--cache") && i + 1 < argc) { cache = (unsigned)atoi(argv[++i]); continue; }
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            if (strstr(argv[i + 1], "default_permissions")) {
                fprintf(stderr, "ext2fuse: default_permissions would hide the core's permission checks\n");
                return 2;
            }
            fuse_opt_add_arg(&args, "-o");
            fuse_opt_add_arg(&args, argv[++i]);
            continue;
        }
        fprintf(stderr, "ext2fuse: unknown argument %s\n", argv[i]);
        return 2;
    }
    fuse_opt_add_arg(&args, "-o");
    fuse_opt_add_arg(&args, opts);
    int r = hostdev_open(&dev, image, 0);
    if (r) { fprintf(stderr, "ext2fuse: %s: %s\n", image, strerror(-r)); return 1; }
    struct e2_dev d = hostdev_dev(&dev);
    if ((r = e2_mount(&fs, &d, 0, cache)) != 0) {
        fprintf(stderr, "ext2fuse: %s: cannot mount: %s\n", image, strerror(-r));
        return 1;
    }
    struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
    if (!se) { e2_unmount(fs); return 1; }
    if (fuse_set_signal_handlers(se) || fuse_session_mount(se, mnt)) { fuse_session_destroy(se); return 1; }
    int loop = fuse_session_loop(se);                 /* one thread: the core is not reentrant */
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);                         /* runs op_destroy: the core unmounts */
    if (fs) op_destroy(NULL);
    hostdev_close(&dev);
    fuse_opt_free_args(&args);
    if (unmount_status) { fprintf(stderr, "ext2fuse: unmount: %s\n", strerror(-unmount_status)); return 1; }
    return loop ? 1 : 0;
}
