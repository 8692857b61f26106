/* A block device over an image file for the posix core on the host, with a power-cut
 * simulator for the crash test: writes are counted, and from the chosen write on nothing
 * reaches the file (optionally, writes since the last flush are also undone in part, as a
 * disk's volatile cache could lose them). */
#ifndef POSIX_HOSTDEV_H
#define POSIX_HOSTDEV_H
#include "../../images/telos/fs/ext2/ext2.h"

struct hostdev {
    int fd;
    unsigned long long sectors;
    long writes;               /* device writes so far */
    long cut_at;               /* 0: never; else the write number that never lands (1-based) */
    int cut;                   /* the power is off */
    int lose_unflushed;        /* at the cut, undo a random part of the writes since the last flush */
    unsigned seed;
    struct undo *undo;         /* old contents of writes since the last flush */
    long nundo, capundo;
};

int hostdev_open(struct hostdev *h, const char *path, int rdonly);
void hostdev_close(struct hostdev *h);
/* The e2_dev for h. */
struct e2_dev hostdev_dev(struct hostdev *h);
#endif
