/* test_proc: the process the Process Management Server creates at boot, inside a PS
 * transaction, to show the whole chain works. It also tries its namespace, the vfs_server
 * session the PMS gave it in ARG0: /tmp read-write, /image read-only, nothing else. */
#include <telos/vfs.h>
#include "user/telos.h"
#include "user/vfsclient.h"

#define NS CHILD_SLOT_ARG0

static void report(const char *what, u32 err)
{
    telos_printf("TelOS: test_proc: %s: %s\n", what, err ? vfs_error_name(err) : "ok");
}

int main(void)
{
    telos_print("TelOS: test_proc alive.\n");
    u32 obj, rights, data;
    if (telos_cap_identify(CHILD_SLOT_CNODE, NS, &obj, &rights, &data) != TELOS_OBJ_ENDPOINT) {
        telos_print("TelOS: test_proc: no namespace\n");
        return 0;
    }
    struct vfs_stat st;
    struct vfs_file f;
    report("read /image/roots", vfs_stat(NS, "/image/roots", &st));
    u32 err = vfs_open(NS, "/tmp/test_proc.txt", VFS_O_WRITE | VFS_O_CREATE, &f);
    if (!err) {
        err = vfs_write(&f, "test_proc was here\n", 19);
        vfs_close(&f);
    }
    report("write /tmp/test_proc.txt", err);
    report("write /image/objects/1", vfs_open(NS, "/image/objects/1", VFS_O_WRITE, &f));
    report("open /disk", vfs_stat(NS, "/disk", &st));
    report("list /", vfs_stat(NS, "/", &st));
    report("open /tmp/../disk", vfs_stat(NS, "/tmp/../disk", &st));
    return 0;
}
