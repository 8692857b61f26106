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

/* pms-spawn: `count=` (100) rounds of CreateProcess and TerminateProcess of test_proc, each
 * of which must get its own /tmp session and write its file; then PMS_MAX_PROCESSES at
 * once, one more refused, all terminated, and one more round.
 * Catches: a PMS that keeps the objects or the vfs session of a terminated process (it
 * runs out after a few processes, or its processes get no namespace), a vfs_server that
 * never gets a session back, a PMS that runs a process it cannot record. */
void test_pms_spawn(void)
{
    start_servers();
    if (!genesis_commit())
        return;
    start_vfs();
    give_pms_namespace();
    /* Below test_proc (50), so each runs as soon as it can. */
    TELOS_INVOKE(TELOS_SLOT_TCB, TELOS_TCB_SET_PRIORITY, 10);
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
