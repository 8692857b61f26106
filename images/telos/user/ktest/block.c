/* block-bounds: block sessions are bounded. The root task, as a client, opens a
 * read-write session on sectors [64, 80) of disk 0 and a read-only one on [96, 104),
 * writes a pattern the host then finds at exactly those sectors, and tries every way out
 * of its session: past the end, across it, a wrapping sector number, oversized and empty
 * counts, a write on the read-only session, control requests through a session cap, a cap
 * with a badge that names no session, an unbadged one and a closed session. */
#include "user/ktest/ktest.h"
#include "user/blockclient.h"
#include "lib/string.h"

#define TEST_BUFFERS 0x50000000u

static u32 failures;

static void expect_status(const char *what, u32 got, u32 want)
{
    telos_printf("TelOS: block-bounds: %s -> %s\n", what, got == want ? "refused as it should be" : "WRONG");
    if (got != want) {
        telos_printf("TelOS: block-bounds: %s answered %u, expected %u\n", what, got, want);
        failures++;
    }
}

void test_block_bounds(void)
{
    start_block();
    u32 sizes[2];
    block_disks(sizes);
    telos_printf("TelOS: block-bounds: disk 0 has %u sectors, disk 1 %u\n", sizes[0], sizes[1]);
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
    check("buffers' page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, TELOS_SLOT_VSPACE, TEST_BUFFERS));
    u32 rw_ep, ro_ep;
    check("read-write session", block_open(0, 64, 16, true, TELOS_SLOT_VSPACE, TEST_BUFFERS, &rw_ep));
    check("read-only session",
          block_open(0, 96, 8, false, TELOS_SLOT_VSPACE, TEST_BUFFERS + BLOCK_BUFFER_BYTES, &ro_ep));
    struct block_session rw, ro;
    check("session info", block_session_init(&rw, rw_ep, (void *)TEST_BUFFERS));
    check("session info", block_session_init(&ro, ro_ep, (void *)(TEST_BUFFERS + BLOCK_BUFFER_BYTES)));
    telos_printf("TelOS: block-bounds: sessions of %u sectors (%s) and %u sectors (%s)\n", rw.sectors,
                 rw.writable ? "rw" : "ro", ro.sectors, ro.writable ? "rw" : "ro");
    if (rw.sectors != 16 || !rw.writable || ro.sectors != 8 || ro.writable)
        failures++;

    /* Inside: every sector of the session written with its own pattern, flushed, read back. */
    static u8 data[16 * 512], back[16 * 512];
    for (u32 i = 0; i < sizeof data; i++)
        data[i] = (u8)(0xB0 + i / 512) ^ (u8)(i * 7);
    check("write inside the session", block_write(&rw, 0, 16, data));
    check("flush", block_flush(&rw));
    check("read inside the session", block_read(&rw, 0, 16, back));
    if (memcmp(data, back, sizeof data)) {
        telos_print("TelOS: block-bounds: read back differs\n");
        failures++;
    }
    check("read-only read", block_read(&ro, 0, 8, back));
    telos_printf("TelOS: block-bounds: read-only session's first byte %u\n", back[0]);

    /* Outside: refused before the drive sees anything. */
    expect_status("read past the end", block_request(rw_ep, BLOCK_READ, 16, 1), TELOS_ERANGE);
    expect_status("write past the end", block_request(rw_ep, BLOCK_WRITE, 16, 1), TELOS_ERANGE);
    expect_status("write across the end", block_request(rw_ep, BLOCK_WRITE, 15, 2), TELOS_ERANGE);
    expect_status("wrapping sector number", block_request(rw_ep, BLOCK_WRITE, 0xFFFFFFFFu, 2), TELOS_ERANGE);
    expect_status("huge sector number", block_request(rw_ep, BLOCK_READ, 0x80000000u, 1), TELOS_ERANGE);
    expect_status("empty count", block_request(rw_ep, BLOCK_READ, 0, 0), TELOS_EINVALID_ARGUMENT);
    expect_status("count past the buffer", block_request(rw_ep, BLOCK_READ, 0, BLOCK_BUFFER_SECTORS + 1),
                  TELOS_EINVALID_ARGUMENT);
    expect_status("count that wraps", block_request(rw_ep, BLOCK_READ, 8, 0xFFFFFFF9u), TELOS_EINVALID_ARGUMENT);
    expect_status("write on a read-only session", block_request(ro_ep, BLOCK_WRITE, 0, 1), TELOS_EILLEGAL_OPERATION);
    const u32 grow[] = { BLOCK_FIRST_SESSION, 0, 0, sizes[0], 1 };
    expect_status("control request through a session cap",
                  telos_call_words(rw_ep, BLOCK_OPEN, 5, grow, NULL, NULL), TELOS_EILLEGAL_OPERATION);
    expect_status("disk list through a session cap", telos_call_words(rw_ep, BLOCK_DISKS, 0, NULL, NULL, NULL),
                  TELOS_EILLEGAL_OPERATION);
    u32 forged = mint_cap(block_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BLOCK_FIRST_SESSION + 9);
    expect_status("a badge that names no session", block_request(forged, BLOCK_READ, 0, 1), TELOS_EINVALID_CAPABILITY);
    u32 unbadged = mint_cap(block_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, 0);
    expect_status("an unbadged cap", block_request(unbadged, BLOCK_READ, 0, 1), TELOS_EINVALID_CAPABILITY);
    const u32 outside[] = { BLOCK_FIRST_SESSION + 5, 0, sizes[0] - 4, 8, 1 };
    expect_status("a session past the disk's end", telos_call_words(block_control_ep, BLOCK_OPEN, 5, outside, NULL, NULL),
                  TELOS_ERANGE);
    const u32 close[] = { BLOCK_FIRST_SESSION + 1 };
    check("close", telos_call_words(block_control_ep, BLOCK_CLOSE, 1, close, NULL, NULL));
    expect_status("a closed session", block_request(ro_ep, BLOCK_READ, 0, 1), TELOS_EINVALID_CAPABILITY);
    /* The session still works after all that. */
    check("read after the refusals", block_read(&rw, 15, 1, back));
    if (memcmp(back, data + 15 * 512, 512))
        failures++;
    if (failures)
        telos_printf("TelOS: block-bounds test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: block-bounds test passed\n");
}

/* block-disk1: the second disk (primary slave, hdb) served beside the first. A session on
 * sectors [8, 24) of each disk gets its own pattern; the host finds each pattern on its
 * own disk only. */
void test_block_disk1(void)
{
    start_block();
    u32 sizes[2];
    block_disks(sizes);
    telos_printf("TelOS: block-disk1: disk 0 has %u sectors, disk 1 %u\n", sizes[0], sizes[1]);
    if (!sizes[1]) {
        telos_print("TelOS: block-disk1 test FAILED (no disk 1)\n");
        return;
    }
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
    check("buffers' page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, TELOS_SLOT_VSPACE, TEST_BUFFERS));
    u32 ep0, ep1;
    check("disk 0 session", block_open(0, 8, 16, true, TELOS_SLOT_VSPACE, TEST_BUFFERS, &ep0));
    check("disk 1 session", block_open(1, 8, 16, true, TELOS_SLOT_VSPACE, TEST_BUFFERS + BLOCK_BUFFER_BYTES, &ep1));
    struct block_session s0, s1;
    check("session info", block_session_init(&s0, ep0, (void *)TEST_BUFFERS));
    check("session info", block_session_init(&s1, ep1, (void *)(TEST_BUFFERS + BLOCK_BUFFER_BYTES)));
    static u8 a[16 * 512], b[16 * 512], back[16 * 512];
    for (u32 i = 0; i < sizeof a; i++) {
        a[i] = (u8)(0x10 + i / 512);
        b[i] = (u8)(0xD0 + i / 512);
    }
    check("write disk 1", block_write(&s1, 0, 16, a));
    check("write disk 0", block_write(&s0, 0, 16, b));
    check("flush disk 1", block_flush(&s1));
    check("flush disk 0", block_flush(&s0));
    u32 failures = 0;
    check("read disk 1", block_read(&s1, 0, 16, back));
    failures += memcmp(back, a, sizeof a) != 0;
    check("read disk 0", block_read(&s0, 0, 16, back));
    failures += memcmp(back, b, sizeof b) != 0;
    failures += block_request(ep1, BLOCK_READ, 16, 1) != TELOS_ERANGE;
    if (failures)
        telos_printf("TelOS: block-disk1 test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: block-disk1 test passed\n");
}
