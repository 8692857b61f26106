/* spinner: a user program that never blocks and never yields, the kind a bug or a busy
 * loop makes. It exists to show the scheduling policy (include/telos/priorities.h): while
 * it spins, the services, the monitor and the bridge still run, and two spinners of one
 * priority share the CPU. It takes the first free number n of /tmp/spinner.n in the
 * namespace the PMS gave it (0 without one), then counts rounds of busy work for ever and
 * prints each: long enough rounds that QEMU's console is not flooded, short enough that
 * v86's shows progress within seconds. */
#include <telos/vfs.h>
#include "user/telos.h"
#include "user/vfsclient.h"
#include "lib/format.h"

#define NS CHILD_SLOT_ARG0
#define SPINNER_ROUND (1u << 23)   /* loop iterations a round */

static u32 claim_number(void)
{
    u32 obj, rights, data;
    if (telos_cap_identify(CHILD_SLOT_CNODE, NS, &obj, &rights, &data) != TELOS_OBJ_ENDPOINT)
        return 0;
    for (u32 n = 1; n < 100; n++) {
        char path[32];
        struct vfs_file f;
        format_to(path, sizeof path, "/tmp/spinner.%u", n);
        u32 err = vfs_open(NS, path, VFS_O_WRITE | VFS_O_CREATE | VFS_O_EXCL, &f);
        if (!err) {
            vfs_close(&f);
            return n;
        }
        if (err != VFS_EEXIST)
            return 0;
    }
    return 0;
}

int main(void)
{
    u32 n = claim_number();
    telos_printf("TelOS: spinner %u: spinning\n", n);
    for (u32 round = 1;; round++) {
        for (volatile u32 i = 0; i < SPINNER_ROUND; i++)
            ;
        telos_printf("TelOS: spinner %u: round %u\n", n, round);
    }
}
