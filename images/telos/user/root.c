/* The root task: the first user thread. It owns every untyped byte and boots the
 * system of the Phase 3 plan: the Persistence Server, the Memory Management Server (the
 * largest untyped region is delegated to it), the Process Management Server, genesis in
 * the PS on an empty disk (or validation of what an earlier boot left there), test_proc
 * through the PMS, then the COM2 bridge and the COM1 monitor. With `test=NAME` on the
 * boot command line it runs that kernel test (user/ktest/) instead. */
#include <telos/block.h>
#include <telos/priorities.h>
#include <telos/vfs.h>
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/root.h"
#include "user/ktest/ktest.h"
#include "user/genesis.h"
#include "user/psclient.h"
#include "user/vfsclient.h"
#include <telos/genesis.h>
#include "lib/format.h"
#include "lib/string.h"

const struct telos_bootinfo *const bi = (const void *)TELOS_BOOTINFO_VADDR;
static u32 next_slot;
static u32 untyped_index;
static u32 delegated_untyped = ~0u; /* given to the MMS: no longer ours */

__attribute__((noreturn)) void fail(const char *what, u32 err)
{
    telos_printf("TelOS: root task: %s failed: %s\n", what, telos_error_name(err));
    telos_exit();
}

void check(const char *what, u32 err)
{
    if (err)
        fail(what, err);
}

u32 slot_alloc_range(u32 count)
{
    if (count > bi->empty_last - next_slot)
        fail("slot allocation", TELOS_ENOT_ENOUGH_MEMORY);
    next_slot += count;
    return next_slot - count;
}

u32 slot_alloc(void) { return slot_alloc_range(1); }

u32 object_alloc(u32 type, u32 size_bits)
{
    u32 slot = slot_alloc();
    while (untyped_index < bi->untyped_count) {
        if (untyped_index == delegated_untyped) {
            untyped_index++;
            continue;
        }
        u32 err = TELOS_INVOKE(bi->untyped_first + untyped_index, TELOS_UNTYPED_RETYPE, type, size_bits,
                               TELOS_SLOT_CNODE, slot, 1);
        if (!err)
            return slot;
        if (err != TELOS_ENOT_ENOUGH_MEMORY)
            fail("retype", err);
        untyped_index++;
    }
    fail("object allocation", TELOS_ENOT_ENOUGH_MEMORY);
}

void copy_cap(u32 dest_cnode, u32 dest_index, u32 src, u32 rights)
{
    check("CNode copy", TELOS_INVOKE(dest_cnode, TELOS_CNODE_COPY, dest_index, TELOS_SLOT_CNODE, src, rights));
}

u32 mint_cap(u32 src, u32 rights, u32 badge)
{
    u32 slot = slot_alloc();
    check("CNode mint", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_MINT, slot, TELOS_SLOT_CNODE, src, rights, badge));
    return slot;
}

static u32 builder_alloc(u32 type, u32 size_bits, u32 *err)
{
    (void)err;
    return object_alloc(type, size_bits);
}

static const struct process_builder root_builder = {
    .alloc = builder_alloc, .own_cnode = TELOS_SLOT_CNODE, .own_vspace = TELOS_SLOT_VSPACE, .scratch_vaddr = ROOT_SCRATCH_VADDR,
};

const struct telos_module_desc *find_module(const char *name)
{
    for (u32 i = 0; i < bi->module_count; i++)
        if (!strcmp(bi->modules[i].name, name))
            return &bi->modules[i];
    fail("finding a program image", TELOS_EFAILED_LOOKUP);
}

static struct process build_module(const struct process_builder *b, const char *module, const char *name, u32 role,
                                   u32 arg, u32 priority, u32 fault_ep, const struct cap_grant *caps, u32 ncaps,
                                   bool start)
{
    const struct telos_module_desc *mod = find_module(module);
    struct process p;
    check("building a process", process_build(b, (const u8 *)mod->vaddr, mod->size, name, role, arg, priority,
                                              fault_ep, caps, ncaps, start, &p));
    return p;
}

struct process create_process(const char *module, const char *name, u32 role, u32 arg, u32 priority, u32 fault_ep,
                              const struct cap_grant *caps, u32 ncaps, bool start)
{
    return build_module(&root_builder, module, name, role, arg, priority, fault_ep, caps, ncaps, start);
}

/* --- the Persistence Server, as our client ------------------------------------- */

u32 ps_ep, ps_raw_ep;
struct genesis_env genesis_env;

u32 tx_begin(void)
{
    u32 tx;
    check("PS begin", ps_begin(ps_ep, &tx) ? TELOS_EILLEGAL_OPERATION : 0);
    return tx;
}

/* --- the primordial servers ------------------------------------------------------ */

/* The block server owns the ATA ports; the root task keeps the control badge and opens
 * sessions for the PS and the VFS, mapping each session's buffer into both sides. */
u32 block_raw_ep, block_control_ep;
static struct process block_server;
static u32 block_sessions_opened;

void start_block(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 ata = slot_alloc();
    check("ATA port range", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x1F0, 0x1F7, ata));
    u32 ata_control = slot_alloc();
    check("ATA control port", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x3F6, 0x3F7, ata_control));
    struct cap_grant caps[] = {
        { ata, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ata_control, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { ep, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
    };
    block_server = create_process("block", "block", 0, 0, PRIO_BLOCK, 0, caps, 3, false);
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
    check("block buffers' page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, block_server.pd, BLOCK_SERVER_BUFFERS));
    check("block server resume", TELOS_INVOKE0(block_server.tcb, TELOS_TCB_RESUME));
    block_raw_ep = ep;
    block_control_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BLOCK_BADGE_CONTROL);
    wait_until_serving(block_control_ep);
    telos_print("TelOS: root task: started the block server\n");
}

void block_disks(u32 sizes[2])
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_call(block_control_ep, TELOS_MSG_INFO(BLOCK_DISKS, 0, 0), &m);
    sizes[0] = TELOS_MSG_LABEL(info) ? 0 : m.mr[0];
    sizes[1] = TELOS_MSG_LABEL(info) ? 0 : m.mr[1];
}

u32 block_open(u32 disk, u32 first, u32 sectors, bool writable, u32 client_pd, u32 client_vaddr, u32 *session_ep)
{
    if (block_sessions_opened == BLOCK_MAX_SESSIONS)
        return TELOS_ENOT_ENOUGH_MEMORY;
    u32 badge = BLOCK_FIRST_SESSION + block_sessions_opened;
    const u32 open[] = { badge, disk, first, sectors, writable ? 1 : 0 };
    u32 err = telos_call_words(block_control_ep, BLOCK_OPEN, 5, open, NULL, NULL);
    if (err)
        return err;
    block_sessions_opened++;
    for (u32 off = 0; off < BLOCK_BUFFER_BYTES; off += 4096) {
        u32 frame = object_alloc(TELOS_OBJ_FRAME, 0), copy = slot_alloc();
        check("block buffer copy", TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, copy, TELOS_SLOT_CNODE, frame,
                                                TELOS_RIGHTS_ALL));
        check("block buffer (server)",
              TELOS_INVOKE(frame, TELOS_FRAME_MAP, block_server.pd, BLOCK_SERVER_BUFFER(badge) + off, TELOS_RIGHT_WRITE));
        check("block buffer (client)", TELOS_INVOKE(copy, TELOS_FRAME_MAP, client_pd, client_vaddr + off, TELOS_RIGHT_WRITE));
    }
    *session_ep = mint_cap(block_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, badge);
    return 0;
}

void start_ps(void)
{
    start_block();
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant caps[] = {
        { 0, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ep, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
    };
    genesis_env.ps = create_process("ps", "ps", 0, 0, PRIO_PS, 0, caps + 1, 1, false);
    /* The PS's disk is the whole first disk; with none it keeps objects in memory. */
    u32 sizes[2];
    block_disks(sizes);
    if (sizes[0]) {
        u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
        check("PS block buffer's page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, genesis_env.ps.pd, BLOCK_CLIENT_BUFFER));
        check("PS block session", block_open(0, 0, sizes[0], true, genesis_env.ps.pd, BLOCK_CLIENT_BUFFER, &caps[0].src));
    } else {
        /* No badge, no session: the block server answers InvalidCapability. */
        caps[0].src = mint_cap(block_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, 0);
    }
    copy_cap(genesis_env.ps.cnode, CHILD_SLOT_ARG0, caps[0].src, TELOS_RIGHTS_ALL);
    check("PS resume", TELOS_INVOKE0(genesis_env.ps.tcb, TELOS_TCB_RESUME));
    ps_raw_ep = genesis_env.ps_ep = ep;
    ps_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    telos_print("TelOS: root task: started the Persistence Server\n");
}

/* vfs_server: the second disk's whole surface as its block session (when there is a
 * second disk) and its last eighth as another (the raw device /dev/hdb-raw), the PS for /image (when it runs), the CMOS clock's ports for file times;
 * the root task keeps the first session, "/" read-write. */
u32 vfs_raw_ep, vfs_root_ep;

void start_vfs(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    u32 sizes[2];
    block_disks(sizes);
    u32 clock = slot_alloc();
    bool have_clock = !TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x70, 0x71, clock);
    u32 raw = sizes[1] ? VFS_HDB_RAW_SECTORS(sizes[1]) : 0;
    u32 arg = (sizes[1] ? VFS_ARG_DISK : 0) | (ps_raw_ep ? VFS_ARG_PS : 0) | (have_clock ? VFS_ARG_CLOCK : 0) |
              (raw ? VFS_ARG_RAW : 0);
    struct process p = create_process("vfs", "vfs", 0, arg, PRIO_VFS, 0, caps, 1, false);
    if (have_clock)
        copy_cap(p.cnode, CHILD_SLOT_ARG3, clock, TELOS_RIGHTS_ALL);
    if (ps_raw_ep)
        copy_cap(p.cnode, CHILD_SLOT_ARG2, mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_VFS),
                 TELOS_RIGHTS_ALL);
    if (sizes[1]) {
        u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0), session;
        check("VFS block buffer's page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, p.pd, BLOCK_CLIENT_BUFFER));
        check("VFS block session", block_open(1, 0, sizes[1], true, p.pd, BLOCK_CLIENT_BUFFER, &session));
        copy_cap(p.cnode, CHILD_SLOT_ARG1, session, TELOS_RIGHTS_ALL);
        if (raw) {
            /* The last eighth again, on its own: /dev/hdb-raw, bounded by the block server. */
            check("VFS raw block session", block_open(1, sizes[1] - raw, raw, true, p.pd,
                                                      BLOCK_CLIENT_BUFFER + BLOCK_BUFFER_BYTES, &session));
            copy_cap(p.cnode, CHILD_SLOT_ARG4, session, TELOS_RIGHTS_ALL);
        }
    }
    check("VFS resume", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));
    vfs_raw_ep = ep;
    vfs_root_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, VFS_ROOT_BADGE);
    wait_until_serving(vfs_root_ep);
    telos_print("TelOS: root task: started vfs_server\n");
}

u32 mms_ep, pms_ep, pms_raw_ep;

static void start_mms(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    /* The largest untyped region goes to the MMS: a move, so it is no longer ours. */
    u32 largest = 0;
    for (u32 i = 1; i < bi->untyped_count; i++)
        if (bi->untyped[i].size_bits > bi->untyped[largest].size_bits && i != untyped_index)
            largest = i;
    u32 bits = bi->untyped[largest].size_bits;
    struct cap_grant caps[] = { { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL } };
    struct process_builder mms_builder = root_builder;
    mms_builder.cnode_radix = MMS_CNODE_RADIX;
    u32 role = strstr(bi->cmdline, "mmslog=1") ? MMS_ROLE_LOG : 0;   /* a line per allocation */
    struct process p = build_module(&mms_builder, "mms", "mms", role, bits, PRIO_MMS, 0, caps, 1, false);
    check("delegating untyped memory",
          TELOS_INVOKE(p.cnode, TELOS_CNODE_MOVE, CHILD_SLOT_ARG3, TELOS_SLOT_CNODE, bi->untyped_first + largest));
    delegated_untyped = largest;
    telos_print("TelOS: root task: started the Memory Management Server\n");
    telos_printf("TelOS: root task: delegated untyped memory (%u KiB) to the MMS\n", (1u << bits) >> 10);
    check("MMS resume", TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME));
    mms_ep = genesis_env.mms_ep = ep;
    genesis_env.mms = p;
    genesis_env.mms_memory_bits = bits;
}

static void start_pms(void)
{
    u32 ep = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    /* The PS and the MMS know the PMS by its badge; the MMS cap has Grant so that
     * allocated objects come back to the PMS as capabilities. */
    struct cap_grant caps[] = {
        { ep, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_PMS), CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, BADGE_PMS), CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
    };
    genesis_env.pms = create_process("pms", "pms", 0, 0, PRIO_PMS, 0, caps, 3, true);
    pms_raw_ep = genesis_env.pms_ep = ep;
    pms_ep = mint_cap(ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    telos_print("TelOS: root task: started the Process Management Server\n");
}

static void genesis_prepare(void)
{
    const struct telos_module_desc *mod = find_module("test_proc");
    genesis_env.test_proc = (const u8 *)mod->vaddr;
    genesis_env.test_proc_size = mod->size;
}

/* The PMS builds each new process's namespace from /tmp and /image: a session with room
 * for one session per process it can run. */
void give_pms_namespace(void)
{
    const struct vfs_grant pms_grants[] = { { "/tmp", VFS_RIGHT_RW }, { "/image", VFS_RIGHT_RO } };
    u32 pms_vfs = slot_alloc(), err = vfs_session(vfs_root_ep, pms_grants, 2, PMS_MAX_PROCESSES, pms_vfs);
    if (err)
        telos_printf("TelOS: root task: no vfs session for the PMS: %s\n", vfs_error_name(err));
    else
        copy_cap(genesis_env.pms.cnode, CHILD_SLOT_ARG3, pms_vfs, TELOS_RIGHTS_ALL);
}

/* Genesis: the primordial objects and test_proc's program image, in one transaction. */
bool genesis_commit(void)
{
    genesis_prepare();
    u32 objects = 0, tid = 0, err = genesis_commit_to(ps_ep, &genesis_env, &objects, &tid);
    if (err) {
        telos_printf("TelOS: genesis: the PS refused the genesis transaction (status %u)\n", err);
        return false;
    }
    telos_printf("TelOS: genesis: %u objects (the kernel prototypes, traits and servers, test_proc's image in %u "
                 "chunks) committed in transaction %u\n",
                 objects, (genesis_env.test_proc_size + IMAGE_CHUNK - 1) / IMAGE_CHUNK, tid);
    return true;
}

u32 pms_create(u32 image_oid, u32 caps_oid, u32 process_oid)
{
    struct telos_msg m = { { image_oid, caps_oid, process_oid }, 0 };
    u32 info = telos_call(pms_ep, TELOS_MSG_INFO(PMS_CREATE_PROCESS, 0, 3), &m);
    return TELOS_MSG_LABEL(info);
}

u32 pms_create_ns(u32 image_oid, u32 caps_oid, u32 process_oid, const struct vfs_grant *grants, u32 count)
{
    static u32 w[TELOS_MAX_MRS];
    u32 n = 4;
    w[0] = image_oid;
    w[1] = caps_oid;
    w[2] = process_oid;
    w[3] = count;
    for (u32 g = 0; g < count; g++) {
        u32 len = strlen(grants[g].path), words = (len + 3) / 4;
        if (n + 2 + words > TELOS_MAX_MRS)
            return TELOS_ERANGE;
        w[n] = grants[g].rights;
        w[n + 1] = len;
        memset(&w[n + 2], 0, words * 4);
        memcpy(&w[n + 2], grants[g].path, len);
        n += 2 + words;
    }
    return telos_call_words(pms_ep, PMS_CREATE_PROCESS, n, w, NULL, NULL);
}

u32 pms_terminate(u32 process_oid)
{
    struct telos_msg m = { { process_oid, 0, 0 }, 0 };
    u32 info = telos_call(pms_ep, TELOS_MSG_INFO(PMS_TERMINATE_PROCESS, 0, 1), &m);
    return TELOS_MSG_LABEL(info);
}

static void pms_create_test_proc(void)
{
    telos_print("TelOS: root task: asking the PMS to create test_proc\n");
    u32 err = pms_create(GENESIS_TEST_PROC_IMAGE, 0, GENESIS_TEST_PROC);
    if (err)
        telos_printf("TelOS: root task: CreateProcess failed: %s\n", telos_error_name(err));
}

/* A Call with a label the server does not know: answered once it is serving. */
void wait_until_serving(u32 ep)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_call(ep, TELOS_MSG_INFO(0xFFFF, 0, 0), &m);
}

void start_servers(void)
{
    start_ps();
    wait_until_serving(ps_ep);
    start_mms();
    u32 mms_root = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_ROOT);
    wait_until_serving(mms_root);
    /* Every client badge allocates from a quota we set (servers.h): the PMS enough for its
     * PMS_MAX_PROCESSES, ourselves (and so the tests we run) all of the MMS's memory. */
    const u32 quotas[][2] = { { BADGE_ROOT, 1u << genesis_env.mms_memory_bits }, { BADGE_PMS, MMS_PMS_QUOTA } };
    for (u32 i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
        struct telos_msg m = { { quotas[i][0], quotas[i][1], 0 }, 0 };
        check("MMS quota", TELOS_MSG_LABEL(telos_call(mms_root, TELOS_MSG_INFO(MMS_SET_QUOTA, 0, 2), &m)));
    }
    telos_printf("TelOS: root task: MMS quota of the PMS: %u KiB (%u KiB for each of %u processes)\n",
                 MMS_PMS_QUOTA >> 10, MMS_PROCESS_QUOTA >> 10, PMS_MAX_PROCESSES);
    start_pms();
    wait_until_serving(pms_ep);
}

static void start_monitor(void)
{
    u32 irq = slot_alloc();
    check("COM1 input interrupt", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 4, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant caps[] = {
        { irq, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { ntfn, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_MONITOR), CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
        { mint_cap(pms_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_MONITOR), CHILD_SLOT_ARG3, TELOS_RIGHTS_ALL },
        { vfs_root_ep, CHILD_SLOT_ARG4, TELOS_RIGHTS_ALL },   /* the whole tree, read-write: the console's user */
    };
    create_process("monitor", "monitor", 0, 0, PRIO_MONITOR, 0, caps, 5, true);
}

static void start_bridge(void)
{
    u32 com2 = slot_alloc();
    check("COM2 ports", TELOS_INVOKE(TELOS_SLOT_IO_PORTS, TELOS_IO_PORT_ISSUE, 0x2F8, 0x2FF, com2));
    u32 irq = slot_alloc();
    check("COM2 interrupt", TELOS_INVOKE(TELOS_SLOT_IRQ_CONTROL, TELOS_IRQ_CONTROL_GET, 3, irq));
    u32 ntfn = object_alloc(TELOS_OBJ_NOTIFICATION, 0);
    struct cap_grant caps[] = {
        { com2, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL },
        { irq, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL },
        { ntfn, CHILD_SLOT_ARG2, TELOS_RIGHTS_ALL },
        { mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_BRIDGE), CHILD_SLOT_ARG3, TELOS_RIGHTS_ALL },
        { mint_cap(pms_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_BRIDGE), CHILD_SLOT_ARG4, TELOS_RIGHTS_ALL },
        { 0, CHILD_SLOT_ARG5, TELOS_RIGHTS_ALL },
    };
    /* The host's Files window reads the whole tree and writes files where files live, /tmp
     * and /disk; /image is the PS's, changed only by its transactions (bridge.h). A grant
     * for /disk holds when no hdb is mounted: the bridge then names the missing mount. */
    const struct vfs_grant grants[] = { { "/", VFS_RIGHT_RO }, { "/tmp", VFS_RIGHT_RW }, { "/disk", VFS_RIGHT_RW } };
    u32 vfs = slot_alloc();
    u32 ncaps = 5;
    if (!vfs_session(vfs_root_ep, grants, 3, 0, vfs)) {
        caps[5].src = vfs;
        ncaps = 6;
    } else {
        telos_print("TelOS: root task: no file-system session for the bridge\n");
    }
    create_process("bridge", "bridge", 0, 0, PRIO_BRIDGE, 0, caps, ncaps, true);
}

void boot_servers(void)
{
    start_servers();
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    u8 probe[16];
    u32 len;
    if (ps_get(ps_ep, GENESIS_LOBBY, probe, sizeof probe, &len) == PS_OK) {
        /* Stage 3 of the Phase 3 plan: every object, slot, parent, trait use and capability
         * descriptor of the genesis graph read back, and test_proc's process found in it. */
        telos_printf("TelOS: root task: found the genesis graph in the PS (%u objects, transaction %u, generation %u)\n",
                     st.objects, st.last_tid, st.generation);
        genesis_prepare();
        struct genesis_counts c;
        if (genesis_validate(ps_ep, &genesis_env, &c)) {
            telos_printf("TelOS: root task: genesis graph validated: %u objects, %u slots (%u parents, %u capabilities), "
                         "%u trait uses, %u image chunks, test_proc's process among them\n",
                         c.objects, c.slots, c.parents, c.caps, c.traits, c.chunks);
            telos_print("TelOS: Persistence validation successful.\n");
        } else {
            telos_print("TelOS: Persistence validation FAILED: the genesis graph read back differs (above)\n");
        }
    } else if (!genesis_commit()) {
        telos_print("TelOS: genesis failed\n");
        return;
    }
    start_vfs();
    give_pms_namespace();
    pms_create_test_proc();
    start_bridge();
    start_monitor();
}

static const char *cmdline_value(const char *key)
{
    const char *p = strstr(bi->cmdline, key);
    return p ? p + strlen(key) : NULL;
}

int main(void)
{
    telos_print("TelOS: Root task alive and well.\n");
    next_slot = bi->empty_first;
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0);
    check("scratch page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, TELOS_SLOT_VSPACE, ROOT_SCRATCH_VADDR));
    const char *test = cmdline_value("test=");
    if (!test) {
        boot_servers();
        telos_exit();
    }
    const struct ktest *t = ktest_find(test);
    if (!t) {
        ktest_print_unknown(test);
        telos_exit();
    }
    telos_printf("TelOS: running kernel test '%s'\n", t->name);
    t->run();
    telos_print("TelOS: test finished\n");
    telos_exit();
}
