/* The Process Management Server: CreateProcess(image oid, caps oid, process oid) runs
 * inside one PS transaction. It reads the program image from the PS, asks the MMS for
 * every object the process needs, builds it, records the process object, and commits;
 * only then does the process run. Any failure aborts the transaction and frees every
 * object it obtained, leaving no trace. Capabilities: ARG0 its endpoint, ARG1 the PS,
 * ARG2 the MMS (with Grant, so objects come back as capabilities), ARG3 a vfs_server
 * session (given once vfs_server runs) from which it makes each new process's namespace:
 * /tmp read-write and /image read-only, in the process's ARG0.
 *
 * Every object the PMS obtains belongs to one process (or to the CreateProcess under way,
 * or to the PMS itself), and so does the vfs session: Terminate closes the session (which
 * revokes the process's capability to it) and gives every object back to the MMS, which
 * makes the next process's objects from the same memory: processes can be created and
 * terminated without end.
 *
 * Every process runs in the user band of include/telos/priorities.h, below the services
 * and below the bridge and the monitor: at PRIO_USER_DEFAULT, or at what its process
 * object's `priority` slot asks for, clamped to the band. */
#include <telos/priorities.h>
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "user/process.h"
#include "user/psclient.h"
#include "user/vfsclient.h"
#include <telos/genesis.h>
#include <telos/psdisk.h>
#include "lib/psobj.h"
#include "lib/format.h"
#include "lib/string.h"

#define SCRATCH_VADDR 0x60000000u
#define MAX_IMAGE (32 * 1024)
/* Our CNode: process i's vfs session in SESSION_SLOT(i), object k in OBJECT_SLOT(k). */
#define FIRST_SLOT 32
#define SESSION_SLOT(i) (FIRST_SLOT + (i))
#define OBJECT_SLOT(k) (FIRST_SLOT + PMS_MAX_PROCESSES + (k))
#define MAX_OBJECTS ((1u << CHILD_CNODE_RADIX) - FIRST_SLOT - PMS_MAX_PROCESSES)

/* Who holds each object: nobody (the entry is free), process i (i + 1), the CreateProcess
 * under way, or the PMS itself. */
#define OWNER_FREE    0u
#define OWNER_PENDING 0xFFFFFFFFu
#define OWNER_PMS     0xFFFFFFFEu
static struct {
    u32 handle, owner;
} objects[MAX_OBJECTS];
static u8 image[MAX_IMAGE];

/* The processes this PMS created, for ps and the bridge. */
struct process_entry {
    bool used;
    u32 oid;
    char name[16];
    u32 image_oid;
    struct process p;
};
static struct process_entry processes[PMS_MAX_PROCESSES];

#define VFS_EP CHILD_SLOT_ARG3

/* The namespace a CreateProcess asks for (servers.h): the default (/tmp read-write,
 * /image read-only), none at all, or up to VFS_MAX_GRANTS grants copied out of the
 * request before any other call reuses the IPC buffer. */
static struct {
    u32 count;   /* NS_DEFAULT, or 0..VFS_MAX_GRANTS */
    char path[VFS_MAX_GRANTS][VFS_PATH_MAX + 1];
    struct vfs_grant grants[VFS_MAX_GRANTS];
} ns;
#define NS_DEFAULT 0xFFFFFFFFu

/* Reads the description from message words 3.. (n words in all). The form is checked
 * here; whether the grants lie inside our own session is vfs_server's to say. */
static u32 parse_namespace(const u32 *w, u32 n)
{
    ns.count = NS_DEFAULT;
    if (n <= 3)
        return 0;
    if (n > TELOS_MAX_MRS)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 count = w[3], at = 4;
    if (count > VFS_MAX_GRANTS)
        return TELOS_EINVALID_ARGUMENT;
    for (u32 g = 0; g < count; g++) {
        if (at + 2 > n)
            return TELOS_ETRUNCATED_MESSAGE;
        u32 rights = w[at], len = w[at + 1];
        if (rights > VFS_RIGHT_RW || len == 0 || len > VFS_PATH_MAX)
            return TELOS_EINVALID_ARGUMENT;
        if (at + 2 + (len + 3) / 4 > n)
            return TELOS_ETRUNCATED_MESSAGE;
        memcpy(ns.path[g], &w[at + 2], len);
        ns.path[g][len] = 0;
        if (ns.path[g][0] != '/' || strlen(ns.path[g]) != len)
            return TELOS_EINVALID_ARGUMENT;   /* not absolute, or a NUL inside */
        ns.grants[g].path = ns.path[g];
        ns.grants[g].rights = rights;
        at += 2 + (len + 3) / 4;
    }
    if (at != n)
        return TELOS_EINVALID_ARGUMENT;   /* words after the last grant */
    ns.count = count;
    return 0;
}

/* Process i's namespace: a session of its own with the grants asked for (each vfs_server
 * checks lies inside ours, with no more rights), making no sessions itself (quota 0), in
 * its ARG0; we keep our capability to it in SESSION_SLOT(i) to close it at Terminate.
 * Made before the process is recorded, so a refused namespace refuses the CreateProcess.
 * Without vfs_server the default namespace is none; asking for grants then fails. */
static u32 give_namespace(u32 i, const struct process *p)
{
    static const struct vfs_grant defaults[] = { { "/tmp", VFS_RIGHT_RW }, { "/image", VFS_RIGHT_RO } };
    u32 obj, rights, data;
    if (ns.count == 0)
        return 0;
    if (telos_cap_identify(CHILD_SLOT_CNODE, VFS_EP, &obj, &rights, &data) != TELOS_OBJ_ENDPOINT) {
        if (ns.count == NS_DEFAULT)
            return 0;   /* no vfs_server (yet) */
        telos_print("TelOS: PMS: a namespace was asked for, but this PMS has no vfs session\n");
        return TELOS_EFAILED_LOOKUP;
    }
    const struct vfs_grant *grants = ns.count == NS_DEFAULT ? defaults : ns.grants;
    u32 count = ns.count == NS_DEFAULT ? 2 : ns.count;
    u32 err = vfs_session(VFS_EP, grants, count, 0, SESSION_SLOT(i));
    if (!err) {
        err = TELOS_INVOKE(p->cnode, TELOS_CNODE_COPY, CHILD_SLOT_ARG0, CHILD_SLOT_CNODE, SESSION_SLOT(i), TELOS_RIGHTS_ALL);
        if (err) {
            vfs_session_close(SESSION_SLOT(i));
            TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, SESSION_SLOT(i));
        }
    }
    if (err)
        telos_printf("TelOS: PMS: namespace refused: %s\n", vfs_error_name(err));
    return err;
}

/* Closes process i's session, if it has one: the server revokes the process's capability
 * and gives the session's place back to our quota. */
static void take_namespace(u32 i)
{
    u32 obj, rights, data;
    if (telos_cap_identify(CHILD_SLOT_CNODE, SESSION_SLOT(i), &obj, &rights, &data) != TELOS_OBJ_ENDPOINT)
        return;
    u32 err = vfs_session_close(SESSION_SLOT(i));
    if (err)
        telos_printf("TelOS: PMS: closing %s's vfs session: %s\n", processes[i].name, vfs_error_name(err));
    TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, SESSION_SLOT(i));
}

static u32 server_call(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ep, label, argc, argv, reply, reply_len);
}

/* An object from the MMS for the CreateProcess under way, received as a capability into
 * the slot of a free entry. */
static u32 mms_alloc(u32 type, u32 size_bits, u32 *err)
{
    u32 k = 0;
    while (k < MAX_OBJECTS && objects[k].owner != OWNER_FREE)
        k++;
    if (k == MAX_OBJECTS) {
        *err = TELOS_ENOT_ENOUGH_MEMORY;
        return 0;
    }
    u32 slot = OBJECT_SLOT(k);
    telos_ipc->receive_index = slot;
    u32 r[1];
    struct telos_msg m = { { type, size_bits, 0 }, 0 };
    u32 info = telos_call(CHILD_SLOT_ARG2, TELOS_MSG_INFO(MMS_ALLOC, 0, 2), &m);
    telos_ipc->receive_index = 0;
    r[0] = m.mr[0];
    *err = TELOS_MSG_LABEL(info);
    if (*err)
        return 0;
    if (!TELOS_MSG_EXTRA_CAPS(info)) {
        /* Allocated, but no capability came: give it back at once. */
        server_call(CHILD_SLOT_ARG2, MMS_FREE, 1, r, NULL, NULL);
        *err = TELOS_EINVALID_CAPABILITY;
        return 0;
    }
    objects[k].handle = r[0];
    objects[k].owner = OWNER_PENDING;
    return slot;
}

/* Gives every object of `owner` back to the MMS, which revokes every capability to each
 * (so the order does not matter: the thread is stopped or never ran); returns how many. */
static u32 release(u32 owner)
{
    u32 freed = 0;
    for (u32 k = MAX_OBJECTS; k-- > 0;)
        if (objects[k].owner == owner) {
            TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, OBJECT_SLOT(k));
            server_call(CHILD_SLOT_ARG2, MMS_FREE, 1, &objects[k].handle, NULL, NULL);
            objects[k].owner = OWNER_FREE;
            freed++;
        }
    return freed;
}

/* Hands the objects of the CreateProcess under way to `owner`. */
static void adopt(u32 owner)
{
    for (u32 k = 0; k < MAX_OBJECTS; k++)
        if (objects[k].owner == OWNER_PENDING)
            objects[k].owner = owner;
}

static const struct process_builder builder = {
    .alloc = mms_alloc, .own_cnode = CHILD_SLOT_CNODE, .own_vspace = CHILD_SLOT_VSPACE, .scratch_vaddr = SCRATCH_VADDR,
};

#define PS_EP CHILD_SLOT_ARG1

/* Reads a program image: a typed object with name, size and chunks (blobs, in order).
 * Every length is checked against the buffer before anything is copied. */
static u32 load_image(u32 tx, u32 image_oid, char *name, u32 *size)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE], chunk[PSDISK_MAX_OBJECT_SIZE];
    u32 len;
    struct psobj o;
    struct psobj_slot s;
    const char *n;
    u32 nlen;
    i32 sz;
    if (ps_get_tx(PS_EP, tx, image_oid, obj, sizeof obj, &len, NULL) || len > sizeof obj)
        return TELOS_EFAILED_LOOKUP;
    if (!psobj_parse(obj, len, &o) || o.blob || !psobj_find_slot(&o, "name", 4, &s) || !psobj_value_string(&s, &n, &nlen) ||
        !psobj_find_slot(&o, "size", 4, &s) || !psobj_value_int(&s, &sz) || !psobj_find_slot(&o, "chunks", 6, &s) ||
        s.value[0] != PSDISK_VAL_LIST)
        return TELOS_EINVALID_ARGUMENT;
    if (sz <= 0 || (u32)sz > MAX_IMAGE)
        return TELOS_ERANGE;
    u32 i = 0;
    for (; i < 15 && i < nlen; i++)
        name[i] = n[i];
    name[i] = 0;
    *size = (u32)sz;
    /* The chunks: a list of refs, each a blob; together exactly `size` bytes. */
    u32 count = (u32)s.value[1] | ((u32)s.value[2] << 8), at = 0;
    const u8 *item = s.value + 3;
    for (u32 c = 0; c < count; c++, item += 5) {
        u32 chunk_oid;
        if (item[0] != PSDISK_VAL_REF)
            return TELOS_EINVALID_ARGUMENT;
        memcpy(&chunk_oid, item + 1, 4);
        if (ps_get_tx(PS_EP, tx, chunk_oid, chunk, sizeof chunk, &len, NULL) || len > sizeof chunk)
            return TELOS_EFAILED_LOOKUP;
        if (!psobj_parse(chunk, len, &o) || !o.blob || len - 4 > *size - at)
            return TELOS_ERANGE;
        memcpy(image + at, chunk + 4, len - 4);
        at += len - 4;
    }
    return at == *size ? 0 : TELOS_ERANGE;
}

/* A caps object: its `caps` list names what the new process gets; the only grant this
 * PMS knows is none at all (an empty list). */
static u32 check_caps(u32 tx, u32 caps_oid)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    u32 len;
    struct psobj o;
    struct psobj_slot s;
    if (ps_get_tx(PS_EP, tx, caps_oid, obj, sizeof obj, &len, NULL))
        return TELOS_EFAILED_LOOKUP;
    if (len > sizeof obj || !psobj_parse(obj, len, &o) || o.blob || !psobj_find_slot(&o, "caps", 4, &s) ||
        s.kind != PSDISK_SLOT_DATA || s.value[0] != PSDISK_VAL_LIST || s.value[1] || s.value[2])
        return TELOS_EINVALID_ARGUMENT;
    return 0;
}

/* The process object: a child of Process with its image, state, priority and the caps
 * this PMS holds to its thread, CSpace and VSpace. */
static u32 encode_process(u8 *buf, u32 capacity, const char *name, u32 image_oid, const struct process *p,
                          const char *state, i32 priority)
{
    struct psobj_builder b;
    struct psdisk_cap tcb = { TELOS_OBJ_TCB, TELOS_RIGHTS_ALL, 0, GENESIS_PMS, p->tcb };
    struct psdisk_cap cnode = { TELOS_OBJ_CNODE, TELOS_RIGHTS_ALL, 0, GENESIS_PMS, p->cnode };
    struct psdisk_cap vspace = { TELOS_OBJ_PAGE_DIRECTORY, TELOS_RIGHTS_ALL, 0, GENESIS_PMS, p->pd };
    psobj_begin(&b, buf, capacity, name);
    psobj_parent(&b, "parent", GENESIS_PROCESS);
    psobj_data_ref(&b, "image", image_oid);
    psobj_data_string(&b, "state", state);
    psobj_data_int(&b, "priority", priority);
    psobj_cap(&b, "tcbCap", &tcb);
    psobj_cap(&b, "cspaceCap", &cnode);
    psobj_cap(&b, "vspaceCap", &vspace);
    return psobj_end(&b);
}

/* The processes mapping with a slot `name@oid` naming the process (replacing one of that
 * name). A missing mapping starts empty. */
static u32 encode_processes(u8 *buf, u32 capacity, const u8 *old, u32 old_len, const char *name, u32 process_oid)
{
    struct psobj_builder b;
    struct psobj o;
    char sel[40];
    format_to(sel, sizeof sel, "%s@%u", name, process_oid);
    psobj_begin(&b, buf, capacity, "processes");
    if (old && psobj_parse(old, old_len, &o) && !o.blob) {
        struct psobj_slot s;
        u32 ref;
        for (u32 c = 0; psobj_next_slot(&o, &c, &s);) {
            char slot_name[PSDISK_MAX_NAME + 1];
            memcpy(slot_name, s.name, s.name_length);
            slot_name[s.name_length] = 0;
            if (psobj_value_ref(&s, &ref) && strcmp(slot_name, sel))
                psobj_data_ref(&b, slot_name, ref);
        }
    }
    psobj_data_ref(&b, sel, process_oid);
    return psobj_end(&b);
}

/* Records the process in transaction tx: its object (with the priority it runs at) and its
 * slot in the mapping. */
static u32 record_process(u32 tx, const char *name, u32 image_oid, u32 process_oid, const struct process *p,
                          i32 priority)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE], old[PSDISK_MAX_OBJECT_SIZE];
    u32 n = encode_process(obj, sizeof obj, name, image_oid, p, "running", priority), len = 0;
    if (!n)
        return PS_EMALFORMED;
    u32 err = ps_put(PS_EP, tx, process_oid, obj, n);
    if (err)
        return err;
    err = ps_get_tx(PS_EP, tx, GENESIS_PROCESSES, old, sizeof old, &len, NULL);
    if (err && err != PS_ENOT_FOUND)
        return err;
    n = encode_processes(obj, sizeof obj, err ? NULL : old, len, name, process_oid);
    return n ? ps_put(PS_EP, tx, GENESIS_PROCESSES, obj, n) : PS_EFULL;
}

/* The priority a new process runs at: what its process object asks for, when one is there
 * already with an int `priority` slot (the World edits it; a terminated process keeps it),
 * clamped to the user band, so no user program rises above the bridge and the monitor
 * however its object was edited; PRIO_USER_DEFAULT otherwise. */
static i32 user_priority(u32 tx, u32 process_oid)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    u32 len;
    struct psobj o;
    struct psobj_slot s;
    i32 asked;
    if (ps_get_tx(PS_EP, tx, process_oid, obj, sizeof obj, &len, NULL) || len > sizeof obj || !psobj_parse(obj, len, &o) ||
        o.blob || !psobj_find_slot(&o, "priority", 8, &s) || !psobj_value_int(&s, &asked))
        return PRIO_USER_DEFAULT;
    if (asked > PRIO_USER_MAX || asked < PRIO_USER_MIN)
        telos_printf("TelOS: PMS: object %u asks for priority %d; user programs run at %u to %u\n", process_oid, asked,
                     PRIO_USER_MIN, PRIO_USER_MAX);
    return asked > PRIO_USER_MAX ? PRIO_USER_MAX : asked < PRIO_USER_MIN ? PRIO_USER_MIN : asked;
}

static u32 create_process(u32 image_oid, u32 caps_oid, u32 process_oid)
{
    /* A place in the table first: a process we could not record could never be terminated. */
    u32 slot = PMS_MAX_PROCESSES;
    for (u32 i = 0; i < PMS_MAX_PROCESSES; i++) {
        if (processes[i].used && processes[i].oid == process_oid)
            return TELOS_EINVALID_ARGUMENT;   /* that process runs: Terminate names one process */
        if (!processes[i].used && slot == PMS_MAX_PROCESSES)
            slot = i;
    }
    if (slot == PMS_MAX_PROCESSES) {
        telos_printf("TelOS: PMS: CreateProcess refused: %u processes run, the most this PMS keeps\n", PMS_MAX_PROCESSES);
        return TELOS_ENOT_ENOUGH_MEMORY;
    }
    u32 tx;
    if (ps_begin(PS_EP, &tx))
        return TELOS_EILLEGAL_OPERATION;
    telos_printf("TelOS: PMS: CreateProcess(image %u, caps %u): began transaction with the PS\n", image_oid, caps_oid);
    char name[16];
    u32 size = 0, tid = 0;
    struct process p;
    u32 err = process_oid ? load_image(tx, image_oid, name, &size) : TELOS_EINVALID_ARGUMENT;
    i32 priority = process_oid ? user_priority(tx, process_oid) : PRIO_USER_DEFAULT;
    if (!err)
        err = process_build(&builder, image, size, name, 0, 0, (u32)priority, 0, NULL, 0, false, &p);
    /* The capabilities named by the caps object would go into the new CNode. */
    if (!err && caps_oid)
        err = check_caps(tx, caps_oid);
    if (!err)
        err = give_namespace(slot, &p);
    bool have_ns = !err && ns.count != 0;
    if (!err) {
        /* Another client may have changed the mapping since we read it: then record the
         * process again in a new transaction (optimistic concurrency, psclient.h). */
        u32 ps_err = record_process(tx, name, image_oid, process_oid, &p, priority);
        if (!ps_err)
            ps_err = ps_commit(PS_EP, tx, &tid);
        for (u32 retry = 0; ps_err == PS_ECONFLICT && retry < 4; retry++) {
            if (ps_begin(PS_EP, &tx))
                break;
            ps_err = record_process(tx, name, image_oid, process_oid, &p, priority);
            if (!ps_err)
                ps_err = ps_commit(PS_EP, tx, &tid);
        }
        if (ps_err)
            err = TELOS_EILLEGAL_OPERATION;
    }
    if (err) {
        ps_abort(PS_EP, tx);
        if (have_ns)
            take_namespace(slot);
        u32 freed = release(OWNER_PENDING);
        telos_printf("TelOS: PMS: CreateProcess failed (%s): transaction aborted, %u objects freed\n",
                     err >= VFS_ENOENT ? vfs_error_name(err) : telos_error_name(err), freed);
        return err;
    }
    telos_printf("TelOS: PMS: %s recorded as object %u in transaction %u; starting it\n", name, process_oid, tid);
    struct process_entry *e = &processes[slot];
    e->used = true;
    e->oid = process_oid;
    memcpy(e->name, name, sizeof name);
    e->image_oid = image_oid;
    e->p = p;
    adopt(slot + 1);
    TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME);
    return 0;
}

/* Terminate: the thread stops for good, its object says "terminated" (keeping the
 * priority it has in the PS), its vfs session closes and every object it was made of goes
 * back to the MMS; the process leaves the list. */
static u32 terminate_process(u32 process_oid)
{
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    u32 i = 0;
    while (i < PMS_MAX_PROCESSES && !(processes[i].used && processes[i].oid == process_oid))
        i++;
    if (i == PMS_MAX_PROCESSES)
        return TELOS_EFAILED_LOOKUP;
    struct process_entry *e = &processes[i];
    i32 priority = PRIO_USER_DEFAULT;
    u32 tx, len, tid = 0, ps_err = ps_begin(PS_EP, &tx);
    if (!ps_err) {
        struct psobj o;
        struct psobj_slot s;
        if (!ps_get_tx(PS_EP, tx, process_oid, obj, sizeof obj, &len, NULL) && len <= sizeof obj && psobj_parse(obj, len, &o) &&
            !o.blob && psobj_find_slot(&o, "priority", 8, &s))
            psobj_value_int(&s, &priority);
        u32 n = encode_process(obj, sizeof obj, e->name, e->image_oid, &e->p, "terminated", priority);
        ps_err = n ? ps_put(PS_EP, tx, process_oid, obj, n) : PS_EFULL;
        if (!ps_err)
            ps_err = ps_commit(PS_EP, tx, &tid);
        else
            ps_abort(PS_EP, tx);
    }
    if (ps_err)
        return TELOS_EILLEGAL_OPERATION;
    TELOS_INVOKE0(e->p.tcb, TELOS_TCB_SUSPEND);
    take_namespace(i);
    u32 freed = release(i + 1);
    telos_printf("TelOS: PMS: %s (object %u) terminated in transaction %u; %u objects back to the MMS\n", e->name,
                 process_oid, tid, freed);
    e->used = false;
    return 0;
}

int main(void)
{
    /* A page table for the scratch window where images are copied into new frames. */
    u32 err = 0;
    u32 pt = mms_alloc(TELOS_OBJ_PAGE_TABLE, 0, &err);
    if (!pt || TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, CHILD_SLOT_VSPACE, SCRATCH_VADDR)) {
        telos_print("TelOS: PMS: no scratch page table; stopping\n");
        return 0;
    }
    adopt(OWNER_PMS); /* the scratch table is ours for good, never rolled back */
    telos_print("TelOS: PMS: serving\n");
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        u32 status = TELOS_EILLEGAL_OPERATION, reply_len = 0;
        if (TELOS_MSG_LABEL(info) == PMS_CREATE_PROCESS && TELOS_MSG_LENGTH(info) >= 3) {
            u32 image_oid = m.mr[0], caps_oid = m.mr[1], process_oid = m.mr[2];
            status = parse_namespace(telos_ipc->msg, TELOS_MSG_LENGTH(info));
            if (status)
                telos_printf("TelOS: PMS: CreateProcess refused: a malformed namespace description (%s)\n",
                             telos_error_name(status));
            else
                status = create_process(image_oid, caps_oid, process_oid);
            m.mr[0] = process_oid;
            reply_len = status ? 0 : 1;
        }
        if (TELOS_MSG_LABEL(info) == PMS_TERMINATE_PROCESS && TELOS_MSG_LENGTH(info) >= 1) {
            u32 process_oid = m.mr[0];
            status = terminate_process(process_oid);
            m.mr[0] = process_oid;
            reply_len = status ? 0 : 1;
        }
        if (TELOS_MSG_LABEL(info) == PMS_LIST_PROCESSES) {
            u32 *mr = telos_ipc->msg, n = 1;
            mr[0] = 0;
            for (u32 i = 0; i < PMS_MAX_PROCESSES; i++)
                mr[0] += processes[i].used;
            for (u32 i = 0; i < PMS_MAX_PROCESSES && n + 6 <= TELOS_MAX_MRS; i++) {
                if (!processes[i].used)
                    continue;
                mr[n++] = processes[i].oid;
                mr[n++] = 1;
                memcpy(&mr[n], processes[i].name, 16);
                n += 4;
            }
            m.mr[0] = mr[0];
            m.mr[1] = mr[1];
            m.mr[2] = mr[2];
            status = 0;
            reply_len = n;
        }
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(status, 0, reply_len), &m);
    }
}
