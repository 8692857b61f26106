/* The genesis object graph: see user/genesis.h and include/telos/genesis.h. Slot names,
 * kinds and order follow src/world/genesis.ts (clones copy their prototype's slots, as
 * the World's clone does); capability slots hold descriptors of the running system's
 * caps; methods carry the IPC label their server answers for them. */
#include <telos/abi.h>
#include <telos/genesis.h>
#include <telos/priorities.h>
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include "user/genesis.h"
#include "user/psclient.h"
#include "user/telos.h"
#include "lib/format.h"
#include "lib/psobj.h"
#include "lib/string.h"

static const struct psdisk_cap no_cap;

static struct psdisk_cap cap(u32 kind, u32 slot)
{
    struct psdisk_cap c = { kind, TELOS_RIGHTS_ALL, 0, 0, slot };
    return c;
}

/* Process's own slots (after the parent copied from BaseObject), as a clone carries them. */
static void process_slots(struct psobj_builder *b, const struct process *p, u32 priority)
{
    struct psdisk_cap tcb = p ? cap(TELOS_OBJ_TCB, p->tcb) : no_cap;
    struct psdisk_cap cnode = p ? cap(TELOS_OBJ_CNODE, p->cnode) : no_cap;
    struct psdisk_cap vspace = p ? cap(TELOS_OBJ_PAGE_DIRECTORY, p->pd) : no_cap;
    psobj_parent(b, "parent", GENESIS_DEFAULT_BEHAVIOR);
    psobj_cap(b, "tcbCap", &tcb);
    psobj_cap(b, "cspaceCap", &cnode);
    psobj_cap(b, "vspaceCap", &vspace);
    psobj_data_int(b, "priority", (i32)priority);
    psobj_method(b, "spawn", PMS_CREATE_PROCESS, "");
    psobj_method(b, "terminate", 0, "");
    psobj_method(b, "setPriority", 0, "");
}

static void server_slots(struct psobj_builder *b, const struct process *p, u32 endpoint, u32 priority)
{
    struct psdisk_cap ep = p ? cap(TELOS_OBJ_ENDPOINT, endpoint) : no_cap;
    process_slots(b, p, priority);
    psobj_cap(b, "endpointCap", &ep);
    psobj_method(b, "mainLoop", 0, "");
}

static u32 chunk_count(const struct genesis_env *env) { return (env->test_proc_size + IMAGE_CHUNK - 1) / IMAGE_CHUNK; }

u32 genesis_encode(u32 oid, const struct genesis_env *env, u8 *buf, u32 capacity)
{
    struct psobj_builder b;
    u32 chunks = chunk_count(env);
    if (oid >= GENESIS_FIRST_CHUNK && oid < GENESIS_FIRST_CHUNK + chunks) {
        u32 at = (oid - GENESIS_FIRST_CHUNK) * IMAGE_CHUNK;
        u32 n = env->test_proc_size - at < IMAGE_CHUNK ? env->test_proc_size - at : IMAGE_CHUNK;
        return psobj_blob(buf, capacity, env->test_proc + at, n);
    }
    static const char *const server_names[3] = { "PS", "MMS", "PMS" };
    switch (oid) {
    case GENESIS_LOBBY:
        psobj_begin(&b, buf, capacity, "lobby");
        psobj_parent(&b, "parent", GENESIS_DEFAULT_BEHAVIOR);
        psobj_data_ref(&b, "defaultBehavior", GENESIS_DEFAULT_BEHAVIOR);
        psobj_data_ref(&b, "BaseObject", GENESIS_BASE_OBJECT);
        psobj_data_ref(&b, "Process", GENESIS_PROCESS);
        psobj_data_ref(&b, "Server", GENESIS_SERVER);
        psobj_data_ref(&b, "MemoryRegion", GENESIS_MEMORY_REGION);
        psobj_data_ref(&b, "PS", GENESIS_PS);
        psobj_data_ref(&b, "MMS", GENESIS_MMS);
        psobj_data_ref(&b, "PMS", GENESIS_PMS);
        psobj_data_ref(&b, "traits", GENESIS_TRAITS);
        psobj_data_ref(&b, "processes", GENESIS_PROCESSES);
        psobj_data_ref(&b, "images", GENESIS_IMAGES);
        break;
    case GENESIS_DEFAULT_BEHAVIOR:
        psobj_begin(&b, buf, capacity, "defaultBehavior");
        psobj_method(&b, "clone", 0, "");
        psobj_method(&b, "printString", 0, "");
        psobj_method(&b, "==", 0, "");
        break;
    case GENESIS_BASE_OBJECT:
        psobj_begin(&b, buf, capacity, "BaseObject");
        psobj_parent(&b, "parent", GENESIS_DEFAULT_BEHAVIOR);
        break;
    case GENESIS_PROCESS:
        psobj_begin(&b, buf, capacity, "Process");
        process_slots(&b, NULL, 100);
        break;
    case GENESIS_SERVER:
        psobj_begin(&b, buf, capacity, "Server");
        server_slots(&b, NULL, 0, 100);
        break;
    case GENESIS_MEMORY_REGION:
    case GENESIS_MMS_MEMORY: {
        bool mms = oid == GENESIS_MMS_MEMORY;
        struct psdisk_cap untyped = { TELOS_OBJ_UNTYPED, TELOS_RIGHTS_ALL, 0, GENESIS_MMS, CHILD_SLOT_ARG3 };
        psobj_begin(&b, buf, capacity, mms ? "MMS memory" : "MemoryRegion");
        psobj_parent(&b, "parent", GENESIS_DEFAULT_BEHAVIOR);
        psobj_cap(&b, "cap", mms ? &untyped : &no_cap);
        psobj_data_int(&b, "size", mms ? (i32)(1u << env->mms_memory_bits) : 0);
        psobj_data_string(&b, "permissions", "rw");
        break;
    }
    case GENESIS_CALLABLE:
        psobj_begin(&b, buf, capacity, "Callable");
        psobj_method(&b, "_dispatchMessage", 0, "");
        break;
    case GENESIS_TRANSACTIONAL:
        psobj_begin(&b, buf, capacity, "Transactional");
        psobj_method(&b, "beginTransaction", PS_BEGIN, "");
        psobj_method(&b, "note", 0, "");
        psobj_method(&b, "commit", PS_COMMIT, "");
        psobj_method(&b, "abort", PS_ABORT, "");
        break;
    case GENESIS_SCHEDULABLE:
        psobj_begin(&b, buf, capacity, "Schedulable");
        psobj_method(&b, "setPriority", 0, "");
        psobj_method(&b, "yieldTimeslice", 0, "");
        break;
    case GENESIS_PS:
    case GENESIS_MMS:
    case GENESIS_PMS: {
        u32 i = oid - GENESIS_PS;
        const struct process *p = i == 0 ? &env->ps : i == 1 ? &env->mms : &env->pms;
        u32 ep = i == 0 ? env->ps_ep : i == 1 ? env->mms_ep : env->pms_ep;
        psobj_begin(&b, buf, capacity, server_names[i]);
        server_slots(&b, p, ep, i == 0 ? PRIO_PS : i == 1 ? PRIO_MMS : PRIO_PMS);
        psobj_data_bool(&b, "txOpen", false);
        psobj_data_nil(&b, "txNote");
        if (oid == GENESIS_MMS)
            psobj_data_ref(&b, "memory", GENESIS_MMS_MEMORY);
        psobj_trait(&b, GENESIS_CALLABLE, NULL, NULL);
        psobj_trait(&b, GENESIS_TRANSACTIONAL, NULL, NULL);
        break;
    }
    case GENESIS_TRAITS:
        psobj_begin(&b, buf, capacity, "traits");
        psobj_data_ref(&b, "Callable", GENESIS_CALLABLE);
        psobj_data_ref(&b, "Transactional", GENESIS_TRANSACTIONAL);
        psobj_data_ref(&b, "Schedulable", GENESIS_SCHEDULABLE);
        break;
    case GENESIS_PROCESSES:
        psobj_begin(&b, buf, capacity, "processes");
        break;
    case GENESIS_IMAGES:
        psobj_begin(&b, buf, capacity, "images");
        psobj_data_ref(&b, "test_proc", GENESIS_TEST_PROC_IMAGE);
        break;
    case GENESIS_TEST_PROC_IMAGE: {
        u32 oids[64], n = chunks < 64 ? chunks : 64;
        for (u32 c = 0; c < n; c++)
            oids[c] = GENESIS_FIRST_CHUNK + c;
        psobj_begin(&b, buf, capacity, "test_proc image");
        psobj_data_string(&b, "name", "test_proc");
        psobj_data_int(&b, "size", (i32)env->test_proc_size);
        psobj_data_refs(&b, "chunks", oids, n);
        break;
    }
    default:
        return 0;
    }
    return psobj_end(&b);
}

u32 genesis_oids(const struct genesis_env *env, u32 *oids, u32 max)
{
    u32 n = 0;
    for (u32 oid = GENESIS_LOBBY; oid <= GENESIS_MMS_MEMORY && n < max; oid++)
        oids[n++] = oid;
    if (n < max)
        oids[n++] = GENESIS_TEST_PROC_IMAGE;
    for (u32 c = 0; c < chunk_count(env) && n < max; c++)
        oids[n++] = GENESIS_FIRST_CHUNK + c;
    return n;
}

u32 genesis_commit_to(u32 ep, const struct genesis_env *env, u32 *objects, u32 *tid)
{
    static u8 buf[PSDISK_MAX_OBJECT_SIZE];
    u32 oids[80], n = genesis_oids(env, oids, 80), tx;
    u32 err = ps_begin(ep, &tx);
    for (u32 i = 0; i < n && !err; i++) {
        u32 len = genesis_encode(oids[i], env, buf, sizeof buf);
        err = len ? ps_put(ep, tx, oids[i], buf, len) : PS_EMALFORMED;
    }
    if (err) {
        ps_abort(ep, tx);
        return err;
    }
    *objects = n;
    return ps_commit(ep, tx, tid);
}

/* --- validation ----------------------------------------------------------------------- */

static const char *kind_name(u32 kind)
{
    static const char *const names[] = { "?", "data", "parent", "method", "capability" };
    return kind < 5 ? names[kind] : "?";
}

/* One line about where two encodings of the same object differ. */
static void describe_difference(u32 oid, const u8 *want, u32 want_len, const u8 *got, u32 got_len)
{
    struct psobj w, g;
    if (!psobj_parse(got, got_len, &g)) {
        telos_printf("TelOS: genesis validation: object %u is not a well-formed object\n", oid);
        return;
    }
    psobj_parse(want, want_len, &w);
    if (w.blob || g.blob) {
        telos_printf("TelOS: genesis validation: blob %u differs (%u bytes, %u expected)\n", oid, got_len, want_len);
        return;
    }
    char name[PSDISK_MAX_NAME + 1];
    memcpy(name, w.name, w.name_length);
    name[w.name_length] = 0;
    struct psobj_slot ws, gs;
    for (u32 c = 0; psobj_next_slot(&w, &c, &ws);) {
        char sel[PSDISK_MAX_NAME + 1];
        memcpy(sel, ws.name, ws.name_length);
        sel[ws.name_length] = 0;
        if (!psobj_find_slot(&g, ws.name, ws.name_length, &gs)) {
            telos_printf("TelOS: genesis validation: %s (%u) has no slot %s\n", name, oid, sel);
            return;
        }
        if (gs.kind != ws.kind) {
            telos_printf("TelOS: genesis validation: %s (%u) slot %s is a %s slot, not a %s slot\n", name, oid, sel,
                         kind_name(gs.kind), kind_name(ws.kind));
            return;
        }
        if (gs.value_length != ws.value_length || memcmp(gs.value, ws.value, ws.value_length)) {
            if (ws.kind == PSDISK_SLOT_CAP) {
                struct psdisk_cap a, e;
                psobj_cap_of(&gs, &a);
                psobj_cap_of(&ws, &e);
                telos_printf("TelOS: genesis validation: %s (%u) slot %s holds cap kind %u rights %u badge %x holder %u "
                             "slot %u; expected kind %u rights %u badge %x holder %u slot %u\n",
                             name, oid, sel, a.kind, a.rights, a.badge, a.holder, a.slot, e.kind, e.rights, e.badge,
                             e.holder, e.slot);
            } else {
                telos_printf("TelOS: genesis validation: %s (%u) slot %s holds another %s value\n", name, oid, sel,
                             kind_name(ws.kind));
            }
            return;
        }
    }
    telos_printf("TelOS: genesis validation: %s (%u) differs in its name, slot order, extra slots or trait uses\n", name,
                 oid);
}

static void count(const u8 *bytes, u32 len, struct genesis_counts *c)
{
    struct psobj o;
    c->objects++;
    if (!psobj_parse(bytes, len, &o) || o.blob) {
        c->chunks++;
        return;
    }
    c->traits += o.trait_count;
    struct psobj_slot s;
    for (u32 k = 0; psobj_next_slot(&o, &k, &s);) {
        c->slots++;
        c->parents += s.kind == PSDISK_SLOT_PARENT;
        c->caps += s.kind == PSDISK_SLOT_CAP;
    }
}

/* test_proc's process object: a child of Process naming its image, with capability slots
 * for its thread, CSpace and VSpace held by the PMS, and its slot in the processes mapping. */
static bool check_test_proc(u32 ep, struct genesis_counts *c)
{
    static u8 got[PSDISK_MAX_OBJECT_SIZE];
    u32 len;
    struct psobj o;
    struct psobj_slot s;
    u32 ref = 0;
    if (ps_get(ep, GENESIS_TEST_PROC, got, sizeof got, &len) != PS_OK || !psobj_parse(got, len, &o) || o.blob) {
        telos_printf("TelOS: genesis validation: test_proc's process object (%u) is missing\n", GENESIS_TEST_PROC);
        return false;
    }
    count(got, len, c);
    if (!psobj_find_slot(&o, "parent", 6, &s) || psobj_parent_oid(&s) != GENESIS_PROCESS ||
        !psobj_find_slot(&o, "image", 5, &s) || !psobj_value_ref(&s, &ref) || ref != GENESIS_TEST_PROC_IMAGE) {
        telos_print("TelOS: genesis validation: test_proc's process object lost its parent Process or its image\n");
        return false;
    }
    static const struct { const char *name; u32 kind; } caps[] = {
        { "tcbCap", TELOS_OBJ_TCB }, { "cspaceCap", TELOS_OBJ_CNODE }, { "vspaceCap", TELOS_OBJ_PAGE_DIRECTORY },
    };
    for (u32 i = 0; i < 3; i++) {
        struct psdisk_cap d;
        if (!psobj_find_slot(&o, caps[i].name, strlen(caps[i].name), &s) || s.kind != PSDISK_SLOT_CAP) {
            telos_printf("TelOS: genesis validation: test_proc has no capability slot %s\n", caps[i].name);
            return false;
        }
        psobj_cap_of(&s, &d);
        if (d.kind != caps[i].kind || d.holder != GENESIS_PMS || !d.slot) {
            telos_printf("TelOS: genesis validation: test_proc's %s describes kind %u held by %u in slot %u\n",
                         caps[i].name, d.kind, d.holder, d.slot);
            return false;
        }
    }
    char sel[32];
    format_to(sel, sizeof sel, "test_proc@%u", GENESIS_TEST_PROC);
    if (ps_get(ep, GENESIS_PROCESSES, got, sizeof got, &len) != PS_OK || !psobj_parse(got, len, &o) ||
        !psobj_find_slot(&o, sel, strlen(sel), &s) || !psobj_value_ref(&s, &ref) || ref != GENESIS_TEST_PROC) {
        telos_print("TelOS: genesis validation: the processes mapping does not name test_proc\n");
        return false;
    }
    count(got, len, c);
    return true;
}

bool genesis_validate(u32 ep, const struct genesis_env *env, struct genesis_counts *c)
{
    static u8 want[PSDISK_MAX_OBJECT_SIZE], got[PSDISK_MAX_OBJECT_SIZE];
    memset(c, 0, sizeof *c);
    u32 oids[80], n = genesis_oids(env, oids, 80);
    for (u32 i = 0; i < n; i++) {
        if (oids[i] == GENESIS_PROCESSES)
            continue; /* it grows with every process: checked with test_proc below */
        u32 want_len = genesis_encode(oids[i], env, want, sizeof want), got_len = 0;
        if (ps_get(ep, oids[i], got, sizeof got, &got_len) != PS_OK) {
            telos_printf("TelOS: genesis validation: object %u is missing\n", oids[i]);
            return false;
        }
        if (got_len != want_len || memcmp(got, want, want_len)) {
            describe_difference(oids[i], want, want_len, got, got_len);
            return false;
        }
        count(got, got_len, c);
    }
    return check_test_proc(ep, c);
}
