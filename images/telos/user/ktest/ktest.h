/* The kernel tests the root task runs when the boot command line says `test=NAME`: one
 * function per test, listed by name in the table of ktest.c. Each prints what it saw on
 * COM1 for tests/kernel/ to check, ending with "<name> test passed" or "FAILED". */
#ifndef TELOS_USER_KTEST_H
#define TELOS_USER_KTEST_H
#include "user/root.h"
#include "user/roles.h"

struct ktest {
    const char *name;
    void (*run)(void);
};

/* The test whose name `cmdline` starts with (up to a space or the end), or NULL. */
const struct ktest *ktest_find(const char *cmdline);
void ktest_print_unknown(const char *cmdline);

/* Helpers the tests share. */
/* The number after `key` (e.g. "count=") on the boot command line, or `fallback`. */
u32 ktest_arg(const char *key, u32 fallback);
#define WORKER_MODULE "worker"
/* Starts a worker (the kernel tests' program, user/worker.c) in a role. */
struct process spawn(const char *name, u32 role, u32 arg, u32 priority, u32 fault_ep, const struct cap_grant *caps,
                     u32 ncaps);
/* Receives on `ep` into a cleared message; returns the label. */
u32 recv_label(u32 ep, struct telos_msg *m);
/* Whether one of our slots is empty (a Copy from it fails with FailedLookup). */
bool slot_is_empty(u32 slot);
/* Whether an untyped capability's memory is whole again: only then does one object as
 * large as the untyped itself fit. */
bool untyped_whole(u32 ut, u32 bits);
/* What opening `path` on the vfs session `ep` with `flags` answers (a file opened is closed
 * again): the refusal tests' probe (user/ktest/vfs.c). */
u32 open_status(u32 ep, const char *path, u32 flags);

/* The tests, one file per subject. */
void test_boot(void);
void test_ipc(void);
/* The ipc test's ping-pong between new processes; whether every call was answered right. */
bool ipc_ping_pong(void);
void test_replycap(void);
void test_transfer(void);
void test_revoke(void);
void test_cnode_gc(void);
void test_exhaust(void);
void test_ioports(void);
void test_rights(void);
void test_highmem(void);
void test_irq(void);
void test_preempt(void);
void test_halt(void);
void test_faults(void);
void test_hostile(void);
void test_bench(void);
void test_ps_stress(void);
void test_ps_verify(void);
void test_ps_bench(void);
void test_ps_full(void);
void test_ps_endless(void);
void test_ps_stall(void);
void test_ps_lookup(void);
void test_ps_concurrent(void);
void test_ps_crash(void);
void test_ps_crash_verify(void);
void test_pms_abort(void);
void test_pms_spawn(void);
void test_pms_namespace(void);
void test_pms_reuse(void);
void test_mms_quota(void);
void test_malformed(void);
void test_block_bounds(void);
void test_hashes(void);
void test_fuzz(void);
void test_block_disk1(void);
void test_vfs(void);
void test_vfs_verify(void);
void test_vfs_bench(void);
void test_vfs_block(void);
void test_vfs_stream(void);
void test_sched(void);

#endif
