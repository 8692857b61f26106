/* Host test tool for the posix file-system core (tests only):
 *
 *   e2host fill IMAGE              write the standard tree (files up to 10 MiB, a sparse file
 *                                  past 4 GiB, directories, hard and symbolic links, a FIFO,
 *                                  device nodes, nanosecond times) through the core
 *   e2host check IMAGE             read the standard tree back through the core and verify it
 *   e2host compare IMAGE DIR [IMAGEPATH] [--loose]
 *                                  the tree at IMAGEPATH in IMAGE (read through the core,
 *                                  default the root) equals the host
 *                                  directory DIR: types, modes, owners, sizes, link counts,
 *                                  nanosecond mtimes, device numbers, contents, link targets;
 *                                  --loose (for a debugfs rdump): contents, types, link targets,
 *                                  modes, owners and mtime seconds only, special files skipped
 *   e2host crash TEMPLATE WORK N [--lose-unflushed]
 *                                  N power cuts: for each, copy TEMPLATE to WORK, run a
 *                                  workload that fsyncs some files, cut the power at a chosen
 *                                  block write, run e2fsck -fy then -fn, and check that every
 *                                  file whose fsync returned before the cut is intact
 *
 *   e2host robust WORKDIR          bad input and full disks: images that are not ext2, have
 *                                  foreign features or are cut short; ENOSPC for data, inodes
 *                                  and the reserved blocks; a damaged directory block
 *   e2host mkfs IMAGE [BLOCKSIZE]  an empty file system over the whole image file (e2_mkfs)
 *   e2host bench IMAGE RAWFILE     4 MiB through the core against raw I/O (for bench/)
 *
 * Exit status 0 when everything held; the last line reads "N passed, N failed". */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hostdev.h"

static int passed, failed;
static void ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cond) passed++;
    else {
        failed++;
        printf("not ok - ");
        vprintf(fmt, ap);
        printf("\n");
    }
    va_end(ap);
}
static int summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

static const struct e2_cred root_cred = { 0, 0, 0, 0 };

/* deterministic content: byte i of stream seed */
static void pattern(unsigned seed, unsigned long long off, unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned long long x = (off + i) / 8 * 0x9E3779B97F4A7C15ULL ^ ((unsigned long long)seed << 32 | seed);
        x ^= x >> 29; x *= 0xBF58476D1CE4E5B9ULL; x ^= x >> 32;
        buf[i] = (unsigned char)(x >> (8 * ((off + i) % 8)));
    }
}

struct mnt { struct hostdev h; struct e2_dev d; struct e2_fs *fs; };
static int mnt_open(struct mnt *m, const char *image, unsigned flags)
{
    int r = hostdev_open(&m->h, image, flags & E2_MOUNT_RDONLY);
    if (r) return r;
    m->d = hostdev_dev(&m->h);
    r = e2_mount(&m->fs, &m->d, flags, 256);
    if (r) hostdev_close(&m->h);
    return r;
}
static int mnt_close(struct mnt *m)
{
    int r = e2_unmount(m->fs);
    hostdev_close(&m->h);
    return r;
}

/* path helpers over the core */
static int walk(struct e2_fs *fs, const char *path, int follow, e2_u32 *ino)
{
    e2_u32 parent, ll;
    const char *last;
    int r = e2_resolve(fs, &root_cred, path, follow, ino, &parent, &last, &ll);
    if (!r && !*ino) r = -E2_ENOENT;
    return r;
}
static int parent_of(struct e2_fs *fs, const char *path, e2_u32 *dir, const char **name)
{
    const char *slash = strrchr(path, '/');
    char d[4096];
    size_t n = (size_t)(slash - path);
    memcpy(d, path, n);
    d[n] = 0;
    *name = slash + 1;
    return walk(fs, n ? d : "/", 1, dir);
}
static int mk(struct e2_fs *fs, const char *path, unsigned mode, unsigned ma, unsigned mi, e2_u32 *ino)
{
    e2_u32 dir, i;
    const char *name;
    int r = parent_of(fs, path, &dir, &name);
    if (r) return r;
    if (S_ISDIR(mode)) r = e2_mkdir(fs, &root_cred, dir, name, (e2_u32)strlen(name), mode, &i);
    else r = e2_mknod(fs, &root_cred, dir, name, (e2_u32)strlen(name), mode, ma, mi, &i);
    if (ino) *ino = i;
    return r;
}
static int put(struct e2_fs *fs, const char *path, unsigned seed, unsigned long long size, e2_u32 *ino)
{
    e2_u32 i;
    int r = mk(fs, path, S_IFREG | 0644, 0, 0, &i);
    if (r) return r;
    static unsigned char buf[65536];
    for (unsigned long long off = 0; off < size;) {
        size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
        pattern(seed, off, buf, n);
        long w = e2_write(fs, &root_cred, i, off, buf, (e2_u32)n);
        if (w < 0) return (int)w;
        if ((size_t)w != n) return -E2_EIO;
        off += n;
    }
    if (ino) *ino = i;
    return 0;
}
/* 1 when the file at path holds exactly stream seed of size bytes */
static int same_pattern(struct e2_fs *fs, const char *path, unsigned seed, unsigned long long size)
{
    e2_u32 ino;
    struct e2_stat st;
    if (walk(fs, path, 1, &ino) || e2_getattr(fs, ino, &st) || st.size != size) return 0;
    static unsigned char a[65536], b[65536];
    for (unsigned long long off = 0; off < size;) {
        size_t n = size - off < sizeof a ? (size_t)(size - off) : sizeof a;
        long r = e2_read(fs, ino, off, a, (e2_u32)n);
        if (r != (long)n) return 0;
        pattern(seed, off, b, n);
        if (memcmp(a, b, n)) return 0;
        off += n;
    }
    return 1;
}

/* ---- fill / check ---------------------------------------------------------------------- */
#define BIG (10u << 20)
#define SPARSE_AT (5ULL << 30)
static const char *slow_target(void)
{
    static char t[201];
    for (int i = 0; i < 200; i++) t[i] = (char)('a' + i % 26);
    t[200] = 0;
    return t;
}

static int cmd_fill(const char *image)
{
    struct mnt m;
    int r = mnt_open(&m, image, 0);
    if (r) { printf("not ok - mount %s: %d\n", image, r); return 1; }
    struct e2_fs *fs = m.fs;
    e2_u32 ino, dir;
    const char *name;
    ok(mk(fs, "/docs", S_IFDIR | 0755, 0, 0, 0) == 0, "mkdir /docs");
    ok(put(fs, "/docs/big.bin", 7, BIG, 0) == 0, "write 10 MiB file");
    ok(put(fs, "/docs/small.txt", 8, 6, &ino) == 0, "write small file");
    ok(parent_of(fs, "/docs/hard", &dir, &name) == 0 && e2_link(fs, &root_cred, ino, dir, name, 4) == 0, "hard link");
    ok(e2_symlink(fs, &root_cred, dir, "fast", 4, "small.txt", 9, &ino) == 0, "fast symlink");
    ok(e2_symlink(fs, &root_cred, dir, "slow", 4, slow_target(), 200, &ino) == 0, "slow symlink");
    ok(mk(fs, "/docs/fifo", S_IFIFO | 0600, 0, 0, 0) == 0, "mkfifo");
    ok(mk(fs, "/docs/chr", S_IFCHR | 0600, 1, 3, 0) == 0, "char device");
    ok(mk(fs, "/docs/blk", S_IFBLK | 0600, 8, 0x12345, 0) == 0, "block device, large minor");
    /* sparse: data at 70 MB (triple indirect on 1 KiB blocks) and past 5 GiB */
    ok(mk(fs, "/docs/sparse", S_IFREG | 0600, 0, 0, &ino) == 0, "sparse file");
    ok(e2_write(fs, &root_cred, ino, 70000000, "middle", 6) == 6, "sparse write at 70 MB");
    ok(e2_write(fs, &root_cred, ino, SPARSE_AT, "end", 3) == 3, "sparse write past 5 GiB");
    /* times with nanoseconds, one past 2038 (epoch bits) */
    struct e2_setattr a = { .valid = E2_SET_MTIME | E2_SET_ATIME | E2_SET_UID | E2_SET_GID, .uid = 1000, .gid = 1001,
                            .mtime = 1234567890, .mtime_ns = 123456789, .atime = 2147483648LL + 5, .atime_ns = 999999999 };
    ok(walk(fs, "/docs/small.txt", 0, &ino) == 0 && e2_setattr(fs, &root_cred, ino, &a) == 0, "setattr times and owner");
    ok(mk(fs, "/deep", S_IFDIR | 0700, 0, 0, 0) == 0 && mk(fs, "/deep/a", S_IFDIR | 0755, 0, 0, 0) == 0 &&
       mk(fs, "/deep/a/b", S_IFDIR | 0755, 0, 0, 0) == 0 && mk(fs, "/deep/a/b/c", S_IFDIR | 0755, 0, 0, 0) == 0,
       "nested directories");
    ok(mk(fs, "/many", S_IFDIR | 0755, 0, 0, 0) == 0, "mkdir /many");
    char p[64];
    int bad = 0;
    for (int i = 0; i < 400; i++) {
        snprintf(p, sizeof p, "/many/file-with-a-longish-name-%03d", i);
        bad += put(fs, p, (unsigned)i, (unsigned)i * 37, 0) != 0;
    }
    ok(!bad, "400 files in one directory");
    bad = 0;
    for (int i = 0; i < 400; i += 3) {
        snprintf(p, sizeof p, "file-with-a-longish-name-%03d", i);
        bad += walk(fs, "/many", 1, &dir) || e2_unlink(fs, &root_cred, dir, p, (e2_u32)strlen(p)) != 0;
    }
    ok(!bad, "every third removed");
    e2_u32 d1, d2;
    ok(walk(fs, "/deep/a/b", 1, &d1) == 0 && walk(fs, "/docs", 1, &d2) == 0 &&
       e2_rename(fs, &root_cred, d1, "c", 1, d2, "moved", 5, 0) == 0, "rename a directory across parents");
    ok(put(fs, "/docs/victim", 9, 5000, 0) == 0 && put(fs, "/docs/over", 10, 3000, 0) == 0 &&
       e2_rename(fs, &root_cred, d2, "over", 4, d2, "victim", 6, 0) == 0, "rename over a file");
    ok(mnt_close(&m) == 0, "unmount");
    return summary();
}

static int cmd_check(const char *image)
{
    struct mnt m;
    int r = mnt_open(&m, image, E2_MOUNT_RDONLY);
    if (r) { printf("not ok - mount %s: %d\n", image, r); return 1; }
    struct e2_fs *fs = m.fs;
    e2_u32 ino;
    struct e2_stat st;
    char buf[256];
    e2_u32 len;
    ok(same_pattern(fs, "/docs/big.bin", 7, BIG), "10 MiB file content");
    ok(same_pattern(fs, "/docs/hard", 8, 6), "hard link content");
    ok(walk(fs, "/docs/hard", 0, &ino) == 0 && e2_getattr(fs, ino, &st) == 0 && st.nlink == 2, "link count 2");
    ok(st.mtime == 1234567890 && st.mtime_ns == 123456789 && st.atime == 2147483648LL + 5 && st.atime_ns == 999999999 &&
       st.uid == 1000 && st.gid == 1001, "times with nanoseconds past 2038, owner");
    ok(walk(fs, "/docs/fast", 0, &ino) == 0 && e2_readlink(fs, ino, buf, sizeof buf, &len) == 0 && len == 9 &&
       !memcmp(buf, "small.txt", 9), "fast symlink");
    ok(walk(fs, "/docs/slow", 0, &ino) == 0 && e2_readlink(fs, ino, buf, sizeof buf, &len) == 0 && len == 200 &&
       !memcmp(buf, slow_target(), 200), "slow symlink");
    ok(same_pattern(fs, "/docs/fast", 8, 6), "path through a symlink");
    ok(walk(fs, "/docs/fifo", 0, &ino) == 0 && e2_getattr(fs, ino, &st) == 0 && S_ISFIFO(st.mode), "fifo");
    ok(walk(fs, "/docs/blk", 0, &ino) == 0 && e2_getattr(fs, ino, &st) == 0 && S_ISBLK(st.mode) &&
       st.rdev_major == 8 && st.rdev_minor == 0x12345, "block device numbers");
    ok(walk(fs, "/docs/sparse", 0, &ino) == 0 && e2_getattr(fs, ino, &st) == 0 && st.size == SPARSE_AT + 3, "sparse size");
    ok(st.blocks <= 64, "sparse file allocates little (%llu sectors)", (unsigned long long)st.blocks);
    ok(e2_read(fs, ino, 70000000, buf, 6) == 6 && !memcmp(buf, "middle", 6) && e2_read(fs, ino, SPARSE_AT, buf, 10) == 3 &&
       !memcmp(buf, "end", 3), "sparse data");
    ok(e2_read(fs, ino, 4000000000ULL, buf, 100) == 100 && !memcmp(buf, (char[100]){0}, 100), "hole reads zeros");
    int bad = 0;
    char p[64];
    for (int i = 0; i < 400; i++) {
        snprintf(p, sizeof p, "/many/file-with-a-longish-name-%03d", i);
        int there = walk(fs, p, 0, &ino) == 0;
        bad += (i % 3 == 0) ? there : !same_pattern(fs, p, (unsigned)i, (unsigned)i * 37);
    }
    ok(!bad, "directory of 400 less every third");
    ok(walk(fs, "/docs/moved", 0, &ino) == 0 && walk(fs, "/deep/a/b/c", 0, &ino) == -E2_ENOENT, "renamed directory");
    ok(walk(fs, "/docs/moved/..", 1, &ino) == 0 && walk(fs, "/docs", 1, &st.ino) == 0 && ino == st.ino, "its .. follows");
    ok(same_pattern(fs, "/docs/victim", 10, 3000) && walk(fs, "/docs/over", 0, &ino) == -E2_ENOENT, "rename over a file");
    mnt_close(&m);
    return summary();
}

/* ---- compare ---------------------------------------------------------------------------- */
static int loose;
struct names { char **v; int n; };
static int collect(void *arg, const char *name, e2_u32 len, e2_u32 ino, e2_u32 dtype, e2_u64 next)
{
    (void)ino; (void)dtype; (void)next;
    struct names *ns = arg;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) return 0;
    ns->v = realloc(ns->v, sizeof *ns->v * (size_t)(ns->n + 1));
    ns->v[ns->n++] = strndup(name, len);
    return 0;
}
static void compare_tree(struct e2_fs *fs, const char *host, const char *path, int top)
{
    struct stat hs;
    e2_u32 ino;
    struct e2_stat st;
    if (lstat(host, &hs)) { ok(0, "%s: lstat %s", path, strerror(errno)); return; }
    if (walk(fs, path[0] ? path : "/", 0, &ino) || e2_getattr(fs, ino, &st)) { ok(0, "%s: missing in the image", path); return; }
    int special = !(S_ISREG(hs.st_mode) || S_ISDIR(hs.st_mode) || S_ISLNK(hs.st_mode));
    ok((st.mode & S_IFMT) == (hs.st_mode & S_IFMT), "%s: type %o vs %o", path, st.mode & S_IFMT, hs.st_mode & S_IFMT);
    if (!top && !S_ISLNK(hs.st_mode))
        ok((st.mode & 07777) == (hs.st_mode & 07777), "%s: mode %o vs %o", path, st.mode & 07777, hs.st_mode & 07777);
    if (!top) ok(st.uid == hs.st_uid && st.gid == hs.st_gid, "%s: owner %u:%u vs %u:%u", path, st.uid, st.gid, hs.st_uid, hs.st_gid);
    if (!S_ISDIR(hs.st_mode)) ok(st.size == (unsigned long long)hs.st_size, "%s: size %llu vs %lld", path, (unsigned long long)st.size, (long long)hs.st_size);
    if (!S_ISLNK(hs.st_mode) && !S_ISDIR(hs.st_mode))
        ok(st.mtime == hs.st_mtim.tv_sec && (loose || st.mtime_ns == (e2_u32)hs.st_mtim.tv_nsec), "%s: mtime %lld.%09u vs %lld.%09ld",
           path, (long long)st.mtime, st.mtime_ns, (long long)hs.st_mtim.tv_sec, hs.st_mtim.tv_nsec);
    if (!loose && !S_ISDIR(hs.st_mode)) ok(st.nlink == hs.st_nlink, "%s: links %u vs %lu", path, st.nlink, (unsigned long)hs.st_nlink);
    if (S_ISCHR(hs.st_mode) || S_ISBLK(hs.st_mode))
        ok(st.rdev_major == major(hs.st_rdev) && st.rdev_minor == minor(hs.st_rdev), "%s: device numbers", path);
    if (S_ISREG(hs.st_mode)) {
        int fd = open(host, O_RDONLY);
        static char a[65536], b[65536];
        int same = fd >= 0;
        for (unsigned long long off = 0; same;) {
            ssize_t n = read(fd, a, sizeof a);
            if (n <= 0) { same = n == 0; break; }
            same = e2_read(fs, ino, off, b, (e2_u32)n) == n && !memcmp(a, b, (size_t)n);
            off += (unsigned long long)n;
        }
        if (fd >= 0) close(fd);
        ok(same, "%s: content", path);
    }
    if (S_ISLNK(hs.st_mode)) {
        char a[4097], b[4097];
        ssize_t n = readlink(host, a, sizeof a - 1);
        e2_u32 len;
        ok(n >= 0 && e2_readlink(fs, ino, b, sizeof b, &len) == 0 && len == (e2_u32)n && !memcmp(a, b, (size_t)n), "%s: link target", path);
    }
    (void)special;
    if (!S_ISDIR(hs.st_mode)) return;
    /* the same names on both sides (the image's lost+found aside) */
    struct names ns = { 0, 0 };
    e2_u64 cookie = 0;
    ok(e2_readdir(fs, &root_cred, ino, &cookie, collect, &ns) == 0, "%s: readdir", path);
    for (int i = 0; i < ns.n; i++) {
        char h[4096], p[4096];
        snprintf(h, sizeof h, "%s/%s", host, ns.v[i]);
        snprintf(p, sizeof p, "%s/%s", path, ns.v[i]);
        struct stat x;
        if (top && !strcmp(ns.v[i], "lost+found") && lstat(h, &x)) continue;
        if (lstat(h, &x)) {
            e2_u32 ci;
            struct e2_stat cs;
            int sp = walk(fs, p, 0, &ci) == 0 && e2_getattr(fs, ci, &cs) == 0 && !S_ISREG(cs.mode) && !S_ISDIR(cs.mode) && !S_ISLNK(cs.mode);
            if (!(loose && sp)) ok(0, "%s: only in the image", p);
            continue;
        }
        compare_tree(fs, h, p, 0);
    }
    DIR *d = opendir(host);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int found = 0;
        for (int i = 0; i < ns.n && !found; i++) found = !strcmp(ns.v[i], e->d_name);
        ok(found, "%s/%s: missing in the image", path, e->d_name);
    }
    if (d) closedir(d);
    for (int i = 0; i < ns.n; i++) free(ns.v[i]);
    free(ns.v);
}
static int cmd_compare(const char *image, const char *dir, const char *sub)
{
    struct mnt m;
    int r = mnt_open(&m, image, E2_MOUNT_RDONLY);
    if (r) { printf("not ok - mount %s: %d\n", image, r); return 1; }
    compare_tree(m.fs, dir, sub, 1);
    mnt_close(&m);
    return summary();
}

/* ---- crash ------------------------------------------------------------------------------ */
struct durable { char path[64]; unsigned seed; unsigned size; };

static int run(const char *cmd)
{
    int s = system(cmd);
    return WIFEXITED(s) ? WEXITSTATUS(s) : 128;
}
static int copy_file(const char *from, const char *to)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "cp --sparse=always '%s' '%s'", from, to);
    return run(cmd);
}

/* The workload: files in four directories, some fsynced (recorded in dur while the power is
 * on), with churn around them that frees and reuses blocks, renames, links and truncates.
 * Durable files are never written again; their link count and directory change around them. */
static int workload(struct mnt *m, struct durable *dur, int *ndur)
{
    struct e2_fs *fs = m->fs;
    char p[64], q[64];
    e2_u32 ino, dir;
    *ndur = 0;
    for (int d = 0; d < 4; d++) {
        snprintf(p, sizeof p, "/d%d", d);
        mk(fs, p, S_IFDIR | 0755, 0, 0, 0);
    }
    for (int r = 0; r < 48; r++) {
        unsigned size = 700u + (unsigned)r * 9973u % 300000u;
        snprintf(p, sizeof p, "/d%d/f%02d", r % 4, r);
        if (put(fs, p, (unsigned)r + 1000, size, &ino)) continue;
        if (r % 3 == 0) {
            int cut_before = m->h.cut;
            if (e2_sync(fs) == 0 && !cut_before && !m->h.cut && *ndur < 64) {
                struct durable *x = &dur[(*ndur)++];
                snprintf(x->path, sizeof x->path, "%s", p);
                x->seed = (unsigned)r + 1000; x->size = size;
            }
            /* a second name for the durable file, in another directory */
            snprintf(q, sizeof q, "/d%d/link%02d", (r + 1) % 4, r);
            e2_u32 qd;
            const char *qn;
            if (!parent_of(fs, q, &qd, &qn)) e2_link(fs, &root_cred, ino, qd, qn, (e2_u32)strlen(qn));
        } else if (r % 3 == 1) {
            /* churn: truncate, rename and remove files that were never fsynced */
            e2_u32 d2;
            snprintf(q, sizeof q, "f%02d", r);
            snprintf(p, sizeof p, "/d%d", r % 4);
            if (!walk(fs, p, 1, &dir) && !walk(fs, "/d0", 1, &d2)) {
                struct e2_setattr a = { .valid = E2_SET_SIZE, .size = size / 3 };
                e2_setattr(fs, &root_cred, ino, &a);
                char nn[32];
                snprintf(nn, sizeof nn, "renamed%02d", r);
                e2_rename(fs, &root_cred, dir, q, (e2_u32)strlen(q), d2, nn, (e2_u32)strlen(nn), 0);
            }
        } else {
            snprintf(q, sizeof q, "f%02d", r - 1);
            snprintf(p, sizeof p, "/d%d", (r - 1) % 4);
            if (!walk(fs, p, 1, &dir)) e2_unlink(fs, &root_cred, dir, q, (e2_u32)strlen(q));
            snprintf(p, sizeof p, "/d%d/tmp%02d", r % 4, r);
            put(fs, p, 5, 40000, 0);
            if (r > 5) {
                snprintf(q, sizeof q, "tmp%02d", r - 3);
                snprintf(p, sizeof p, "/d%d", (r - 3) % 4);
                if (!walk(fs, p, 1, &dir)) e2_unlink(fs, &root_cred, dir, q, (e2_u32)strlen(q));
            }
            snprintf(p, sizeof p, "/d%d/sub%02d", r % 4, r);
            mk(fs, p, S_IFDIR | 0755, 0, 0, 0);
        }
    }
    return 0;
}

static int cmd_crash(const char *tmpl, const char *work, int cuts, int lose)
{
    struct durable dur[64];
    int ndur;
    /* a full run without a cut: how many block writes the workload makes */
    if (copy_file(tmpl, work)) { printf("not ok - copy %s\n", tmpl); return 1; }
    struct mnt m;
    int r = mnt_open(&m, work, 0);
    if (r) { printf("not ok - mount %s: %d\n", work, r); return 1; }
    workload(&m, dur, &ndur);
    long total = m.h.writes;
    ok(mnt_close(&m) == 0, "unmount after the full run");
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "e2fsck -fn '%s' >/dev/null 2>&1", work);
    ok(run(cmd) == 0, "e2fsck -fn clean after the full run");
    printf("# workload: %ld block writes, %d files fsynced\n", total, ndur);
    for (int c = 1; c <= cuts; c++) {
        long at = 1 + (long)((unsigned long long)total * (unsigned)c / (unsigned)(cuts + 1));
        at += (c * 7919) % 13 - 6;                   /* not always on the same kind of write */
        if (at < 1) at = 1;
        copy_file(tmpl, work);
        if ((r = mnt_open(&m, work, 0)) != 0) { ok(0, "cut %d: mount %d", c, r); continue; }
        m.h.cut_at = at;
        m.h.lose_unflushed = lose;
        m.h.seed = (unsigned)c;
        workload(&m, dur, &ndur);
        e2_unmount(m.fs);                            /* the power is off: nothing of this lands */
        hostdev_close(&m.h);
        snprintf(cmd, sizeof cmd, "e2fsck -fy '%s' >/dev/null 2>&1", work);
        int fy = run(cmd);
        snprintf(cmd, sizeof cmd, "e2fsck -fn '%s' >/dev/null 2>&1", work);
        int fn = run(cmd);
        ok(fy <= 3, "cut %d at write %ld: e2fsck -fy could not repair (exit %d)", c, at, fy);
        ok(fn == 0, "cut %d at write %ld: e2fsck -fn after repair (exit %d)", c, at, fn);
        int lost = 0;
        if ((r = mnt_open(&m, work, E2_MOUNT_RDONLY)) != 0) { ok(0, "cut %d: mount after repair %d", c, r); continue; }
        for (int i = 0; i < ndur; i++)
            if (!same_pattern(m.fs, dur[i].path, dur[i].seed, dur[i].size)) { lost++; printf("# cut %d: lost %s\n", c, dur[i].path); }
        mnt_close(&m);
        ok(lost == 0, "cut %d at write %ld: %d of %d fsynced files lost", c, at, lost, ndur);
        printf("# cut %d at write %ld of %ld: e2fsck -fy exit %d, -fn exit %d, %d fsynced files intact\n", c, at, total, fy, fn, ndur - lost);
    }
    return summary();
}


/* ---- bad input and full disks ----------------------------------------------------------- */
static int mount_error(const char *image, unsigned flags)
{
    struct mnt m;
    int r = mnt_open(&m, image, flags);
    if (!r) mnt_close(&m);
    return r;
}
static int shf(const char *fmt, ...)
{
    char cmd[8400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return run(cmd);
}

static int cmd_robust(const char *dir)
{
    char img[4096];
    snprintf(img, sizeof img, "%s/robust.img", dir);
    const struct e2_cred user = { 1000, 1000, 0, 0 };
    /* not a file system, a foreign feature, a device shorter than the file system */
    shf("rm -f '%s'; truncate -s 4M '%s'", img, img);
    ok(mount_error(img, 0) == -E2_EINVAL, "zeros: mount refused with EINVAL");
    shf("mke2fs -q -F -t ext4 '%s' 8M", img);
    ok(mount_error(img, 0) == -E2_EOPNOTSUPP, "ext4 (extents): mount refused with EOPNOTSUPP");
    shf("mke2fs -q -F -t ext2 -I 256 -b 1024 '%s' 8M && truncate -s 4M '%s'", img, img);
    ok(mount_error(img, 0) == -E2_EINVAL, "device shorter than the file system: EINVAL");
    /* an unknown read-only-compatible feature (huge_file): mounts, refuses writes */
    shf("mke2fs -q -F -t ext2 -I 256 -b 1024 -O huge_file '%s' 8M", img);
    struct mnt m;
    e2_u32 ino;
    ok(mnt_open(&m, img, 0) == 0, "huge_file: mounts");
    ok(e2_mkdir(m.fs, &root_cred, E2_ROOT_INO, "x", 1, 0755, &ino) == -E2_EROFS, "huge_file: read-only, mkdir EROFS");
    mnt_close(&m);
    shf("e2fsck -fn '%s' >/dev/null 2>&1", img);

    /* a full disk: data, inodes, the reserved blocks; nothing written is lost, all freed again */
    shf("mke2fs -q -F -t ext2 -I 256 -b 1024 -N 64 -m 10 '%s' 4M", img);
    ok(mnt_open(&m, img, 0) == 0, "small image mounts");
    struct e2_statfs before, after;
    e2_statfs(m.fs, &before);
    e2_u32 f;
    ok(e2_mknod(m.fs, &user, E2_ROOT_INO, "u", 1, S_IFREG | 0644, 0, 0, &f) == -E2_EACCES, "non-root cannot create in a root 0755 directory");
    e2_setattr(m.fs, &root_cred, E2_ROOT_INO, &(struct e2_setattr){ .valid = E2_SET_MODE, .mode = 01777 });
    ok(e2_mknod(m.fs, &user, E2_ROOT_INO, "u", 1, S_IFREG | 0644, 0, 0, &f) == 0, "non-root file in a sticky 1777 root");
    static unsigned char buf[65536];
    unsigned long long off = 0;
    long w = 0;
    for (;;) {
        pattern(11, off, buf, sizeof buf);
        w = e2_write(m.fs, &user, f, off, buf, sizeof buf);
        if (w <= 0) break;
        off += (unsigned long long)w;
    }
    struct e2_statfs mid;
    e2_statfs(m.fs, &mid);
    ok(w == -E2_ENOSPC, "non-root writer stops with ENOSPC (%ld)", w);
    ok(mid.bfree > 0 && mid.bavail == 0, "... at the reserved blocks (%llu free, %llu available)", (unsigned long long)mid.bfree, (unsigned long long)mid.bavail);
    ok(same_pattern(m.fs, "/u", 11, off), "what it wrote before ENOSPC reads back (%llu bytes)", off);
    e2_u32 g;
    ok(e2_mknod(m.fs, &root_cred, E2_ROOT_INO, "r", 1, S_IFREG | 0644, 0, 0, &g) == 0, "root creates a file");
    unsigned long long roff = 0;
    for (;;) {
        pattern(12, roff, buf, 4096);
        w = e2_write(m.fs, &root_cred, g, roff, buf, 4096);
        if (w <= 0) break;
        roff += (unsigned long long)w;
    }
    ok(w == -E2_ENOSPC && roff > 0, "root writes into the reserve, then ENOSPC (%llu bytes)", roff);
    ok(same_pattern(m.fs, "/r", 12, roff), "root's file reads back");
    int made = 0, r = 0;
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "d%03d", i);
        if ((r = e2_mkdir(m.fs, &root_cred, E2_ROOT_INO, name, (e2_u32)strlen(name), 0755, &ino)) != 0) break;
        made++;
    }
    ok(r == -E2_ENOSPC, "mkdir on a full disk: ENOSPC after %d (%d)", made, r);
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "e%03d", i);
        if ((r = e2_mknod(m.fs, &root_cred, E2_ROOT_INO, name, (e2_u32)strlen(name), S_IFIFO | 0644, 0, 0, &ino)) != 0) break;
    }
    ok(r == -E2_ENOSPC, "inodes run out: ENOSPC (%d)", r);
    ok(mnt_close(&m) == 0, "unmount the full disk");
    ok(shf("e2fsck -fn '%s' >/dev/null 2>&1", img) == 0, "full disk: e2fsck -fn clean");
    ok(mnt_open(&m, img, 0) == 0, "remount");
    ok(same_pattern(m.fs, "/u", 11, off) && same_pattern(m.fs, "/r", 12, roff), "both files intact after remount");
    e2_unlink(m.fs, &root_cred, E2_ROOT_INO, "u", 1);
    e2_unlink(m.fs, &root_cred, E2_ROOT_INO, "r", 1);
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "d%03d", i);
        e2_rmdir(m.fs, &root_cred, E2_ROOT_INO, name, (e2_u32)strlen(name));
        snprintf(name, sizeof name, "e%03d", i);
        e2_unlink(m.fs, &root_cred, E2_ROOT_INO, name, (e2_u32)strlen(name));
    }
    e2_statfs(m.fs, &after);
    ok(after.bfree == before.bfree && after.ffree == before.ffree, "everything freed: %llu/%llu blocks, %llu/%llu inodes",
       (unsigned long long)after.bfree, (unsigned long long)before.bfree, (unsigned long long)after.ffree, (unsigned long long)before.ffree);
    ok(mnt_close(&m) == 0, "unmount");
    ok(shf("e2fsck -fn '%s' >/dev/null 2>&1", img) == 0, "after freeing: e2fsck -fn clean");

    /* a damaged directory block: its calls fail with EUCLEAN, the rest works */
    shf("mke2fs -q -F -t ext2 -I 256 -b 1024 '%s' 8M", img);
    ok(mnt_open(&m, img, 0) == 0 && mk(m.fs, "/bad", S_IFDIR | 0755, 0, 0, 0) == 0 && put(m.fs, "/bad/f", 1, 10, 0) == 0 &&
       mk(m.fs, "/good", S_IFDIR | 0755, 0, 0, 0) == 0 && mnt_close(&m) == 0, "two directories");
    /* rec_len of the first entry of /bad's block set to 3 */
    ok(shf("b=$(debugfs -R 'blocks /bad' '%s' 2>/dev/null | tr -d ' \\n') && printf '\\003\\000' | dd of='%s' bs=1 seek=$((b * 1024 + 4)) conv=notrunc status=none", img, img) == 0, "damage /bad");
    ok(mnt_open(&m, img, 0) == 0, "mounts with a damaged directory");
    e2_u32 bad, good;
    ok(walk(m.fs, "/bad", 1, &bad) == 0 && e2_lookup(m.fs, &root_cred, bad, "f", 1, &ino) == -E2_EUCLEAN, "lookup in it: EUCLEAN");
    ok(e2_mkdir(m.fs, &root_cred, bad, "n", 1, 0755, &ino) == -E2_EUCLEAN, "mkdir in it: EUCLEAN");
    e2_u64 cookie = 0;
    struct names ns = { 0, 0 };
    ok(e2_readdir(m.fs, &root_cred, bad, &cookie, collect, &ns) == -E2_EUCLEAN, "readdir: EUCLEAN");
    ok(e2_rmdir(m.fs, &root_cred, E2_ROOT_INO, "bad", 3) == -E2_EUCLEAN, "rmdir: EUCLEAN, nothing removed");
    ok(walk(m.fs, "/good", 1, &good) == 0 && put(m.fs, "/good/g", 2, 5000, 0) == 0 && same_pattern(m.fs, "/good/g", 2, 5000), "the other directory works");
    ok(mnt_close(&m) == 0, "unmount");
    ok(shf("e2fsck -fy '%s' >/dev/null 2>&1", img) <= 1 && shf("e2fsck -fn '%s' >/dev/null 2>&1", img) == 0, "e2fsck -fy repairs it");
    ok(mnt_open(&m, img, E2_MOUNT_RDONLY) == 0 && same_pattern(m.fs, "/good/g", 2, 5000), "the good file after repair");
    mnt_close(&m);
    return summary();
}

/* ---- bench ------------------------------------------------------------------------------ */
#include <time.h>
static double ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
static int dcmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

/* 4 MiB written (then synced) and read (cold cache: after a remount) through the core, against
 * the same bytes written and read raw, in the same chunks, on a plain file of the same
 * device; medians of RUNS. Prints one JSON line per measure. */
static int cmd_bench(const char *image, const char *raw)
{
    enum { SIZE = 4 << 20, CHUNK = 65536, RUNS = 7 };
    static unsigned char buf[CHUNK];
    pattern(3, 0, buf, CHUNK);
    double w[RUNS], wr[RUNS], r[RUNS], rr[RUNS];
    for (int k = 0; k < RUNS; k++) {
        struct mnt m;
        if (mnt_open(&m, image, 0)) { printf("not ok - mount\n"); return 1; }
        e2_u32 ino;
        char name[16];
        snprintf(name, sizeof name, "b%d", k);
        e2_unlink(m.fs, &root_cred, E2_ROOT_INO, "prev", 4);
        double t0 = ms_now();
        e2_mknod(m.fs, &root_cred, E2_ROOT_INO, "prev", 4, S_IFREG | 0644, 0, 0, &ino);
        for (unsigned off = 0; off < SIZE; off += CHUNK) e2_write(m.fs, &root_cred, ino, off, buf, CHUNK);
        e2_sync(m.fs);
        w[k] = ms_now() - t0;
        mnt_close(&m);
        int fd = open(raw, O_RDWR);
        t0 = ms_now();
        for (unsigned off = 0; off < SIZE; off += CHUNK)
            if (pwrite(fd, buf, CHUNK, (off_t)off + (1 << 20)) != CHUNK) return 1;
        fdatasync(fd);
        wr[k] = ms_now() - t0;
        t0 = ms_now();
        for (unsigned off = 0; off < SIZE; off += CHUNK)
            if (pread(fd, buf, CHUNK, (off_t)off + (1 << 20)) != CHUNK) return 1;
        rr[k] = ms_now() - t0;
        close(fd);
        if (mnt_open(&m, image, E2_MOUNT_RDONLY)) return 1;
        t0 = ms_now();
        if (walk(m.fs, "/prev", 0, &ino)) return 1;
        for (unsigned off = 0; off < SIZE; off += CHUNK) e2_read(m.fs, ino, off, buf, CHUNK);
        r[k] = ms_now() - t0;
        mnt_close(&m);
    }
    qsort(w, RUNS, sizeof *w, dcmp); qsort(wr, RUNS, sizeof *wr, dcmp);
    qsort(r, RUNS, sizeof *r, dcmp); qsort(rr, RUNS, sizeof *rr, dcmp);
    printf("{\"name\":\"write 4 MiB + fsync\",\"ours\":%.3f,\"baseline\":%.3f}\n", w[RUNS / 2], wr[RUNS / 2]);
    printf("{\"name\":\"read 4 MiB (cold core cache)\",\"ours\":%.3f,\"baseline\":%.3f}\n", r[RUNS / 2], rr[RUNS / 2]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "fill")) return cmd_fill(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "check")) return cmd_check(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "compare")) {
        const char *sub = "";
        for (int i = 4; i < argc; i++) {
            if (!strcmp(argv[i], "--loose")) loose = 1;
            else sub = argv[i];
        }
        return cmd_compare(argv[2], argv[3], sub);
    }
    if (argc >= 3 && !strcmp(argv[1], "robust")) return cmd_robust(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "mkfs")) {
        struct hostdev h;
        int r = hostdev_open(&h, argv[2], 0);
        if (r) { fprintf(stderr, "e2host mkfs: %s: %s\n", argv[2], strerror(-r)); return 1; }
        struct e2_dev d = hostdev_dev(&h);
        struct e2_mkfs_opts o = { .block_size = argc > 3 ? (e2_u32)atoi(argv[3]) : 0 };
        snprintf(o.label, sizeof o.label, "telos");
        r = e2_mkfs(&d, &o);
        hostdev_close(&h);
        if (r) { fprintf(stderr, "e2host mkfs: %s\n", strerror(-r)); return 1; }
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "bench")) return cmd_bench(argv[2], argv[3]);
    if (argc >= 5 && !strcmp(argv[1], "crash"))
        return cmd_crash(argv[2], argv[3], atoi(argv[4]), argc > 5 && !strcmp(argv[5], "--lose-unflushed"));
    fprintf(stderr, "usage: e2host fill IMAGE | check IMAGE | compare IMAGE DIR [IMAGEPATH] [--loose] | robust WORKDIR | crash TEMPLATE WORK N [--lose-unflushed]\n");
    return 2;
}
