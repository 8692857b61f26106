/* The Process Management Server: CreateProcess(image oid, caps oid, process oid) runs
 * inside one PS transaction. It reads the program image from the PS, asks the MMS for
 * every object the process needs, builds it, records the process object, and commits;
 * only then does the process run. Any failure aborts the transaction and frees every
 * object it obtained, leaving no trace. Capabilities: ARG0 its endpoint, ARG1 the PS,
 * ARG2 the MMS (with Grant, so objects come back as capabilities). */
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "user/process.h"
#include "lib/format.h"
#include "lib/string.h"

#define SCRATCH_VADDR 0x60000000u
#define FIRST_SLOT 32
#define MAX_IMAGE (32 * 1024)

static u32 next_slot = FIRST_SLOT;
static u32 handles[64], handle_slots[64], handle_count;
static u8 image[MAX_IMAGE];

/* The processes this PMS created, for ps and the bridge. */
struct process_entry {
    u32 oid;
    char name[16];
};
static struct process_entry processes[32];
static u32 process_count;

static u32 server_call(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ep, label, argc, argv, reply, reply_len);
}

/* An object from the MMS, received as a capability into our next free slot. */
static u32 mms_alloc(u32 type, u32 size_bits, u32 *err)
{
    if (handle_count == sizeof handles / sizeof handles[0] || next_slot >= (1u << CHILD_CNODE_RADIX)) {
        *err = TELOS_ENOT_ENOUGH_MEMORY;
        return 0;
    }
    u32 slot = next_slot;
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
        *err = TELOS_EINVALID_CAPABILITY;
        return 0;
    }
    next_slot++;
    handles[handle_count] = r[0];
    handle_slots[handle_count++] = slot;
    return slot;
}

/* Gives back everything obtained since `mark`. */
static void release_since(u32 mark)
{
    while (handle_count > mark) {
        handle_count--;
        TELOS_INVOKE(CHILD_SLOT_CNODE, TELOS_CNODE_DELETE, handle_slots[handle_count]);
        u32 h = handles[handle_count];
        server_call(CHILD_SLOT_ARG2, MMS_FREE, 1, &h, NULL, NULL);
    }
    next_slot = handle_count ? handle_slots[handle_count - 1] + 1 : FIRST_SLOT + 1;
}

static const struct process_builder builder = {
    .alloc = mms_alloc, .own_cnode = CHILD_SLOT_CNODE, .own_vspace = CHILD_SLOT_VSPACE, .scratch_vaddr = SCRATCH_VADDR,
};

static u32 parse_u32(const char *s, const char **end)
{
    u32 v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (u32)(*s++ - '0');
    if (end)
        *end = s;
    return v;
}

/* The text value of `key` in a `key=value` object, or NULL. */
static const char *field(const char *text, const char *key)
{
    usize n = strlen(key);
    for (const char *p = text; *p;) {
        if (!strncmp(p, key, n) && p[n] == '=')
            return p + n + 1;
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return NULL;
}

static u32 ps_get(u32 oid, u8 *out, u32 max, u32 *len)
{
    u32 r[TELOS_MAX_MRS], n;
    u32 err = server_call(CHILD_SLOT_ARG1, PS_GET, 1, &oid, r, &n);
    if (err)
        return err;
    *len = r[0] < max ? r[0] : max;
    memcpy(out, &r[1], *len);
    return 0;
}

static u32 load_image(u32 image_oid, char *name, u32 *size)
{
    char text[PS_TEXT_MAX + 1];
    u32 len;
    if (ps_get(image_oid, (u8 *)text, PS_TEXT_MAX, &len))
        return TELOS_EFAILED_LOOKUP;
    text[len] = 0;
    const char *n = field(text, "name"), *sz = field(text, "size"), *chunks = field(text, "chunks");
    if (!n || !sz || !chunks)
        return TELOS_EINVALID_ARGUMENT;
    u32 i = 0;
    for (; i < 15 && n[i] && n[i] != '\n'; i++)
        name[i] = n[i];
    name[i] = 0;
    *size = parse_u32(sz, NULL);
    const char *rest;
    u32 first = parse_u32(chunks, &rest), last = *rest == '-' ? parse_u32(rest + 1, NULL) : first;
    if (*size > MAX_IMAGE || last < first || (last - first + 1) * IMAGE_CHUNK < *size)
        return TELOS_ERANGE;
    for (u32 oid = first, at = 0; oid <= last && at < *size; oid++, at += IMAGE_CHUNK)
        if (ps_get(oid, image + at, IMAGE_CHUNK, &len))
            return TELOS_EFAILED_LOOKUP;
    return 0;
}

static u32 create_process(u32 image_oid, u32 caps_oid, u32 process_oid)
{
    u32 r[4];
    if (server_call(CHILD_SLOT_ARG1, PS_BEGIN, 0, NULL, r, NULL))
        return TELOS_EILLEGAL_OPERATION;
    u32 tx = r[0];
    telos_printf("TelOS: PMS: CreateProcess(image %u, caps %u): began transaction with the PS\n", image_oid, caps_oid);
    u32 mark = handle_count;
    char name[16];
    u32 size = 0;
    struct process p;
    u32 err = load_image(image_oid, name, &size);
    if (!err)
        err = process_build(&builder, image, size, name, 0, 0, 50, 0, NULL, 0, false, &p);
    if (!err && caps_oid) {
        /* The capabilities named by the caps object go into the new CNode. The only
         * grant this PMS knows is none at all. */
        char caps[PS_TEXT_MAX + 1];
        u32 len;
        if (ps_get(caps_oid, (u8 *)caps, PS_TEXT_MAX, &len))
            err = TELOS_EFAILED_LOOKUP;
        else {
            caps[len] = 0;
            const char *c = field(caps, "caps");
            if (!c || strncmp(c, "none", 4))
                err = TELOS_EINVALID_ARGUMENT;
        }
    }
    if (!err) {
        char text[128];
        u32 n = format_to(text, sizeof text, "name=%s\nparent=2\nkind=process\nimage=%u\nstate=running\n", name, image_oid);
        u32 put[2 + 2 + 32];
        put[0] = tx;
        put[1] = 1;
        put[2] = process_oid;
        put[3] = n;
        memset(&put[4], 0, sizeof put - 16);
        memcpy(&put[4], text, n);
        if (server_call(CHILD_SLOT_ARG1, PS_PUT, 4 + (n + 3) / 4, put, NULL, NULL) ||
            server_call(CHILD_SLOT_ARG1, PS_COMMIT, 1, &tx, r, NULL))
            err = TELOS_EILLEGAL_OPERATION;
    }
    if (err) {
        server_call(CHILD_SLOT_ARG1, PS_ABORT, 1, &tx, NULL, NULL);
        u32 freed = handle_count - mark;
        release_since(mark);
        telos_printf("TelOS: PMS: CreateProcess failed (%s): transaction aborted, %u objects freed\n",
                     telos_error_name(err), freed);
        return err;
    }
    telos_printf("TelOS: PMS: %s recorded as object %u in transaction %u; starting it\n", name, process_oid, r[0]);
    TELOS_INVOKE0(p.tcb, TELOS_TCB_RESUME);
    if (process_count < sizeof processes / sizeof processes[0]) {
        processes[process_count].oid = process_oid;
        memcpy(processes[process_count].name, name, sizeof name);
        process_count++;
    }
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
    handle_count = 0; /* the scratch table is ours for good, never rolled back */
    telos_print("TelOS: PMS: serving\n");
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        u32 status = TELOS_EILLEGAL_OPERATION, reply_len = 0;
        if (TELOS_MSG_LABEL(info) == PMS_CREATE_PROCESS && TELOS_MSG_LENGTH(info) >= 3) {
            u32 image_oid = m.mr[0], caps_oid = m.mr[1], process_oid = m.mr[2];
            status = create_process(image_oid, caps_oid, process_oid);
            m.mr[0] = process_oid;
            reply_len = status ? 0 : 1;
        }
        if (TELOS_MSG_LABEL(info) == PMS_LIST_PROCESSES) {
            u32 *mr = telos_ipc->msg, n = 1;
            mr[0] = process_count;
            for (u32 i = 0; i < process_count && n + 6 <= TELOS_MAX_MRS; i++) {
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
