/* What the root task (user/root.c) offers the kernel tests it runs (user/ktest/): its
 * boot information, slots and objects from its untyped memory, processes built from the
 * embedded program images, and clients of the primordial servers it starts. */
#ifndef TELOS_USER_ROOT_H
#define TELOS_USER_ROOT_H
#include <telos/abi.h>
#include "user/telos.h"
#include "user/process.h"
#include "user/genesis.h"
#include "user/psclient.h"
#include "user/vfsclient.h"

#define ROOT_SCRATCH_VADDR 0x60000000u

extern const struct telos_bootinfo *const bi;

/* Resource allocation: a failure stops the root task with a message naming `what`. */
__attribute__((noreturn)) void fail(const char *what, u32 err);
void check(const char *what, u32 err);
u32 slot_alloc(void);
/* `count` consecutive free slots; returns the first. */
u32 slot_alloc_range(u32 count);
/* Retypes one object from the first of our untyped capabilities with room for it. */
u32 object_alloc(u32 type, u32 size_bits);
void copy_cap(u32 dest_cnode, u32 dest_index, u32 src, u32 rights);
u32 mint_cap(u32 src, u32 rights, u32 badge);

const struct telos_module_desc *find_module(const char *name);
/* Builds a process from an embedded program image; it runs at once when `start`. */
struct process create_process(const char *module, const char *name, u32 role, u32 arg, u32 priority, u32 fault_ep,
                              const struct cap_grant *caps, u32 ncaps, bool start);

/* The Persistence Server, as the root task's client (badge BADGE_ROOT); the calls are
 * user/psclient.h's, on ps_ep. */
extern u32 ps_ep, ps_raw_ep;
/* Begins a transaction; the root task cannot go on without one. */
u32 tx_begin(void);

/* The primordial servers. */
extern u32 mms_ep, pms_ep, pms_raw_ep;
/* Starts the block server, then the PS on a session spanning the first disk. */
void start_ps(void);
/* The block server (servers/block.c): its endpoint unbadged and with the control badge. */
extern u32 block_raw_ep, block_control_ep;
void start_block(void);
/* Sizes in sectors of disk 0 and disk 1 (0 = none). */
void block_disks(u32 sizes[2]);
/* Opens a session on `sectors` sectors of `disk` from `first`, its buffer mapped at
 * `client_vaddr` in `client_pd` (a page table must be there); *session_ep gets the
 * session's badged endpoint capability. Returns 0 or the block server's error. */
u32 block_open(u32 disk, u32 first, u32 sectors, bool writable, u32 client_pd, u32 client_vaddr, u32 *session_ep);
/* vfs_server (servers/vfs.c) with the second disk, when there is one, as its block
 * session; the block server must be running. vfs_root_ep is the root session ("/" rw). */
extern u32 vfs_raw_ep, vfs_root_ep;
void start_vfs(void);
/* Gives the PMS (running) a session of the root one, /tmp rw and /image ro, with quota for
 * PMS_MAX_PROCESSES sessions: each new process's namespace comes out of it. */
void give_pms_namespace(void);
/* A Call with a label the server does not know: answered once it is serving. */
void wait_until_serving(u32 ep);
/* PS, MMS and PMS, each answering before the next starts. */
void start_servers(void);
/* The system as a machine boots it: the servers, genesis (or its validation), vfs_server,
 * test_proc through the PMS, the COM2 bridge and the COM1 monitor. */
void boot_servers(void);
/* What the genesis graph's capability slots describe (filled as the servers start). */
extern struct genesis_env genesis_env;
/* The genesis graph (user/genesis.c) in one PS transaction. */
bool genesis_commit(void);
/* PMS CreateProcess; returns the reply label (0 or TELOS_E*). */
u32 pms_create(u32 image_oid, u32 caps_oid, u32 process_oid);
/* CreateProcess with a namespace description: `count` grants (0: no files at all). */
u32 pms_create_ns(u32 image_oid, u32 caps_oid, u32 process_oid, const struct vfs_grant *grants, u32 count);
/* PMS TerminateProcess; returns the reply label. */
u32 pms_terminate(u32 process_oid);

#endif
