/* File-backed block device for the posix core on the host (see hostdev.h). */
#define _GNU_SOURCE
#include "hostdev.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct undo { unsigned long long sector; unsigned count; unsigned char *old; };

static int rd(void *ctx, e2_u64 sector, e2_u32 count, void *buf)
{
    struct hostdev *h = ctx;
    ssize_t n = pread(h->fd, buf, (size_t)count * 512, (off_t)sector * 512);
    return n == (ssize_t)count * 512 ? 0 : -E2_EIO;
}

/* At the cut: undo a pseudo-random part of the writes since the last flush, newest first. */
static void lose_some(struct hostdev *h)
{
    for (long i = h->nundo - 1; i >= 0; i--) {
        struct undo *u = &h->undo[i];
        if (rand_r(&h->seed) % 2)
            if (pwrite(h->fd, u->old, (size_t)u->count * 512, (off_t)u->sector * 512) < 0) {}
    }
}

static void forget_undo(struct hostdev *h)
{
    for (long i = 0; i < h->nundo; i++) free(h->undo[i].old);
    h->nundo = 0;
}

static int wr(void *ctx, e2_u64 sector, e2_u32 count, const void *buf)
{
    struct hostdev *h = ctx;
    if (h->cut) return 0;                          /* the machine runs on; the disk has no power */
    h->writes++;
    if (h->cut_at && h->writes >= h->cut_at) {
        h->cut = 1;
        if (h->lose_unflushed) lose_some(h);
        forget_undo(h);
        return 0;
    }
    if (h->lose_unflushed) {
        if (h->nundo == h->capundo) {
            h->capundo = h->capundo ? h->capundo * 2 : 256;
            h->undo = realloc(h->undo, (size_t)h->capundo * sizeof *h->undo);
        }
        struct undo *u = &h->undo[h->nundo++];
        u->sector = sector; u->count = count; u->old = malloc((size_t)count * 512);
        if (rd(h, sector, count, u->old)) memset(u->old, 0, (size_t)count * 512);
    }
    ssize_t n = pwrite(h->fd, buf, (size_t)count * 512, (off_t)sector * 512);
    return n == (ssize_t)count * 512 ? 0 : -E2_EIO;
}

static int fl(void *ctx)
{
    struct hostdev *h = ctx;
    if (h->cut) return 0;
    forget_undo(h);
    return fdatasync(h->fd) ? -E2_EIO : 0;
}

static void clk(void *ctx, e2_s64 *sec, e2_u32 *nsec)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *sec = ts.tv_sec; *nsec = (e2_u32)ts.tv_nsec;
}
static void *al(void *ctx, e2_size n) { (void)ctx; return malloc(n); }
static void fr(void *ctx, void *p) { (void)ctx; free(p); }

int hostdev_open(struct hostdev *h, const char *path, int rdonly)
{
    memset(h, 0, sizeof *h);
    h->fd = open(path, rdonly ? O_RDONLY : O_RDWR);
    if (h->fd < 0) return -errno;
    struct stat st;
    if (fstat(h->fd, &st)) { close(h->fd); return -errno; }
    h->sectors = (unsigned long long)st.st_size / 512;
    h->seed = 1;
    return 0;
}

void hostdev_close(struct hostdev *h)
{
    forget_undo(h);
    free(h->undo);
    close(h->fd);
}

struct e2_dev hostdev_dev(struct hostdev *h)
{
    struct e2_dev d = { h, rd, wr, fl, clk, al, fr, h->sectors };
    return d;
}
