/* The Persistence Server: a transactional store of typed objects on the primary ATA
 * disk, in the format of include/telos/psdisk.h (read that first: layout, commit,
 * compaction, recovery, capacity), served over IPC (include/telos/ps.h).
 *
 * In memory it keeps the current value of every object (a table, a hash index and an
 * arena) and the open transactions, each with its own staged write set: transactions
 * run side by side and are checked at commit (optimistic concurrency: a commit fails with
 * PS_ECONFLICT when an object it read or writes was committed by someone else since it
 * began). Nothing is locked, so a stalled client blocks nobody; when staging memory or
 * transaction slots run out, the transaction idle longest is aborted for the newcomer.
 *
 * Capabilities: ARG0 its block session (the whole first disk; the buffer at
 * BLOCK_CLIENT_BUFFER), ARG2 its endpoint. */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "user/blockclient.h"
#include "lib/crc32.h"
#include "lib/psobj.h"
#include "lib/siphash.h"
#include "lib/string.h"

#define SECTOR PSDISK_SECTOR_SIZE

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }
static void wr64(u8 *p, u64 v) { memcpy(p, &v, 8); }
static u32 pad4(u32 n) { return (n + 3) & ~3u; }
static u32 sectors_for(u32 bytes) { return (bytes + SECTOR - 1) / SECTOR; }

/* --- the block device: a session of the block server (include/telos/block.h) that
 * spans the whole first disk ------------------------------------------------------------ */

static struct block_session disk;
static u32 disk_sectors;

static bool blk_read(u32 lba, u32 count, void *buf)
{
    return lba + count <= disk_sectors && block_read(&disk, lba, count, buf) == 0;
}

static bool blk_write(u32 lba, u32 count, const void *buf)
{
    return lba + count <= disk_sectors && block_write(&disk, lba, count, buf) == 0;
}

static bool blk_flush(void) { return block_flush(&disk) == 0; }

/* --- state ----------------------------------------------------------------------------- */

#define MAX_OBJECTS 4096
#define HASH_SIZE 8192
#define ARENA_SIZE (2u << 20)
#define PAGE 4096
#define POOL_PAGES 260            /* staging memory: one largest record (header, payload, padding) */
#define MAX_TX 16
#define MAX_TX_PER_BADGE 4
#define TX_IDLE_REQUESTS 64       /* a transaction untouched for this many requests may be reclaimed */
#define READ_SET 64
#define READ_AHEAD 32
#define CHECKPOINT_BUFFER (64u << 10)
#define CHECKPOINT_PAYLOAD (CHECKPOINT_BUFFER - SECTOR) /* header and padding fit in the buffer */
#define MAX_RECORD_SECTORS ((PSDISK_RECORD_HEADER_SIZE + PSDISK_MAX_PAYLOAD + SECTOR - 1) / SECTOR)

struct object {
    u32 oid, serial, length, capacity, offset;
};

/* A transaction's write set is staged as the record it will become: bytes 0..39 are
 * room for the header, the entries follow, in pool pages. */
struct tx {
    u32 id, badge, begin_tid, last_used;
    bool open;
    u16 pages[POOL_PAGES];
    u32 page_count, bytes, entries;
    u32 part_at, part_length, part_done; /* a PUT_PART object being assembled: its entry's offset */
    u32 read_oid[READ_SET], read_serial[READ_SET], read_count;
};

/* The superblock's fields (psdisk.h), as last written. */
struct superblock {
    u32 sequence, generation, region, active, epoch, last_epoch;
    u32 checkpoint_sectors, checkpoint_tid, checkpoint_objects, hwm, flags;
    u8 key[PSDISK_KEY_SIZE];
};

static struct ps {
    bool have_disk, shut_down, failed; /* failed: a write went wrong; no more commits */
    struct superblock sb;
    u32 next_tid, log_end;         /* log end: sectors from the active region's start */
    u32 object_count, arena_top, arena_live, entry_bytes;
    u32 requests, tx_counter, compactions;
    u32 cache_lba, cache_count;
} ps;

static struct object objects[MAX_OBJECTS];
static u16 hash_index[HASH_SIZE];
static u8 arena[ARENA_SIZE];
static struct tx txs[MAX_TX];
/* Staging pages; while nothing is staged (recovery) the same memory holds one record. */
static u8 pool[POOL_PAGES][PAGE];
static u8 *const record = &pool[0][0];
static u16 free_pages[POOL_PAGES];
static u32 free_page_count;
static u8 checkpoint_buffer[CHECKPOINT_BUFFER];
static const u8 *record_sectors[MAX_RECORD_SECTORS];
static u8 sector[SECTOR];
static u8 cache[READ_AHEAD * SECTOR];
static u8 scratch[PSDISK_MAX_OBJECT_SIZE];

static u32 region_start(u32 region) { return PSDISK_REGION_START + region * ps.sb.region; }
static u32 log_lba(u32 at) { return region_start(ps.sb.active) + at; }

static u64 mac(const void *bytes, u32 n) { return siphash24(ps.sb.key, bytes, n); }

/* Reads one sector through a read-ahead cache (recovery reads the log front to back). */
static bool read_cached(u32 lba, void *out)
{
    if (lba < ps.cache_lba || lba >= ps.cache_lba + ps.cache_count) {
        ps.cache_count = 0;
        if (lba >= disk_sectors)
            return false;
        u32 n = disk_sectors - lba < READ_AHEAD ? disk_sectors - lba : READ_AHEAD;
        if (!blk_read(lba, n, cache))
            return false;
        ps.cache_lba = lba;
        ps.cache_count = n;
    }
    memcpy(out, cache + (lba - ps.cache_lba) * SECTOR, SECTOR);
    return true;
}

/* --- payloads: the entries of a record, read from disk into one buffer or staged in a
 * transaction's pages -------------------------------------------------------------------- */

struct payload {
    const u8 *flat;        /* a record in memory, or NULL for a transaction's pages */
    const struct tx *t;
    u32 count;             /* entries */
    u32 end;               /* offset just past the last entry (from the record's start) */
};

static void staged_read(const struct tx *t, u32 at, void *dst, u32 n)
{
    for (u8 *d = dst; n;) {
        u32 in_page = at % PAGE, k = PAGE - in_page < n ? PAGE - in_page : n;
        memcpy(d, pool[t->pages[at / PAGE]] + in_page, k);
        d += k;
        at += k;
        n -= k;
    }
}

static void staged_write(struct tx *t, u32 at, const void *src, u32 n)
{
    for (const u8 *s = src; n;) {
        u32 in_page = at % PAGE, k = PAGE - in_page < n ? PAGE - in_page : n;
        memcpy(pool[t->pages[at / PAGE]] + in_page, s, k);
        s += k;
        at += k;
        n -= k;
    }
}

static void payload_read(const struct payload *p, u32 at, void *dst, u32 n)
{
    if (p->flat)
        memcpy(dst, p->flat + at, n);
    else
        staged_read(p->t, at, dst, n);
}

/* --- the object table -------------------------------------------------------------------- */

static u32 hash_slot(u32 oid) { return (oid * 2654435761u) >> 19; }

static struct object *find(u32 oid)
{
    for (u32 h = hash_slot(oid);; h = (h + 1) & (HASH_SIZE - 1)) {
        u32 i = hash_index[h];
        if (!i)
            return NULL;
        if (objects[i - 1].oid == oid)
            return &objects[i - 1];
    }
}

static void index_object(u32 i)
{
    u32 h = hash_slot(objects[i].oid);
    while (hash_index[h])
        h = (h + 1) & (HASH_SIZE - 1);
    hash_index[h] = (u16)(i + 1);
}

static void reindex(void)
{
    memset(hash_index, 0, sizeof hash_index);
    for (u32 i = 0; i < ps.object_count; i++)
        index_object(i);
}

static u32 serial_of(u32 oid)
{
    struct object *o = find(oid);
    return o ? o->serial : 0;
}

/* Slides every object's bytes to the front of the arena, in address order. Objects
 * with capacity 0 are being replaced and are left out. */
static void compact_arena(void)
{
    static u16 order[MAX_OBJECTS];
    u32 n = 0;
    for (u32 i = 0; i < ps.object_count; i++)
        if (objects[i].capacity)
            order[n++] = (u16)i;
    for (u32 i = 1; i < n; i++) { /* insertion sort by address: rarely run */
        u16 v = order[i];
        u32 j = i;
        for (; j && objects[order[j - 1]].offset > objects[v].offset; j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
    u32 top = 0;
    for (u32 i = 0; i < n; i++) {
        struct object *o = &objects[order[i]];
        if (o->offset != top)
            memmove(arena + top, arena + o->offset, o->length);
        o->offset = top;
        o->capacity = pad4(o->length);
        top += o->capacity;
    }
    ps.arena_top = top;
}

/* Sets an object's value from a payload entry's bytes; the caller has checked that the
 * result fits (fits()). */
static void store(u32 oid, u32 serial, const struct payload *p, u32 data_at, u32 length)
{
    struct object *o = find(oid);
    if (!o) {
        o = &objects[ps.object_count];
        memset(o, 0, sizeof *o);
        o->oid = oid;
        index_object(ps.object_count++);
    } else {
        ps.arena_live -= pad4(o->length);
        ps.entry_bytes -= PSDISK_ENTRY_HEADER_SIZE + pad4(o->length);
    }
    u32 need = pad4(length);
    if (need > o->capacity) {
        o->capacity = 0; /* the old bytes are garbage now */
        if (ps.arena_top + need > ARENA_SIZE)
            compact_arena();
        o->offset = ps.arena_top;
        o->capacity = need;
        ps.arena_top += need;
    }
    o->length = length;
    o->serial = serial;
    payload_read(p, data_at, arena + o->offset, length);
    ps.arena_live += need;
    ps.entry_bytes += PSDISK_ENTRY_HEADER_SIZE + need;
}

/* Removes the objects `keep` says no to (a pack); the table and index are rebuilt. */
static u32 remove_objects(const u8 *keep)
{
    u32 removed = 0, n = 0;
    for (u32 i = 0; i < ps.object_count; i++) {
        if (keep[i]) {
            objects[n++] = objects[i];
            continue;
        }
        ps.arena_live -= pad4(objects[i].length);
        ps.entry_bytes -= PSDISK_ENTRY_HEADER_SIZE + pad4(objects[i].length);
        removed++;
    }
    ps.object_count = n;
    reindex();
    compact_arena();
    return removed;
}

/* --- planning and applying a payload ------------------------------------------------------ */

/* Each oid's last entry in the payload being planned or applied. */
#define ENTRY_MAP 8192
static u32 map_oid[ENTRY_MAP], map_last[ENTRY_MAP], map_epoch[ENTRY_MAP], map_now;

static u32 *map_slot(u32 oid, bool *fresh)
{
    for (u32 h = hash_slot(oid) & (ENTRY_MAP - 1);; h = (h + 1) & (ENTRY_MAP - 1)) {
        if (map_epoch[h] != map_now) {
            map_epoch[h] = map_now;
            map_oid[h] = oid;
            *fresh = true;
            return &map_last[h];
        }
        if (map_oid[h] == oid) {
            *fresh = false;
            return &map_last[h];
        }
    }
}

/* What the objects would take after a payload is applied. */
struct plan {
    u32 new_objects, arena_live, entry_bytes;
};

/* Checks a payload's entries (bounds; with `check_objects`, every object's encoding, for
 * records read from disk: staged ones were checked at Put) and plans its effect. */
static bool plan_payload(const struct payload *p, bool check_objects, struct plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->arena_live = ps.arena_live;
    plan->entry_bytes = ps.entry_bytes;
    if (p->count > PS_MAX_TX_OBJECTS)
        return false;
    map_now++;
    u32 at = PSDISK_RECORD_HEADER_SIZE;
    for (u32 i = 0; i < p->count; i++) {
        u8 head[PSDISK_ENTRY_HEADER_SIZE];
        if (at + PSDISK_ENTRY_HEADER_SIZE > p->end)
            return false;
        payload_read(p, at, head, sizeof head);
        u32 oid = rd32(head), len = rd32(head + 8);
        struct psobj o;
        if (!oid || len > PSDISK_MAX_OBJECT_SIZE || at + PSDISK_ENTRY_HEADER_SIZE + pad4(len) > p->end ||
            (check_objects && !psobj_parse(p->flat + at + PSDISK_ENTRY_HEADER_SIZE, len, &o)))
            return false;
        bool fresh;
        u32 *last = map_slot(oid, &fresh), before;
        if (fresh) {
            struct object *obj = find(oid);
            before = obj ? pad4(obj->length) : 0;
            if (!obj) {
                plan->new_objects++;
                plan->entry_bytes += PSDISK_ENTRY_HEADER_SIZE;
            }
        } else {
            u8 prev[PSDISK_ENTRY_HEADER_SIZE];
            payload_read(p, *last, prev, sizeof prev);
            before = pad4(rd32(prev + 8));
        }
        *last = at;
        plan->arena_live = plan->arena_live - before + pad4(len);
        plan->entry_bytes = plan->entry_bytes - before + pad4(len);
        at += PSDISK_ENTRY_HEADER_SIZE + pad4(len);
    }
    return at == p->end;
}

/* Sectors a checkpoint of objects whose entries take `entry_bytes` needs at most: its
 * records hold at most CHECKPOINT_PAYLOAD, each wasting less than one largest entry. */
static u32 checkpoint_bound(u32 entry_bytes)
{
    u32 records = entry_bytes / (CHECKPOINT_PAYLOAD - PSDISK_ENTRY_HEADER_SIZE - PSDISK_MAX_OBJECT_SIZE) + 1;
    return (entry_bytes + records * (PSDISK_RECORD_HEADER_SIZE + SECTOR - 1)) / SECTOR + 1;
}

/* Whether the state a payload leaves fits: the object table, the arena, and half a
 * region for its checkpoint (so a compaction always leaves room for the next commit). */
static bool fits(const struct plan *plan, u32 record_sectors)
{
    return ps.object_count + plan->new_objects <= MAX_OBJECTS && plan->arena_live <= ARENA_SIZE &&
           (!ps.have_disk || (checkpoint_bound(plan->entry_bytes) <= ps.sb.region / 2 && record_sectors <= ps.sb.region / 2));
}

/* Applies the payload planned just before: first the values that fit where they are, then
 * the rest, so the arena never holds more than the larger of the states before and after.
 * `serial` 0 keeps each entry's own serial (a checkpoint). */
static void apply_payload(const struct payload *p, u32 serial)
{
    for (u32 pass = 0; pass < 2; pass++) {
        u32 at = PSDISK_RECORD_HEADER_SIZE;
        for (u32 i = 0; i < p->count; i++) {
            u8 head[PSDISK_ENTRY_HEADER_SIZE];
            payload_read(p, at, head, sizeof head);
            u32 oid = rd32(head), len = rd32(head + 8);
            bool fresh;
            u32 *last = map_slot(oid, &fresh);
            struct object *o = find(oid);
            bool in_place = o && pad4(len) <= o->capacity;
            if (*last == at && in_place == (pass == 0))
                store(oid, serial ? serial : rd32(head + 4), p, at + PSDISK_ENTRY_HEADER_SIZE, len);
            at += PSDISK_ENTRY_HEADER_SIZE + pad4(len);
        }
    }
}

/* --- the superblock and the log ---------------------------------------------------------- */

static bool write_superblock(void)
{
    struct superblock *s = &ps.sb;
    s->sequence++;
    memset(sector, 0, sizeof sector);
    wr32(sector + 0, PSDISK_MAGIC_0);
    wr32(sector + 4, PSDISK_MAGIC_1);
    wr32(sector + 8, PSDISK_VERSION);
    wr32(sector + 12, s->sequence);
    wr32(sector + 16, s->generation);
    wr32(sector + 20, s->region);
    wr32(sector + 24, s->active);
    wr32(sector + 28, s->epoch);
    wr32(sector + 32, s->last_epoch);
    wr32(sector + 36, s->checkpoint_sectors);
    wr32(sector + 40, s->checkpoint_tid);
    wr32(sector + 44, s->checkpoint_objects);
    wr32(sector + 48, s->hwm);
    wr32(sector + 52, s->flags);
    memcpy(sector + 56, s->key, PSDISK_KEY_SIZE);
    wr32(sector + 124, crc32(sector, 124));
    return blk_write(s->sequence & 1, 1, sector);
}

/* One superblock sector: 1 valid, 0 all zero, -1 another format (its version in
 * *version), -2 damaged. */
static int parse_superblock(const u8 *p, struct superblock *s, u32 *version)
{
    bool empty = true;
    for (u32 i = 0; i < SECTOR; i++)
        if (p[i])
            empty = false;
    if (empty)
        return 0;
    if (rd32(p) != PSDISK_MAGIC_0 || rd32(p + 4) != PSDISK_MAGIC_1)
        return -2;
    if (rd32(p + 8) != PSDISK_VERSION) {
        *version = rd32(p + 8);
        return -1;
    }
    if (crc32(p, 124) != rd32(p + 124))
        return -2;
    s->sequence = rd32(p + 12);
    s->generation = rd32(p + 16);
    s->region = rd32(p + 20);
    s->active = rd32(p + 24);
    s->epoch = rd32(p + 28);
    s->last_epoch = rd32(p + 32);
    s->checkpoint_sectors = rd32(p + 36);
    s->checkpoint_tid = rd32(p + 40);
    s->checkpoint_objects = rd32(p + 44);
    s->hwm = rd32(p + 48);
    s->flags = rd32(p + 52);
    memcpy(s->key, p + 56, PSDISK_KEY_SIZE);
    return 1;
}

/* A record header (psdisk.h, RECORDS) in h[0..39]. */
static void seal_header(u8 *h, u32 type, u32 tid, u32 part, u32 count, u32 bytes, u32 crc)
{
    wr32(h + 0, PSDISK_RECORD_MAGIC);
    wr32(h + 4, type);
    wr32(h + 8, ps.sb.epoch);
    wr32(h + 12, tid);
    wr32(h + 16, part);
    wr32(h + 20, count);
    wr32(h + 24, bytes);
    wr32(h + 28, crc);
    wr64(h + 32, mac(h, 32));
}

static void seal_marker(u8 *m, u32 tid, u32 first_sector, u64 header_mac)
{
    memset(m, 0, SECTOR);
    wr32(m + 0, PSDISK_MARKER_MAGIC);
    wr32(m + 4, ps.sb.epoch);
    wr32(m + 8, tid);
    wr32(m + 12, first_sector);
    wr64(m + 16, header_mac);
    wr64(m + 24, mac(m, 24));
}

/* Whether a sector is a record header of this epoch (its MAC right). */
static bool is_header(const u8 *h)
{
    return rd32(h) == PSDISK_RECORD_MAGIC && rd32(h + 8) == ps.sb.epoch && rd64(h + 32) == mac(h, 32);
}

/* Reads the record at `at` of the active region into `record` (recovery only: the pool
 * is empty then): its length in sectors (with the marker for a TXN), or 0 when it is not
 * a whole record of this type, epoch, tid and part ending by `limit`. */
static u32 read_record(u32 at, u32 type, u32 tid, u32 part, u32 limit)
{
    if (at >= limit || !read_cached(log_lba(at), record))
        return 0;
    u32 bytes = rd32(record + 24);
    if (!is_header(record) || rd32(record + 4) != type || rd32(record + 12) != tid || rd32(record + 16) != part ||
        bytes > PSDISK_MAX_PAYLOAD)
        return 0;
    u32 n = sectors_for(PSDISK_RECORD_HEADER_SIZE + bytes), with_marker = n + (type == PSDISK_RECORD_TXN);
    if (at + with_marker > limit)
        return 0;
    if (n > READ_AHEAD) {
        if (!blk_read(log_lba(at + 1), n - 1, record + SECTOR))
            return 0;
    } else {
        for (u32 i = 1; i < n; i++)
            if (!read_cached(log_lba(at + i), record + i * SECTOR))
                return 0;
    }
    if (crc32(record + PSDISK_RECORD_HEADER_SIZE, bytes) != rd32(record + 28))
        return 0;
    if (type == PSDISK_RECORD_TXN &&
        (!read_cached(log_lba(at + n), sector) || rd32(sector) != PSDISK_MARKER_MAGIC || rd32(sector + 4) != ps.sb.epoch ||
         rd32(sector + 8) != tid || rd32(sector + 12) != at || rd64(sector + 16) != rd64(record + 32) ||
         rd64(sector + 24) != mac(sector, 24)))
        return 0;
    return with_marker;
}

/* A key nobody can predict from inside the machine: timing jitter of disk reads and of
 * the host under the emulator, folded with SipHash. */
static void make_key(u8 *key)
{
    u8 k[PSDISK_KEY_SIZE] = { 0x54, 0x65, 0x6C, 0x4F, 0x53, 0x20, 0x50, 0x53, 0x20, 0x6B, 0x65, 0x79 };
    u64 acc[2] = { telos_rdtsc(), 0 };
    for (u32 i = 0; i < 64; i++) {
        u64 t0 = telos_rdtsc();
        blk_read(i & 1, 1, sector);
        u64 sample[3] = { acc[0], acc[1], telos_rdtsc() - t0 + (t0 << 7) };
        acc[i & 1] ^= siphash24(k, sample, sizeof sample);
        wr64(k, acc[0]);
        wr64(k + 8, acc[1]);
    }
    memcpy(key, k, PSDISK_KEY_SIZE);
}

static bool format(void)
{
    memset(&ps.sb, 0, sizeof ps.sb);
    ps.sb.region = (disk_sectors - PSDISK_REGION_START) / 2;
    ps.sb.generation = 1;
    ps.sb.epoch = ps.sb.last_epoch = 1;
    make_key(ps.sb.key);
    /* Sequence 1 goes to sector 1; sector 0 stays zero until sequence 2. */
    if (!write_superblock() || !blk_flush())
        return false;
    ps.next_tid = 1;
    ps.log_end = 0;
    return true;
}

/* Makes sure the log may be written up to `end` (sectors from the region start). */
static bool raise_hwm(u32 end)
{
    if (end <= ps.sb.hwm)
        return true;
    ps.sb.hwm = end + PSDISK_HWM_STEP < ps.sb.region ? end + PSDISK_HWM_STEP : ps.sb.region;
    return write_superblock() && blk_flush();
}

/* Compaction: writes the objects `keep` allows (all when NULL) as a checkpoint in the
 * free region and makes it the active one (psdisk.h, COMPACTION). False when a write
 * failed; the old log is then still the one on disk. */
static bool compact(const u8 *keep, u32 *sectors_out)
{
    ps.sb.last_epoch++;
    if (!write_superblock() || !blk_flush())
        return false;
    struct superblock next = ps.sb;
    next.active = ps.sb.active ^ 1;
    next.epoch = ps.sb.last_epoch;
    u32 base = region_start(next.active), at = 0, part = 0, kept = 0, bytes = 0, count = 0;
    u32 old_epoch = ps.sb.epoch;
    ps.sb.epoch = next.epoch; /* the records carry the new epoch */
    u8 *payload = checkpoint_buffer + PSDISK_RECORD_HEADER_SIZE;
    for (u32 i = 0; i <= ps.object_count; i++) {
        struct object *o = i < ps.object_count ? &objects[i] : NULL;
        if (o && keep && !keep[i])
            continue;
        u32 size = o ? PSDISK_ENTRY_HEADER_SIZE + pad4(o->length) : 0;
        if (count && (!o || bytes + size > CHECKPOINT_PAYLOAD)) {
            seal_header(checkpoint_buffer, PSDISK_RECORD_CHECKPOINT, ps.next_tid - 1, part++, count, bytes,
                        crc32(payload, bytes));
            u32 total = PSDISK_RECORD_HEADER_SIZE + bytes, n = sectors_for(total);
            memset(checkpoint_buffer + total, 0, n * SECTOR - total);
            if (at + n > ps.sb.region || !blk_write(base + at, n, checkpoint_buffer)) {
                ps.sb.epoch = old_epoch;
                return false;
            }
            at += n;
            bytes = count = 0;
        }
        if (!o)
            break;
        u8 *e = payload + bytes;
        wr32(e, o->oid);
        wr32(e + 4, o->serial);
        wr32(e + 8, o->length);
        memcpy(e + PSDISK_ENTRY_HEADER_SIZE, arena + o->offset, o->length);
        memset(e + PSDISK_ENTRY_HEADER_SIZE + o->length, 0, pad4(o->length) - o->length);
        bytes += size;
        count++;
        kept++;
    }
    ps.sb.epoch = old_epoch;
    if (!blk_flush())
        return false;
    next.checkpoint_sectors = at;
    next.checkpoint_tid = ps.next_tid - 1;
    next.checkpoint_objects = kept;
    next.hwm = at;
    next.flags = 0;
    ps.sb = next;
    if (!write_superblock() || !blk_flush())
        return false; /* which superblock the disk holds is unknown: the caller stops committing */
    ps.log_end = at;
    ps.compactions++;
    if (sectors_out)
        *sectors_out = at;
    return true;
}

/* --- mount and recovery ------------------------------------------------------------------ */

static void reset(void)
{
    bool have_disk = ps.have_disk;
    memset(&ps, 0, sizeof ps);
    ps.have_disk = have_disk;
    ps.next_tid = 1;
    memset(hash_index, 0, sizeof hash_index);
    memset(txs, 0, sizeof txs);
    free_page_count = POOL_PAGES;
    for (u32 i = 0; i < POOL_PAGES; i++)
        free_pages[i] = (u16)(POOL_PAGES - 1 - i);
}

/* Reads the checkpoint; false (with a reason) when it is not exactly what the superblock says. */
static bool recover_checkpoint(const char **why)
{
    u32 at = 0, part = 0, objects_read = 0;
    while (at < ps.sb.checkpoint_sectors) {
        u32 n = read_record(at, PSDISK_RECORD_CHECKPOINT, ps.sb.checkpoint_tid, part, ps.sb.checkpoint_sectors);
        if (!n) {
            *why = "a checkpoint record is damaged";
            return false;
        }
        struct payload p = { record, NULL, rd32(record + 20), PSDISK_RECORD_HEADER_SIZE + rd32(record + 24) };
        struct plan plan;
        if (!plan_payload(&p, true, &plan) || plan.new_objects != p.count) {
            *why = "a checkpoint record holds malformed or repeated objects";
            return false;
        }
        if (!fits(&plan, 0)) {
            *why = "the checkpoint does not fit in this PS's memory";
            return false;
        }
        apply_payload(&p, 0);
        objects_read += p.count;
        at += n;
        part++;
    }
    if (objects_read != ps.sb.checkpoint_objects) {
        *why = "the checkpoint holds another number of objects than the superblock says";
        return false;
    }
    ps.next_tid = ps.sb.checkpoint_tid + 1;
    return true;
}

/* Zeroes the torn extent [log end, high-water mark): whatever a cut left there. */
static bool scrub(u32 *scrubbed)
{
    static const u8 zeros[READ_AHEAD * SECTOR];
    *scrubbed = 0;
    for (u32 at = ps.log_end; at < ps.sb.hwm;) {
        u32 n = ps.sb.hwm - at < READ_AHEAD ? ps.sb.hwm - at : READ_AHEAD;
        if (!blk_read(log_lba(at), n, cache))
            return false;
        for (u32 i = 0; i < n * SECTOR; i++)
            if (cache[i]) {
                if (!blk_write(log_lba(at), n, zeros))
                    return false;
                *scrubbed += n;
                break;
            }
        at += n;
    }
    ps.cache_count = 0;
    return blk_flush();
}

/* Refuses the disk: nothing is written to it from now on. */
static void refuse(const char *why)
{
    telos_printf("TelOS: PS: %s; persistence disabled, the disk is left as it is\n", why);
    reset();
    ps.have_disk = false;
}

static void mount(void)
{
    static u8 copies[2][SECTOR];
    if (!blk_read(0, 2, copies)) {
        refuse("cannot read the superblock");
        return;
    }
    struct superblock sb[2];
    u32 version = 0;
    int kind[2] = { parse_superblock(copies[0], &sb[0], &version), parse_superblock(copies[1], &sb[1], &version) };
    if (kind[0] == 0 && kind[1] == 0) {
        if ((disk_sectors - PSDISK_REGION_START) / 2 < PSDISK_MIN_REGION || !format()) {
            refuse("cannot format the disk");
            return;
        }
        telos_printf("TelOS: PS: empty disk formatted (%u sectors, format %u, two regions of %u sectors)\n", disk_sectors,
                     PSDISK_VERSION, ps.sb.region);
        return;
    }
    int best = kind[0] == 1 && (kind[1] != 1 || sb[0].sequence > sb[1].sequence) ? 0 : kind[1] == 1 ? 1 : -1;
    if (best < 0) {
        if (kind[0] == -1 || kind[1] == -1) {
            telos_printf("TelOS: PS: the disk is in format %u, which this PS (format %u) does not read\n", version,
                         PSDISK_VERSION);
            refuse("disk of another format");
        } else {
            refuse("superblock damaged; refusing to format over existing data");
        }
        return;
    }
    ps.sb = sb[best];
    const char *why = NULL;
    if (ps.sb.region < PSDISK_MIN_REGION || PSDISK_REGION_START + 2 * ps.sb.region > disk_sectors || ps.sb.active > 1 ||
        ps.sb.checkpoint_sectors > ps.sb.region || ps.sb.hwm > ps.sb.region || ps.sb.epoch > ps.sb.last_epoch)
        why = "the superblock describes a log that does not fit this disk";
    else
        recover_checkpoint(&why);
    if (why) {
        refuse(why);
        return;
    }
    u32 at = ps.sb.checkpoint_sectors, recovered = 0, n;
    while ((n = read_record(at, PSDISK_RECORD_TXN, ps.next_tid, 0, ps.sb.region)) != 0) {
        struct payload p = { record, NULL, rd32(record + 20), PSDISK_RECORD_HEADER_SIZE + rd32(record + 24) };
        struct plan plan;
        if (!plan_payload(&p, true, &plan))
            break;
        if (!fits(&plan, 0)) {
            refuse("a committed transaction does not fit in this PS's memory");
            return;
        }
        apply_payload(&p, ps.next_tid);
        at += n;
        ps.next_tid++;
        recovered++;
    }
    ps.log_end = at;
    /* A record header of this epoch where the log ends was written by a commit that
     * never got its marker: a torn transaction. */
    bool torn = at < ps.sb.region && read_cached(log_lba(at), sector) && is_header(sector);
    u32 scrubbed = 0;
    ps.sb.generation++;
    ps.sb.flags = 0;
    if (!scrub(&scrubbed) || !write_superblock() || !blk_flush()) {
        telos_print("TelOS: PS: the disk refused a write during recovery; no commits will be accepted\n");
        ps.failed = true;
    }
    if (ps.sb.checkpoint_sectors)
        telos_printf("TelOS: PS: checkpoint of %u objects at tid %u (epoch %u, region %u)\n", ps.sb.checkpoint_objects,
                     ps.sb.checkpoint_tid, ps.sb.epoch, ps.sb.active);
    telos_printf("TelOS: PS: recovered %u transactions, %u objects, log ends at sector %u, generation %u\n", recovered,
                 ps.object_count, log_lba(ps.log_end), ps.sb.generation);
    if (torn)
        telos_printf("TelOS: PS: truncated a torn transaction at sector %u\n", log_lba(at));
    if (scrubbed)
        telos_printf("TelOS: PS: scrubbed %u sectors after the log end, up to the high-water mark\n", scrubbed);
}

/* --- transactions ---------------------------------------------------------------------- */

/* Drops staged bytes from `bytes` on, and the pages they used. */
static void truncate_stage(struct tx *t, u32 bytes)
{
    t->bytes = bytes;
    u32 keep = (bytes + PAGE - 1) / PAGE;
    while (t->page_count > keep)
        free_pages[free_page_count++] = t->pages[--t->page_count];
}

static void tx_release(struct tx *t)
{
    truncate_stage(t, 0);
    memset(t, 0, sizeof *t);
}

static struct tx *tx_find(u32 id, u32 badge)
{
    for (u32 i = 0; i < MAX_TX; i++)
        if (txs[i].open && txs[i].id == id && txs[i].badge == badge && id)
            return &txs[i];
    return NULL;
}

/* Aborts the transaction idle longest (not `spare`), if one has been idle long enough. */
static bool reclaim_idle(const struct tx *spare)
{
    struct tx *oldest = NULL;
    for (u32 i = 0; i < MAX_TX; i++)
        if (txs[i].open && &txs[i] != spare && ps.requests - txs[i].last_used >= TX_IDLE_REQUESTS &&
            (!oldest || txs[i].last_used < oldest->last_used))
            oldest = &txs[i];
    if (!oldest)
        return false;
    tx_release(oldest);
    return true;
}

/* Appends bytes to a transaction's staged record; false (nothing taken) when they do not fit. */
static bool stage(struct tx *t, const void *src, u32 n)
{
    if (t->bytes + n > PSDISK_RECORD_HEADER_SIZE + PSDISK_MAX_PAYLOAD)
        return false;
    while (t->bytes + n > t->page_count * PAGE) {
        if (!free_page_count && !reclaim_idle(t)) {
            truncate_stage(t, t->bytes);
            return false;
        }
        t->pages[t->page_count++] = free_pages[--free_page_count];
    }
    staged_write(t, t->bytes, src, n);
    t->bytes += n;
    return true;
}

/* Stages one whole entry (header, bytes, padding). */
static u32 stage_entry(struct tx *t, u32 oid, const void *bytes, u32 length)
{
    u8 head[PSDISK_ENTRY_HEADER_SIZE];
    static const u8 pad[4];
    wr32(head, oid);
    wr32(head + 4, 0); /* the serial is the commit's tid, set when the record is sealed */
    wr32(head + 8, length);
    u32 mark = t->bytes;
    if (t->entries >= PS_MAX_TX_OBJECTS || !stage(t, head, sizeof head) || !stage(t, bytes, length) ||
        !stage(t, pad, pad4(length) - length)) {
        truncate_stage(t, mark);
        return PS_EFULL;
    }
    t->entries++;
    return PS_OK;
}

static bool read_set_ok(const struct tx *t)
{
    for (u32 i = 0; i < t->read_count; i++)
        if (serial_of(t->read_oid[i]) != t->read_serial[i])
            return false;
    return true;
}

/* Writes `count` sectors given one by one, at most 255 per command. */
static bool write_sectors(u32 lba, u32 count, const u8 *const *sectors)
{
    return lba + count <= disk_sectors && block_write_sectors(&disk, lba, count, sectors) == 0;
}

/* Commits: checks, plans, writes (psdisk.h, COMMIT), applies. */
static u32 commit(struct tx *t, u32 *tid_out)
{
    if (ps.failed)
        return PS_EIO;
    if (!read_set_ok(t))
        return PS_ECONFLICT;
    struct payload p = { NULL, t, t->entries, t->bytes };
    struct plan plan;
    if (!plan_payload(&p, false, &plan))
        return PS_EMALFORMED;
    for (u32 at = PSDISK_RECORD_HEADER_SIZE; at < t->bytes;) { /* the first committer wins */
        u8 head[PSDISK_ENTRY_HEADER_SIZE];
        staged_read(t, at, head, sizeof head);
        if (serial_of(rd32(head)) > t->begin_tid)
            return PS_ECONFLICT;
        at += PSDISK_ENTRY_HEADER_SIZE + pad4(rd32(head + 8));
    }
    u32 n = sectors_for(t->bytes);
    if (!fits(&plan, n + 1))
        return PS_EFULL;
    u32 tid = ps.next_tid;
    if (ps.have_disk) {
        if (ps.log_end + n + 1 > ps.sb.region && !compact(NULL, NULL)) {
            ps.failed = true;
            return PS_EIO;
        }
        u32 crc = 0;
        for (u32 at = PSDISK_RECORD_HEADER_SIZE; at < t->bytes;) {
            u8 serial[4];
            wr32(serial, tid);
            staged_write(t, at + 4, serial, 4);
            u8 head[PSDISK_ENTRY_HEADER_SIZE];
            staged_read(t, at, head, sizeof head);
            at += PSDISK_ENTRY_HEADER_SIZE + pad4(rd32(head + 8));
        }
        for (u32 at = PSDISK_RECORD_HEADER_SIZE; at < t->bytes;) {
            u32 in_page = at % PAGE, k = PAGE - in_page < t->bytes - at ? PAGE - in_page : t->bytes - at;
            crc = crc32_continue(crc, pool[t->pages[at / PAGE]] + in_page, k);
            at += k;
        }
        u8 *head = pool[t->pages[0]];
        seal_header(head, PSDISK_RECORD_TXN, tid, 0, t->entries, t->bytes - PSDISK_RECORD_HEADER_SIZE, crc);
        memset(pool[t->pages[(t->bytes - 1) / PAGE]] + (t->bytes - 1) % PAGE + 1, 0, n * SECTOR - t->bytes);
        for (u32 i = 0; i < n; i++)
            record_sectors[i] = pool[t->pages[i / (PAGE / SECTOR)]] + (i % (PAGE / SECTOR)) * SECTOR;
        static u8 marker[SECTOR];
        seal_marker(marker, tid, ps.log_end, rd64(head + 32));
        if (!raise_hwm(ps.log_end + n + 1) || !write_sectors(log_lba(ps.log_end), n, record_sectors) || !blk_flush() ||
            !blk_write(log_lba(ps.log_end + n), 1, marker) || !blk_flush()) {
            ps.failed = true;
            return PS_EIO;
        }
        ps.log_end += n + 1;
        ps.sb.flags = 0;
    }
    plan_payload(&p, false, &plan); /* the entry map again (a compaction may have used the table) */
    apply_payload(&p, tid);
    ps.next_tid++;
    *tid_out = tid;
    return PS_OK;
}

/* --- reachability (pack) --------------------------------------------------------------- */

static u8 marks[MAX_OBJECTS];
static u16 mark_stack[MAX_OBJECTS];
static u32 mark_top;

static void mark_oid(void *ctx, u32 oid)
{
    (void)ctx;
    struct object *o = find(oid);
    if (!o)
        return;
    u32 i = (u32)(o - objects);
    if (!marks[i]) {
        marks[i] = 1;
        mark_stack[mark_top++] = (u16)i;
    }
}

static void mark_staged(struct tx *t)
{
    for (u32 at = PSDISK_RECORD_HEADER_SIZE; at < t->bytes;) {
        u8 head[PSDISK_ENTRY_HEADER_SIZE];
        staged_read(t, at, head, sizeof head);
        u32 len = rd32(head + 8);
        if (at + PSDISK_ENTRY_HEADER_SIZE + len > t->bytes)
            break; /* a PUT_PART still arriving */
        mark_oid(NULL, rd32(head));
        staged_read(t, at + PSDISK_ENTRY_HEADER_SIZE, scratch, len);
        psobj_references(scratch, len, mark_oid, NULL);
        at += PSDISK_ENTRY_HEADER_SIZE + pad4(len);
    }
    for (u32 i = 0; i < t->read_count; i++)
        mark_oid(NULL, t->read_oid[i]);
}

/* Marks what the root reaches, and what open transactions name or refer to (their
 * commits may still link it in). */
static void mark_reachable(void)
{
    memset(marks, 0, sizeof marks);
    mark_top = 0;
    mark_oid(NULL, PSDISK_ROOT_OID);
    for (u32 i = 0; i < MAX_TX; i++)
        if (txs[i].open)
            mark_staged(&txs[i]);
    while (mark_top) {
        struct object *o = &objects[mark_stack[--mark_top]];
        psobj_references(arena + o->offset, o->length, mark_oid, NULL);
    }
}

/* --- serving ------------------------------------------------------------------------------ */

static const u8 *lookup_get(void *ctx, u32 oid, u32 *length)
{
    (void)ctx;
    struct object *o = find(oid);
    if (!o)
        return NULL;
    *length = o->length;
    return arena + o->offset;
}

static bool privileged(u32 badge) { return badge == BADGE_ROOT || badge == BADGE_BRIDGE; }

/* One request: the message is in `m` (fast MRs) and the IPC buffer; the reply goes back
 * in the same places. Returns the reply's label and sets its length. */
static u32 serve(u32 label, u32 len, struct telos_msg *m, u32 *reply_len)
{
    u32 *mr = telos_ipc->msg;
    mr[0] = m->mr[0];
    mr[1] = m->mr[1];
    mr[2] = m->mr[2];
    *reply_len = 0;
    ps.requests++;
    switch (label) {
    case PS_BEGIN: {
        if (ps.shut_down)
            return PS_ESHUT_DOWN;
        /* At most a few per client: its oldest goes first. */
        struct tx *own_oldest = NULL, *slot = NULL;
        u32 own = 0;
        for (u32 i = 0; i < MAX_TX; i++) {
            if (txs[i].open && txs[i].badge == m->badge) {
                own++;
                if (!own_oldest || txs[i].last_used < own_oldest->last_used)
                    own_oldest = &txs[i];
            }
        }
        if (own >= MAX_TX_PER_BADGE)
            tx_release(own_oldest);
        for (u32 i = 0; i < MAX_TX && !slot; i++)
            if (!txs[i].open)
                slot = &txs[i];
        if (!slot && reclaim_idle(NULL))
            for (u32 i = 0; i < MAX_TX && !slot; i++)
                if (!txs[i].open)
                    slot = &txs[i];
        if (!slot)
            return PS_EBUSY;
        memset(slot, 0, sizeof *slot);
        if (!free_page_count && !reclaim_idle(NULL))
            return PS_EBUSY;
        slot->pages[slot->page_count++] = free_pages[--free_page_count]; /* room for the record header */
        slot->bytes = PSDISK_RECORD_HEADER_SIZE;
        slot->open = true;
        slot->id = ((++ps.tx_counter) << 4) | (u32)(slot - txs);
        slot->badge = m->badge;
        slot->begin_tid = ps.next_tid - 1;
        slot->last_used = ps.requests;
        mr[0] = slot->id;
        mr[1] = slot->begin_tid;
        *reply_len = 2;
        return PS_OK;
    }
    case PS_PUT: {
        struct tx *t = len >= 2 ? tx_find(mr[0], m->badge) : NULL;
        if (!t)
            return PS_EBAD_TX;
        t->last_used = ps.requests;
        if (t->part_done != t->part_length)
            return PS_EMALFORMED;
        /* Check the whole batch before taking any of it. */
        u32 count = mr[1], at = 2;
        for (u32 i = 0; i < count; i++) {
            struct psobj o;
            if (at + 2 > len || mr[at + 1] > PSDISK_MAX_OBJECT_SIZE || at + 2 + (mr[at + 1] + 3) / 4 > len || !mr[at] ||
                !psobj_parse((const u8 *)&mr[at + 2], mr[at + 1], &o))
                return PS_EMALFORMED;
            at += 2 + (mr[at + 1] + 3) / 4;
        }
        u32 mark_bytes = t->bytes, mark_entries = t->entries;
        at = 2;
        for (u32 i = 0; i < count; i++) {
            if (stage_entry(t, mr[at], &mr[at + 2], mr[at + 1]) != PS_OK) {
                truncate_stage(t, mark_bytes);
                t->entries = mark_entries;
                return PS_EFULL;
            }
            at += 2 + (mr[at + 1] + 3) / 4;
        }
        return PS_OK;
    }
    case PS_PUT_PART: {
        struct tx *t = len >= 5 ? tx_find(mr[0], m->badge) : NULL;
        if (!t)
            return PS_EBAD_TX;
        t->last_used = ps.requests;
        u32 oid = mr[1], total = mr[2], offset = mr[3], n = mr[4];
        if (!oid || total > PSDISK_MAX_OBJECT_SIZE || n > (len - 5) * 4 || offset + n > total)
            return PS_EMALFORMED;
        if (offset == 0) {
            if (t->part_done != t->part_length) /* the previous one was left unfinished */
                return PS_EMALFORMED;
            u8 head[PSDISK_ENTRY_HEADER_SIZE];
            wr32(head, oid);
            wr32(head + 4, 0);
            wr32(head + 8, total);
            if (t->entries >= PS_MAX_TX_OBJECTS || !stage(t, head, sizeof head))
                return PS_EFULL;
            t->part_at = t->bytes - PSDISK_ENTRY_HEADER_SIZE;
            t->part_length = total;
            t->part_done = 0;
        } else {
            u8 head[PSDISK_ENTRY_HEADER_SIZE];
            if (t->part_done == t->part_length)
                return PS_EMALFORMED;
            staged_read(t, t->part_at, head, sizeof head);
            if (oid != rd32(head) || offset != t->part_done || total != t->part_length)
                return PS_EMALFORMED;
        }
        if (!stage(t, &mr[5], n)) {
            truncate_stage(t, t->part_at); /* the object goes; the transaction stays */
            t->part_length = t->part_done = 0;
            return PS_EFULL;
        }
        t->part_done += n;
        if (t->part_done == t->part_length) {
            static const u8 pad[4];
            struct psobj o;
            staged_read(t, t->part_at + PSDISK_ENTRY_HEADER_SIZE, scratch, total);
            bool ok = psobj_parse(scratch, total, &o);
            if (!ok || !stage(t, pad, pad4(total) - total)) {
                /* Drop the object again: the transaction goes on without it. */
                truncate_stage(t, t->part_at);
                t->part_length = t->part_done = 0;
                return ok ? PS_EFULL : PS_EMALFORMED;
            }
            t->entries++;
            t->part_length = t->part_done = 0;
        }
        return PS_OK;
    }
    case PS_GET: {
        struct object *o = len >= 1 ? find(mr[0]) : NULL;
        struct tx *t = len >= 3 && mr[2] ? tx_find(mr[2], m->badge) : NULL;
        if (len >= 3 && mr[2] && !t)
            return PS_EBAD_TX;
        if (t) {
            /* Remember what was read, present or not, for the commit's check. */
            bool known = false;
            for (u32 i = 0; i < t->read_count; i++)
                known |= t->read_oid[i] == mr[0];
            if (!known) {
                if (t->read_count == READ_SET)
                    return PS_EFULL;
                t->read_oid[t->read_count] = mr[0];
                t->read_serial[t->read_count++] = o ? o->serial : 0;
            }
            t->last_used = ps.requests;
        }
        if (!o)
            return PS_ENOT_FOUND;
        u32 offset = len >= 2 ? mr[1] : 0;
        if (offset > o->length)
            return PS_EMALFORMED;
        u32 n = o->length - offset < PS_GET_MAX ? o->length - offset : PS_GET_MAX;
        mr[0] = o->length;
        mr[1] = o->serial;
        memcpy(&mr[2], arena + o->offset + offset, n);
        *reply_len = 2 + (n + 3) / 4;
        return PS_OK;
    }
    case PS_COMMIT: {
        struct tx *t = len >= 1 ? tx_find(mr[0], m->badge) : NULL;
        if (!t)
            return PS_EBAD_TX;
        u32 tid = 0, err;
        if (t->part_done != t->part_length)
            err = PS_EMALFORMED; /* an object was left half-written: nothing is committed */
        else if (ps.shut_down)
            err = PS_ESHUT_DOWN;
        else
            err = commit(t, &tid);
        tx_release(t);
        mr[0] = tid;
        *reply_len = 1;
        return err;
    }
    case PS_ABORT: {
        struct tx *t = len >= 1 ? tx_find(mr[0], m->badge) : NULL;
        if (!t)
            return PS_EBAD_TX;
        tx_release(t);
        return PS_OK;
    }
    case PS_SHUTDOWN:
        if (!privileged(m->badge))
            return PS_EUNKNOWN; /* only the root task and the host's bridge may stop it */
        for (u32 i = 0; i < MAX_TX; i++)
            if (txs[i].open)
                tx_release(&txs[i]);
        if (ps.have_disk && !ps.shut_down && !ps.failed) {
            ps.sb.flags = PSDISK_FLAG_CLEAN;
            if (!write_superblock() || !blk_flush())
                ps.failed = true;
        }
        ps.shut_down = true;
        mr[0] = ps.next_tid - 1;
        mr[1] = ps.sb.generation;
        *reply_len = 2;
        return PS_OK;
    case PS_LIST: {
        u32 first = len >= 1 ? mr[0] : 0, n = 0;
        for (u32 i = first; i < ps.object_count && n < PS_LIST_MAX; i++, n++)
            mr[2 + n] = objects[i].oid;
        mr[0] = ps.object_count;
        mr[1] = n;
        *reply_len = 2 + n;
        return PS_OK;
    }
    case PS_STAT: {
        u32 open = 0;
        for (u32 i = 0; i < MAX_TX; i++)
            open += txs[i].open;
        mr[0] = ps.object_count;
        mr[1] = ps.next_tid - 1;
        mr[2] = ps.have_disk ? log_lba(ps.log_end) : 0;
        mr[3] = ps.sb.generation;
        mr[4] = ps.arena_live;
        mr[5] = ps.sb.region;
        mr[6] = ps.sb.epoch;
        mr[7] = ps.compactions;
        mr[8] = open;
        mr[9] = ps.sb.active;
        *reply_len = 10;
        return PS_OK;
    }
    case PS_LOOKUP: {
        u32 n = len >= 2 ? mr[1] : 0;
        if (len < 2 || n == 0 || n > PSDISK_MAX_NAME || 2 + (n + 3) / 4 > len)
            return PS_EMALFORMED;
        char selector[PSDISK_MAX_NAME + 1];
        memcpy(selector, &mr[2], n);
        struct psobj_store store = { lookup_get, NULL };
        struct psobj_found f;
        u32 status = psobj_lookup(&store, mr[0], selector, n, &f);
        u32 slot_length = strlen(f.slot);
        mr[0] = status;
        mr[1] = f.holder;
        mr[2] = f.kind;
        mr[3] = f.trait;
        mr[4] = f.other;
        mr[5] = f.at;
        mr[6] = slot_length;
        memset(&mr[7], 0, 64);
        memcpy(&mr[7], f.slot, slot_length);
        *reply_len = 7 + (slot_length + 3) / 4;
        return PS_OK;
    }
    case PS_PACK: {
        if (!privileged(m->badge))
            return PS_EUNKNOWN;
        if (!ps.have_disk || ps.failed || ps.shut_down)
            return ps.shut_down ? PS_ESHUT_DOWN : PS_EIO;
        bool reachable = len >= 1 && mr[0] == PS_PACK_REACHABLE;
        if (reachable)
            mark_reachable();
        u32 sectors = 0, removed = 0, before = ps.object_count;
        if (!compact(reachable ? marks : NULL, &sectors)) {
            ps.failed = true;
            return PS_EIO;
        }
        if (reachable)
            removed = remove_objects(marks);
        mr[0] = removed;
        mr[1] = before - removed;
        mr[2] = sectors;
        *reply_len = 3;
        return PS_OK;
    }
    case PS_REMOUNT:
        if (m->badge != BADGE_ROOT)
            return PS_EUNKNOWN;
        reset();
        ps.have_disk = disk_sectors > PSDISK_REGION_START + 2 * PSDISK_MIN_REGION;
        if (ps.have_disk)
            mount();
        mr[0] = ps.next_tid - 1;
        mr[1] = ps.object_count;
        mr[2] = ps.sb.generation;
        mr[3] = ps.have_disk;
        *reply_len = 4;
        return PS_OK;
    default:
        return PS_EUNKNOWN;
    }
}

int main(void)
{
    /* No session (no disk, or no block server) leaves disk_sectors 0: memory only. */
    if (block_session_init(&disk, CHILD_SLOT_ARG0, (void *)BLOCK_CLIENT_BUFFER) == 0 && disk.writable)
        disk_sectors = disk.sectors;
    reset();
    ps.have_disk = disk_sectors > PSDISK_REGION_START + 2 * PSDISK_MIN_REGION;
    if (ps.have_disk)
        mount();
    else
        telos_print("TelOS: PS: no disk; objects live in memory only\n");
    telos_print("TelOS: PS: serving\n");
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG2, &m);
    for (;;) {
        u32 reply_len;
        u32 label = TELOS_MSG_LABEL(info), badge = m.badge, count = m.mr[1];
        u32 status = serve(label, TELOS_MSG_LENGTH(info), &m, &reply_len);
        m.mr[0] = telos_ipc->msg[0];
        m.mr[1] = telos_ipc->msg[1];
        m.mr[2] = telos_ipc->msg[2];
        /* Printing reuses the IPC buffer: only for replies that fit in registers. */
        if (badge == BADGE_PMS && label == PS_PUT)
            telos_printf("TelOS: PS: PMS put %u object%s: %s\n", count, count == 1 ? "" : "s", status ? "refused" : "staged");
        else if (badge == BADGE_PMS && label == PS_COMMIT && !status)
            telos_printf("TelOS: PS: PMS transaction committed as tid %u\n", m.mr[0]);
        else if (label == PS_SHUTDOWN && !status)
            telos_printf("TelOS: PS: shut down cleanly at tid %u, generation %u\n", m.mr[0], m.mr[1]);
        info = telos_reply_recv(CHILD_SLOT_ARG2, TELOS_MSG_INFO(status, 0, reply_len), &m);
    }
}
