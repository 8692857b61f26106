/* The scheduling policy (include/telos/priorities.h) seen from outside: the whole system
 * boots as on a machine (services, test_proc, the bridge and the monitor), then the PMS
 * creates two spinners, user programs that never block, whose process objects ask for
 * more than a user program may have (255 and PRIO_USER_MAX). The host then types at the
 * monitor and talks to the bridge while they spin, and watches both spinners progress
 * (tests/kernel/sched.test.ts). */
#include <telos/genesis.h>
#include <telos/priorities.h>
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include "user/ktest/ktest.h"
#include "lib/psobj.h"

#define SPINNER_IMAGE       (GENESIS_FIRST_FREE + 900)
#define SPINNER_FIRST_CHUNK (SPINNER_IMAGE + 1)
#define SPINNER_A           (GENESIS_FIRST_FREE + 1000)
#define SPINNER_B           (GENESIS_FIRST_FREE + 1001)

/* The spinner module as a program image in the PS (servers.h: name, size, chunks), and a
 * process object for each spinner asking for a priority, as the World's outliner writes
 * one; all in one transaction. */
static u32 stage_spinners(void)
{
    static u8 buf[PSDISK_MAX_OBJECT_SIZE];
    const struct telos_module_desc *mod = find_module("spinner");
    u32 chunks = (mod->size + IMAGE_CHUNK - 1) / IMAGE_CHUNK, oids[16];
    if (chunks > 16)
        return PS_EFULL;
    u32 tx = tx_begin(), err = 0;
    for (u32 c = 0; c < chunks && !err; c++) {
        u32 at = c * IMAGE_CHUNK, n = mod->size - at < IMAGE_CHUNK ? mod->size - at : IMAGE_CHUNK;
        oids[c] = SPINNER_FIRST_CHUNK + c;
        err = ps_put_blob(ps_ep, tx, oids[c], (const u8 *)mod->vaddr + at, n);
    }
    struct psobj_builder b;
    if (!err) {
        psobj_begin(&b, buf, sizeof buf, "spinner image");
        psobj_data_string(&b, "name", "spinner");
        psobj_data_int(&b, "size", (i32)mod->size);
        psobj_data_refs(&b, "chunks", oids, chunks);
        u32 n = psobj_end(&b);
        err = n ? ps_put(ps_ep, tx, SPINNER_IMAGE, buf, n) : PS_EMALFORMED;
    }
    const u32 asked[2][2] = { { SPINNER_A, 255 }, { SPINNER_B, PRIO_USER_MAX } };
    for (u32 i = 0; i < 2 && !err; i++) {
        psobj_begin(&b, buf, sizeof buf, "spinner");
        psobj_parent(&b, "parent", GENESIS_PROCESS);
        psobj_data_int(&b, "priority", (i32)asked[i][1]);
        u32 n = psobj_end(&b);
        err = n ? ps_put(ps_ep, tx, asked[i][0], buf, n) : PS_EMALFORMED;
    }
    if (err) {
        ps_abort(ps_ep, tx);
        return err;
    }
    u32 tid;
    return ps_commit(ps_ep, tx, &tid);
}

void test_sched(void)
{
    boot_servers();
    u32 staged = stage_spinners();
    if (staged) {
        telos_printf("TelOS: sched: the PS refused the spinner image (status %u)\n", staged);
        return;
    }
    u32 a = pms_create(SPINNER_IMAGE, 0, SPINNER_A), b = pms_create(SPINNER_IMAGE, 0, SPINNER_B);
    telos_printf("TelOS: sched: spinners created as objects %u (%s) and %u (%s)\n", SPINNER_A, telos_error_name(a),
                 SPINNER_B, telos_error_name(b));
}
