/* vfs-block and vfs-stream: the `block` plugin of vfs_server, a raw block device as one
 * file (/dev/hdb-raw: the last eighth of hdb, through a block session of its own).
 *
 * vfs-block is Phase 2 of the persistence blueprint: a client opens a session to
 * vfs_server, writes blocks to the device file at a sector offset (whole sectors, then a
 * piece with partial sectors at both ends over them, then the device's last sector), reads
 * them back, and the host finds the same bytes at the same place of the emulated hdb. Then
 * every bad request: a write at or across the end, offsets no sector number can hold, a
 * read-only session writing, a truncation, files created or removed beside the device;
 * and random reads and writes checked against a model of the device.
 *
 * vfs-stream boots as the machine does (servers, genesis, vfs_server, test_proc) and then
 * writes files on /tmp and the device file without end, until the host cuts the power. */
#include <telos/block.h>
#include <telos/genesis.h>
#include <telos/vfs.h>
#include "user/ktest/ktest.h"
#include "user/vfsclient.h"
#include "lib/string.h"

#define DEVICE      "/dev/hdb-raw"
#define FIRST       4u                  /* the sectors the test writes whole: [FIRST, FIRST + 6) */
#define PIECE_AT    (5u * 512 + 100)    /* then a piece with partial sectors at both ends */
#define PIECE_BYTES 1500u

static u32 failures;

static void fail_if(bool bad, const char *what)
{
    if (bad) {
        telos_printf("TelOS: vfs-block: WRONG: %s\n", what);
        failures++;
    }
}

static void ok(const char *what, u32 err)
{
    if (err) {
        telos_printf("TelOS: vfs-block: WRONG: %s failed: %s\n", what, vfs_error_name(err));
        failures++;
    }
}

static void expect_refusal(const char *what, u32 got, u32 want)
{
    if (got == want) {
        telos_printf("TelOS: vfs-block: %s -> refused: %s\n", what, vfs_error_name(got));
    } else {
        telos_printf("TelOS: vfs-block: WRONG: %s answered %u (%s), expected %u (%s)\n", what, got, vfs_error_name(got),
                     want, vfs_error_name(want));
        failures++;
    }
}

/* The bytes the host expects (tests/kernel/vfs-block.test.ts builds the same). */
static u8 background(u32 i) { return (u8)(0xE0 ^ (i >> 9)); }
static u8 piece(u32 i) { return (u8)(i * 31 + 7); }
static u8 last(u32 i) { return (u8)(0x4C ^ i); }

/* Random reads and writes on the device, mostly near its two ends, some at offsets far
 * past it: each answered as a model of the device says (the bytes of a shadow of both
 * ends, the refusal the plugin documents). Both ends are zeroed again afterwards, so the
 * host still finds only the bytes written after this. */
#define WINDOW (64u * 1024)
static u8 shadow_lo[WINDOW], shadow_hi[WINDOW], zeros[WINDOW];

static u8 *shadow(u64 off, u64 size) { return off < WINDOW ? &shadow_lo[off] : &shadow_hi[off - (size - WINDOW)]; }

static void fuzz(u32 ep, u32 handle, u64 size)
{
    u32 got;
    ok("read the device's first bytes", vfs_read_at(ep, handle, 0, shadow_lo, WINDOW, &got));
    ok("read the device's last bytes", vfs_read_at(ep, handle, size - WINDOW, shadow_hi, WINDOW, &got));
    u32 x = 0x2545F491u, wrote = 0, refused = 0, wrong = 0;
    static u8 buf[VFS_MAX_DATA], back[VFS_MAX_DATA];
    const u32 rounds = ktest_arg("block-fuzz=", 2000);
    for (u32 i = 0; i < rounds; i++) {
        u32 r[4];
        for (u32 k = 0; k < 4; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            r[k] = x;
        }
        u32 where = r[0] % 8, n = r[1] % (VFS_MAX_DATA + 1);
        u64 off = where < 3   ? r[2] % (WINDOW - VFS_MAX_DATA)
                  : where < 7 ? size - WINDOW + r[2] % (WINDOW + 1024)
                  : r[0] & 8  ? (u64)r[2] << 32 | r[3]
                              : r[2];
        /* A request of no bytes never leaves the client (user/vfsclient.c): nothing to refuse. */
        bool wraps = n && (off + n < off || (off + n) >> 9 > 0xFFFFFFFFull);
        bool inside = !n || (!wraps && off <= size && n <= size - off);
        u32 err;
        if (r[3] & 1) {
            for (u32 k = 0; k < n; k++)
                buf[k] = (u8)(r[2] + k * 7);
            err = vfs_write_at(ep, handle, off, buf, n);
            u32 want = wraps ? VFS_EINVAL : !inside ? VFS_ENOSPC : 0;
            wrong += err != want;
            if (!err && n) {
                memcpy(shadow(off, size), buf, n);
                wrote++;
            }
        } else {
            err = vfs_read_at(ep, handle, off, back, n, &got);
            u32 want_len = wraps || off >= size ? 0 : n < size - off ? n : (u32)(size - off);
            wrong += err != (wraps ? VFS_EINVAL : 0) || got != want_len ||
                     (want_len && memcmp(back, shadow(off, size), want_len));
        }
        refused += err != 0;
    }
    telos_printf("TelOS: vfs-block: fuzz: %u random reads and writes, %u wrote, %u refused, %u answered otherwise than "
                 "the model\n",
                 rounds, wrote, refused, wrong);
    fail_if(wrong, "the device answered otherwise than its model");
    ok("zero the first bytes again", vfs_write_at(ep, handle, 0, zeros, WINDOW));
    ok("zero the last bytes again", vfs_write_at(ep, handle, size - WINDOW, zeros, WINDOW));
}

static bool start(const char *name)
{
    start_block();
    u32 sizes[2];
    block_disks(sizes);
    if (!sizes[1]) {
        telos_printf("TelOS: %s test FAILED (no second disk)\n", name);
        return false;
    }
    start_vfs();
    return true;
}

void test_vfs_block(void)
{
    if (!start("vfs-block"))
        return;
    /* A client of a session holding only /dev, read-write, as a program would get it. */
    const struct vfs_grant dev_rw[] = { { "/dev", VFS_RIGHT_RW } };
    u32 dev = slot_alloc();
    ok("a session over /dev", vfs_session(vfs_root_ep, dev_rw, 1, 0, dev));
    struct vfs_stat st;
    ok("stat " DEVICE, vfs_stat(dev, DEVICE, &st));
    telos_printf("TelOS: vfs-block: %s is a %s of %u bytes\n", DEVICE, st.type == VFS_TYPE_FILE ? "file" : "non-file",
                 (u32)st.size);
    struct vfs_fsinfo fi;
    ok("statfs /dev", vfs_statfs(dev, "/dev", &fi));
    telos_printf("TelOS: vfs-block: /dev is %s, %u blocks of %u bytes\n", fi.plugin, fi.blocks, fi.block_size);
    u64 size = st.size;
    if (failures || size < 2 * WINDOW) {
        telos_printf("TelOS: vfs-block test FAILED (%u)\n", failures + 1);
        return;
    }

    static u8 data[6 * BLOCK_SECTOR], want[6 * BLOCK_SECTOR], back[6 * BLOCK_SECTOR];
    struct vfs_file f;
    ok("open " DEVICE " read-write", vfs_open(dev, DEVICE, VFS_O_READ | VFS_O_WRITE, &f));
    fuzz(dev, f.handle, size);
    for (u32 i = 0; i < sizeof data; i++)
        data[i] = background(FIRST * BLOCK_SECTOR + i);
    ok("write whole sectors", vfs_write_at(dev, f.handle, FIRST * BLOCK_SECTOR, data, sizeof data));
    /* Partial sectors at both ends: what the sectors held around the piece stays. */
    static u8 p[PIECE_BYTES];
    for (u32 i = 0; i < PIECE_BYTES; i++)
        p[i] = piece(i);
    ok("write a piece with partial sectors", vfs_write_at(dev, f.handle, PIECE_AT, p, PIECE_BYTES));
    memcpy(want, data, sizeof want);
    memcpy(want + PIECE_AT - FIRST * BLOCK_SECTOR, p, PIECE_BYTES);
    u32 got = 0;
    ok("read them back", vfs_read_at(dev, f.handle, FIRST * BLOCK_SECTOR, back, sizeof back, &got));
    fail_if(got != sizeof back || memcmp(back, want, sizeof want), "the sectors read back differ");
    telos_printf("TelOS: vfs-block: sectors %u-%u written and read back%s\n", FIRST, FIRST + 5,
                 got == sizeof back && !memcmp(back, want, sizeof want) ? ", as written" : ", DIFFERENT");
    /* The device's last sector, its last byte at the end of hdb. */
    static u8 l[BLOCK_SECTOR];
    for (u32 i = 0; i < BLOCK_SECTOR; i++)
        l[i] = last(i);
    ok("write the last sector", vfs_write_at(dev, f.handle, size - BLOCK_SECTOR, l, BLOCK_SECTOR));
    ok("read the last sector", vfs_read_at(dev, f.handle, size - BLOCK_SECTOR, back, BLOCK_SECTOR, &got));
    fail_if(got != BLOCK_SECTOR || memcmp(back, l, BLOCK_SECTOR), "the last sector read back differs");
    ok("read at the end", vfs_read_at(dev, f.handle, size, back, 16, &got));
    telos_printf("TelOS: vfs-block: a read at the end answers %u bytes\n", got);
    fail_if(got != 0, "a read at the end answered bytes");
    ok("read across the end", vfs_read_at(dev, f.handle, size - 8, back, 16, &got));
    fail_if(got != 8 || memcmp(back, l + BLOCK_SECTOR - 8, 8), "a read across the end answered other bytes");

    /* Bad requests: refused whole, nothing written (the host finds the last sector as above). */
    expect_refusal("a write at the end", vfs_write_at(dev, f.handle, size, l, 16), VFS_ENOSPC);
    expect_refusal("a write across the end", vfs_write_at(dev, f.handle, size - 10, l + 100, 20), VFS_ENOSPC);
    expect_refusal("a write far past the end", vfs_write_at(dev, f.handle, size * 1000, l, 16), VFS_ENOSPC);
    expect_refusal("a write whose end wraps past 2^64", vfs_write_at(dev, f.handle, ~0ull - 8, l, 16), VFS_EINVAL);
    expect_refusal("a read at a sector number past 32 bits", vfs_read_at(dev, f.handle, 1ull << 41, back, 16, &got),
                   VFS_EINVAL);
    expect_refusal("a write at a sector number past 32 bits", vfs_write_at(dev, f.handle, 1ull << 41, l, 16), VFS_EINVAL);
    ok("close (flushed)", vfs_close(&f));

    const struct vfs_grant dev_ro[] = { { "/dev", VFS_RIGHT_RO } };
    u32 ro = slot_alloc();
    ok("a read-only session over /dev", vfs_session(vfs_root_ep, dev_ro, 1, 0, ro));
    expect_refusal("a read-only session opens the device for writing", open_status(ro, DEVICE, VFS_O_WRITE), VFS_EROFS);
    struct vfs_file rf;
    ok("a read-only session opens the device for reading", vfs_open(ro, DEVICE, VFS_O_READ, &rf));
    expect_refusal("a read-only session writes through its handle", vfs_write_at(ro, rf.handle, 0, l, 16), VFS_EBADF);
    ok("a read-only session reads", vfs_read_at(ro, rf.handle, FIRST * BLOCK_SECTOR, back, 64, &got));
    fail_if(got != 64 || memcmp(back, want, 64), "the read-only session read other bytes");
    vfs_close(&rf);
    vfs_session_close(ro);
    expect_refusal("a truncating open", open_status(dev, DEVICE, VFS_O_WRITE | VFS_O_TRUNC), VFS_EINVAL);
    expect_refusal("an exclusive create of the device", open_status(dev, DEVICE, VFS_O_WRITE | VFS_O_CREATE | VFS_O_EXCL),
                   VFS_EEXIST);
    expect_refusal("a file created beside the device", open_status(dev, "/dev/other", VFS_O_WRITE | VFS_O_CREATE),
                   VFS_EROFS);
    expect_refusal("a missing file beside the device", open_status(dev, "/dev/other", VFS_O_READ), VFS_ENOENT);
    expect_refusal("the device removed", vfs_unlink(dev, DEVICE), VFS_EROFS);
    expect_refusal("the device renamed", vfs_rename(dev, DEVICE, "/dev/x"), VFS_EROFS);
    expect_refusal("a directory made beside the device", vfs_mkdir(dev, "/dev/d"), VFS_EROFS);
    expect_refusal("the device as a directory", open_status(dev, DEVICE "/x", VFS_O_READ), VFS_ENOTDIR);
    ok("sync", vfs_sync(dev));
    vfs_session_close(dev);
    if (failures)
        telos_printf("TelOS: vfs-block test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: vfs-block test passed\n");
}

/* vfs-stream: the machine's boot (servers, genesis committed, vfs_server, the PMS's
 * namespace, test_proc recorded and running), then rounds of writes that never end: a
 * 4 KiB file on /tmp created, written and closed, and 4 KiB of the device file written
 * and flushed at an offset that walks over the whole device. The host cuts the power
 * somewhere in them and boots the same disks again. */
void test_vfs_stream(void)
{
    start_servers();
    if (!genesis_commit())
        return;
    start_vfs();
    give_pms_namespace();
    /* Below test_proc (50), so it runs as on a machine's boot while we write on. */
    TELOS_INVOKE(TELOS_SLOT_TCB, TELOS_TCB_SET_PRIORITY, 10);
    u32 err = pms_create(GENESIS_TEST_PROC_IMAGE, 0, GENESIS_TEST_PROC);
    if (err)
        telos_printf("TelOS: vfs-stream: CreateProcess failed: %s\n", telos_error_name(err));
    struct vfs_stat st;
    if (vfs_stat(vfs_root_ep, DEVICE, &st) || st.size < 8192) {
        telos_print("TelOS: vfs-stream test FAILED (no device file)\n");
        return;
    }
    static u8 chunk[4096];
    for (u32 round = 1;; round++) {
        for (u32 i = 0; i < sizeof chunk; i++)
            chunk[i] = (u8)(round + i);
        struct vfs_file f;
        char name[32] = "/tmp/stream-0";
        name[12] = (char)('0' + round % 10);
        u32 e = vfs_open(vfs_root_ep, name, VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC, &f);
        if (!e) {
            e = vfs_write(&f, chunk, sizeof chunk);
            u32 c = vfs_close(&f);
            e = e ? e : c;
        }
        if (!e) {
            e = vfs_open(vfs_root_ep, DEVICE, VFS_O_WRITE, &f);
            if (!e) {
                /* Whole sectors, walking over the device (its size fits 32 bits: at most hdb's eighth). */
                u32 places = (u32)st.size / BLOCK_SECTOR - sizeof chunk / BLOCK_SECTOR + 1;
                f.pos = (u64)(round * (sizeof chunk / BLOCK_SECTOR) % places) * BLOCK_SECTOR;
                e = vfs_write(&f, chunk, sizeof chunk);
                u32 c = vfs_close(&f);
                e = e ? e : c;
            }
        }
        if (e) {
            telos_printf("TelOS: vfs-stream test FAILED in round %u: %s\n", round, vfs_error_name(e));
            return;
        }
        if (round % 10 == 0)
            telos_printf("TelOS: vfs-stream: round %u\n", round);
    }
}
