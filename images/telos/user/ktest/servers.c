/* Tests of the primordial servers: CreateProcess that fails part-way (pms-abort), processes
 * created and terminated again and again (pms-spawn); malformed requests to each server are in fuzzipc.c. */
#include <telos/ps.h>
#include <telos/servers.h>
#include <telos/genesis.h>
#include <telos/vfs.h>
#include "user/ktest/ktest.h"
#include "user/vfsclient.h"
#include "lib/string.h"

void test_pms_abort(void)
{
    start_servers();
    if (!genesis_commit())
        return;
    struct ps_stat before, after;
    ps_stat(ps_ep, &before);
    u32 err = pms_create(GENESIS_TEST_PROC_IMAGE, 999 /* no such caps object */, GENESIS_FIRST_FREE + 11);
    ps_stat(ps_ep, &after);
    u8 probe[16];
    u32 len;
    bool traced = ps_get(ps_ep, GENESIS_FIRST_FREE + 11, probe, sizeof probe, &len) == PS_OK ||
                  after.objects != before.objects || after.last_tid != before.last_tid;
    telos_printf("TelOS: pms-abort: CreateProcess answered %s; %s\n", telos_error_name(err),
                 traced ? "a TRACE was left in the PS" : "no trace left in the PS");
    /* The objects went back to the MMS: creating processes still works, again and again. */
    u32 ok = 0;
    for (u32 i = 0; i < 3; i++)
        ok += pms_create(GENESIS_TEST_PROC_IMAGE, 0, GENESIS_FIRST_FREE + 12 + i) == 0;
    telos_printf("TelOS: pms-abort test %s (%u/3 processes created afterwards)\n",
                 err == TELOS_EFAILED_LOOKUP && !traced && ok == 3 ? "passed" : "FAILED", ok);
}

/* Waits until test_proc has written its 19 bytes to /tmp/test_proc.txt through the session
 * the PMS gave it (it runs above us, but may wait on the disk for /image first): a bounded
 * number of looks, each an IPC round trip, so a process that never writes fails the test. */
static bool test_proc_wrote(void)
{
    struct vfs_stat st;
    for (u32 look = 0; look < 200000; look++) {
        if (!vfs_stat(vfs_root_ep, "/tmp/test_proc.txt", &st) && st.size == 19)
            return true;
        telos_yield();
    }
    return false;
}

/* The servers, genesis, vfs_server and the PMS's own session, with the root task below
 * test_proc's priority (50) so each process runs as soon as it can; false when genesis
 * could not commit (it said why). */
static bool start_pms_with_namespace(void)
{
    start_servers();
    if (!genesis_commit())
        return false;
    start_vfs();
    give_pms_namespace();
    TELOS_INVOKE(TELOS_SLOT_TCB, TELOS_TCB_SET_PRIORITY, 10);
    return true;
}

/* pms-spawn: `count=` (100) rounds of CreateProcess and TerminateProcess of test_proc, each
 * of which must get its own /tmp session and write its file; then PMS_MAX_PROCESSES at
 * once, one more refused, all terminated, and one more round.
 * Catches: a PMS that keeps the objects or the vfs session of a terminated process (it
 * runs out after a few processes, or its processes get no namespace), a vfs_server that
 * never gets a session back, a PMS that runs a process it cannot record. */
void test_pms_spawn(void)
{
    if (!start_pms_with_namespace())
        return;
    const u32 oid = GENESIS_FIRST_FREE + 20, rounds = ktest_arg("count=", 100);
    u32 done = 0;
    bool good = true;
    for (u32 i = 0; i < rounds && good; i++) {
        vfs_unlink(vfs_root_ep, "/tmp/test_proc.txt");
        u32 err = pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid);
        bool wrote = !err && test_proc_wrote();
        u32 terr = err ? 0 : pms_terminate(oid);
        good = !err && wrote && !terr;
        if (!good)
            telos_printf("TelOS: pms-spawn: round %u: CreateProcess %s, %s, TerminateProcess %s\n", i + 1,
                         telos_error_name(err), wrote ? "wrote its file" : "NO FILE from test_proc",
                         telos_error_name(terr));
        done += good;
    }
    telos_printf("TelOS: pms-spawn: %u of %u processes wrote through their /tmp session and were terminated\n", done,
                 rounds);
    /* The table: PMS_MAX_PROCESSES at once, the next one refused, a running oid refused. */
    u32 created = 0;
    for (u32 i = 0; i < PMS_MAX_PROCESSES; i++)
        created += pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid + 1 + i) == 0;
    u32 dup = pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid + 1);
    u32 over = pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid + 1 + PMS_MAX_PROCESSES);
    u32 terminated = 0;
    for (u32 i = 0; i < PMS_MAX_PROCESSES; i++)
        terminated += pms_terminate(oid + 1 + i) == 0;
    telos_printf("TelOS: pms-spawn: %u processes at once; a running oid again: %s; one more: %s; %u terminated\n",
                 created, telos_error_name(dup), telos_error_name(over), terminated);
    vfs_unlink(vfs_root_ep, "/tmp/test_proc.txt");
    bool after = !pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid) && test_proc_wrote() && !pms_terminate(oid);
    telos_printf("TelOS: pms-spawn: a process after them %s\n", after ? "wrote its file" : "FAILED");
    bool passed = done == rounds && created == PMS_MAX_PROCESSES && dup == TELOS_EINVALID_ARGUMENT &&
                  over == TELOS_ENOT_ENOUGH_MEMORY && terminated == PMS_MAX_PROCESSES && after;
    telos_printf("TelOS: pms-spawn test %s\n", passed ? "passed" : "FAILED");
}

/* A CreateProcess with raw message words, for descriptions vfsclient would never build. */
static u32 pms_create_raw(const u32 *w, u32 n) { return telos_call_words(pms_ep, PMS_CREATE_PROCESS, n, w, NULL, NULL); }

/* pms-ns: CreateProcess with a namespace description. Two test_procs with narrower
 * namespaces than the default (they report what they could open: the kernel test reads
 * their lines); a description asking for more than the PMS's own session (/tmp rw,
 * /image ro), `count=` (50) times, refused without a trace in the PS; malformed ones
 * refused; then a default spawn still gets /tmp.
 * Catches: a PMS that ignores the description (the narrow test_procs write /tmp), that
 * hands out more than it holds, that runs a process whose namespace was refused, or
 * that keeps a refused process's objects (the PMS's log says how many it freed). */
void test_pms_namespace(void)
{
    if (!start_pms_with_namespace())
        return;
    const u32 oid = GENESIS_FIRST_FREE + 20, rounds = ktest_arg("count=", 50);
    const struct vfs_grant tmp_ro[] = { { "/tmp", VFS_RIGHT_RO } }, image_only[] = { { "/image", VFS_RIGHT_RO } };
    u32 a = pms_create_ns(GENESIS_TEST_PROC_IMAGE, 0, oid, tmp_ro, 1);
    u32 b = pms_create_ns(GENESIS_TEST_PROC_IMAGE, 0, oid + 1, image_only, 1);
    telos_printf("TelOS: pms-ns: /tmp read-only: %s; /image only: %s\n", telos_error_name(a), telos_error_name(b));

    /* More than the PMS holds: /disk at all, /image read-write. */
    struct ps_stat before, after;
    ps_stat(ps_ep, &before);
    const struct vfs_grant disk_rw[] = { { "/tmp", VFS_RIGHT_RW }, { "/disk", VFS_RIGHT_RW } },
                           image_rw[] = { { "/image", VFS_RIGHT_RW } }, escape[] = { { "/tmp/../disk", VFS_RIGHT_RO } };
    u32 refused = 0, disk_err = 0, image_err = 0, escape_err = 0;
    for (u32 i = 0; i < rounds; i++) {
        disk_err = pms_create_ns(GENESIS_TEST_PROC_IMAGE, 0, oid + 2, disk_rw, 2);
        refused += disk_err != 0;
    }
    image_err = pms_create_ns(GENESIS_TEST_PROC_IMAGE, 0, oid + 2, image_rw, 1);
    escape_err = pms_create_ns(GENESIS_TEST_PROC_IMAGE, 0, oid + 2, escape, 1);
    ps_stat(ps_ep, &after);
    u8 probe[16];
    u32 len;
    bool traced = ps_get(ps_ep, oid + 2, probe, sizeof probe, &len) == PS_OK || after.objects != before.objects ||
                  after.last_tid != before.last_tid;
    telos_printf("TelOS: pms-ns: /disk read-write refused %u of %u times (%s); /image read-write: %s; "
                 "/tmp/../disk: %s; %s\n",
                 refused, rounds, vfs_error_name(disk_err), vfs_error_name(image_err), vfs_error_name(escape_err),
                 traced ? "a TRACE was left in the PS" : "no trace left in the PS");

    /* Malformed: each answered with an error before anything is built. */
    static u32 w[TELOS_MAX_MRS];
    u32 bad = 0, cases = 0;
    /* Five grants of "/tmp". */
    w[0] = GENESIS_TEST_PROC_IMAGE, w[1] = 0, w[2] = oid + 2, w[3] = VFS_MAX_GRANTS + 1;
    for (u32 g = 0; g <= VFS_MAX_GRANTS; g++)
        w[4 + 3 * g] = VFS_RIGHT_RO, w[5 + 3 * g] = 4, memcpy(&w[6 + 3 * g], "/tmp", 4);
    u32 e = pms_create_raw(w, 4 + 3 * (VFS_MAX_GRANTS + 1));
    bad += e == TELOS_EINVALID_ARGUMENT, cases++;
    telos_printf("TelOS: pms-ns: %u grants: %s\n", VFS_MAX_GRANTS + 1, telos_error_name(e));
    /* One grant, varied: relative path, NUL inside, length 0, length past VFS_PATH_MAX,
     * length past the message, rights word 7, a word after the last grant. */
    const struct { u32 rights, len; const char *bytes; u32 extra; u32 want; const char *what; } one[] = {
        { VFS_RIGHT_RO, 3, "tmp", 0, TELOS_EINVALID_ARGUMENT, "a relative path" },
        { VFS_RIGHT_RO, 5, "/t\0mp", 0, TELOS_EINVALID_ARGUMENT, "a NUL in the path" },
        { VFS_RIGHT_RO, 0, "", 0, TELOS_EINVALID_ARGUMENT, "an empty path" },
        { VFS_RIGHT_RO, VFS_PATH_MAX + 1, "/tmp", 0, TELOS_EINVALID_ARGUMENT, "a path of 256 bytes" },
        { VFS_RIGHT_RO, 200, "/tmp", 0, TELOS_ETRUNCATED_MESSAGE, "a length past the message" },
        { 7, 4, "/tmp", 0, TELOS_EINVALID_ARGUMENT, "rights 7" },
        { VFS_RIGHT_RO, 4, "/tmp", 1, TELOS_EINVALID_ARGUMENT, "a word after the grants" },
    };
    for (u32 c = 0; c < sizeof one / sizeof one[0]; c++) {
        u32 blen = one[c].len > 8 ? 4 : one[c].len;   /* the bytes sent; a long length claims more */
        w[3] = 1;
        w[4] = one[c].rights;
        w[5] = one[c].len;
        memset(&w[6], 0, 8);
        memcpy(&w[6], one[c].bytes, blen);
        u32 n = 6 + (blen + 3) / 4;
        if (one[c].len == VFS_PATH_MAX + 1) {
            n = 6 + (VFS_PATH_MAX + 1) / 4;   /* all 256 bytes present */
            memset(&w[6], 'a', VFS_PATH_MAX + 1);
            ((char *)&w[6])[0] = '/';
        }
        w[n] = 0;
        n += one[c].extra;
        e = pms_create_raw(w, n);
        bad += e == one[c].want, cases++;
        telos_printf("TelOS: pms-ns: %s: %s\n", one[c].what, telos_error_name(e));
    }
    ps_stat(ps_ep, &after);
    bool traced2 = after.objects != before.objects || after.last_tid != before.last_tid;

    /* The PMS still makes processes: the default namespace writes /tmp. */
    vfs_unlink(vfs_root_ep, "/tmp/test_proc.txt");
    bool normal = !pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid + 3) && test_proc_wrote() && !pms_terminate(oid + 3);
    telos_printf("TelOS: pms-ns: a default spawn after them %s\n", normal ? "wrote its file" : "FAILED");
    bool passed = !a && !b && refused == rounds && disk_err == VFS_EOUTSIDE && image_err == VFS_EACCES &&
                  escape_err == VFS_EOUTSIDE && !traced && bad == cases && !traced2 && normal;
    telos_printf("TelOS: pms-ns test %s (%u of %u malformed descriptions refused as expected)\n",
                 passed ? "passed" : "FAILED", bad, cases);
}

/* One MMS request with its words in MR0..MR1; a granted capability lands in `receive`. */
static u32 mms_call(u32 ep, u32 label, u32 len, u32 w0, u32 w1, u32 receive, u32 *reply0)
{
    struct telos_msg m = { { w0, w1, 0 }, 0 };
    telos_ipc->receive_index = receive;
    u32 info = telos_call(ep, TELOS_MSG_INFO(label, 0, len), &m);
    telos_ipc->receive_index = 0;
    if (reply0)
        *reply0 = m.mr[0];
    return TELOS_MSG_LABEL(info);
}

/* A notification still works when a Signal through a badged copy of its capability is
 * there to Wait for, with that badge (a deleted capability fails both at once). */
static bool notification_works(u32 slot)
{
    if (slot_is_empty(slot))
        return false;
    u32 badged = mint_cap(slot, TELOS_RIGHTS_ALL, 0x5A);
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_send(badged, TELOS_MSG_INFO(0, 0, 0), &m);
    u32 info = telos_recv(badged, &m);
    TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, badged);
    telos_printf("TelOS: mms-quota: the notification's wait: %s, word %x\n", telos_error_name(TELOS_MSG_LABEL(info)),
                 m.badge);
    return TELOS_MSG_LABEL(info) == TELOS_OK && m.badge == 0x5A;
}

#define QUOTA_TEST_A 0x71
#define QUOTA_TEST_B 0x72
#define QUOTA_FRAMES 8

/* mms-quota: the MMS's ownership of handles and its per-badge quotas (servers.h).
 * Catches: an MMS that lets one client free another's object (B frees A's notification),
 * that lets one client take all memory (A allocates frames past its quota), that never
 * gives quota back on Free (A runs dry after the first round), that charges one client for
 * another's objects (B cannot allocate while A is full), that takes quota orders from a
 * client other than the root task, or that hands out Untyped memory (or charges for it). */
void test_mms_quota(void)
{
    start_servers();
    /* With Grant, as the PMS's: the MMS's replies carry the new objects' capabilities. */
    u32 root = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, BADGE_ROOT);
    u32 a = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, QUOTA_TEST_A);
    u32 b = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, QUOTA_TEST_B);
    const u32 quota = QUOTA_FRAMES << TELOS_PAGE_BITS;
    u32 set_a = mms_call(root, MMS_SET_QUOTA, 2, QUOTA_TEST_A, quota, 0, NULL);
    u32 set_b = mms_call(root, MMS_SET_QUOTA, 2, QUOTA_TEST_B, quota, 0, NULL);
    /* Only the root task sets quotas: A cannot raise its own. */
    u32 set_by_a = mms_call(a, MMS_SET_QUOTA, 2, QUOTA_TEST_A, ~0u, 0, NULL);
    telos_printf("TelOS: mms-quota: quotas set by the root task: %s, %s; by a client: %s\n", telos_error_name(set_a),
                 telos_error_name(set_b), telos_error_name(set_by_a));

    /* Ownership: B (and the root task) may not free A's notification, which goes on working. */
    u32 ntfn = slot_alloc(), handle = 0;
    u32 got = mms_call(a, MMS_ALLOC, 2, TELOS_OBJ_NOTIFICATION, 0, ntfn, &handle);
    u32 by_b = mms_call(b, MMS_FREE, 1, handle, 0, 0, NULL);
    u32 by_root = mms_call(root, MMS_FREE, 1, handle, 0, 0, NULL);
    bool works = !got && notification_works(ntfn);
    u32 by_a = mms_call(a, MMS_FREE, 1, handle, 0, 0, NULL);
    bool gone = slot_is_empty(ntfn);
    u32 again = mms_call(a, MMS_FREE, 1, handle, 0, 0, NULL);
    telos_printf("TelOS: mms-quota: A's notification freed by B: %s, by the root task: %s; it %s; freed by A: %s "
                 "(its capability %s), again: %s\n",
                 telos_error_name(by_b), telos_error_name(by_root), works ? "still works" : "NO LONGER WORKS",
                 telos_error_name(by_a), gone ? "revoked" : "STILL THERE", telos_error_name(again));
    bool owned = !got && by_b == TELOS_EILLEGAL_OPERATION && by_root == TELOS_EILLEGAL_OPERATION && works &&
                 by_a == TELOS_OK && gone && again == TELOS_EINVALID_ARGUMENT;

    /* No raw Untyped: the MMS makes objects, it never hands out memory to make them from.
     * (The kernel would not carry an Untyped capability in a message anyway, so an MMS
     * that said yes took quota for a capability that never arrived.) */
    u32 ut_slot = slot_alloc(), ut_handle = 0, ut_held = 0;
    u32 ut = mms_call(a, MMS_ALLOC, 2, TELOS_OBJ_UNTYPED, TELOS_PAGE_BITS, ut_slot, &ut_handle);
    mms_call(a, MMS_USAGE, 0, 0, 0, 0, &ut_held);
    bool ut_arrived = !slot_is_empty(ut_slot);
    telos_printf("TelOS: mms-quota: an untyped asked for: %s, %s, %u bytes held\n", telos_error_name(ut),
                 ut_arrived ? "A CAPABILITY ARRIVED" : "no capability", ut_held);
    if (!ut)
        mms_call(a, MMS_FREE, 1, ut_handle, 0, 0, NULL);
    bool no_untyped = ut == TELOS_EILLEGAL_OPERATION && !ut_arrived && ut_held == 0;

    /* Quota: A allocates frames until refused (at most one past its quota), B still can;
     * A frees everything and gets exactly its quota again, round after round. */
    u32 slots = slot_alloc_range(QUOTA_FRAMES + 1), handles[QUOTA_FRAMES + 1], b_slot = slot_alloc(), b_handle = 0;
    const u32 rounds = 5;
    u32 good_rounds = 0;
    for (u32 r = 0; r < rounds; r++) {
        u32 granted = 0, refusal = TELOS_OK;
        while (granted <= QUOTA_FRAMES) {
            refusal = mms_call(a, MMS_ALLOC, 2, TELOS_OBJ_FRAME, 0, slots + granted, &handles[granted]);
            if (refusal)
                break;
            granted++;
        }
        u32 used = 0, held = 0;
        mms_call(a, MMS_USAGE, 0, 0, 0, 0, &used);
        u32 b_got = mms_call(b, MMS_ALLOC, 2, TELOS_OBJ_FRAME, 0, b_slot, &b_handle);
        u32 b_freed = b_got ? TELOS_EINVALID_ARGUMENT : mms_call(b, MMS_FREE, 1, b_handle, 0, 0, NULL);
        u32 freed = 0;
        for (u32 i = 0; i < granted; i++)
            freed += mms_call(a, MMS_FREE, 1, handles[i], 0, 0, NULL) == TELOS_OK;
        mms_call(a, MMS_USAGE, 0, 0, 0, 0, &held);
        telos_printf("TelOS: mms-quota: round %u: A got %u frames (%u bytes), then %s; B got one: %s; A freed %u, "
                     "holds %u bytes\n",
                     r + 1, granted, used, telos_error_name(refusal), telos_error_name(b_got), freed, held);
        good_rounds += granted == QUOTA_FRAMES && refusal == TELOS_ENOT_ENOUGH_MEMORY && used == quota && !b_got &&
                       !b_freed && freed == granted && held == 0;
    }
    /* A badge the root task gave no quota allocates nothing. */
    u32 c = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, 0x73);
    u32 unlisted = mms_call(c, MMS_ALLOC, 2, TELOS_OBJ_ENDPOINT, 0, b_slot, NULL);
    telos_printf("TelOS: mms-quota: a badge without a quota: %s\n", telos_error_name(unlisted));
    bool passed = !set_a && !set_b && set_by_a == TELOS_EILLEGAL_OPERATION && owned && no_untyped &&
                  good_rounds == rounds && unlisted == TELOS_ENOT_ENOUGH_MEMORY;
    telos_printf("TelOS: mms-quota test %s (%u of %u rounds)\n", passed ? "passed" : "FAILED", good_rounds, rounds);
}

/* The MMS's memory as MMS_STAT tells it (servers.h). */
struct mms_memory {
    u32 free, total, largest;
};

static struct mms_memory mms_memory(u32 ep)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_call(ep, TELOS_MSG_INFO(MMS_STAT, 0, 0), &m);
    struct mms_memory s = { 0, 0, 0 };
    if (TELOS_MSG_LABEL(info) == TELOS_OK)
        s = (struct mms_memory){ m.mr[0], m.mr[1], m.mr[2] };
    return s;
}

static bool same_memory(struct mms_memory a, struct mms_memory b)
{
    return a.total && a.free == b.free && a.largest == b.largest && a.total == b.total;
}

static void print_memory(const char *when, struct mms_memory s)
{
    telos_printf("TelOS: pms-reuse: %s: %u bytes free of %u, the largest object %u bytes\n", when, s.free, s.total,
                 s.largest);
}

/* pms-reuse: memory comes back. `count=` (1000) rounds of CreateProcess and TerminateProcess
 * of test_proc, each of which must write its file, with the MMS's free memory read before,
 * after the first 10 rounds and after them all; then PMS_MAX_PROCESSES at once, all
 * terminated; then `count=` rounds in which the root task takes one object of every type the
 * MMS makes and gives them back; then endpoints until the MMS has no room left to track
 * another, all given back. Every reading must equal the first: the same free bytes and
 * the same largest object. The readings are printed together at the end, where the kernel
 * test finds them after the thousands of lines the rounds print.
 * Catches: an MMS whose freed objects leave holes it never fills again (free memory shrinks
 * by a process a round until CreateProcess answers NotEnoughMemory), a PMS or MMS that keeps
 * any object of a terminated process, an MMS that gets memory back only in pieces (the
 * largest object it could make shrinks), reused memory that a new process cannot run in, an
 * MMS that splits blocks it then has no slot for (a refusal must leave its tree whole). */
void test_pms_reuse(void)
{
    if (!start_pms_with_namespace())
        return;
    const u32 oid = GENESIS_FIRST_FREE + 20, rounds = ktest_arg("count=", 1000);
    u32 mms = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, BADGE_ROOT);
    struct mms_memory before = mms_memory(mms), after10 = before, after;
    u32 done = 0;
    for (u32 i = 0; i < rounds; i++) {
        vfs_unlink(vfs_root_ep, "/tmp/test_proc.txt");
        u32 err = pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid);
        bool wrote = !err && test_proc_wrote();
        u32 terr = err ? 0 : pms_terminate(oid);
        if (err || !wrote || terr) {
            telos_printf("TelOS: pms-reuse: round %u: CreateProcess %s, %s, TerminateProcess %s\n", i + 1,
                         telos_error_name(err), wrote ? "wrote its file" : "NO FILE from test_proc",
                         telos_error_name(terr));
            print_memory("then", mms_memory(mms));
            break;
        }
        if (++done == 10)
            after10 = mms_memory(mms);
    }
    after = mms_memory(mms);

    /* Many at once, then none, ended in another order than made: it all comes back whole. */
    u32 created = 0, terminated = 0;
    for (u32 i = 0; i < PMS_MAX_PROCESSES; i++)
        created += pms_create(GENESIS_TEST_PROC_IMAGE, 0, oid + 1 + i) == 0;
    struct mms_memory full = mms_memory(mms);
    for (u32 i = 0; i < PMS_MAX_PROCESSES; i++)
        terminated += pms_terminate(oid + 1 + (i * 7) % PMS_MAX_PROCESSES) == 0;
    struct mms_memory emptied = mms_memory(mms);

    /* Every type the MMS makes, straight from the root task. */
    static const u32 types[][2] = { { TELOS_OBJ_TCB, 0 },        { TELOS_OBJ_ENDPOINT, 0 },   { TELOS_OBJ_NOTIFICATION, 0 },
                                    { TELOS_OBJ_CNODE, 4 },      { TELOS_OBJ_FRAME, 0 },      { TELOS_OBJ_PAGE_TABLE, 0 },
                                    { TELOS_OBJ_PAGE_DIRECTORY, 0 } };
    const u32 ntypes = sizeof types / sizeof types[0];
    u32 slots = slot_alloc_range(ntypes), handles[sizeof types / sizeof types[0]], typed = 0;
    for (u32 r = 0; r < rounds; r++) {
        u32 good = 0;
        for (u32 t = 0; t < ntypes; t++)
            good += mms_call(mms, MMS_ALLOC, 2, types[t][0], types[t][1], slots + t, &handles[t]) == TELOS_OK &&
                    !slot_is_empty(slots + t);
        for (u32 t = 0; t < ntypes; t++)
            good += mms_call(mms, MMS_FREE, 1, handles[t], 0, 0, NULL) == TELOS_OK && slot_is_empty(slots + t);
        if (good != 2 * ntypes) {
            telos_printf("TelOS: pms-reuse: object round %u: %u of %u allocations and frees went right\n", r + 1, good,
                         2 * ntypes);
            break;
        }
        typed++;
    }
    struct mms_memory objects = mms_memory(mms);

    /* Endpoints, the smallest objects, until the MMS refuses: its CNode of blocks fills long
     * before its memory does, and the refusal must leave every block it had whole. No
     * capability is received (the root task has fewer slots than the MMS). */
    static u32 many[1u << MMS_CNODE_RADIX];
    u32 held = 0, refusal = TELOS_OK, unheld = 0;
    while (held < sizeof many / sizeof many[0]) {
        refusal = mms_call(mms, MMS_ALLOC, 2, TELOS_OBJ_ENDPOINT, 0, 0, &many[held]);
        if (refusal)
            break;
        held++;
    }
    for (u32 i = 0; i < held; i++)
        unheld += mms_call(mms, MMS_FREE, 1, many[i], 0, 0, NULL) == TELOS_OK;
    struct mms_memory refused = mms_memory(mms);

    telos_printf("TelOS: pms-reuse: %u of %u rounds created test_proc, saw it write and terminated it\n", done, rounds);
    telos_printf("TelOS: pms-reuse: %u processes at once held %u bytes; %u terminated\n", created,
                 before.free - full.free, terminated);
    telos_printf("TelOS: pms-reuse: %u of %u rounds of one object of each of %u types\n", typed, rounds, ntypes);
    telos_printf("TelOS: pms-reuse: %u endpoints, then %s; %u freed\n", held, telos_error_name(refusal), unheld);
    print_memory("before", before);
    print_memory("after 10 rounds", after10);
    print_memory("after all rounds", after);
    print_memory("after the 32", emptied);
    print_memory("after the objects", objects);
    print_memory("after the endpoints", refused);
    bool passed = done == rounds && same_memory(before, after10) && same_memory(before, after) &&
                  created == PMS_MAX_PROCESSES && terminated == PMS_MAX_PROCESSES && full.free < before.free &&
                  same_memory(before, emptied) && typed == rounds && same_memory(before, objects) &&
                  held > 1000 && refusal == TELOS_ENOT_ENOUGH_MEMORY && unheld == held && same_memory(before, refused);
    telos_printf("TelOS: pms-reuse test %s\n", passed ? "passed" : "FAILED");
}
