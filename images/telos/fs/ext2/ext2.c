/* The `posix` file-system core: ext2 revision 1 on a block device (see ext2.h for the
 * interface and images/telos/fs/README.md for the format subset and the crash guarantee).
 * Written from the on-disk format's documentation; no code of another implementation. */
#include "ext2.h"

/* ---- on-disk constants ------------------------------------------------------------------ */
#define SB_MAGIC           0xEF53
#define SB_STATE_VALID     1
#define SB_STATE_ERRORS    2
#define NDIR               12
#define IND                12
#define DIND               13
#define TIND               14
#define FAST_SYMLINK_MAX   60          /* bytes of i_block */
#define INDEX_FL           0x1000      /* hashed directory (we keep directories linear) */

#define INCOMPAT_FILETYPE  0x0002
#define INCOMPAT_RECOVER   0x0004
#define RO_SPARSE_SUPER    0x0001
#define RO_LARGE_FILE      0x0002
#define RO_BTREE_DIR       0x0004

enum { FT_UNKNOWN, FT_REG, FT_DIR, FT_CHR, FT_BLK, FT_FIFO, FT_SOCK, FT_LNK };

/* Block classes: a sync writes file data first and the structures that point at it after. */
enum { C_DATA, C_IND, C_INODE, C_DIR, C_BITMAP, C_SUPER, C_COUNT };

/* ---- little-endian access and small helpers ---------------------------------------------- */
static e2_u16 g16(const e2_u8 *p) { return (e2_u16)(p[0] | (p[1] << 8)); }
static e2_u32 g32(const e2_u8 *p) { return (e2_u32)p[0] | ((e2_u32)p[1] << 8) | ((e2_u32)p[2] << 16) | ((e2_u32)p[3] << 24); }
static void p16(e2_u8 *p, e2_u32 v) { p[0] = (e2_u8)v; p[1] = (e2_u8)(v >> 8); }
static void p32(e2_u8 *p, e2_u32 v) { p[0] = (e2_u8)v; p[1] = (e2_u8)(v >> 8); p[2] = (e2_u8)(v >> 16); p[3] = (e2_u8)(v >> 24); }
static void mcpy(void *d, const void *s, e2_u32 n) { e2_u8 *a = d; const e2_u8 *b = s; while (n--) *a++ = *b++; }
static void mset(void *d, int c, e2_u32 n) { e2_u8 *a = d; while (n--) *a++ = (e2_u8)c; }
static int mcmp(const void *x, const void *y, e2_u32 n)
{
    const e2_u8 *a = x, *b = y;
    for (; n; n--, a++, b++)
        if (*a != *b) return *a - *b;
    return 0;
}
#define S_TYPE(m) ((m) & E2_S_IFMT)
#define IS_DIR(m) (S_TYPE(m) == E2_S_IFDIR)
#define IS_REG(m) (S_TYPE(m) == E2_S_IFREG)
#define IS_LNK(m) (S_TYPE(m) == E2_S_IFLNK)

/* ---- in-memory structures --------------------------------------------------------------- */
struct buf {
    e2_u32 blk;
    e2_u8 *data;
    e2_u8 dirty, cls, valid;
    e2_u32 pins;
    struct buf *hnext;                   /* hash chain */
    struct buf *prev, *next;             /* LRU list: head most recent */
};

struct group {
    e2_u32 block_bitmap, inode_bitmap, inode_table;
    e2_u32 free_blocks, free_inodes, used_dirs;
};

struct hold { e2_u32 ino; e2_u64 n; };

/* An inode as the core works on it; iput writes back only the fields it knows. */
struct inode {
    e2_u32 num;
    e2_u32 mode, uid, gid, links, flags, file_acl, generation, dtime;
    e2_u64 size;
    e2_u32 blocks;                       /* 512-byte units */
    e2_u32 block[15];
    e2_s64 atime, mtime, ctime, crtime;
    e2_u32 atime_ns, mtime_ns, ctime_ns, crtime_ns;
    e2_u32 extra;                        /* i_extra_isize */
};

struct e2_fs {
    struct e2_dev dev;
    unsigned rdonly;
    e2_u32 bs, log, spb, apb, ash;           /* block size, log2(bs/1024), sectors and addresses per block */
    e2_u32 blocks_count, inodes_count, r_blocks, first_data, bpg, ipg, isize, first_ino;
    e2_u32 groups, gdt_blocks, sb_blk, sb_off;
    e2_u32 free_blocks, free_inodes;
    e2_u32 compat, incompat, ro_compat;
    e2_u16 resuid, resgid;
    e2_u64 max_size;
    struct group *g;
    e2_u8 *gdirty;
    struct buf *bufs;
    e2_u32 nbufs;
    struct buf **hash;
    e2_u32 hmask;
    struct buf *lru_head, *lru_tail;
    struct buf **sortv;
    struct hold *holds;
    e2_u32 nholds, goneholds, capholds;
    e2_u32 alloc_ino, alloc_last;        /* goal for the next data block of the last file written */
    e2_u32 gen;
    int privileged;                      /* the current caller may use the reserved blocks */
    int err;                             /* a device error happened: later syncs report it */
};

static void *zalloc(struct e2_fs *fs, e2_size n)
{
    void *p = fs->dev.alloc(fs->dev.ctx, n);
    if (p) mset(p, 0, (e2_u32)n);
    return p;
}

/* ---- time ------------------------------------------------------------------------------- */
static void now(struct e2_fs *fs, e2_s64 *s, e2_u32 *ns)
{
    *s = 0; *ns = 0;
    if (fs->dev.now) fs->dev.now(fs->dev.ctx, s, ns);
}
/* Seconds live in 32 bits plus two epoch bits in the low bits of the "extra" word; the
 * nanoseconds in its upper 30 bits. */
static e2_u32 t_lo(e2_s64 s) { return (e2_u32)s; }
static e2_u32 t_extra(e2_s64 s, e2_u32 ns) { return (ns << 2) | ((e2_u32)((s - (e2_s64)(e2_s32)(e2_u32)s) >> 32) & 3); }
static e2_s64 t_decode(e2_u32 lo, e2_u32 extra, int has) { return (e2_s64)(e2_s32)lo + (has ? ((e2_s64)(extra & 3) << 32) : 0); }

/* ---- block cache ------------------------------------------------------------------------ */
static void lru_unlink(struct e2_fs *fs, struct buf *b)
{
    if (b->prev) b->prev->next = b->next; else fs->lru_head = b->next;
    if (b->next) b->next->prev = b->prev; else fs->lru_tail = b->prev;
    b->prev = b->next = 0;
}
static void lru_front(struct e2_fs *fs, struct buf *b)
{
    b->next = fs->lru_head; b->prev = 0;
    if (fs->lru_head) fs->lru_head->prev = b;
    fs->lru_head = b;
    if (!fs->lru_tail) fs->lru_tail = b;
}
static int dev_rw(struct e2_fs *fs, int wr, e2_u32 blk, void *data)
{
    e2_u64 sec = (e2_u64)blk * fs->spb;
    if (sec + fs->spb > fs->dev.sectors) return -E2_EIO;
    int r = wr ? fs->dev.write(fs->dev.ctx, sec, fs->spb, data) : fs->dev.read(fs->dev.ctx, sec, fs->spb, data);
    if (r < 0) { fs->err = r; return r; }
    return 0;
}
static int bwrite(struct e2_fs *fs, struct buf *b)
{
    int r = dev_rw(fs, 1, b->blk, b->data);
    if (r == 0) b->dirty = 0;
    return r;
}
static void hash_del(struct e2_fs *fs, struct buf *b)
{
    struct buf **pp = &fs->hash[b->blk & fs->hmask];
    while (*pp && *pp != b) pp = &(*pp)->hnext;
    if (*pp) *pp = b->hnext;
    b->hnext = 0;
}
/* The cached block blk, pinned; read from disk unless noread (the caller fills it all). */
static int bget(struct e2_fs *fs, e2_u32 blk, int cls, int noread, struct buf **out)
{
    /* nothing but the superblock and descriptors lives at or below the superblock's block:
     * a pointer there is damage (or a zero taken for a block) */
    if ((blk <= fs->first_data && cls != C_SUPER) || blk >= fs->blocks_count) return -E2_EUCLEAN;
    struct buf *b = fs->hash[blk & fs->hmask];
    while (b && b->blk != blk) b = b->hnext;
    if (b) {
        lru_unlink(fs, b); lru_front(fs, b);
        b->pins++;
        if (cls > b->cls && b->dirty) b->cls = (e2_u8)cls; /* metadata wins over data */
        else if (!b->dirty) b->cls = (e2_u8)cls;
        *out = b;
        return 0;
    }
    for (b = fs->lru_tail; b && b->pins; b = b->prev) {}
    if (!b) return -E2_ENOMEM;           /* every buffer pinned: a bug, never in practice */
    if (b->dirty) {
        int r = bwrite(fs, b);
        if (r) return r;
    }
    if (b->valid) hash_del(fs, b);
    b->valid = 0;
    b->blk = blk;
    if (!noread) {
        int r = dev_rw(fs, 0, blk, b->data);
        if (r) return r;
    }
    b->valid = 1;
    b->cls = (e2_u8)cls;
    b->hnext = fs->hash[blk & fs->hmask];
    fs->hash[blk & fs->hmask] = b;
    lru_unlink(fs, b); lru_front(fs, b);
    b->pins = 1;
    *out = b;
    return 0;
}
static void bput(struct buf *b) { if (b && b->pins) b->pins--; }
static void bdirty(struct buf *b) { b->dirty = 1; }
/* A freed block must not be written back later over a new owner's data. */
static void bforget(struct e2_fs *fs, e2_u32 blk)
{
    struct buf *b = fs->hash[blk & fs->hmask];
    while (b && b->blk != blk) b = b->hnext;
    if (!b || b->pins) return;
    hash_del(fs, b);
    b->valid = 0; b->dirty = 0;
    lru_unlink(fs, b);                   /* to the tail: reused first */
    b->prev = fs->lru_tail; b->next = 0;
    if (fs->lru_tail) fs->lru_tail->next = b; else fs->lru_head = b;
    fs->lru_tail = b;
}

/* ---- superblock and group descriptors --------------------------------------------------- */
static void sb_fill(struct e2_fs *fs, e2_u8 *sb)
{
    p32(sb + 12, fs->free_blocks);
    p32(sb + 16, fs->free_inodes);
    p32(sb + 100, fs->ro_compat);
}
static int meta_write(struct e2_fs *fs)
{
    struct buf *b;
    int r;
    for (e2_u32 g = 0; g < fs->groups; g++) {
        if (!fs->gdirty[g]) continue;
        e2_u32 per = fs->bs / 32;
        r = bget(fs, fs->first_data + 1 + g / per, C_SUPER, 0, &b);
        if (r) return r;
        e2_u8 *d = b->data + (g % per) * 32;
        p16(d + 12, fs->g[g].free_blocks);
        p16(d + 14, fs->g[g].free_inodes);
        p16(d + 16, fs->g[g].used_dirs);
        bdirty(b); bput(b);
        fs->gdirty[g] = 0;
    }
    r = bget(fs, fs->sb_blk, C_SUPER, 0, &b);
    if (r) return r;
    e2_u8 *sb = b->data + fs->sb_off;
    sb_fill(fs, sb);
    e2_s64 s; e2_u32 ns;
    now(fs, &s, &ns);
    p32(sb + 48, t_lo(s));               /* s_wtime */
    bdirty(b); bput(b);
    return 0;
}
static void g_dirty(struct e2_fs *fs, e2_u32 g) { fs->gdirty[g] = 1; }

static void sort_blocks(struct buf **v, e2_u32 n)
{
    for (e2_u32 gap = n / 2; gap; gap /= 2)
        for (e2_u32 i = gap; i < n; i++) {
            struct buf *t = v[i];
            e2_u32 j = i;
            for (; j >= gap && v[j - gap]->blk > t->blk; j -= gap) v[j] = v[j - gap];
            v[j] = t;
        }
}
int e2_sync(struct e2_fs *fs)
{
    if (fs->rdonly) return 0;
    int r = meta_write(fs);
    if (r) return r;
    for (int cls = 0; cls < C_COUNT; cls++) {
        e2_u32 n = 0;
        for (e2_u32 i = 0; i < fs->nbufs; i++)
            if (fs->bufs[i].valid && fs->bufs[i].dirty && fs->bufs[i].cls == cls) fs->sortv[n++] = &fs->bufs[i];
        sort_blocks(fs->sortv, n);
        for (e2_u32 i = 0; i < n; i++)
            if ((r = bwrite(fs, fs->sortv[i])) != 0) return r;
    }
    if (fs->dev.flush && (r = fs->dev.flush(fs->dev.ctx)) != 0) { fs->err = r; return r; }
    return fs->err;
}

/* ---- inodes ----------------------------------------------------------------------------- */
static int iloc(struct e2_fs *fs, e2_u32 num, e2_u32 *blk, e2_u32 *off)
{
    if (num == 0 || num > fs->inodes_count) return -E2_EUCLEAN;
    e2_u32 g = (num - 1) / fs->ipg, idx = (num - 1) % fs->ipg;
    e2_u32 byte = idx * fs->isize;
    *blk = fs->g[g].inode_table + (byte >> (10 + fs->log));
    *off = byte & (fs->bs - 1);
    return 0;
}
static int iget(struct e2_fs *fs, e2_u32 num, struct inode *ip)
{
    e2_u32 blk, off;
    struct buf *b;
    int r = iloc(fs, num, &blk, &off);
    if (r) return r;
    if ((r = bget(fs, blk, C_INODE, 0, &b)) != 0) return r;
    const e2_u8 *d = b->data + off;
    ip->num = num;
    ip->mode = g16(d);
    ip->uid = g16(d + 2) | ((e2_u32)g16(d + 120) << 16);
    ip->gid = g16(d + 24) | ((e2_u32)g16(d + 122) << 16);
    ip->size = g32(d + 4) | ((e2_u64)g32(d + 108) << 32);
    ip->dtime = g32(d + 20);
    ip->links = g16(d + 26);
    ip->blocks = g32(d + 28);
    ip->flags = g32(d + 32);
    for (int i = 0; i < 15; i++) ip->block[i] = g32(d + 40 + 4 * i);
    ip->generation = g32(d + 100);
    ip->file_acl = g32(d + 104);
    ip->extra = fs->isize > 128 ? g16(d + 128) : 0;
    if (ip->extra > fs->isize - 128) ip->extra = 0;
    int hc = ip->extra >= 8, hm = ip->extra >= 12, ha = ip->extra >= 16, hcr = ip->extra >= 24;
    ip->ctime = t_decode(g32(d + 12), hc ? g32(d + 132) : 0, hc); ip->ctime_ns = hc ? g32(d + 132) >> 2 : 0;
    ip->mtime = t_decode(g32(d + 16), hm ? g32(d + 136) : 0, hm); ip->mtime_ns = hm ? g32(d + 136) >> 2 : 0;
    ip->atime = t_decode(g32(d + 8), ha ? g32(d + 140) : 0, ha);  ip->atime_ns = ha ? g32(d + 140) >> 2 : 0;
    ip->crtime = hcr ? t_decode(g32(d + 144), g32(d + 148), 1) : 0; ip->crtime_ns = hcr ? g32(d + 148) >> 2 : 0;
    bput(b);
    return 0;
}
static int iput(struct e2_fs *fs, const struct inode *ip)
{
    e2_u32 blk, off;
    struct buf *b;
    int r = iloc(fs, ip->num, &blk, &off);
    if (r) return r;
    if ((r = bget(fs, blk, C_INODE, 0, &b)) != 0) return r;
    e2_u8 *d = b->data + off;
    p16(d, ip->mode);
    p16(d + 2, ip->uid & 0xffff); p16(d + 120, ip->uid >> 16);
    p16(d + 24, ip->gid & 0xffff); p16(d + 122, ip->gid >> 16);
    p32(d + 4, (e2_u32)ip->size); p32(d + 108, (e2_u32)(ip->size >> 32));
    p32(d + 8, t_lo(ip->atime)); p32(d + 12, t_lo(ip->ctime)); p32(d + 16, t_lo(ip->mtime));
    p32(d + 20, ip->dtime);
    p16(d + 26, ip->links);
    p32(d + 28, ip->blocks);
    p32(d + 32, ip->flags);
    for (int i = 0; i < 15; i++) p32(d + 40 + 4 * i, ip->block[i]);
    p32(d + 100, ip->generation);
    p32(d + 104, ip->file_acl);
    if (ip->extra >= 8) p32(d + 132, t_extra(ip->ctime, ip->ctime_ns));
    if (ip->extra >= 12) p32(d + 136, t_extra(ip->mtime, ip->mtime_ns));
    if (ip->extra >= 16) p32(d + 140, t_extra(ip->atime, ip->atime_ns));
    if (ip->extra >= 24) { p32(d + 144, t_lo(ip->crtime)); p32(d + 148, t_extra(ip->crtime, ip->crtime_ns)); }
    bdirty(b); bput(b);
    return 0;
}
static void touch(struct e2_fs *fs, struct inode *ip, int m, int c)
{
    e2_s64 s; e2_u32 ns;
    now(fs, &s, &ns);
    if (m) { ip->mtime = s; ip->mtime_ns = ns; }
    if (c) { ip->ctime = s; ip->ctime_ns = ns; }
}

/* ---- permissions ------------------------------------------------------------------------ */
static int in_group(const struct e2_cred *c, e2_u32 gid)
{
    if (c->gid == gid) return 1;
    for (e2_u32 i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid) return 1;
    return 0;
}
static int permit(const struct e2_cred *c, const struct inode *ip, int mask)
{
    if (!c) return 0;
    if (c->uid == 0) {
        if (!(mask & E2_MAY_EXEC) || IS_DIR(ip->mode) || (ip->mode & 0111)) return 0;
        return -E2_EACCES;
    }
    e2_u32 bits = ip->mode;
    if (c->uid == ip->uid) bits >>= 6;
    else if (in_group(c, ip->gid)) bits >>= 3;
    return ((bits & (e2_u32)mask) == (e2_u32)mask) ? 0 : -E2_EACCES;
}
static int owner(const struct e2_cred *c, const struct inode *ip) { return !c || c->uid == 0 || c->uid == ip->uid; }
/* Sticky directories: only the owner of the entry, of the directory, or root may remove it. */
static int sticky_ok(const struct e2_cred *c, const struct inode *dir, const struct inode *victim)
{
    if (!(dir->mode & E2_S_ISVTX) || !c || c->uid == 0) return 1;
    return c->uid == dir->uid || c->uid == victim->uid;
}
static void enter(struct e2_fs *fs, const struct e2_cred *c)
{
    fs->privileged = !c || c->uid == 0 || c->uid == fs->resuid || (c && in_group(c, fs->resgid) && fs->resgid);
}

/* ---- bitmaps and allocation ------------------------------------------------------------- */
static int bit_find(const e2_u8 *map, e2_u32 start, e2_u32 n)
{
    for (e2_u32 i = start; i < n; i++) {
        if ((i & 7) == 0 && map[i >> 3] == 0xff && i + 8 <= n) { i += 7; continue; }
        if (!(map[i >> 3] & (1u << (i & 7)))) return (int)i;
    }
    return -1;
}
static int block_alloc(struct e2_fs *fs, e2_u32 goal, e2_u32 *out)
{
    if (fs->free_blocks == 0 || (!fs->privileged && fs->free_blocks <= fs->r_blocks)) return -E2_ENOSPC;
    if (goal < fs->first_data || goal >= fs->blocks_count) goal = fs->first_data;
    e2_u32 g0 = (goal - fs->first_data) / fs->bpg;
    for (e2_u32 k = 0; k <= fs->groups; k++) {
        e2_u32 g = (g0 + k) % fs->groups;
        if (fs->g[g].free_blocks == 0) continue;
        e2_u32 start = k == 0 ? (goal - fs->first_data) % fs->bpg : 0;
        e2_u32 n = fs->bpg;
        if (g == fs->groups - 1) n = fs->blocks_count - fs->first_data - g * fs->bpg;
        struct buf *b;
        int r = bget(fs, fs->g[g].block_bitmap, C_BITMAP, 0, &b);
        if (r) return r;
        int i = bit_find(b->data, start, n);
        if (i < 0 && start) i = bit_find(b->data, 0, start);
        if (i < 0) { bput(b); continue; }
        b->data[i >> 3] |= (e2_u8)(1u << (i & 7));
        bdirty(b); bput(b);
        fs->g[g].free_blocks--; fs->free_blocks--;
        g_dirty(fs, g);
        *out = fs->first_data + g * fs->bpg + (e2_u32)i;
        return 0;
    }
    return -E2_ENOSPC;
}
static int block_free(struct e2_fs *fs, e2_u32 blk)
{
    if (blk < fs->first_data || blk >= fs->blocks_count) return -E2_EUCLEAN;
    e2_u32 g = (blk - fs->first_data) / fs->bpg, i = (blk - fs->first_data) % fs->bpg;
    struct buf *b;
    bforget(fs, blk);
    int r = bget(fs, fs->g[g].block_bitmap, C_BITMAP, 0, &b);
    if (r) return r;
    if (b->data[i >> 3] & (1u << (i & 7))) {
        b->data[i >> 3] &= (e2_u8)~(1u << (i & 7));
        fs->g[g].free_blocks++; fs->free_blocks++;
        g_dirty(fs, g);
        bdirty(b);
    }
    bput(b);
    return 0;
}
/* Directories go to the group with the most free inodes (spread), others near their parent. */
static int inode_alloc(struct e2_fs *fs, e2_u32 parent, int dir, e2_u32 *out)
{
    if (fs->free_inodes == 0) return -E2_ENOSPC;
    e2_u32 g0 = (parent - 1) / fs->ipg;
    if (dir) {
        e2_u32 best = g0, avg = fs->free_inodes / fs->groups;
        for (e2_u32 g = 0; g < fs->groups; g++) {
            struct group *a = &fs->g[g], *bb = &fs->g[best];
            if (a->free_inodes < avg || a->free_inodes == 0) continue;
            if (bb->free_inodes < avg || bb->free_inodes == 0 || a->used_dirs < bb->used_dirs ||
                (a->used_dirs == bb->used_dirs && a->free_blocks > bb->free_blocks)) best = g;
        }
        g0 = best;
    }
    for (e2_u32 k = 0; k < fs->groups; k++) {
        e2_u32 g = (g0 + k) % fs->groups;
        if (fs->g[g].free_inodes == 0) continue;
        struct buf *b;
        int r = bget(fs, fs->g[g].inode_bitmap, C_BITMAP, 0, &b);
        if (r) return r;
        e2_u32 start = 0;
        if (g == 0 && fs->first_ino > 1) start = fs->first_ino - 1;
        int i = bit_find(b->data, start, fs->ipg);
        if (i < 0) { bput(b); continue; }
        b->data[i >> 3] |= (e2_u8)(1u << (i & 7));
        bdirty(b); bput(b);
        fs->g[g].free_inodes--; fs->free_inodes--;
        if (dir) fs->g[g].used_dirs++;
        g_dirty(fs, g);
        *out = g * fs->ipg + (e2_u32)i + 1;
        return 0;
    }
    return -E2_ENOSPC;
}
static int inode_bit_free(struct e2_fs *fs, e2_u32 num, int dir)
{
    e2_u32 g = (num - 1) / fs->ipg, i = (num - 1) % fs->ipg;
    struct buf *b;
    int r = bget(fs, fs->g[g].inode_bitmap, C_BITMAP, 0, &b);
    if (r) return r;
    if (b->data[i >> 3] & (1u << (i & 7))) {
        b->data[i >> 3] &= (e2_u8)~(1u << (i & 7));
        fs->g[g].free_inodes++; fs->free_inodes++;
        if (dir && fs->g[g].used_dirs) fs->g[g].used_dirs--;
        g_dirty(fs, g);
        bdirty(b);
    }
    bput(b);
    return 0;
}
/* A new block filled with zeros (indirect blocks, directory blocks, partial data). */
static int block_new(struct e2_fs *fs, e2_u32 goal, int cls, e2_u32 *out, struct buf **bp)
{
    int r = block_alloc(fs, goal, out);
    if (r) return r;
    struct buf *b;
    if ((r = bget(fs, *out, cls, 1, &b)) != 0) { block_free(fs, *out); return r; }
    mset(b->data, 0, fs->bs);
    bdirty(b);
    if (bp) *bp = b; else bput(b);
    return 0;
}

/* ---- block map (direct, single, double and triple indirect) ----------------------------- */
/* The physical block of logical block lbn, 0 for a hole; with create, holes are filled (the
 * new data block is zeroed unless nozero, when the caller writes all of it). */
static int bmap(struct e2_fs *fs, struct inode *ip, e2_u64 lbn, int create, int nozero, e2_u32 *out)
{
    e2_u32 apb = fs->apb;
    e2_u32 path[4];
    int depth;
    e2_u32 *root;
    if (lbn < NDIR) { depth = 0; root = &ip->block[lbn]; }
    else if ((lbn -= NDIR) < apb) { depth = 1; root = &ip->block[IND]; path[1] = (e2_u32)lbn; }
    else if ((lbn -= apb) < (e2_u64)apb * apb) {
        depth = 2; root = &ip->block[DIND];
        path[1] = (e2_u32)(lbn >> fs->ash); path[2] = (e2_u32)lbn & (apb - 1);
    } else if ((lbn -= (e2_u64)apb * apb) < (e2_u64)apb * apb * apb) {
        depth = 3; root = &ip->block[TIND];
        e2_u32 l = (e2_u32)lbn;
        path[1] = l / (apb * apb); path[2] = (l / apb) % apb; path[3] = l % apb;
    } else return -E2_EFBIG;
    *out = 0;
    e2_u32 goal = fs->alloc_ino == ip->num ? fs->alloc_last + 1 : fs->g[(ip->num - 1) / fs->ipg].inode_table;
    int r;
    e2_u32 cur = *root;
    if (!cur) {
        if (!create) return 0;
        if (depth == 0 && nozero) r = block_alloc(fs, goal, &cur);
        else r = block_new(fs, goal, depth ? C_IND : C_DATA, &cur, 0);
        if (r) return r;
        *root = cur; ip->blocks += fs->spb;
        fs->alloc_ino = ip->num; fs->alloc_last = cur; goal = cur + 1;
    }
    for (int lv = 1; lv <= depth; lv++) {
        struct buf *b;
        if ((r = bget(fs, cur, C_IND, 0, &b)) != 0) return r;
        e2_u8 *slot = b->data + 4 * path[lv];
        e2_u32 nx = g32(slot);
        if (nx >= fs->blocks_count) { bput(b); return -E2_EUCLEAN; }
        if (!nx) {
            if (!create) { bput(b); return 0; }
            if (lv == depth && nozero) r = block_alloc(fs, goal, &nx);
            else r = block_new(fs, goal, lv == depth ? C_DATA : C_IND, &nx, 0);
            if (r) { bput(b); return r; }
            p32(slot, nx); bdirty(b);
            ip->blocks += fs->spb;
            fs->alloc_ino = ip->num; fs->alloc_last = nx; goal = nx + 1;
        }
        bput(b);
        cur = nx;
    }
    *out = cur;
    return 0;
}

/* Frees the subtree under *ptr (level 0: a data block) whose first logical block is base,
 * keeping logical blocks below keep. */
static int trim(struct e2_fs *fs, struct inode *ip, e2_u32 *ptr, int level, e2_u64 base, e2_u64 keep)
{
    if (!*ptr) return 0;
    e2_u64 span = 1;
    for (int i = 0; i < level; i++) span *= fs->apb;
    if (keep >= base + span) return 0;
    int r = 0;
    if (level > 0) {
        struct buf *b;
        if ((r = bget(fs, *ptr, C_IND, 0, &b)) != 0) return r;
        e2_u64 sub = span >> fs->ash;
        int any = 0;
        for (e2_u32 i = 0; i < fs->apb; i++) {
            e2_u32 e = g32(b->data + 4 * i);
            if (!e) continue;
            if (e >= fs->blocks_count) { p32(b->data + 4 * i, 0); bdirty(b); continue; }
            e2_u32 ne = e;
            if ((r = trim(fs, ip, &ne, level - 1, base + i * sub, keep)) != 0) { bput(b); return r; }
            if (ne != e) { p32(b->data + 4 * i, ne); bdirty(b); }
            if (ne) any = 1;
        }
        bput(b);
        if (any) return 0;
    }
    if ((r = block_free(fs, *ptr)) != 0) return r;
    *ptr = 0;
    ip->blocks -= ip->blocks >= fs->spb ? fs->spb : ip->blocks;
    return 0;
}
static int free_blocks_from(struct e2_fs *fs, struct inode *ip, e2_u64 keep)
{
    int r;
    for (e2_u32 i = 0; i < NDIR; i++)
        if ((r = trim(fs, ip, &ip->block[i], 0, i, keep)) != 0) return r;
    e2_u64 base = NDIR;
    for (int lv = 1; lv <= 3; lv++) {
        if ((r = trim(fs, ip, &ip->block[NDIR + lv - 1], lv, base, keep)) != 0) return r;
        e2_u64 span = 1;
        for (int i = 0; i < lv; i++) span *= fs->apb;
        base += span;
    }
    return 0;
}
/* Zero the bytes of the last block past off, so that a later extension reads zeros. */
static int zero_tail(struct e2_fs *fs, struct inode *ip, e2_u64 off)
{
    e2_u32 in = (e2_u32)off & (fs->bs - 1);
    if (!in) return 0;
    e2_u32 pb;
    int r = bmap(fs, ip, off >> (10 + fs->log), 0, 0, &pb);
    if (r || !pb) return r;
    struct buf *b;
    if ((r = bget(fs, pb, C_DATA, 0, &b)) != 0) return r;
    mset(b->data + in, 0, fs->bs - in);
    bdirty(b); bput(b);
    return 0;
}
static int set_size(struct e2_fs *fs, struct inode *ip, e2_u64 size)
{
    if (size > fs->max_size) return -E2_EFBIG;
    int r;
    if (size < ip->size) {
        e2_u64 keep = (size + fs->bs - 1) >> (10 + fs->log);
        if ((r = free_blocks_from(fs, ip, keep)) != 0) return r;
        if ((r = zero_tail(fs, ip, size)) != 0) return r;
    } else if (size > ip->size) {
        if ((r = zero_tail(fs, ip, ip->size)) != 0) return r;
    }
    if (size > 0x7fffffffULL && !(fs->ro_compat & RO_LARGE_FILE)) fs->ro_compat |= RO_LARGE_FILE;
    ip->size = size;
    return 0;
}

/* The deletion time of a freed inode; e2fsck reads a value below the inode count as a link of
 * the orphan list, so a clock that says 0 (or 1970) still gives a larger one. */
static e2_u32 dtime_now(struct e2_fs *fs)
{
    e2_s64 s; e2_u32 ns;
    now(fs, &s, &ns);
    return t_lo(s) > fs->inodes_count ? t_lo(s) : fs->inodes_count;
}
/* ---- holders and freeing inodes --------------------------------------------------------- */
/* Holders live in an open-addressing table keyed by inode number (0: empty, ~0: deleted). */
#define HOLD_GONE 0xffffffffu
static struct hold *hold_find(struct e2_fs *fs, e2_u32 ino)
{
    if (!fs->capholds) return 0;
    for (e2_u32 i = (ino * 2654435761u) & (fs->capholds - 1);; i = (i + 1) & (fs->capholds - 1)) {
        if (fs->holds[i].ino == ino) return &fs->holds[i];
        if (fs->holds[i].ino == 0) return 0;
    }
}
static int hold_grow(struct e2_fs *fs)
{
    e2_u32 cap = fs->capholds;
    if (!cap) cap = 256;
    else if (fs->nholds * 2 > cap) cap *= 2;            /* else the same size, without the deleted marks */
    struct hold *old = fs->holds;
    e2_u32 oldcap = fs->capholds;
    struct hold *n = zalloc(fs, cap * sizeof *n);
    if (!n) return -E2_ENOMEM;
    fs->holds = n; fs->capholds = cap; fs->nholds = 0;
    for (e2_u32 i = 0; i < oldcap; i++) {
        if (old[i].ino == 0 || old[i].ino == HOLD_GONE) continue;
        e2_u32 j = (old[i].ino * 2654435761u) & (cap - 1);
        while (n[j].ino) j = (j + 1) & (cap - 1);
        n[j] = old[i];
        fs->nholds++;
    }
    if (old) fs->dev.free(fs->dev.ctx, old);
    return 0;
}
/* Drops the extended-attribute block's reference (shared blocks count their users). */
static int xattr_drop(struct e2_fs *fs, struct inode *ip)
{
    if (!ip->file_acl) return 0;
    e2_u32 blk = ip->file_acl;
    ip->file_acl = 0;
    ip->blocks -= ip->blocks >= fs->spb ? fs->spb : ip->blocks;
    if (blk >= fs->blocks_count) return 0;
    struct buf *b;
    int r = bget(fs, blk, C_IND, 0, &b);
    if (r) return r;
    e2_u32 refs = g32(b->data + 4);
    if (g32(b->data) == 0xEA020000 && refs > 1) {
        p32(b->data + 4, refs - 1); bdirty(b); bput(b);
        return 0;
    }
    bput(b);
    return block_free(fs, blk);
}
static int inode_destroy(struct e2_fs *fs, struct inode *ip)
{
    int r = 0;
    int has_blocks = !(IS_LNK(ip->mode) && ip->blocks == (ip->file_acl ? fs->spb : 0)) &&
                     (IS_REG(ip->mode) || IS_DIR(ip->mode) || IS_LNK(ip->mode));
    if (has_blocks && (r = free_blocks_from(fs, ip, 0)) != 0) return r;
    if ((r = xattr_drop(fs, ip)) != 0) return r;
    ip->dtime = dtime_now(fs);
    ip->links = 0;
    ip->size = 0;
    if (!has_blocks) for (int i = 0; i < 15; i++) ip->block[i] = 0;
    if ((r = iput(fs, ip)) != 0) return r;
    return inode_bit_free(fs, ip->num, IS_DIR(ip->mode));
}
/* After a link was dropped: free the inode if nothing names or holds it any more. */
static int maybe_destroy(struct e2_fs *fs, struct inode *ip)
{
    if (ip->links || hold_find(fs, ip->num)) return iput(fs, ip);
    return inode_destroy(fs, ip);
}
int e2_hold(struct e2_fs *fs, e2_u32 ino)
{
    struct hold *h = hold_find(fs, ino);
    if (h) { h->n++; return 0; }
    if (ino == 0 || ino == HOLD_GONE) return -E2_EINVAL;
    if ((fs->nholds + fs->goneholds + 1) * 4 > fs->capholds * 3) {
        int r = hold_grow(fs);
        if (r) return r;
        fs->goneholds = 0;
    }
    e2_u32 i = (ino * 2654435761u) & (fs->capholds - 1);
    while (fs->holds[i].ino && fs->holds[i].ino != HOLD_GONE) i = (i + 1) & (fs->capholds - 1);
    if (fs->holds[i].ino == HOLD_GONE) fs->goneholds--;
    fs->holds[i].ino = ino;
    fs->holds[i].n = 1;
    fs->nholds++;
    return 0;
}
int e2_release(struct e2_fs *fs, e2_u32 ino, e2_u64 count)
{
    struct hold *h = hold_find(fs, ino);
    if (!h) return 0;
    if (h->n > count) { h->n -= count; return 0; }
    h->ino = HOLD_GONE; h->n = 0;
    fs->nholds--; fs->goneholds++;
    if (fs->rdonly) return 0;
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (ip.links == 0 && ip.mode) return inode_destroy(fs, &ip);
    return 0;
}

/* ---- directories ------------------------------------------------------------------------ */
struct dpos { e2_u64 lbn; e2_u32 pblk, off, prev; int has_prev; e2_u32 ino, type; };

static e2_u32 rec_need(e2_u32 len) { return (8 + len + 3) & ~3u; }
static e2_u32 ftype(e2_u32 mode)
{
    switch (S_TYPE(mode)) {
    case E2_S_IFREG: return FT_REG;  case E2_S_IFDIR: return FT_DIR;  case E2_S_IFCHR: return FT_CHR;
    case E2_S_IFBLK: return FT_BLK;  case E2_S_IFIFO: return FT_FIFO; case E2_S_IFSOCK: return FT_SOCK;
    case E2_S_IFLNK: return FT_LNK;  default: return FT_UNKNOWN;
    }
}
static int dent_ok(struct e2_fs *fs, const e2_u8 *d, e2_u32 off)
{
    e2_u32 rl = g16(d + 4);
    if (fs->bs == 65536 && rl == 0) rl = 65536;
    return rl >= 8 && !(rl & 3) && off + rl <= fs->bs && (e2_u32)d[6] + 8 <= rl;
}
static e2_u32 dent_rec(struct e2_fs *fs, const e2_u8 *d)
{
    e2_u32 rl = g16(d + 4);
    return (fs->bs == 65536 && rl == 0) ? 65536 : rl;
}
static void dent_set_rec_bs(e2_u8 *d, e2_u32 rl, e2_u32 bs) { p16(d + 4, rl == 65536 && bs == 65536 ? 0 : rl); }
static void dent_set_rec(struct e2_fs *fs, e2_u8 *d, e2_u32 rl) { dent_set_rec_bs(d, rl, fs->bs); }

/* One entry of a directory as dir_each visits it (the block stays pinned during the visit). */
struct dvisit { e2_u64 lb; e2_u32 pb, off, prev; int has_prev; struct buf *b; e2_u8 *d; };
typedef int (*dir_fn)(struct e2_fs *fs, struct dvisit *v, void *arg);

/* Calls fn for every entry of dir, used or not, in order; stops at fn's first non-zero result
 * and returns it (0 when all were visited). Damaged entries give -E2_EUCLEAN. */
static int dir_each(struct e2_fs *fs, struct inode *dir, dir_fn fn, void *arg)
{
    e2_u64 nblk = dir->size >> (10 + fs->log);
    struct dvisit v;
    for (v.lb = 0; v.lb < nblk; v.lb++) {
        int r = bmap(fs, dir, v.lb, 0, 0, &v.pb);
        if (r) return r;
        if (!v.pb) continue;
        if ((r = bget(fs, v.pb, C_DIR, 0, &v.b)) != 0) return r;
        v.prev = 0; v.has_prev = 0;
        for (v.off = 0; v.off < fs->bs;) {
            v.d = v.b->data + v.off;
            if (!dent_ok(fs, v.d, v.off)) { bput(v.b); return -E2_EUCLEAN; }
            if ((r = fn(fs, &v, arg)) != 0) { bput(v.b); return r; }
            v.prev = v.off; v.has_prev = 1;
            v.off += dent_rec(fs, v.d);
        }
        bput(v.b);
    }
    return 0;
}

struct find_arg { const char *name; e2_u32 len; struct dpos *pos; };
static int find_fn(struct e2_fs *fs, struct dvisit *v, void *arg)
{
    (void)fs;
    struct find_arg *f = arg;
    e2_u8 *d = v->d;
    if (!g32(d) || d[6] != f->len || mcmp(d + 8, f->name, f->len)) return 0;
    struct dpos *pos = f->pos;
    pos->lbn = v->lb; pos->pblk = v->pb; pos->off = v->off; pos->prev = v->prev; pos->has_prev = v->has_prev;
    pos->ino = g32(d); pos->type = d[7];
    return 1;
}
/* Finds name in dir; -E2_ENOENT when absent. */
static int dir_find(struct e2_fs *fs, struct inode *dir, const char *name, e2_u32 len, struct dpos *pos)
{
    struct find_arg f = { name, len, pos };
    int r = dir_each(fs, dir, find_fn, &f);
    return r == 1 ? 0 : r == 0 ? -E2_ENOENT : r;
}
static void dir_unindex(struct inode *dir) { dir->flags &= ~(e2_u32)INDEX_FL; }

static void dent_write(struct e2_fs *fs, e2_u8 *d, e2_u32 ino, const char *name, e2_u32 len, e2_u32 type)
{
    p32(d, ino);
    d[6] = (e2_u8)len;
    d[7] = (fs->incompat & INCOMPAT_FILETYPE) ? (e2_u8)type : 0;
    mcpy(d + 8, name, len);
}
struct add_arg { const char *name; e2_u32 len, ino, type; };
static int add_fn(struct e2_fs *fs, struct dvisit *v, void *arg)
{
    struct add_arg *x = arg;
    e2_u8 *d = v->d;
    e2_u32 rl = dent_rec(fs, d);
    e2_u32 used = g32(d) ? rec_need(d[6]) : 0;
    if (rl - used < rec_need(x->len)) return 0;
    if (used) {                           /* split the slack off the entry */
        dent_set_rec(fs, d, used);
        d += used;
        dent_set_rec(fs, d, rl - used);
    }
    dent_write(fs, d, x->ino, x->name, x->len, x->type);
    bdirty(v->b);
    return 1;
}
static int dir_add(struct e2_fs *fs, struct inode *dir, const char *name, e2_u32 len, e2_u32 ino, e2_u32 type)
{
    struct add_arg x = { name, len, ino, type };
    e2_u64 nblk = dir->size >> (10 + fs->log);
    int r = dir_each(fs, dir, add_fn, &x);
    if (r < 0) return r;
    if (r == 1) { dir_unindex(dir); return 0; }
    /* no room: a new block at the end */
    if ((dir->size >> 32) || dir->size + fs->bs > 0xffffffffULL) return -E2_ENOSPC;
    e2_u32 pb;
    if ((r = bmap(fs, dir, nblk, 1, 0, &pb)) != 0) return r;
    struct buf *b;
    if ((r = bget(fs, pb, C_DIR, 0, &b)) != 0) return r;
    mset(b->data, 0, fs->bs);
    dent_set_rec(fs, b->data, fs->bs);
    dent_write(fs, b->data, ino, name, len, type);
    bdirty(b); bput(b);
    dir->size += fs->bs;
    dir_unindex(dir);
    return 0;
}
static int dir_remove(struct e2_fs *fs, struct inode *dir, const struct dpos *pos)
{
    struct buf *b;
    int r = bget(fs, pos->pblk, C_DIR, 0, &b);
    if (r) return r;
    e2_u8 *d = b->data + pos->off;
    if (pos->has_prev) {
        e2_u8 *p = b->data + pos->prev;
        dent_set_rec(fs, p, dent_rec(fs, p) + dent_rec(fs, d));
    } else p32(d, 0);
    bdirty(b); bput(b);
    dir_unindex(dir);
    return 0;
}
static int dir_retarget(struct e2_fs *fs, const struct dpos *pos, e2_u32 ino, e2_u32 type)
{
    struct buf *b;
    int r = bget(fs, pos->pblk, C_DIR, 0, &b);
    if (r) return r;
    p32(b->data + pos->off, ino);
    if (fs->incompat & INCOMPAT_FILETYPE) b->data[pos->off + 7] = (e2_u8)type;
    bdirty(b); bput(b);
    return 0;
}
static int nondot_fn(struct e2_fs *fs, struct dvisit *v, void *arg)
{
    (void)fs; (void)arg;
    const e2_u8 *d = v->d;
    return g32(d) && !(d[6] == 1 && d[8] == '.') && !(d[6] == 2 && d[8] == '.' && d[9] == '.');
}
/* 1 when dir holds nothing but "." and "..". */
static int dir_empty(struct e2_fs *fs, struct inode *dir)
{
    int r = dir_each(fs, dir, nondot_fn, 0);
    return r == 0 ? 1 : r == 1 ? 0 : r;
}

/* ---- mount ------------------------------------------------------------------------------ */
static void fs_free(struct e2_fs *fs)
{
    void *ctx = fs->dev.ctx;
    void (*fr)(void *, void *) = fs->dev.free;
    if (fs->bufs) {
        for (e2_u32 i = 0; i < fs->nbufs; i++) if (fs->bufs[i].data) fr(ctx, fs->bufs[i].data);
        fr(ctx, fs->bufs);
    }
    if (fs->hash) fr(ctx, fs->hash);
    if (fs->sortv) fr(ctx, fs->sortv);
    if (fs->g) fr(ctx, fs->g);
    if (fs->gdirty) fr(ctx, fs->gdirty);
    if (fs->holds) fr(ctx, fs->holds);
    fr(ctx, fs);
}

int e2_mount(struct e2_fs **out, const struct e2_dev *dev, unsigned flags, unsigned cache_blocks)
{
    *out = 0;
    if (!dev->read || !dev->alloc || !dev->free || (!(flags & E2_MOUNT_RDONLY) && !dev->write)) return -E2_EINVAL;
    e2_u8 sb[1024];
    if (dev->sectors < 4) return -E2_EINVAL;
    int r = dev->read(dev->ctx, 2, 2, sb);
    if (r) return r;
    if (g16(sb + 56) != SB_MAGIC) return -E2_EINVAL;
    e2_u32 log = g32(sb + 24);
    if (log > 2 || g32(sb + 76) != 1) return -E2_EINVAL;      /* 1, 2 or 4 KiB blocks; revision 1 */
    struct e2_fs *fs = dev->alloc(dev->ctx, sizeof *fs);
    if (!fs) return -E2_ENOMEM;
    mset(fs, 0, sizeof *fs);
    fs->dev = *dev;
    fs->log = log;
    fs->bs = 1024u << log;
    fs->spb = fs->bs / 512;
    fs->apb = fs->bs / 4;
    fs->ash = 8 + log;
    fs->inodes_count = g32(sb);
    fs->blocks_count = g32(sb + 4);
    fs->r_blocks = g32(sb + 8);
    fs->free_blocks = g32(sb + 12);
    fs->free_inodes = g32(sb + 16);
    fs->first_data = g32(sb + 20);
    fs->bpg = g32(sb + 32);
    fs->ipg = g32(sb + 40);
    fs->resuid = g16(sb + 80);
    fs->resgid = g16(sb + 82);
    fs->first_ino = g32(sb + 84);
    fs->isize = g16(sb + 88);
    fs->compat = g32(sb + 92);
    fs->incompat = g32(sb + 96);
    fs->ro_compat = g32(sb + 100);
    fs->rdonly = flags & E2_MOUNT_RDONLY;
    r = -E2_EINVAL;
    if (fs->bpg == 0 || fs->ipg == 0 || fs->bpg > 8 * fs->bs || fs->ipg > 8 * fs->bs || fs->isize < 128 ||
        fs->isize > fs->bs || (fs->isize & (fs->isize - 1)) || fs->first_data >= fs->blocks_count ||
        (e2_u64)fs->blocks_count * fs->spb > dev->sectors || fs->first_ino < 11)
        goto fail;
    fs->groups = (fs->blocks_count - fs->first_data + fs->bpg - 1) / fs->bpg;
    if ((e2_u64)fs->groups * fs->ipg != fs->inodes_count) goto fail;
    if (fs->incompat & ~(e2_u32)INCOMPAT_FILETYPE) { r = -E2_EOPNOTSUPP; goto fail; }  /* extents, 64bit, journal recovery... */
    if (fs->ro_compat & ~(e2_u32)(RO_SPARSE_SUPER | RO_LARGE_FILE | RO_BTREE_DIR)) fs->rdonly = 1;
    fs->sb_blk = fs->bs == 1024 ? 1 : 0;
    fs->sb_off = fs->bs == 1024 ? 0 : 1024;
    fs->gdt_blocks = (fs->groups + fs->bs / 32 - 1) / (fs->bs / 32);
    /* largest size: what the indirect tree addresses, and what i_blocks (32 bits of 512-byte
     * units, metadata included) can count */
    {
        e2_u64 a = fs->apb;
        e2_u64 nb = NDIR + a + a * a + a * a * a;
        e2_u64 lim = ((e2_u64)1 << 32) - 1;            /* sectors */
        e2_u64 meta = (1 + a + 1 + a * (a + 1)) * fs->spb;  /* upper bound of indirect blocks */
        e2_u64 bysec = (lim - (meta < lim ? meta : 0)) >> (1 + log);
        if (bysec < nb) nb = bysec;
        fs->max_size = nb << (10 + log);
    }
    if (cache_blocks < 32) cache_blocks = cache_blocks ? 32 : 1024;
    fs->nbufs = cache_blocks;
    e2_u32 hs = 64;
    while (hs < cache_blocks * 2) hs <<= 1;
    fs->hmask = hs - 1;
    r = -E2_ENOMEM;
    if (!(fs->bufs = zalloc(fs, cache_blocks * sizeof *fs->bufs)) || !(fs->hash = zalloc(fs, hs * sizeof *fs->hash)) ||
        !(fs->sortv = zalloc(fs, cache_blocks * sizeof *fs->sortv)) || !(fs->g = zalloc(fs, fs->groups * sizeof *fs->g)) ||
        !(fs->gdirty = zalloc(fs, fs->groups)))
        goto fail;
    for (e2_u32 i = 0; i < cache_blocks; i++) {
        if (!(fs->bufs[i].data = fs->dev.alloc(fs->dev.ctx, fs->bs))) goto fail;
        lru_front(fs, &fs->bufs[i]);
    }
    /* group descriptors */
    for (e2_u32 g = 0; g < fs->groups; g++) {
        e2_u32 per = fs->bs / 32;
        struct buf *b;
        if ((r = bget(fs, fs->first_data + 1 + g / per, C_SUPER, 0, &b)) != 0) goto fail;
        const e2_u8 *d = b->data + (g % per) * 32;
        struct group *gp = &fs->g[g];
        gp->block_bitmap = g32(d); gp->inode_bitmap = g32(d + 4); gp->inode_table = g32(d + 8);
        gp->free_blocks = g16(d + 12); gp->free_inodes = g16(d + 14); gp->used_dirs = g16(d + 16);
        bput(b);
        e2_u32 itb = (fs->ipg * fs->isize + fs->bs - 1) / fs->bs;
        r = -E2_EUCLEAN;
        if (gp->block_bitmap >= fs->blocks_count || gp->inode_bitmap >= fs->blocks_count ||
            gp->inode_table + itb > fs->blocks_count || !gp->block_bitmap || !gp->inode_bitmap || !gp->inode_table)
            goto fail;
    }
    if (!fs->rdonly) {
        struct buf *b;
        if ((r = bget(fs, fs->sb_blk, C_SUPER, 0, &b)) != 0) goto fail;
        e2_u8 *s = b->data + fs->sb_off;
        e2_s64 t; e2_u32 ns;
        now(fs, &t, &ns);
        p32(s + 44, t_lo(t));                            /* s_mtime */
        p16(s + 52, g16(s + 52) + 1);                    /* s_mnt_count */
        p16(s + 58, g16(s + 58) & ~SB_STATE_VALID);      /* not clean while mounted */
        bdirty(b); bput(b);
        fs->gen = t_lo(t);
        if ((r = e2_sync(fs)) != 0) goto fail;
    }
    *out = fs;
    return 0;
fail:
    fs_free(fs);
    return r;
}

int e2_unmount(struct e2_fs *fs)
{
    int r = 0;
    if (!fs->rdonly) {
        /* orphans: unlinked while held */
        for (e2_u32 i = 0; i < fs->capholds; i++) {
            struct hold *h = &fs->holds[i];
            if (h->ino == 0 || h->ino == HOLD_GONE) continue;
            int x = e2_release(fs, h->ino, h->n);
            if (x && !r) r = x;
        }
        struct buf *b;
        int x = bget(fs, fs->sb_blk, C_SUPER, 0, &b);
        if (!x) {
            e2_u8 *s = b->data + fs->sb_off;
            if (!fs->err) p16(s + 58, g16(s + 58) | SB_STATE_VALID);
            bdirty(b); bput(b);
        }
        x = e2_sync(fs);
        if (x && !r) r = x;
    }
    fs_free(fs);
    return r;
}

e2_u32 e2_block_size(const struct e2_fs *fs) { return fs->bs; }

int e2_statfs(struct e2_fs *fs, struct e2_statfs *st)
{
    st->bsize = fs->bs;
    st->blocks = fs->blocks_count - fs->first_data;
    st->bfree = fs->free_blocks;
    st->bavail = fs->free_blocks > fs->r_blocks ? fs->free_blocks - fs->r_blocks : 0;
    st->files = fs->inodes_count;
    st->ffree = fs->free_inodes;
    st->namemax = E2_NAME_MAX;
    return 0;
}


/* ---- mkfs ------------------------------------------------------------------------------- */
static int is_power(e2_u32 g, e2_u32 base)
{
    if (g == 0) return 0;
    while (g % base == 0) g /= base;
    return g == 1;
}
/* sparse_super: groups 0, 1 and the powers of 3, 5 and 7 keep a copy of the superblock and
 * the group descriptors. */
static int has_backup(e2_u32 g) { return g <= 1 || is_power(g, 3) || is_power(g, 5) || is_power(g, 7); }

struct mk {
    const struct e2_dev *dev;
    e2_u32 bs, spb;
    e2_u8 *blk;                          /* one block of scratch */
};
static int mk_write(struct mk *m, e2_u32 blk, const void *data)
{
    return m->dev->write(m->dev->ctx, (e2_u64)blk * m->spb, m->spb, data);
}
static void bits_set(e2_u8 *map, e2_u32 from, e2_u32 to)
{
    for (e2_u32 i = from; i < to; i++) map[i >> 3] |= (e2_u8)(1u << (i & 7));
}

int e2_mkfs(const struct e2_dev *dev, const struct e2_mkfs_opts *o)
{
    struct e2_mkfs_opts def;
    mset(&def, 0, sizeof def);
    if (!o) o = &def;
    e2_u64 bytes = dev->sectors * 512;
    int small = bytes < ((e2_u64)512 << 20);
    e2_u32 bs = o->block_size ? o->block_size : small ? 1024 : 4096;
    if (bs != 1024 && bs != 2048 && bs != 4096) return -E2_EINVAL;
    e2_u32 log = bs == 1024 ? 0 : bs == 2048 ? 1 : 2;
    e2_u32 ratio = o->bytes_per_inode ? o->bytes_per_inode : small ? 4096 : 16384;
    if (ratio < bs) ratio = bs;
    e2_u32 isize = 256, per_block = bs / isize;
    e2_u64 nb = bytes >> (10 + log);
    if (nb > 0xffffffffULL) nb = 0xffffffffULL;
    e2_u32 blocks = (e2_u32)nb, first = bs == 1024 ? 1 : 0, bpg = 8 * bs;
    if (blocks < 64 + first) return -E2_ENOSPC;
    e2_u32 groups = (blocks - first + bpg - 1) / bpg;
    e2_u32 gdt = (groups * 32 + bs - 1) / bs;
    e2_u32 want_inodes = blocks / (ratio / bs);          /* 32-bit arithmetic only (no libgcc) */
    e2_u32 ipg = want_inodes / groups + 1;
    if (ipg < 16) ipg = 16;
    ipg = (ipg + per_block - 1) / per_block * per_block;
    ipg = (ipg + 7) & ~7u;
    if (ipg > 8 * bs) ipg = 8 * bs;
    e2_u32 itb = ipg / per_block;
    /* a last group too small for its own metadata and a little data goes */
    e2_u32 last = blocks - first - (groups - 1) * bpg;
    e2_u32 meta_last = (has_backup(groups - 1) ? 1 + gdt : 0) + 2 + itb;
    if (groups > 1 && last < meta_last + 50) {
        blocks -= last;
        groups--;
        gdt = (groups * 32 + bs - 1) / bs;
    } else if (last < meta_last + 16) return -E2_ENOSPC;
    if ((e2_u64)ipg * groups > 0xffffffffULL) return -E2_EINVAL;
    e2_u32 inodes = ipg * groups;

    struct mk m = { dev, bs, bs / 512, 0 };
    e2_u8 *gd = dev->alloc(dev->ctx, gdt * bs);
    m.blk = dev->alloc(dev->ctx, bs);
    int r = -E2_ENOMEM;
    if (!gd || !m.blk) goto out;
    mset(gd, 0, gdt * bs);
    e2_s64 now_s; e2_u32 now_ns;
    now_s = 0; now_ns = 0;
    if (dev->now) dev->now(dev->ctx, &now_s, &now_ns);
    e2_u32 t = t_lo(now_s);
    e2_u32 free_blocks = 0, free_inodes = 0;
    e2_u32 root_blk = 0, lf_blk = 0;
    /* per group: bitmaps, zeroed inode table, descriptor */
    for (e2_u32 g = 0; g < groups; g++) {
        e2_u32 start = first + g * bpg;
        e2_u32 n = g == groups - 1 ? blocks - start : bpg;
        e2_u32 meta = has_backup(g) ? 1 + gdt : 0;
        e2_u32 bb = start + meta, ib = bb + 1, it = ib + 1;
        e2_u32 used = meta + 2 + itb;
        e2_u32 fi = ipg;
        if (g == 0) {                    /* the root's and lost+found's blocks, reserved inodes */
            root_blk = start + used; lf_blk = root_blk + 1;
            used += 2;
            fi -= 11;
        }
        mset(m.blk, 0, bs);
        bits_set(m.blk, 0, used);
        bits_set(m.blk, n, 8 * bs);      /* past the end of a short last group */
        if ((r = mk_write(&m, bb, m.blk)) != 0) goto out;
        mset(m.blk, 0, bs);
        if (g == 0) bits_set(m.blk, 0, 11);
        bits_set(m.blk, ipg, 8 * bs);
        if ((r = mk_write(&m, ib, m.blk)) != 0) goto out;
        mset(m.blk, 0, bs);
        for (e2_u32 i = 0; i < itb; i++)
            if ((r = mk_write(&m, it + i, m.blk)) != 0) goto out;
        e2_u8 *d = gd + g * 32;
        p32(d, bb); p32(d + 4, ib); p32(d + 8, it);
        p16(d + 12, n - used); p16(d + 14, fi); p16(d + 16, g == 0 ? 2 : 0);
        free_blocks += n - used;
        free_inodes += fi;
    }
    /* the root directory (inode 2) and lost+found (inode 11), one block each */
    e2_u32 itab0 = g32(gd + 8);
    mset(m.blk, 0, bs);
    dent_set_rec_bs(m.blk, 12, bs); p32(m.blk, E2_ROOT_INO); m.blk[6] = 1; m.blk[7] = FT_DIR; m.blk[8] = '.';
    dent_set_rec_bs(m.blk + 12, 12, bs); p32(m.blk + 12, E2_ROOT_INO); m.blk[18] = 2; m.blk[19] = FT_DIR; m.blk[20] = '.'; m.blk[21] = '.';
    dent_set_rec_bs(m.blk + 24, bs - 24, bs); p32(m.blk + 24, 11); m.blk[30] = 10; m.blk[31] = FT_DIR; mcpy(m.blk + 32, "lost+found", 10);
    if ((r = mk_write(&m, root_blk, m.blk)) != 0) goto out;
    mset(m.blk, 0, bs);
    dent_set_rec_bs(m.blk, 12, bs); p32(m.blk, 11); m.blk[6] = 1; m.blk[7] = FT_DIR; m.blk[8] = '.';
    dent_set_rec_bs(m.blk + 12, bs - 12, bs); p32(m.blk + 12, E2_ROOT_INO); m.blk[18] = 2; m.blk[19] = FT_DIR; m.blk[20] = '.'; m.blk[21] = '.';
    if ((r = mk_write(&m, lf_blk, m.blk)) != 0) goto out;
    /* both inodes live in the first inode-table block(s) of group 0 */
    for (e2_u32 k = 0; k < 2; k++) {
        e2_u32 num = k ? 11 : E2_ROOT_INO, idx = num - 1;
        e2_u32 blk = itab0 + idx / per_block, off = (idx % per_block) * isize;
        mset(m.blk, 0, bs);
        if (dev->read(dev->ctx, (e2_u64)blk * m.spb, m.spb, m.blk)) { r = -E2_EIO; goto out; }
        e2_u8 *in = m.blk + off;
        mset(in, 0, isize);
        p16(in, E2_S_IFDIR | (k ? 0700 : 0755));
        p32(in + 4, bs);
        p32(in + 8, t); p32(in + 12, t); p32(in + 16, t);
        p16(in + 26, k ? 2 : 3);
        p32(in + 28, m.spb);
        p32(in + 40, k ? lf_blk : root_blk);
        p16(in + 128, 32);
        e2_u32 ex = t_extra(now_s, now_ns);
        p32(in + 132, ex); p32(in + 136, ex); p32(in + 140, ex); p32(in + 144, t); p32(in + 148, ex);
        if ((r = mk_write(&m, blk, m.blk)) != 0) goto out;
    }
    /* superblock and descriptor copies */
    e2_u8 sb[1024];
    mset(sb, 0, sizeof sb);
    p32(sb, inodes); p32(sb + 4, blocks);
    e2_u32 pct = o->reserved_percent == 0 ? 5 : o->reserved_percent > 50 ? 0 : o->reserved_percent;
    p32(sb + 8, blocks / 100 * pct + blocks % 100 * pct / 100);
    p32(sb + 12, free_blocks); p32(sb + 16, free_inodes);
    p32(sb + 20, first); p32(sb + 24, log); p32(sb + 28, log);
    p32(sb + 32, bpg); p32(sb + 36, bpg); p32(sb + 40, ipg);
    p32(sb + 48, t);
    p16(sb + 54, 0xffff);                /* no mount-count check */
    p16(sb + 56, SB_MAGIC); p16(sb + 58, SB_STATE_VALID); p16(sb + 60, 1);
    p32(sb + 64, t);
    p32(sb + 76, 1);                     /* revision 1 */
    p32(sb + 84, 11); p16(sb + 88, isize);
    p32(sb + 96, INCOMPAT_FILETYPE);
    p32(sb + 100, RO_SPARSE_SUPER | RO_LARGE_FILE);
    for (int i = 0; i < 16; i++) {       /* a UUID from the clock (version 4 layout) */
        e2_u32 x = (t ^ now_ns) * 2654435761u + (e2_u32)i * 40503u + now_ns;
        x ^= x >> 13; x *= 0x5bd1e995u; x ^= x >> 15;
        sb[104 + i] = (e2_u8)x;
    }
    sb[104 + 6] = (e2_u8)((sb[104 + 6] & 0x0f) | 0x40);
    sb[104 + 8] = (e2_u8)((sb[104 + 8] & 0x3f) | 0x80);
    mcpy(sb + 120, o->label, 16);
    p32(sb + 264, t);                    /* s_mkfs_time */
    p16(sb + 348, 32); p16(sb + 350, 32);/* min and wanted extra inode size */
    for (e2_u32 g = 0; g < groups; g++) {
        if (!has_backup(g)) continue;
        e2_u32 start = first + g * bpg;
        p16(sb + 90, g);                 /* s_block_group_nr */
        mset(m.blk, 0, bs);
        if (bs == 1024) mcpy(m.blk, sb, 1024);
        else if (g == 0) mcpy(m.blk + 1024, sb, 1024);
        else mcpy(m.blk, sb, 1024);      /* a backup sits at the start of its block */
        if ((r = mk_write(&m, start, m.blk)) != 0) goto out;
        for (e2_u32 i = 0; i < gdt; i++)
            if ((r = mk_write(&m, start + 1 + i, gd + i * bs)) != 0) goto out;
    }
    r = dev->flush ? dev->flush(dev->ctx) : 0;
out:
    if (gd) dev->free(dev->ctx, gd);
    if (m.blk) dev->free(dev->ctx, m.blk);
    return r;
}

/* ---- lookups and attributes ------------------------------------------------------------- */
static int dir_inode(struct e2_fs *fs, e2_u32 ino, struct inode *ip)
{
    int r = iget(fs, ino, ip);
    if (r) return r;
    if (!ip->mode) return -E2_ENOENT;
    if (!IS_DIR(ip->mode)) return -E2_ENOTDIR;
    return 0;
}
static int name_ok(const char *name, e2_u32 len)
{
    if (len == 0) return -E2_ENOENT;
    if (len > E2_NAME_MAX) return -E2_ENAMETOOLONG;
    for (e2_u32 i = 0; i < len; i++)
        if (name[i] == '/' || name[i] == 0) return -E2_EINVAL;
    return 0;
}
int e2_lookup(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len, e2_u32 *ino)
{
    struct inode d;
    int r = dir_inode(fs, dir, &d);
    if (r) return r;
    if ((r = permit(c, &d, E2_MAY_EXEC)) != 0) return r;
    if (len > E2_NAME_MAX) return -E2_ENAMETOOLONG;
    struct dpos pos;
    if ((r = dir_find(fs, &d, name, len, &pos)) != 0) return r;
    if (pos.ino > fs->inodes_count) return -E2_EUCLEAN;
    *ino = pos.ino;
    return 0;
}
static void rdev_decode(const struct inode *ip, e2_u32 *ma, e2_u32 *mi)
{
    if (ip->block[0]) { *ma = (ip->block[0] >> 8) & 0xff; *mi = ip->block[0] & 0xff; }
    else { e2_u32 v = ip->block[1]; *ma = (v & 0xfff00) >> 8; *mi = (v & 0xff) | ((v >> 12) & 0xfff00); }
}
int e2_getattr(struct e2_fs *fs, e2_u32 ino, struct e2_stat *st)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!ip.mode) return -E2_ENOENT;
    st->ino = ino; st->mode = ip.mode; st->nlink = ip.links; st->uid = ip.uid; st->gid = ip.gid;
    st->rdev_major = st->rdev_minor = 0;
    if (S_TYPE(ip.mode) == E2_S_IFCHR || S_TYPE(ip.mode) == E2_S_IFBLK) rdev_decode(&ip, &st->rdev_major, &st->rdev_minor);
    st->blksize = fs->bs;
    st->size = ip.size;
    st->blocks = ip.blocks;
    st->atime = ip.atime; st->atime_ns = ip.atime_ns;
    st->mtime = ip.mtime; st->mtime_ns = ip.mtime_ns;
    st->ctime = ip.ctime; st->ctime_ns = ip.ctime_ns;
    st->generation = ip.generation;
    return 0;
}
int e2_access(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, int mask)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!ip.mode) return -E2_ENOENT;
    if ((mask & E2_MAY_WRITE) && fs->rdonly) return -E2_EROFS;
    return permit(c, &ip, mask & 7);
}
int e2_open(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, int accmode, int trunc)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!ip.mode) return -E2_ENOENT;
    int mask = accmode == 0 ? E2_MAY_READ : accmode == 1 ? E2_MAY_WRITE : E2_MAY_READ | E2_MAY_WRITE;
    if (trunc) mask |= E2_MAY_WRITE;
    if (IS_DIR(ip.mode) && (mask & E2_MAY_WRITE)) return -E2_EISDIR;
    if ((r = permit(c, &ip, mask)) != 0) return r;
    if ((mask & E2_MAY_WRITE) && fs->rdonly && (IS_REG(ip.mode) || IS_DIR(ip.mode))) return -E2_EROFS;
    if (trunc && IS_REG(ip.mode)) {
        enter(fs, c);
        if ((r = set_size(fs, &ip, 0)) != 0) return r;
        touch(fs, &ip, 1, 1);
        return iput(fs, &ip);
    }
    return 0;
}

int e2_setattr(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, const struct e2_setattr *a)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!ip.mode) return -E2_ENOENT;
    e2_u32 v = a->valid;
    if (fs->rdonly && v) return -E2_EROFS;
    int root = !c || c->uid == 0;
    int own = owner(c, &ip);
    enter(fs, c);
    /* all checks first, so a refused call changes nothing */
    if (v & E2_SET_SIZE) {
        if (IS_DIR(ip.mode)) return -E2_EISDIR;
        if (!IS_REG(ip.mode)) return -E2_EINVAL;
        if (!(v & E2_SET_OPEN_FILE) && (r = permit(c, &ip, E2_MAY_WRITE)) != 0) return r;
        if (a->size > fs->max_size) return -E2_EFBIG;
    }
    e2_u32 nuid = (v & E2_SET_UID) ? a->uid : ip.uid, ngid = (v & E2_SET_GID) ? a->gid : ip.gid;
    if ((v & (E2_SET_UID | E2_SET_GID)) && !root) {
        if (!own || nuid != ip.uid || (ngid != ip.gid && !in_group(c, ngid))) return -E2_EPERM;
    }
    e2_u32 nmode = ip.mode;
    if (v & E2_SET_MODE) {
        e2_u32 want = a->mode & 07777;
        /* anyone may clear set-id bits (the kernel asks so when a non-owner writes) */
        int clear_only = want == (ip.mode & 07777 & ~(e2_u32)(E2_S_ISUID | E2_S_ISGID));
        if (!own && !clear_only) return -E2_EPERM;
        if (!root && !IS_DIR(ip.mode) && (want & E2_S_ISGID) && !in_group(c, ngid)) want &= ~(e2_u32)E2_S_ISGID;
        nmode = S_TYPE(ip.mode) | want;
    }
    if ((v & (E2_SET_ATIME | E2_SET_MTIME)) && !own) return -E2_EPERM;
    if ((v & (E2_SET_ATIME_NOW | E2_SET_MTIME_NOW)) && !(v & (E2_SET_ATIME | E2_SET_MTIME)) && !own &&
        permit(c, &ip, E2_MAY_WRITE))
        return -E2_EACCES;
    /* apply */
    e2_s64 s; e2_u32 ns;
    now(fs, &s, &ns);
    if (v & E2_SET_SIZE) {
        if ((r = set_size(fs, &ip, a->size)) != 0) return r;
        ip.mtime = s; ip.mtime_ns = ns;
    }
    if (v & (E2_SET_UID | E2_SET_GID)) {
        /* a new owner or group drops set-user-ID, and set-group-ID when it means that (as
         * Linux does); an unprivileged chown drops both on every type (POSIX's preference,
         * where Linux leaves directories alone) */
        if (!root) nmode &= ~(e2_u32)(E2_S_ISUID | E2_S_ISGID);
        else if (!IS_DIR(ip.mode)) {
            nmode &= ~(e2_u32)E2_S_ISUID;
            if (nmode & 0010) nmode &= ~(e2_u32)E2_S_ISGID;
        }
        ip.uid = nuid; ip.gid = ngid;
    }
    ip.mode = nmode;
    if (v & E2_SET_ATIME) { ip.atime = a->atime; ip.atime_ns = a->atime_ns; }
    else if (v & E2_SET_ATIME_NOW) { ip.atime = s; ip.atime_ns = ns; }
    if (v & E2_SET_MTIME) { ip.mtime = a->mtime; ip.mtime_ns = a->mtime_ns; }
    else if (v & E2_SET_MTIME_NOW) { ip.mtime = s; ip.mtime_ns = ns; }
    if (v) { ip.ctime = s; ip.ctime_ns = ns; }
    return iput(fs, &ip);
}

/* ---- creating and removing names -------------------------------------------------------- */
/* The common checks for adding name to dir (must exist, be writable and searchable). */
static int create_prep(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len, struct inode *d)
{
    int r = dir_inode(fs, dir, d);
    if (r) return r;
    if ((r = name_ok(name, len)) != 0) return r;
    if ((r = permit(c, d, E2_MAY_EXEC)) != 0) return r;
    struct dpos pos;
    r = dir_find(fs, d, name, len, &pos);
    if (r == 0) return -E2_EEXIST;
    if (r != -E2_ENOENT) return r;
    if ((r = permit(c, d, E2_MAY_WRITE | E2_MAY_EXEC)) != 0) return r;
    if (fs->rdonly) return -E2_EROFS;
    if (d->links == 0) return -E2_ENOENT;      /* removed directory */
    enter(fs, c);
    return 0;
}
static int inode_new(struct e2_fs *fs, const struct e2_cred *c, struct inode *d, e2_u32 mode, struct inode *ip)
{
    e2_u32 num;
    int r = inode_alloc(fs, d->num, IS_DIR(mode), &num);
    if (r) return r;
    e2_u32 blk, off;
    struct buf *b;
    if ((r = iloc(fs, num, &blk, &off)) != 0 || (r = bget(fs, blk, C_INODE, 0, &b)) != 0) {
        inode_bit_free(fs, num, IS_DIR(mode));
        return r;
    }
    mset(b->data + off, 0, fs->isize);
    bdirty(b); bput(b);
    mset(ip, 0, sizeof *ip);
    ip->num = num;
    ip->extra = fs->isize >= 160 ? 32 : (fs->isize > 128 ? fs->isize - 128 : 0);
    if (ip->extra) { /* i_extra_isize lives in the slot, iput does not write it */
        if ((r = bget(fs, blk, C_INODE, 0, &b)) != 0) return r;
        p16(b->data + off + 128, ip->extra);
        bdirty(b); bput(b);
    }
    ip->uid = c ? c->uid : 0;
    ip->gid = c ? c->gid : 0;
    if (d->mode & E2_S_ISGID) {
        ip->gid = d->gid;
        if (IS_DIR(mode)) mode |= E2_S_ISGID;
    }
    if (!IS_DIR(mode) && (mode & (E2_S_ISGID | 0010)) == (E2_S_ISGID | 0010) && c && c->uid != 0 && !in_group(c, ip->gid))
        mode &= ~(e2_u32)E2_S_ISGID;
    ip->mode = mode;
    ip->links = 1;
    ip->generation = ++fs->gen;
    e2_s64 s; e2_u32 ns;
    now(fs, &s, &ns);
    ip->atime = ip->mtime = ip->ctime = ip->crtime = s;
    ip->atime_ns = ip->mtime_ns = ip->ctime_ns = ip->crtime_ns = ns;
    return 0;
}
/* Undo an inode_new whose name could not be added. */
static void inode_abort(struct e2_fs *fs, struct inode *ip)
{
    if (IS_DIR(ip->mode) || IS_REG(ip->mode) || IS_LNK(ip->mode)) free_blocks_from(fs, ip, 0);
    mset(ip->block, 0, sizeof ip->block);
    int dir = IS_DIR(ip->mode);
    ip->links = 0; ip->mode = 0; ip->dtime = dtime_now(fs);
    iput(fs, ip);
    inode_bit_free(fs, ip->num, dir);
}
static int link_into(struct e2_fs *fs, struct inode *d, const char *name, e2_u32 len, struct inode *ip)
{
    int r = dir_add(fs, d, name, len, ip->num, ftype(ip->mode));
    if (r) return r;
    touch(fs, d, 1, 1);
    return 0;
}

int e2_mknod(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
             e2_u32 mode, e2_u32 ma, e2_u32 mi, e2_u32 *ino)
{
    struct inode d, ip;
    e2_u32 t = S_TYPE(mode);
    if (t == 0) mode |= t = E2_S_IFREG;
    if (t != E2_S_IFREG && t != E2_S_IFIFO && t != E2_S_IFSOCK && t != E2_S_IFCHR && t != E2_S_IFBLK) return -E2_EINVAL;
    int r = create_prep(fs, c, dir, name, len, &d);
    if (r) return r;
    if ((t == E2_S_IFCHR || t == E2_S_IFBLK) && c && c->uid != 0) return -E2_EPERM;
    if ((r = inode_new(fs, c, &d, mode & (E2_S_IFMT | 07777), &ip)) != 0) return r;
    if (t == E2_S_IFCHR || t == E2_S_IFBLK) {
        if (ma < 256 && mi < 256) ip.block[0] = (ma << 8) | mi;
        else ip.block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
    }
    if ((r = link_into(fs, &d, name, len, &ip)) != 0) { inode_abort(fs, &ip); return r; }
    if ((r = iput(fs, &ip)) != 0 || (r = iput(fs, &d)) != 0) return r;
    *ino = ip.num;
    return 0;
}

int e2_mkdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len, e2_u32 mode, e2_u32 *ino)
{
    struct inode d, ip;
    int r = create_prep(fs, c, dir, name, len, &d);
    if (r) return r;
    if (d.links >= E2_LINK_MAX) return -E2_EMLINK;
    if ((r = inode_new(fs, c, &d, E2_S_IFDIR | (mode & 07777), &ip)) != 0) return r;
    e2_u32 pb;
    if ((r = bmap(fs, &ip, 0, 1, 0, &pb)) != 0) { inode_abort(fs, &ip); return r; }
    struct buf *b;
    if ((r = bget(fs, pb, C_DIR, 0, &b)) != 0) { inode_abort(fs, &ip); return r; }
    mset(b->data, 0, fs->bs);
    dent_set_rec(fs, b->data, 12);
    dent_write(fs, b->data, ip.num, ".", 1, FT_DIR);
    dent_set_rec(fs, b->data + 12, fs->bs - 12);
    dent_write(fs, b->data + 12, d.num, "..", 2, FT_DIR);
    bdirty(b); bput(b);
    ip.size = fs->bs;
    ip.links = 2;
    if ((r = link_into(fs, &d, name, len, &ip)) != 0) { inode_abort(fs, &ip); return r; }
    d.links++;
    if ((r = iput(fs, &ip)) != 0 || (r = iput(fs, &d)) != 0) return r;
    *ino = ip.num;
    return 0;
}

int e2_symlink(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
               const char *target, e2_u32 tlen, e2_u32 *ino)
{
    struct inode d, ip;
    if (tlen == 0) return -E2_ENOENT;
    if (tlen >= E2_PATH_MAX || tlen >= fs->bs) return -E2_ENAMETOOLONG;
    int r = create_prep(fs, c, dir, name, len, &d);
    if (r) return r;
    if ((r = inode_new(fs, c, &d, E2_S_IFLNK | 0777, &ip)) != 0) return r;
    ip.mode = E2_S_IFLNK | 0777;
    if (tlen < FAST_SYMLINK_MAX) {
        e2_u8 raw[60];
        mset(raw, 0, sizeof raw);
        mcpy(raw, target, tlen);
        for (int i = 0; i < 15; i++) ip.block[i] = g32(raw + 4 * i);
    } else {
        e2_u32 pb;
        if ((r = bmap(fs, &ip, 0, 1, 0, &pb)) != 0) { inode_abort(fs, &ip); return r; }
        struct buf *b;
        if ((r = bget(fs, pb, C_DATA, 0, &b)) != 0) { inode_abort(fs, &ip); return r; }
        mset(b->data, 0, fs->bs);
        mcpy(b->data, target, tlen);
        bdirty(b); bput(b);
    }
    ip.size = tlen;
    if ((r = link_into(fs, &d, name, len, &ip)) != 0) { inode_abort(fs, &ip); return r; }
    if ((r = iput(fs, &ip)) != 0 || (r = iput(fs, &d)) != 0) return r;
    *ino = ip.num;
    return 0;
}

int e2_readlink(struct e2_fs *fs, e2_u32 ino, char *buf, e2_u32 size, e2_u32 *len)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!IS_LNK(ip.mode)) return -E2_EINVAL;
    if (ip.size >= fs->bs || ip.size >= E2_PATH_MAX) return -E2_EUCLEAN;
    e2_u32 n = (e2_u32)ip.size;
    *len = n;
    if (n > size) n = size;
    if (ip.blocks == (ip.file_acl ? fs->spb : 0)) {
        if (ip.size >= FAST_SYMLINK_MAX) return -E2_EUCLEAN;
        e2_u8 raw[60];
        for (int i = 0; i < 15; i++) p32(raw + 4 * i, ip.block[i]);
        mcpy(buf, raw, n);
        return 0;
    }
    e2_u32 pb;
    if ((r = bmap(fs, &ip, 0, 0, 0, &pb)) != 0) return r;
    if (!pb) return -E2_EUCLEAN;
    struct buf *b;
    if ((r = bget(fs, pb, C_DATA, 0, &b)) != 0) return r;
    mcpy(buf, b->data, n);
    bput(b);
    return 0;
}

int e2_link(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, e2_u32 dir, const char *name, e2_u32 len)
{
    struct inode d, ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (!ip.mode) return -E2_ENOENT;
    if ((r = create_prep(fs, c, dir, name, len, &d)) != 0) return r;
    if (IS_DIR(ip.mode)) return -E2_EPERM;
    if (ip.links == 0) return -E2_ENOENT;
    if (ip.links >= E2_LINK_MAX) return -E2_EMLINK;
    if ((r = link_into(fs, &d, name, len, &ip)) != 0) return r;
    ip.links++;
    touch(fs, &ip, 0, 1);
    if ((r = iput(fs, &ip)) != 0) return r;
    return iput(fs, &d);
}

/* Checks common to unlink and rmdir; fills the directory, the entry and the victim. */
static int remove_prep(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len,
                       struct inode *d, struct dpos *pos, struct inode *v)
{
    int r = dir_inode(fs, dir, d);
    if (r) return r;
    if (len > E2_NAME_MAX) return -E2_ENAMETOOLONG;
    if ((r = permit(c, d, E2_MAY_EXEC)) != 0) return r;
    if ((r = dir_find(fs, d, name, len, pos)) != 0) return r;
    if ((r = iget(fs, pos->ino, v)) != 0) return r;
    if ((r = permit(c, d, E2_MAY_WRITE | E2_MAY_EXEC)) != 0) return r;
    if (fs->rdonly) return -E2_EROFS;
    if (!sticky_ok(c, d, v)) return -E2_EPERM;
    enter(fs, c);
    return 0;
}
int e2_unlink(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len)
{
    struct inode d, v;
    struct dpos pos;
    int r = remove_prep(fs, c, dir, name, len, &d, &pos, &v);
    if (r) return r;
    if (IS_DIR(v.mode)) return -E2_EISDIR;
    if ((r = dir_remove(fs, &d, &pos)) != 0) return r;
    touch(fs, &d, 1, 1);
    if ((r = iput(fs, &d)) != 0) return r;
    if (v.links) v.links--;
    touch(fs, &v, 0, 1);
    return maybe_destroy(fs, &v);
}
int e2_rmdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, const char *name, e2_u32 len)
{
    if (len == 1 && name[0] == '.') return -E2_EINVAL;
    if (len == 2 && name[0] == '.' && name[1] == '.') return -E2_ENOTEMPTY;
    struct inode d, v;
    struct dpos pos;
    int r = remove_prep(fs, c, dir, name, len, &d, &pos, &v);
    if (r) return r;
    if (!IS_DIR(v.mode)) return -E2_ENOTDIR;
    if ((r = dir_empty(fs, &v)) != 1) return r < 0 ? r : -E2_ENOTEMPTY;
    if ((r = dir_remove(fs, &d, &pos)) != 0) return r;
    if (d.links > 2) d.links--;
    touch(fs, &d, 1, 1);
    if ((r = iput(fs, &d)) != 0) return r;
    v.links = 0;
    touch(fs, &v, 0, 1);
    return maybe_destroy(fs, &v);
}

/* Is anc an ancestor of (or equal to) dir? Walks "..". */
static int is_ancestor(struct e2_fs *fs, e2_u32 anc, e2_u32 dir)
{
    for (int depth = 0; depth < 4096; depth++) {
        if (dir == anc) return 1;
        if (dir == E2_ROOT_INO) return 0;
        struct inode d;
        struct dpos pos;
        int r = dir_inode(fs, dir, &d);
        if (r) return r;
        if ((r = dir_find(fs, &d, "..", 2, &pos)) != 0) return r;
        dir = pos.ino;
    }
    return -E2_ELOOP;
}
static int set_dotdot(struct e2_fs *fs, struct inode *dir, e2_u32 parent)
{
    struct dpos pos;
    int r = dir_find(fs, dir, "..", 2, &pos);
    if (r) return r;
    return dir_retarget(fs, &pos, parent, FT_DIR);
}

int e2_rename(struct e2_fs *fs, const struct e2_cred *c, e2_u32 odir, const char *oname, e2_u32 olen,
              e2_u32 ndir, const char *nname, e2_u32 nlen, unsigned flags)
{
    if (flags & ~(unsigned)E2_RENAME_NOREPLACE) return -E2_EINVAL;
    if ((olen == 1 && oname[0] == '.') || (olen == 2 && oname[0] == '.' && oname[1] == '.')) return -E2_EINVAL;
    if ((nlen == 1 && nname[0] == '.') || (nlen == 2 && nname[0] == '.' && nname[1] == '.')) return -E2_EINVAL;
    struct inode od, ndbuf, src, dst;
    struct dpos spos, dpos;
    int r = remove_prep(fs, c, odir, oname, olen, &od, &spos, &src);
    if (r) return r;
    int same = odir == ndir;
    struct inode *nd = same ? &od : &ndbuf;         /* one inode when both names share a directory */
    if (!same && (r = dir_inode(fs, ndir, nd)) != 0) return r;
    if ((r = name_ok(nname, nlen)) != 0) return r;
    if ((r = permit(c, nd, E2_MAY_WRITE | E2_MAY_EXEC)) != 0) return r;
    if (nd->links == 0) return -E2_ENOENT;
    int sdir = IS_DIR(src.mode);
    r = dir_find(fs, nd, nname, nlen, &dpos);
    int have = r == 0;
    if (r && r != -E2_ENOENT) return r;
    if (have) {
        if (dpos.ino == src.num) return 0;             /* two names of one file: nothing to do */
        if (flags & E2_RENAME_NOREPLACE) return -E2_EEXIST;
        if ((r = iget(fs, dpos.ino, &dst)) != 0) return r;
        if (!sticky_ok(c, nd, &dst)) return -E2_EPERM;
        if (sdir && !IS_DIR(dst.mode)) return -E2_ENOTDIR;
        if (!sdir && IS_DIR(dst.mode)) return -E2_EISDIR;
        if (IS_DIR(dst.mode) && (r = dir_empty(fs, &dst)) != 1) return r < 0 ? r : -E2_ENOTEMPTY;
    }
    if (sdir && !same) {
        if ((r = permit(c, &src, E2_MAY_WRITE)) != 0) return r;   /* its ".." changes */
        r = is_ancestor(fs, src.num, ndir);
        if (r < 0) return r;
        if (r) return -E2_EINVAL;
        if (!have && nd->links >= E2_LINK_MAX) return -E2_EMLINK;
    }
    /* the new name first (in place when it exists, so the target never goes missing), then
     * the old one goes */
    if (have) r = dir_retarget(fs, &dpos, src.num, ftype(src.mode));
    else r = dir_add(fs, nd, nname, nlen, src.num, ftype(src.mode));
    if (r) return r;
    if ((r = dir_find(fs, &od, oname, olen, &spos)) != 0) return r;
    if ((r = dir_remove(fs, &od, &spos)) != 0) return r;
    /* a directory's link count counts its subdirectories' ".." entries */
    if (have && IS_DIR(dst.mode) && nd->links > 2) nd->links--;
    if (sdir && !same) {
        if ((r = set_dotdot(fs, &src, ndir)) != 0) return r;
        if (od.links > 2) od.links--;
        nd->links++;
    }
    touch(fs, &od, 1, 1);
    touch(fs, nd, 1, 1);
    touch(fs, &src, 0, 1);
    if ((r = iput(fs, &src)) != 0 || (r = iput(fs, &od)) != 0) return r;
    if (!same && (r = iput(fs, nd)) != 0) return r;
    if (have) {
        if (IS_DIR(dst.mode)) dst.links = 0;
        else if (dst.links) dst.links--;
        touch(fs, &dst, 0, 1);
        return maybe_destroy(fs, &dst);
    }
    return 0;
}

/* ---- data ------------------------------------------------------------------------------- */
/* Whole data blocks that are not cached move between the caller's buffer and the disk
 * directly, in runs of consecutive blocks (one device request each); the rest goes through the
 * cache. A cached copy always wins, so the cache never holds older bytes than the disk. */
static struct buf *bpeek(struct e2_fs *fs, e2_u32 blk)
{
    struct buf *b = fs->hash[blk & fs->hmask];
    while (b && b->blk != blk) b = b->hnext;
    return b;
}
static int dev_run(struct e2_fs *fs, int wr, e2_u32 blk, e2_u32 cnt, void *data)
{
    if (blk <= fs->first_data || blk + cnt > fs->blocks_count || blk + cnt < blk) return -E2_EUCLEAN;
    e2_u64 sec = (e2_u64)blk * fs->spb;
    e2_u32 ns = cnt * fs->spb;
    if (sec + ns > fs->dev.sectors) return -E2_EIO;
    int r = wr ? fs->dev.write(fs->dev.ctx, sec, ns, data) : fs->dev.read(fs->dev.ctx, sec, ns, data);
    if (r < 0) fs->err = r;
    return r;
}
enum { RUN_MAX = 128 };                  /* blocks in one device request */

long e2_read(struct e2_fs *fs, e2_u32 ino, e2_u64 off, void *buf, e2_u32 n)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (IS_DIR(ip.mode)) return -E2_EISDIR;
    if (off >= ip.size) return 0;
    if (n > ip.size - off) n = (e2_u32)(ip.size - off);
    e2_u32 done = 0;
    e2_u8 *out = buf;
    while (done < n) {
        e2_u64 pos = off + done;
        e2_u64 lbn = pos >> (10 + fs->log);
        e2_u32 in = (e2_u32)pos & (fs->bs - 1);
        e2_u32 k = fs->bs - in;
        if (k > n - done) k = n - done;
        e2_u32 pb;
        if ((r = bmap(fs, &ip, lbn, 0, 0, &pb)) != 0) return done ? (long)done : r;
        if (!pb) { mset(out + done, 0, k); done += k; continue; }
        if (k == fs->bs && !bpeek(fs, pb)) {
            e2_u32 cnt = 1, nb;
            while (cnt < RUN_MAX && n - done >= (cnt + 1) * fs->bs && !bmap(fs, &ip, lbn + cnt, 0, 0, &nb) &&
                   nb == pb + cnt && !bpeek(fs, nb))
                cnt++;
            if ((r = dev_run(fs, 0, pb, cnt, out + done)) != 0) return done ? (long)done : r;
            done += cnt * fs->bs;
            continue;
        }
        struct buf *b;
        if ((r = bget(fs, pb, C_DATA, 0, &b)) != 0) return done ? (long)done : r;
        mcpy(out + done, b->data + in, k);
        bput(b);
        done += k;
    }
    return (long)done;
}

long e2_write(struct e2_fs *fs, const struct e2_cred *c, e2_u32 ino, e2_u64 off, const void *buf, e2_u32 n)
{
    struct inode ip;
    int r = iget(fs, ino, &ip);
    if (r) return r;
    if (fs->rdonly) return -E2_EROFS;
    if (IS_DIR(ip.mode)) return -E2_EISDIR;
    if (!IS_REG(ip.mode)) return -E2_EINVAL;
    if (n == 0) return 0;
    if (off >= fs->max_size) return -E2_EFBIG;
    if (n > fs->max_size - off) n = (e2_u32)(fs->max_size - off);
    enter(fs, c);                       /* the open was checked; c only decides the reserved blocks */
    if (off > ip.size && (r = zero_tail(fs, &ip, ip.size)) != 0) return r;
    e2_u32 done = 0;
    const e2_u8 *in = buf;
    while (done < n) {
        e2_u64 pos = off + done;
        e2_u64 lbn = pos >> (10 + fs->log);
        e2_u32 o = (e2_u32)pos & (fs->bs - 1);
        e2_u32 k = fs->bs - o;
        if (k > n - done) k = n - done;
        int whole = k == fs->bs;
        e2_u32 pb;
        if ((r = bmap(fs, &ip, lbn, 1, whole, &pb)) != 0) break;
        if (whole && !bpeek(fs, pb)) {
            /* file data first, straight to the disk: the blocks are this file's, in memory
             * and on disk, so no synced file can be hit; its metadata waits in the cache */
            /* the run ends at a block that is not next on disk or is cached; it is allocated
             * already and the next round writes it */
            e2_u32 cnt = 1, nb;
            while (cnt < RUN_MAX && n - done >= (cnt + 1) * fs->bs && !bmap(fs, &ip, lbn + cnt, 1, 1, &nb) &&
                   nb == pb + cnt && !bpeek(fs, nb))
                cnt++;
            if ((r = dev_run(fs, 1, pb, cnt, (void *)(in + done))) != 0) break;
            done += cnt * fs->bs;
            if (off + done > ip.size) ip.size = off + done;
            continue;
        }
        struct buf *b;
        if ((r = bget(fs, pb, C_DATA, whole, &b)) != 0) break;
        mcpy(b->data + o, in + done, k);
        bdirty(b); bput(b);
        done += k;
        if (pos + k > ip.size) ip.size = pos + k;
    }
    if (done) {
        if (ip.size > 0x7fffffffULL) fs->ro_compat |= RO_LARGE_FILE;
        touch(fs, &ip, 1, 1);
    }
    int w = iput(fs, &ip);
    if (done) return (long)done;
    return r ? r : w;
}

int e2_readdir(struct e2_fs *fs, const struct e2_cred *c, e2_u32 dir, e2_u64 *cookie, e2_emit_fn emit, void *arg)
{
    struct inode d;
    int r = dir_inode(fs, dir, &d);
    if (r) return r;
    if ((r = permit(c, &d, E2_MAY_READ)) != 0) return r;
    e2_u64 pos = *cookie;
    while (pos < d.size) {
        e2_u64 lb = pos >> (10 + fs->log);
        e2_u32 want = (e2_u32)pos & (fs->bs - 1);
        e2_u32 pb;
        if ((r = bmap(fs, &d, lb, 0, 0, &pb)) != 0) return r;
        e2_u64 base = lb << (10 + fs->log);
        if (!pb) { pos = base + fs->bs; continue; }
        struct buf *b;
        if ((r = bget(fs, pb, C_DIR, 0, &b)) != 0) return r;
        e2_u32 off = 0;
        while (off < fs->bs) {
            e2_u8 *e = b->data + off;
            if (!dent_ok(fs, e, off)) { bput(b); return -E2_EUCLEAN; }
            e2_u32 rl = dent_rec(fs, e);
            if (off >= want && g32(e)) {     /* a cookie inside an entry resumes at the next one */
                static const e2_u8 dt[8] = {0, 8, 4, 2, 6, 1, 12, 10};   /* DT_* from file types */
                e2_u32 t = e[7] < 8 ? dt[e[7]] : 0;
                if (emit(arg, (const char *)e + 8, e[6], g32(e), t, base + off + rl)) {
                    bput(b);
                    *cookie = base + off;
                    return 0;
                }
            }
            off += rl;
        }
        bput(b);
        pos = base + fs->bs;
        *cookie = pos;
    }
    *cookie = pos;
    return 0;
}

/* ---- paths ------------------------------------------------------------------------------ */
int e2_resolve(struct e2_fs *fs, const struct e2_cred *c, const char *path, int follow,
               e2_u32 *ino, e2_u32 *parent, const char **last, e2_u32 *last_len)
{
    /* symlink targets are copied into a stack of buffers; 8 levels of nesting, 40 links total */
    enum { DEPTH = 8 };
    char *tbuf[DEPTH];
    const char *p[DEPTH];
    int top = 0, links = 0, r = 0;
    e2_u32 cur = E2_ROOT_INO;
    p[0] = path;
    *ino = 0; *parent = 0; *last = 0; *last_len = 0;
    for (;;) {
        const char *s = p[top];
        while (*s == '/') s++;
        if (*s == 0) {
            if (top == 0) { *ino = cur; r = 0; goto out; }
            fs->dev.free(fs->dev.ctx, tbuf[--top]);
            continue;
        }
        const char *e = s;
        while (*e && *e != '/') e++;
        e2_u32 len = (e2_u32)(e - s);
        const char *rest = e;
        while (*rest == '/') rest++;
        int final = *rest == 0;           /* nothing follows here nor in the strings that led here */
        for (int k = 0; k < top && final; k++) {
            const char *q = p[k];
            while (*q == '/') q++;
            if (*q) final = 0;
        }
        if (len > E2_NAME_MAX) { r = -E2_ENAMETOOLONG; goto out; }
        e2_u32 next;
        r = e2_lookup(fs, c, cur, s, len, &next);
        p[top] = e;
        if (r == -E2_ENOENT && final) {
            *parent = cur; *last = s; *last_len = len;
            r = 0;
            goto out;
        }
        if (r) goto out;
        struct inode ip;
        if ((r = iget(fs, next, &ip)) != 0) goto out;
        if (IS_LNK(ip.mode) && (!final || follow)) {
            if (++links > 40 || top + 1 >= DEPTH) { r = -E2_ELOOP; goto out; }
            char *t = fs->dev.alloc(fs->dev.ctx, E2_PATH_MAX);
            if (!t) { r = -E2_ENOMEM; goto out; }
            e2_u32 tl;
            if ((r = e2_readlink(fs, next, t, E2_PATH_MAX - 1, &tl)) != 0) { fs->dev.free(fs->dev.ctx, t); goto out; }
            t[tl] = 0;
            tbuf[++top] = t;
            p[top] = t;
            if (t[0] == '/') cur = E2_ROOT_INO;
            continue;
        }
        if (final) { *parent = cur; *last = s; *last_len = len; *ino = next; r = 0; goto out; }
        if (!IS_DIR(ip.mode)) {
            /* more components follow (in this string or an outer one) */
            r = -E2_ENOTDIR;
            goto out;
        }
        cur = next;
    }
out:
    while (top > 0) fs->dev.free(fs->dev.ctx, tbuf[top--]);
    return r;
}
