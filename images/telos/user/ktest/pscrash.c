/* The PS crash-consistency harness's guest half (tests/kernel/crash/ is the host half).
 *
 * ps-crash seed=S steps=N: a run of random steps on an empty disk: transactions of one to
 * five objects (blobs of random size, now and then the root object naming a random half of
 * them; some blobs carry a record header and commit marker forged as well as a client can,
 * at a sector boundary of the record), aborted transactions, and compactions and packs.
 * Each step the PS acknowledges is printed with what it wrote, so the host can rebuild the
 * state after every acknowledged prefix while it records every disk write.
 *
 * ps-crash-verify: mounts the disk, prints a digest of what the PS recovered, then waits
 * for a byte on COM1 (the host has put the next crash state on the disk meanwhile) and
 * asks the PS to mount again (PS_REMOUNT), for as many states as the host sends; 'q' ends. */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include "user/ktest/ktest.h"
#include "user/psclient.h"
#include "lib/crc32.h"
#include "lib/format.h"
#include "lib/psobj.h"
#include "lib/string.h"

#define CRASH_FIRST 3000
#define CRASH_OBJECTS 32
#define CRASH_ROOT PSDISK_ROOT_OID

static u32 rng;
static u32 rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }

/* A blob's data: a pattern from `fill`, the host computes the same. */
static void pattern(u8 *d, u32 n, u32 fill)
{
    for (u32 i = 0; i < n; i++)
        d[i] = (u8)((fill * 131 + i * 7 + (i >> 7) * 13) ^ (fill >> 8));
}

/* A record header and, a sector further, a commit marker for `tid`, as a client forges
 * them: everything right but the MACs, which need the disk's key. */
static void forge(u8 *at, u32 epoch, u32 tid)
{
    memset(at, 0, PSDISK_SECTOR_SIZE + PSDISK_MARKER_SIZE);
    wr32(at, PSDISK_RECORD_MAGIC);
    wr32(at + 4, PSDISK_RECORD_TXN);
    wr32(at + 8, epoch);
    wr32(at + 12, tid);
    wr32(at + 20, 1);
    wr32(at + 24, 16);
    memset(at + 40, 0x55, 16);
    wr32(at + 28, crc32(at + 40, 16));
    memset(at + 32, 0x41, 8);
    u8 *m = at + PSDISK_SECTOR_SIZE;
    wr32(m, PSDISK_MARKER_MAGIC);
    wr32(m + 4, epoch);
    wr32(m + 8, tid);
    memset(m + 16, 0x41, 8);
    memset(m + 24, 0x42, 8);
}

static u32 root_object(u8 *buf, u32 mask)
{
    struct psobj_builder b;
    psobj_begin(&b, buf, PSDISK_MAX_OBJECT_SIZE, "crash root");
    for (u32 i = 0; i < CRASH_OBJECTS; i++)
        if (mask & (1u << i)) {
            char name[8];
            format_to(name, sizeof name, "o%u", CRASH_FIRST + i);
            psobj_data_ref(&b, name, CRASH_FIRST + i);
        }
    return psobj_end(&b);
}

void test_ps_crash(void)
{
    rng = ktest_arg("seed=", 1) | 1;
    u32 steps = ktest_arg("steps=", 200), step = 0;
    start_ps();
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    char line[256];
    for (u32 attempt = 0; step < steps && attempt < steps * 4; attempt++) {
        u32 r = rnd() % 100;
        struct ps_stat st;
        ps_stat(ps_ep, &st);
        if (r < 6 && step) {
            u32 mode = rnd() & 1 ? PS_PACK_REACHABLE : PS_PACK_CHECKPOINT, removed = 0, kept = 0;
            if (ps_pack(ps_ep, mode, &removed, &kept) == PS_OK)
                telos_printf("TelOS: ps-crash: step %u %s removed %u kept %u\n", ++step,
                             mode == PS_PACK_REACHABLE ? "pack" : "compact", removed, kept);
            continue;
        }
        u32 tx;
        if (ps_begin(ps_ep, &tx) != PS_OK)
            break;
        u32 count = 1 + rnd() % 5, at = PSDISK_RECORD_HEADER_SIZE, n = 0, err = PS_OK;
        n = format_to(line, sizeof line, "TelOS: ps-crash: step %u commit", step + 1);
        for (u32 k = 0; k < count && !err; k++) {
            u32 oid, len;
            if (rnd() % 10 == 0) {
                u32 mask = rnd();
                oid = CRASH_ROOT;
                len = root_object(obj, mask);
                n += format_to(line + n, sizeof line - n, " 1:root:%x", mask);
            } else {
                oid = CRASH_FIRST + rnd() % CRASH_OBJECTS;
                u32 data = rnd() & 1 ? rnd() % 60 : rnd() % 2900;
                u32 fill = rnd() & 0xFFFF;
                len = 4 + data;
                wr32(obj, PSDISK_BLOB_MAGIC);
                pattern(obj + 4, data, fill);
                /* Where the data lands in the record: plant the forgery on the next sector boundary. */
                u32 data_at = at + PSDISK_ENTRY_HEADER_SIZE + 4;
                u32 plant = (data_at + PSDISK_SECTOR_SIZE - 1) / PSDISK_SECTOR_SIZE * PSDISK_SECTOR_SIZE - data_at;
                if (rnd() % 3 == 0 && plant + PSDISK_SECTOR_SIZE + PSDISK_MARKER_SIZE <= data) {
                    forge(obj + 4 + plant, st.epoch, st.last_tid + 2);
                    n += format_to(line + n, sizeof line - n, " %u:%u:%u:f%u.%u.%u", oid, len, fill, st.epoch,
                                   st.last_tid + 2, plant);
                } else {
                    n += format_to(line + n, sizeof line - n, " %u:%u:%u", oid, len, fill);
                }
            }
            err = ps_put(ps_ep, tx, oid, obj, len);
            at += PSDISK_ENTRY_HEADER_SIZE + ((len + 3) & ~3u);
        }
        if (err || rnd() % 12 == 0) {
            ps_abort(ps_ep, tx);
            continue;
        }
        u32 tid;
        err = ps_commit(ps_ep, tx, &tid);
        if (err == PS_EFULL)
            continue;
        if (err) {
            telos_printf("TelOS: ps-crash: commit FAILED (status %u)\n", err);
            return;
        }
        step++;
        telos_printf("%s tid %u\n", line, tid);
    }
    telos_printf("TelOS: ps-crash: done after %u steps\n", step);
}

/* FNV-1a over the objects the harness uses: the host computes the same over its model. */
static u32 fnv(u32 h, const void *data, u32 n)
{
    const u8 *p = data;
    for (u32 i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void print_state(u32 number)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    u32 h = 2166136261u;
    for (u32 i = 0; i <= CRASH_OBJECTS; i++) {
        u32 oid = i == CRASH_OBJECTS ? CRASH_ROOT : CRASH_FIRST + i, len;
        if (ps_get(ps_ep, oid, obj, sizeof obj, &len) != PS_OK)
            continue;
        h = fnv(h, &oid, 4);
        h = fnv(h, &len, 4);
        h = fnv(h, obj, len);
    }
    telos_printf("TelOS: ps-crash-state %u: tid %u objects %u digest %x\n", number, st.last_tid, st.objects, h);
}

void test_ps_crash_verify(void)
{
    u32 irq = slot_alloc();
    check("COM1 input interrupt", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 4, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    check("COM1 notification", TELOS_INVOKE(irq, TELOS_IRQ_HANDLER_SET_NOTIFICATION, ntfn));
    start_ps();
    for (u32 number = 0;; number++) {
        print_state(number);
        telos_printf("TelOS: ps-crash-ready %u\n", number);
        u32 c = 0xFFFFFFFFu;
        while (c == 0xFFFFFFFFu) {
            struct telos_msg g = { { 0, 0, 0 }, 0 };
            c = telos_syscall(TELOS_SYS_DEBUG_GETCHAR, irq, 0, &g);
            if (c == 0xFFFFFFFFu) {
                struct telos_msg m = { { 0, 0, 0 }, 0 };
                telos_recv(ntfn, &m);
                TELOS_INVOKE0(irq, TELOS_IRQ_HANDLER_ACK);
            }
        }
        if (c == 'q')
            return;
        u32 r[TELOS_MAX_MRS];
        telos_call_words(ps_ep, PS_REMOUNT, 0, NULL, r, NULL);
    }
}
