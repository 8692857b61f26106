/* Tests of the primordial servers: CreateProcess that fails part-way (pms-abort) and
 * malformed requests to each server are in fuzzipc.c. */
#include <telos/ps.h>
#include <telos/servers.h>
#include <telos/genesis.h>
#include "user/ktest/ktest.h"
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
