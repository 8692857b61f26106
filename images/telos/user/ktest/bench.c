/* The IPC and null-syscall benchmark (bench); the host times the spans between markers. */
#include "user/ktest/ktest.h"

void test_bench(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 done = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant server_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    spawn("bench-server", ROLE_BENCH_SERVER, 0, 100, 0, server_caps, 1);
    struct cap_grant client_caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { done, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    spawn("bench-client", ROLE_BENCH_CLIENT, 0, 100, 0, client_caps, 2);
    struct telos_msg m;
    recv_label(done, &m);
}
