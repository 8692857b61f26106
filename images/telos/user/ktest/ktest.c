/* The table of kernel tests and the helpers they share. */
#include "user/ktest/ktest.h"
#include "lib/string.h"

static const struct ktest tests[] = {
    { "boot", test_boot },
    { "ipc", test_ipc },
    { "replycap", test_replycap },
    { "transfer", test_transfer },
    { "revoke", test_revoke },
    { "cnode-gc", test_cnode_gc },
    { "ioports", test_ioports },
    { "rights", test_rights },
    { "highmem", test_highmem },
    { "irq", test_irq },
    { "preempt", test_preempt },
    { "halt", test_halt },
    { "exhaust", test_exhaust },
    { "faults", test_faults },
    { "hostile", test_hostile },
    { "bench", test_bench },
    { "ps-stress", test_ps_stress },
    { "ps-verify", test_ps_verify },
    { "ps-bench", test_ps_bench },
    { "ps-full", test_ps_full },
    { "ps-endless", test_ps_endless },
    { "ps-stall", test_ps_stall },
    { "ps-lookup", test_ps_lookup },
    { "ps-concurrent", test_ps_concurrent },
    { "ps-crash", test_ps_crash },
    { "ps-crash-verify", test_ps_crash_verify },
    { "pms-abort", test_pms_abort },
    { "pms-spawn", test_pms_spawn },
    { "pms-ns", test_pms_namespace },
    { "pms-reuse", test_pms_reuse },
    { "mms-quota", test_mms_quota },
    { "malformed", test_malformed },
    { "block-bounds", test_block_bounds },
    { "hashes", test_hashes },
    { "fuzz", test_fuzz },
    { "block-disk1", test_block_disk1 },
    { "vfs", test_vfs },
    { "vfs-verify", test_vfs_verify },
    { "vfs-bench", test_vfs_bench },
    { "vfs-block", test_vfs_block },
    { "vfs-stream", test_vfs_stream },
    { "sched", test_sched },
};

const struct ktest *ktest_find(const char *cmdline)
{
    for (u32 i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        usize n = strlen(tests[i].name);
        if (!strncmp(cmdline, tests[i].name, n) && (cmdline[n] == 0 || cmdline[n] == ' '))
            return &tests[i];
    }
    return NULL;
}

void ktest_print_unknown(const char *cmdline)
{
    char name[32];
    u32 n = 0;
    while (cmdline[n] && cmdline[n] != ' ' && n + 1 < sizeof name) {
        name[n] = cmdline[n];
        n++;
    }
    name[n] = 0;
    telos_printf("TelOS: unknown test '%s'; the tests are:", name);
    for (u32 i = 0; i < sizeof tests / sizeof tests[0]; i++)
        telos_printf(" %s", tests[i].name);
    telos_print("\n");
}

u32 ktest_arg(const char *key, u32 fallback)
{
    const char *p = strstr(bi->cmdline, key);
    if (!p || p[strlen(key)] < '0' || p[strlen(key)] > '9')
        return fallback;
    u32 v = 0;
    for (p += strlen(key); *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (u32)(*p - '0');
    return v;
}

struct process spawn(const char *name, u32 role, u32 arg, u32 priority, u32 fault_ep, const struct cap_grant *caps,
                     u32 ncaps)
{
    return create_process(WORKER_MODULE, name, role, arg, priority, fault_ep, caps, ncaps, true);
}

u32 recv_label(u32 ep, struct telos_msg *m)
{
    memset(m, 0, sizeof *m);
    return TELOS_MSG_LABEL(telos_recv(ep, m));
}

bool slot_is_empty(u32 slot)
{
    static u32 probe; /* one slot for every probe: a fuzzer probes after each message */
    if (!probe)
        probe = slot_alloc();
    u32 err = TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, probe, TELOS_SLOT_CNODE, slot, TELOS_RIGHTS_ALL);
    if (!err)
        TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, probe);
    return err == TELOS_EFAILED_LOOKUP;
}

bool untyped_whole(u32 ut, u32 bits)
{
    u32 probe = slot_alloc();
    u32 err = TELOS_INVOKE(ut, TELOS_UNTYPED_RETYPE, TELOS_OBJ_UNTYPED, bits, TELOS_SLOT_CNODE, probe, 1);
    if (!err)
        check("delete probe", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, probe));
    return err == TELOS_OK;
}

/* Only the boot into the root task, which the host checks line by line. */
void test_boot(void)
{
    telos_printf("TelOS: root task: %u untyped regions, %u programs, nothing more to do\n", bi->untyped_count,
                 bi->module_count);
}
