/* The Persistence Server: a transactional object store on the primary ATA disk, in the
 * format of include/telos/psdisk.h, served over IPC (include/telos/ps.h). At start it
 * mounts the disk: formats an empty one, refuses a damaged one, and recovers the log to
 * its last complete commit. Its capabilities: ARG0 the ATA ports, ARG1 the
 * ATA control port, ARG2 its endpoint. */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "servers/ata.h"
#include "lib/crc32.h"
#include "lib/string.h"

#define MAX_OBJECTS 2048
#define ARENA_SIZE (2u << 20)

/* The current value of every object: its bytes live in an arena; a new value of the
 * same size or smaller is written in place, a larger one is appended. */
struct object {
    u32 oid, length, capacity;
    u8 *data;
};

static struct object objects[MAX_OBJECTS];
static u8 arena[ARENA_SIZE];
static u32 arena_used;
static u32 object_count;
static u32 next_tid = 1, log_end = PSDISK_LOG_START, generation;
static bool have_disk, shut_down;

static u8 sector[PSDISK_SECTOR_SIZE];
static u8 record[PSDISK_TXN_HEADER_SIZE + PSDISK_MAX_PAYLOAD + PSDISK_SECTOR_SIZE];
static u32 part_oid, part_length, part_done; /* a PUT_PART object being assembled */

/* The open transaction: its payload, in the disk format, grows with each Put. */
static u32 open_tx, open_tx_badge, tx_counter, tx_objects, tx_bytes;

/* Read-ahead for recovery: sectors come in runs of READ_AHEAD per command. */
#define READ_AHEAD 32
static u8 cache[READ_AHEAD * PSDISK_SECTOR_SIZE];
static u32 cache_lba, cache_count, disk_size;

static bool read_sector(u32 lba, void *out)
{
    if (lba < cache_lba || lba >= cache_lba + cache_count) {
        u32 n = disk_size - lba < READ_AHEAD ? disk_size - lba : READ_AHEAD;
        cache_count = 0;
        if (!n || !ata_read(lba, n, cache))
            return false;
        cache_lba = lba;
        cache_count = n;
    }
    memcpy(out, cache + (lba - cache_lba) * PSDISK_SECTOR_SIZE, PSDISK_SECTOR_SIZE);
    return true;
}

static bool write_sectors(u32 lba, u32 count, const void *data)
{
    cache_count = 0;
    const u8 *p = data;
    while (count) {
        u32 n = count > 255 ? 255 : count;
        if (!ata_write(lba, n, p))
            return false;
        lba += n;
        count -= n;
        p += n * PSDISK_SECTOR_SIZE;
    }
    return true;
}

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }

/* oid -> object index + 1, open addressing; objects are never removed. */
#define HASH_SIZE 4096
static u16 hash_index[HASH_SIZE];

static u32 hash_slot(u32 oid) { return (oid * 2654435761u) >> 20; }

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

static bool store(u32 oid, const u8 *data, u32 length)
{
    struct object *o = find(oid);
    if (!o) {
        if (object_count == MAX_OBJECTS)
            return false;
        o = &objects[object_count];
        o->oid = oid;
        o->capacity = 0;
        index_object(object_count++);
    }
    if (length > o->capacity) {
        u32 need = (length + 3) & ~3u;
        if (arena_used + need > ARENA_SIZE)
            return false;
        o->data = arena + arena_used;
        o->capacity = need;
        arena_used += need;
    }
    o->length = length;
    memcpy(o->data, data, length);
    return true;
}

/* Applies a record's payload to the table; false when it is malformed. */
static bool apply_payload(const u8 *p, u32 count, u32 bytes, bool dry_run)
{
    u32 at = 0;
    for (u32 i = 0; i < count; i++) {
        if (at + 8 > bytes)
            return false;
        u32 oid = rd32(p + at), len = rd32(p + at + 4);
        if (len > PSDISK_MAX_OBJECT_SIZE || at + 8 + ((len + 3) & ~3u) > bytes)
            return false;
        if (!dry_run && !store(oid, p + at + 8, len))
            return false;
        at += 8 + ((len + 3) & ~3u);
    }
    return at == bytes;
}

static u32 sectors_for(u32 bytes) { return (bytes + PSDISK_SECTOR_SIZE - 1) / PSDISK_SECTOR_SIZE; }

static void write_superblock(void)
{
    memset(sector, 0, sizeof sector);
    wr32(sector + 0, PSDISK_MAGIC_0);
    wr32(sector + 4, PSDISK_MAGIC_1);
    wr32(sector + 8, PSDISK_VERSION);
    wr32(sector + 12, generation);
    wr32(sector + 16, PSDISK_LOG_START);
    wr32(sector + 20, crc32(sector, 20));
    write_sectors(0, 1, sector);
}

/* Reads one record at `at`; returns its length in sectors including the marker, or 0. */
static u32 read_record(u32 at, u32 disk_sectors)
{
    if (at >= disk_sectors || !read_sector(at, record))
        return 0;
    if (rd32(record) != PSDISK_TXN_MAGIC || rd32(record + 4) != next_tid || crc32(record, 20) != rd32(record + 20))
        return 0;
    u32 count = rd32(record + 8), bytes = rd32(record + 12);
    if (bytes > PSDISK_MAX_PAYLOAD)
        return 0;
    u32 n = sectors_for(PSDISK_TXN_HEADER_SIZE + bytes);
    if (at + n >= disk_sectors)
        return 0;
    for (u32 i = 1; i < n; i++)
        if (!read_sector(at + i, record + i * PSDISK_SECTOR_SIZE))
            return 0;
    if (crc32(record + PSDISK_TXN_HEADER_SIZE, bytes) != rd32(record + 16))
        return 0;
    if (!read_sector(at + n, sector) || rd32(sector) != PSDISK_COMMIT_MAGIC || rd32(sector + 4) != next_tid ||
        rd32(sector + 8) != rd32(record + 20) || rd32(sector + 12) != crc32(sector, 12))
        return 0;
    if (!apply_payload(record + PSDISK_TXN_HEADER_SIZE, count, bytes, true))
        return 0;
    apply_payload(record + PSDISK_TXN_HEADER_SIZE, count, bytes, false);
    return n + 1;
}

static bool all_zero(const u8 *p, u32 n)
{
    for (u32 i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void mount(u32 disk_sectors)
{
    if (!read_sector(0, sector)) {
        telos_print("TelOS: PS: cannot read the superblock; persistence disabled\n");
        have_disk = false;
        return;
    }
    if (all_zero(sector, sizeof sector)) {
        generation = 1;
        write_superblock();
        memset(sector, 0, sizeof sector);
        write_sectors(PSDISK_LOG_START, 1, sector);
        telos_printf("TelOS: PS: empty disk formatted (%u sectors, format %u)\n", disk_sectors, PSDISK_VERSION);
        return;
    }
    if (rd32(sector) != PSDISK_MAGIC_0 || rd32(sector + 4) != PSDISK_MAGIC_1 || crc32(sector, 20) != rd32(sector + 20) ||
        rd32(sector + 8) != PSDISK_VERSION) {
        telos_print("TelOS: PS: superblock damaged; refusing to format over existing data, persistence disabled\n");
        have_disk = false;
        return;
    }
    generation = rd32(sector + 12) + 1;
    u32 at = rd32(sector + 16), n, recovered = 0;
    while ((n = read_record(at, disk_sectors)) != 0) {
        at += n;
        next_tid++;
        recovered++;
    }
    log_end = at;
    /* Whatever follows the last complete commit is a torn write: cut it off. */
    bool torn = at < disk_sectors && read_sector(at, sector) && !all_zero(sector, sizeof sector);
    memset(sector, 0, sizeof sector);
    if (at < disk_sectors)
        write_sectors(at, 1, sector);
    write_superblock();
    telos_printf("TelOS: PS: recovered %u transactions, %u objects, log ends at sector %u, generation %u\n", recovered,
                 object_count, log_end, generation);
    if (torn)
        telos_printf("TelOS: PS: truncated a torn transaction at sector %u\n", at);
}

static u32 commit(void)
{
    u32 bytes = tx_bytes;
    u8 *h = record;
    wr32(h + 0, PSDISK_TXN_MAGIC);
    wr32(h + 4, next_tid);
    wr32(h + 8, tx_objects);
    wr32(h + 12, bytes);
    wr32(h + 16, crc32(h + PSDISK_TXN_HEADER_SIZE, bytes));
    wr32(h + 20, crc32(h, 20));
    u32 n = sectors_for(PSDISK_TXN_HEADER_SIZE + bytes);
    memset(record + PSDISK_TXN_HEADER_SIZE + bytes, 0, n * PSDISK_SECTOR_SIZE - PSDISK_TXN_HEADER_SIZE - bytes);
    if (have_disk) {
        if (!write_sectors(log_end, n, record))
            return PS_EIO;
        memset(sector, 0, sizeof sector);
        wr32(sector + 0, PSDISK_COMMIT_MAGIC);
        wr32(sector + 4, next_tid);
        wr32(sector + 8, rd32(h + 20));
        wr32(sector + 12, crc32(sector, 12));
        if (!write_sectors(log_end + n, 1, sector))
            return PS_EIO;
        log_end += n + 1;
    }
    apply_payload(record + PSDISK_TXN_HEADER_SIZE, tx_objects, bytes, false);
    next_tid++;
    return PS_OK;
}

/* One request: the message is in m (fast MRs) and the IPC buffer; the reply goes back in
 * the same places. Returns the reply's label and sets its length. */
static u32 serve(u32 label, u32 len, struct telos_msg *m, u32 *reply_len)
{
    /* One transaction at a time, owned by the client (badge) that began it. A client's
     * new Begin abandons its own unfinished one. */
    if (open_tx && m->badge != open_tx_badge && label != PS_GET && label != PS_STAT)
        return PS_EBAD_TX;
    u32 *mr = telos_ipc->msg;
    mr[0] = m->mr[0];
    mr[1] = m->mr[1];
    mr[2] = m->mr[2];
    *reply_len = 0;
    switch (label) {
    case PS_BEGIN:
        if (shut_down)
            return PS_ESHUT_DOWN;
        open_tx = ++tx_counter;
        open_tx_badge = m->badge;
        part_length = part_done = 0;
        tx_objects = tx_bytes = 0;
        mr[0] = open_tx;
        *reply_len = 1;
        return PS_OK;
    case PS_PUT: {
        if (len < 2 || !open_tx || mr[0] != open_tx)
            return PS_EBAD_TX;
        if (part_done != part_length)
            return PS_EMALFORMED;
        u32 count = mr[1], at = 2;
        /* Validate the whole batch before taking any of it. */
        u32 scan = at;
        for (u32 i = 0; i < count; i++) {
            if (scan + 2 > len || mr[scan + 1] > PSDISK_MAX_OBJECT_SIZE)
                return PS_EMALFORMED;
            scan += 2 + (mr[scan + 1] + 3) / 4;
            if (scan > len)
                return PS_EMALFORMED;
        }
        if (tx_bytes + (scan - at) * 4 > PSDISK_MAX_PAYLOAD)
            return PS_EFULL;
        for (u32 i = 0; i < count; i++) {
            u32 words = 2 + (mr[at + 1] + 3) / 4;
            memcpy(record + PSDISK_TXN_HEADER_SIZE + tx_bytes, &mr[at], words * 4);
            tx_bytes += words * 4;
            tx_objects++;
            at += words;
        }
        return PS_OK;
    }
    case PS_PUT_PART: {
        if (len < 5 || !open_tx || mr[0] != open_tx)
            return PS_EBAD_TX;
        u32 oid = mr[1], total = mr[2], offset = mr[3], n = mr[4];
        if (total > PSDISK_MAX_OBJECT_SIZE || n > (len - 5) * 4 || offset + n > total)
            return PS_EMALFORMED;
        if (offset == 0) {
            if (part_done != part_length) /* the previous one was left unfinished */
                return PS_EMALFORMED;
            if (tx_bytes + 8 + ((total + 3) & ~3u) > PSDISK_MAX_PAYLOAD)
                return PS_EFULL;
            u8 *entry = record + PSDISK_TXN_HEADER_SIZE + tx_bytes;
            wr32(entry, oid);
            wr32(entry + 4, total);
            memset(entry + 8, 0, (total + 3) & ~3u);
            part_oid = oid;
            part_length = total;
            part_done = 0;
        } else if (oid != part_oid || offset != part_done || total != part_length) {
            return PS_EMALFORMED;
        }
        u8 *entry = record + PSDISK_TXN_HEADER_SIZE + tx_bytes;
        memcpy(entry + 8 + offset, &mr[5], n);
        part_done += n;
        if (part_done == part_length) {
            tx_bytes += 8 + ((part_length + 3) & ~3u);
            tx_objects++;
        }
        return PS_OK;
    }
    case PS_GET: {
        struct object *o = len >= 1 ? find(mr[0]) : NULL;
        if (!o)
            return PS_ENOT_FOUND;
        u32 offset = len >= 2 ? mr[1] : 0;
        if (offset > o->length)
            return PS_EMALFORMED;
        u32 n = o->length - offset < PS_TEXT_MAX ? o->length - offset : PS_TEXT_MAX;
        mr[0] = o->length;
        memcpy(&mr[1], o->data + offset, n);
        *reply_len = 1 + (n + 3) / 4;
        return PS_OK;
    }
    case PS_COMMIT: {
        if (len < 1 || !open_tx || mr[0] != open_tx)
            return PS_EBAD_TX;
        if (part_done != part_length) {
            open_tx = 0;
            return PS_EMALFORMED; /* an object was left half-written: nothing is committed */
        }
        u32 tid = next_tid;
        u32 err = commit();
        open_tx = 0;
        mr[0] = tid;
        *reply_len = 1;
        return err;
    }
    case PS_ABORT:
        if (len < 1 || !open_tx || mr[0] != open_tx)
            return PS_EBAD_TX;
        open_tx = 0;
        return PS_OK;
    case PS_SHUTDOWN:
        if (m->badge != BADGE_ROOT && m->badge != BADGE_BRIDGE)
            return PS_EUNKNOWN; /* only the root task and the host's bridge may stop it */
        open_tx = 0;
        part_length = part_done = 0;
        if (have_disk && !shut_down)
            write_superblock();
        shut_down = true;
        mr[0] = next_tid - 1;
        mr[1] = generation;
        *reply_len = 2;
        return PS_OK;
    case PS_LIST: {
        u32 first = len >= 1 ? mr[0] : 0, n = 0;
        for (u32 i = first; i < object_count && n < 100; i++, n++)
            mr[2 + n] = objects[i].oid;
        mr[0] = object_count;
        mr[1] = n;
        *reply_len = 2 + n;
        return PS_OK;
    }
    case PS_STAT:
        mr[0] = object_count;
        mr[1] = next_tid - 1;
        mr[2] = log_end;
        mr[3] = generation;
        *reply_len = 4;
        return PS_OK;
    default:
        return PS_EUNKNOWN;
    }
}

int main(void)
{
    u32 disk_sectors = ata_init(CHILD_SLOT_ARG0, CHILD_SLOT_ARG1);
    disk_size = disk_sectors;
    have_disk = disk_sectors > PSDISK_LOG_START + 1;
    if (have_disk)
        mount(disk_sectors);
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
        else if (badge == BADGE_PMS && label == PS_COMMIT)
            telos_printf("TelOS: PS: PMS transaction committed as tid %u\n", m.mr[0]);
        else if (label == PS_SHUTDOWN)
            telos_printf("TelOS: PS: shut down cleanly at tid %u, generation %u\n", m.mr[0], m.mr[1]);
        info = telos_reply_recv(CHILD_SLOT_ARG2, TELOS_MSG_INFO(status, 0, reply_len), &m);
    }
}
