/* The syscall fuzzer (ROLE_SYSFUZZ, driven by user/ktest/fuzzsys.c): random syscalls and
 * invocations on a playground of slots [P0, P1) of its own CNode, each with the outcome
 * the ABI (include/telos/abi.h) and the kernel's documented rules give: the reply label of
 * an invocation (checks in the kernel's order: length, slot range, occupied slot, source,
 * rights, badge, memory), or the capability or unknown-syscall fault its supervisor must
 * receive, or nothing at all. It keeps a model of the playground (type, object, rights,
 * size, badge and the derivation parent of every slot) and after each syscall compares the
 * slots it touched with the kernel's own view (the debug identify syscall); the whole
 * playground every CHECK_EVERY syscalls, when the supervisor also scans the CNode for any
 * capability that was not granted. Syscalls that would block (a Recv with Read, a Send or
 * Call on an endpoint with nobody receiving) or that would end the fuzzer (anything on the
 * slots outside the playground but reads) are never made. */
#include "user/telos.h"
#include "user/roles.h"
#include "lib/string.h"

#define P0 32
#define P1 96
#define NSLOT (P1 - P0)
#define CNODE_SLOTS (1u << CHILD_CNODE_RADIX)
#define NO_PARENT 0xFF
#define CHECK_EVERY 2000
#define FUZZ_PRIORITY 100 /* the supervisor starts us at this priority */

struct mslot {
    u32 type, obj, rights, bits, badge;
    u8 parent; /* playground index of the capability it was derived from, or NO_PARENT */
};

static struct mslot model[NSLOT];
static u32 own_cnode_obj;
static u32 ops, checks, violations, faults_expected;
static u32 rs;

static u32 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static u32 last_label, last_w[3];

static void violation(const char *what, u32 got, u32 want)
{
    if (violations++ < 20)
        telos_printf("TelOS: sysfuzz: VIOLATION at syscall %u: %s: got %x, expected %x (after label %u: %u %u %u)\n", ops,
                     what, got, want, last_label, last_w[0], last_w[1], last_w[2]);
}

static u32 identify(u32 slot, struct mslot *out)
{
    u32 rb, data;
    checks++;
    out->type = telos_cap_identify(CHILD_SLOT_CNODE, slot, &out->obj, &rb, &data);
    out->rights = rb & 0xFF;
    out->bits = rb >> 8;
    out->badge = out->type == TELOS_OBJ_ENDPOINT || out->type == TELOS_OBJ_NOTIFICATION ? data : 0;
    return data;
}

/* The kernel's view of playground slot i against the model's. */
static void verify(u32 i)
{
    struct mslot k;
    identify(P0 + i, &k);
    const struct mslot *m = &model[i];
    if (k.type != m->type) {
        violation("slot type", (P0 + i) << 16 | k.type, (P0 + i) << 16 | m->type);
        if (violations < 20) {
            telos_printf("TelOS: sysfuzz: slot %u chain:", P0 + i);
            for (u32 p = m->parent, n = 0; p != NO_PARENT && n < 10; p = model[p].parent, n++)
                telos_printf(" %u(type %u obj %x)", P0 + p, model[p].type, model[p].obj);
            telos_printf("; obj %x\n", m->obj);
        }
        model[i] = k, model[i].parent = NO_PARENT; /* resynchronise: one fault, one report */
        return;
    }
    if (!m->type)
        return;
    if (k.obj != m->obj)
        violation("slot object", k.obj, m->obj);
    if (k.rights != m->rights)
        violation("slot rights", (P0 + i) << 16 | k.rights, (P0 + i) << 16 | m->rights);
    if (k.badge != m->badge)
        violation("slot badge", k.badge, m->badge);
    if ((m->type == TELOS_OBJ_UNTYPED || m->type == TELOS_OBJ_CNODE) && k.bits != m->bits)
        violation("slot size", k.bits, m->bits);
}

static void verify_all(void)
{
    for (u32 i = 0; i < NSLOT; i++)
        verify(i);
}

static bool in_pg(u32 slot) { return slot >= P0 && slot < P1; }

/* A playground slot (index into model) of this type, or -1. */
static int find_type(u32 type, bool own_cnode)
{
    u32 start = rnd() % NSLOT;
    for (u32 k = 0; k < NSLOT; k++) {
        u32 i = (start + k) % NSLOT;
        if (model[i].type == type && (!own_cnode || model[i].obj == own_cnode_obj))
            return (int)i;
    }
    return -1;
}

static bool has_children(u32 i)
{
    for (u32 k = 0; k < NSLOT; k++)
        if (model[k].type && model[k].parent == i)
            return true;
    return false;
}

static bool descends_from(u32 k, u32 ancestor)
{
    for (u32 p = model[k].parent, n = 0; p != NO_PARENT && n < NSLOT; p = model[p].parent, n++)
        if (p == ancestor)
            return true;
    return false;
}

/* A slot leaves the model: its children move up to its parent (the kernel's MDB). */
static void model_clear(u32 i)
{
    for (u32 k = 0; k < NSLOT; k++)
        if (model[k].type && model[k].parent == i)
            model[k].parent = model[i].parent;
    memset(&model[i], 0, sizeof model[i]);
    model[i].parent = NO_PARENT;
}

static u32 obj_bits(u32 type, u32 bits)
{
    switch (type) {
    case TELOS_OBJ_UNTYPED: return bits;
    case TELOS_OBJ_TCB: return TELOS_TCB_BITS;
    case TELOS_OBJ_ENDPOINT: return TELOS_ENDPOINT_BITS;
    case TELOS_OBJ_NOTIFICATION: return TELOS_NOTIFICATION_BITS;
    case TELOS_OBJ_CNODE: return bits + TELOS_SLOT_BITS;
    default: return TELOS_PAGE_BITS;
    }
}

/* One invocation: `len` words from w (MR0..2 in registers, the rest in the IPC buffer). */
static u32 invoke(u32 cptr, u32 label, u32 len, const u32 *w, struct telos_msg *m)
{
    *m = (struct telos_msg){ { w[0], w[1], w[2] }, 0 };
    for (u32 i = 3; i < len; i++)
        telos_ipc->msg[i] = w[i];
    ops++;
    last_label = label;
    memcpy(last_w, w, sizeof last_w);
    return TELOS_MSG_LABEL(telos_call(cptr, TELOS_MSG_INFO(label, 0, len), m));
}

/* A slot index for an argument: mostly the playground, else past the CNode's end. */
static u32 pg_or_far(u32 far_percent)
{
    return rnd() % 100 < far_percent ? CNODE_SLOTS + rnd() % 5000 : P0 + rnd() % NSLOT;
}

/* --- Untyped Retype ------------------------------------------------------------------- */

static void op_retype(void)
{
    int u = find_type(TELOS_OBJ_UNTYPED, false);
    int own = find_type(TELOS_OBJ_CNODE, true);
    if (u < 0 || own < 0)
        return;
    u32 w[8];
    u32 r = rnd() % 12;
    u32 type = r == 0 ? 0 : r == 1 ? TELOS_OBJ_TYPE_COUNT + rnd() % 100 : 1 + rnd() % 7; /* no page directories */
    u32 bits = type == TELOS_OBJ_UNTYPED ? rnd() % 17 : type == TELOS_OBJ_CNODE ? (rnd() % 10 ? rnd() % 7 : 17 + rnd() % 5)
                                                                                 : rnd() % 32;
    u32 dest_cn;
    r = rnd() % 20;
    if (r == 0)
        dest_cn = CNODE_SLOTS + rnd() % 5000;
    else if (r == 1)
        dest_cn = P0 + rnd() % NSLOT; /* perhaps not a CNode */
    else
        dest_cn = P0 + (u32)own;
    if (in_pg(dest_cn) && model[dest_cn - P0].type == TELOS_OBJ_CNODE && model[dest_cn - P0].obj != own_cnode_obj)
        dest_cn = P0 + (u32)own; /* objects only ever land in our own CNode */
    u32 index = pg_or_far(10);
    u32 count = rnd() % 10 ? 1 + rnd() % 3 : (rnd() & 1 ? 0 : 257 + rnd() % 100);
    if (index < CNODE_SLOTS && count <= 256 && index + count > P1)
        count = P1 - index;
    u32 len = rnd() % 20 ? 5 : rnd() % 5;
    w[0] = type, w[1] = bits, w[2] = dest_cn, w[3] = index, w[4] = count;

    struct mslot ut;
    u32 watermark = identify(P0 + (u32)u, &ut);
    u32 want, start = 0, size_bits = obj_bits(type, bits);
    const struct mslot *dest = in_pg(dest_cn) ? &model[dest_cn - P0] : NULL;
    if (len < 5)
        want = TELOS_ETRUNCATED_MESSAGE;
    else if (dest_cn >= CNODE_SLOTS)
        want = TELOS_ERANGE;
    else if (type == 0 || type >= TELOS_OBJ_TYPE_COUNT)
        want = TELOS_EINVALID_ARGUMENT;
    else if (type == TELOS_OBJ_UNTYPED && (bits < TELOS_MIN_UNTYPED_BITS || bits > TELOS_MAX_UNTYPED_BITS))
        want = TELOS_ERANGE;
    else if (type == TELOS_OBJ_CNODE && (bits < 1 || bits > TELOS_MAX_CNODE_RADIX))
        want = TELOS_ERANGE;
    else if (count == 0 || count > 256)
        want = TELOS_ERANGE;
    else if (!dest || dest->type != TELOS_OBJ_CNODE)
        want = TELOS_EFAILED_LOOKUP;
    else if (index >= CNODE_SLOTS || count > CNODE_SLOTS - index)
        want = TELOS_ERANGE;
    else {
        want = TELOS_OK;
        for (u32 i = 0; i < count; i++)
            if (model[index - P0 + i].type)
                want = TELOS_EDELETE_FIRST;
        if (want == TELOS_OK) {
            u32 wm = has_children((u32)u) ? watermark : 0, size = 1u << size_bits, ut_size = 1u << ut.bits;
            start = (wm + size - 1) & ~(size - 1);
            if (size_bits > ut.bits || start > ut_size || count > (ut_size - start) >> size_bits)
                want = TELOS_ENOT_ENOUGH_MEMORY;
        }
    }
    struct telos_msg m;
    u32 got = invoke(P0 + (u32)u, TELOS_UNTYPED_RETYPE, len, w, &m);
    if (got != want)
        violation("Retype reply", got, want);
    if (got == TELOS_OK && want == TELOS_OK) {
        for (u32 i = 0; i < count; i++) {
            struct mslot *s = &model[index - P0 + i];
            s->type = type;
            s->obj = ut.obj + start + i * (1u << size_bits);
            s->rights = TELOS_RIGHTS_ALL;
            s->bits = type == TELOS_OBJ_UNTYPED || type == TELOS_OBJ_CNODE ? bits : size_bits;
            s->badge = 0;
            s->parent = (u8)u;
            verify(index - P0 + i);
        }
        struct mslot after;
        u32 wm = identify(P0 + (u32)u, &after);
        if (wm != start + count * (1u << size_bits))
            violation("untyped watermark", wm, start + count * (1u << size_bits));
    } else if (got == TELOS_OK) {
        verify_all(); /* resynchronise after the reported difference */
    }
}

/* --- CNode Copy, Mint, Move, Delete, Revoke -------------------------------------------- */

/* The source of a Copy, Mint or Move as the kernel resolves it; *err when it fails. */
static int source(u32 src_cn, u32 src_index, u32 *err)
{
    if (src_cn >= CNODE_SLOTS) {
        *err = TELOS_ERANGE;
        return -1;
    }
    const struct mslot *cn = in_pg(src_cn) ? &model[src_cn - P0] : NULL;
    if (!cn || cn->type != TELOS_OBJ_CNODE) {
        *err = TELOS_EFAILED_LOOKUP;
        return -1;
    }
    if (src_index >= (1u << cn->bits)) {
        *err = TELOS_ERANGE;
        return -1;
    }
    if (cn->obj != own_cnode_obj || !in_pg(src_index) || !model[src_index - P0].type) {
        *err = TELOS_EFAILED_LOOKUP; /* another CNode's slots, or ours outside the playground, are empty */
        return -1;
    }
    return (int)(src_index - P0);
}

static void op_cnode(void)
{
    int own = find_type(TELOS_OBJ_CNODE, true);
    if (own < 0)
        return;
    static const u32 labels[] = { TELOS_CNODE_COPY, TELOS_CNODE_MINT, TELOS_CNODE_MOVE, TELOS_CNODE_DELETE,
                                  TELOS_CNODE_REVOKE };
    static const u32 full[] = { 4, 5, 3, 1, 1 };
    u32 which = rnd() % 11;
    u32 label = which < 10 ? labels[which / 2] : (rnd() & 1 ? rnd() % 7 : 12 + rnd() % 100);
    u32 full_len = which < 10 ? full[which / 2] : 5;
    u32 len = rnd() % 12 ? full_len : rnd() % (full_len + 1);
    u32 w[8];
    w[0] = pg_or_far(8);
    u32 r = rnd() % 10;
    w[1] = r < 8 ? P0 + (u32)own : r == 8 ? P0 + rnd() % NSLOT : CNODE_SLOTS + rnd() % 100;
    r = rnd() % 10;
    w[2] = r < 8 ? P0 + rnd() % NSLOT : r == 8 ? 600 + rnd() % 400 : CNODE_SLOTS + rnd() % 100;
    w[3] = rnd() % 16;
    w[4] = rnd() & 1 ? 0 : rnd() & 3 ? rnd() % 0x100 : rnd();
    if (in_pg(w[1]) && model[w[1] - P0].type == TELOS_OBJ_CNODE && model[w[1] - P0].obj != own_cnode_obj &&
        w[2] < (1u << model[w[1] - P0].bits))
        w[2] = 600 + rnd() % 400; /* never a slot of another CNode that exists: we cannot see it */

    if (label == TELOS_CNODE_DELETE && in_pg(w[0])) {
        /* Keep one untyped and one capability to our CNode: without them nothing is left to fuzz. */
        const struct mslot *t = &model[w[0] - P0];
        u32 same = 0, untypeds = 0;
        for (u32 k = 0; k < NSLOT; k++) {
            same += model[k].type == t->type && model[k].obj == t->obj;
            untypeds += model[k].type == TELOS_OBJ_UNTYPED;
        }
        if ((t->type == TELOS_OBJ_UNTYPED && untypeds == 1) ||
            (t->type == TELOS_OBJ_CNODE && t->obj == own_cnode_obj && same == 1))
            label = TELOS_CNODE_REVOKE;
    }
    u32 want, err = 0, target = w[0] - P0;
    int src = -1;
    bool target_in = w[0] < CNODE_SLOTS;
    if (len < 1)
        want = TELOS_ETRUNCATED_MESSAGE;
    else if (!target_in)
        want = TELOS_ERANGE;
    else if (label == TELOS_CNODE_COPY || label == TELOS_CNODE_MINT) {
        if (len < (label == TELOS_CNODE_MINT ? 5u : 4u))
            want = TELOS_ETRUNCATED_MESSAGE;
        else if (model[target].type)
            want = TELOS_EDELETE_FIRST;
        else if ((src = source(w[1], w[2], &err)) < 0)
            want = err;
        else if (model[src].type == TELOS_OBJ_UNTYPED)
            want = TELOS_EILLEGAL_OPERATION;
        else if (label == TELOS_CNODE_MINT && model[src].type != TELOS_OBJ_ENDPOINT && model[src].type != TELOS_OBJ_NOTIFICATION)
            want = TELOS_EILLEGAL_OPERATION;
        else if (label == TELOS_CNODE_MINT && model[src].badge && (w[4] & 0x0FFFFFFF) &&
                 (w[4] & 0x0FFFFFFF) != model[src].badge)
            want = TELOS_EILLEGAL_OPERATION; /* a badge is set once */
        else
            want = TELOS_OK;
    } else if (label == TELOS_CNODE_MOVE) {
        if (len < 3)
            want = TELOS_ETRUNCATED_MESSAGE;
        else if (model[target].type)
            want = TELOS_EDELETE_FIRST;
        else if ((src = source(w[1], w[2], &err)) < 0)
            want = err;
        else
            want = TELOS_OK;
    } else if (label == TELOS_CNODE_DELETE || label == TELOS_CNODE_REVOKE) {
        want = TELOS_OK;
    } else {
        want = TELOS_EILLEGAL_OPERATION;
    }
    struct telos_msg m;
    u32 got = invoke(P0 + (u32)own, label, len, w, &m);
    if (got != want) {
        violation("CNode reply", label << 16 | got, label << 16 | want);
        verify_all();
        return;
    }
    if (want != TELOS_OK)
        return;
    if (label == TELOS_CNODE_COPY || label == TELOS_CNODE_MINT) {
        model[target] = model[src];
        model[target].rights &= w[3];
        if (label == TELOS_CNODE_MINT && (w[4] & 0x0FFFFFFF))
            model[target].badge = w[4] & 0x0FFFFFFF;
        model[target].parent = (u8)src;
        verify(target);
        verify((u32)src);
    } else if (label == TELOS_CNODE_MOVE) {
        if ((u32)src != target) {
            model[target] = model[src];
            for (u32 k = 0; k < NSLOT; k++)
                if (model[k].type && model[k].parent == (u32)src)
                    model[k].parent = (u8)target;
            memset(&model[src], 0, sizeof model[src]);
            model[src].parent = NO_PARENT;
        }
        verify(target);
        verify((u32)src);
    } else if (w[0] >= P0 && w[0] < P1) {
        if (label == TELOS_CNODE_DELETE) {
            if (model[target].type)
                model_clear(target);
        } else {
            /* Revoke: every capability derived from it, and nothing else. */
            bool gone[NSLOT];
            for (u32 k = 0; k < NSLOT; k++)
                gone[k] = model[k].type && descends_from(k, target);
            for (u32 k = 0; k < NSLOT; k++)
                if (gone[k]) {
                    memset(&model[k], 0, sizeof model[k]);
                    model[k].parent = NO_PARENT;
                }
        }
        verify_all();
    }
}

/* --- Other objects: wrong labels, short messages, TCB and frame methods ---------------- */

static void op_object(void)
{
    u32 start = rnd() % NSLOT, i = NSLOT;
    for (u32 k = 0; k < NSLOT; k++) {
        u32 t = model[(start + k) % NSLOT].type;
        if (t == TELOS_OBJ_TCB || t == TELOS_OBJ_UNTYPED || t == TELOS_OBJ_FRAME || t == TELOS_OBJ_PAGE_TABLE) {
            i = (start + k) % NSLOT;
            break;
        }
    }
    if (i == NSLOT)
        return;
    u32 type = model[i].type, w[8], len = rnd() % 6, label, want;
    for (u32 k = 0; k < 8; k++)
        w[k] = rnd() % 4 ? rnd() % 300 : rnd();
    if (type == TELOS_OBJ_TCB) {
        static const u32 tcb_labels[] = { TELOS_TCB_SET_PRIORITY, TELOS_TCB_SUSPEND, TELOS_TCB_SET_NAME,
                                          TELOS_TCB_CONFIGURE, TELOS_TCB_WRITE_REGISTERS, 0 };
        label = tcb_labels[rnd() % 6];
        if (label == TELOS_TCB_SET_PRIORITY)
            want = len < 1 ? TELOS_ETRUNCATED_MESSAGE : w[0] > FUZZ_PRIORITY ? TELOS_ERANGE : TELOS_OK;
        else if (label == TELOS_TCB_SUSPEND || label == TELOS_TCB_SET_NAME)
            want = TELOS_OK;
        else if (label == TELOS_TCB_CONFIGURE) {
            w[3] |= 4; /* never a usable IPC buffer address: the check comes before any lookup */
            want = len < 5 ? TELOS_ETRUNCATED_MESSAGE : TELOS_EALIGNMENT;
        } else if (label == TELOS_TCB_WRITE_REGISTERS) {
            len = rnd() % 5; /* short: with five words it would set a thread's registers */
            want = TELOS_ETRUNCATED_MESSAGE;
        } else {
            label = rnd() & 1 ? 0 : 26 + rnd() % 1000;
            want = TELOS_EILLEGAL_OPERATION;
        }
    } else if (type == TELOS_OBJ_FRAME && rnd() % 2) {
        label = TELOS_FRAME_GET_ADDRESS;
        want = TELOS_OK;
    } else {
        /* A label the object does not have (Untyped: only Retype; Frame: Map, Unmap,
         * GetAddress; PageTable: Map): refused before the message is read. */
        do
            label = rnd() % 40;
        while (label == TELOS_UNTYPED_RETYPE || label == TELOS_FRAME_MAP || label == TELOS_FRAME_UNMAP ||
               label == TELOS_FRAME_GET_ADDRESS || label == TELOS_PAGE_TABLE_MAP);
        want = TELOS_EILLEGAL_OPERATION;
    }
    struct telos_msg m;
    u32 got = invoke(P0 + i, label, len, w, &m);
    if (got != want)
        violation("object reply", type << 24 | label << 16 | got, type << 24 | label << 16 | want);
    if (got == TELOS_OK && label == TELOS_FRAME_GET_ADDRESS && m.mr[0] != model[i].obj)
        violation("frame address", m.mr[0], model[i].obj);
    verify(i);
}

/* --- Faults: each must reach the supervisor as exactly this fault ---------------------- */

static u32 want_label, want_word, want_reason;

static void op_fault(void)
{
    struct telos_msg m = { { rnd(), rnd(), rnd() }, 0 };
    u32 r = rnd() % 9, slot = P0 + rnd() % NSLOT, far = CNODE_SLOTS + rnd() % 100000;
    const struct mslot *s = &model[slot - P0];
    u32 info = TELOS_MSG_INFO(rnd() % 50, 0, rnd() % 4);
    want_label = TELOS_FAULT_CAP;
    want_word = slot;
    switch (r) {
    case 0: /* an IPC syscall on an empty slot */
        if (s->type)
            return;
        want_reason = TELOS_EINVALID_CAPABILITY;
        telos_syscall((const u32[]){ TELOS_SYS_CALL, TELOS_SYS_SEND, TELOS_SYS_NB_SEND, TELOS_SYS_RECV }[rnd() % 4], slot,
                      info, &m);
        break;
    case 1: /* a cptr past the CNode */
        want_word = far;
        want_reason = TELOS_ERANGE;
        telos_syscall((const u32[]){ TELOS_SYS_CALL, TELOS_SYS_SEND, TELOS_SYS_NB_SEND, TELOS_SYS_RECV,
                                     TELOS_SYS_DEBUG_GETCHAR, TELOS_SYS_DEBUG_EXIT }[rnd() % 6],
                      far, info, &m);
        break;
    case 2: /* sending on an endpoint or notification capability without Write */
    case 3: /* receiving on one without Read (with Read it would wait for ever) */
        if ((s->type != TELOS_OBJ_ENDPOINT && s->type != TELOS_OBJ_NOTIFICATION) ||
            (s->rights & (r == 2 ? TELOS_RIGHT_WRITE : TELOS_RIGHT_READ)))
            return;
        want_reason = TELOS_EILLEGAL_OPERATION;
        telos_syscall(r == 2 ? (rnd() & 1 ? TELOS_SYS_NB_SEND : TELOS_SYS_CALL) : TELOS_SYS_RECV, slot, info, &m);
        break;
    case 4: /* receiving on a capability that is not an endpoint */
        if (!s->type || s->type == TELOS_OBJ_ENDPOINT || s->type == TELOS_OBJ_NOTIFICATION)
            return;
        want_reason = TELOS_EINVALID_CAPABILITY;
        telos_syscall(TELOS_SYS_RECV, slot, info, &m);
        break;
    case 5: { /* a syscall number the ABI does not have */
        static const u32 numbers[] = { 0, 8, 9, 10, 11, 12, 13, 14, 15, 22, 23, 31, 64, 99, 0x80, 0xFFFFFFFF };
        u32 sys = rnd() & 1 ? numbers[rnd() % 16] : 22 + rnd() % 100000;
        want_label = TELOS_FAULT_UNKNOWN_SYSCALL;
        want_word = sys;
        want_reason = 0;
        telos_syscall(sys, slot, info, &m);
        break;
    }
    case 6: /* console input or halt with a capability that does not authorise it */
        want_reason = TELOS_EINVALID_CAPABILITY;
        telos_syscall(rnd() & 1 ? TELOS_SYS_DEBUG_GETCHAR : TELOS_SYS_DEBUG_EXIT, slot, info, &m);
        break;
    case 7: /* identify through something that is not a CNode */
        if (s->type == TELOS_OBJ_CNODE)
            return;
        want_reason = TELOS_EINVALID_CAPABILITY;
        telos_syscall(TELOS_SYS_DEBUG_CAP_IDENTIFY, slot, info, &m);
        break;
    default: /* what never faults: yield, the null syscall, a Send that nobody waits for,
              * a notification signalled, a Reply with no caller */
        want_label = 0;
        if ((s->type == TELOS_OBJ_ENDPOINT || s->type == TELOS_OBJ_NOTIFICATION) && (s->rights & TELOS_RIGHT_WRITE))
            telos_syscall(s->type == TELOS_OBJ_NOTIFICATION && rnd() & 1 ? TELOS_SYS_CALL : TELOS_SYS_NB_SEND, slot, info, &m);
        else
            telos_syscall((const u32[]){ TELOS_SYS_YIELD, TELOS_SYS_DEBUG_NULL, TELOS_SYS_REPLY }[rnd() % 3], slot, info, &m);
        break;
    }
    ops++;
    faults_expected += want_label != 0;
    /* What did the supervisor see? */
    struct telos_msg q = { { 0, 0, 0 }, 0 };
    checks++;
    telos_call(CHILD_SLOT_ARG3, TELOS_MSG_INFO(SYSFUZZ_QUERY, 0, 0), &q);
    if (q.mr[0] != want_label || (want_label && q.mr[1] != want_word) ||
        (want_label == TELOS_FAULT_CAP && q.mr[2] != want_reason))
        violation("fault", q.mr[0] << 28 | q.mr[2] << 20 | (q.mr[1] & 0xFFFFF),
                  want_label << 28 | want_reason << 20 | (want_word & 0xFFFFF));
}

/* Faults the invocations must not raise: asked of the supervisor after each batch. */
static void no_fault_since_last_query(void)
{
    struct telos_msg q = { { 0, 0, 0 }, 0 };
    checks++;
    telos_call(CHILD_SLOT_ARG3, TELOS_MSG_INFO(SYSFUZZ_QUERY, 0, 0), &q);
    if (q.mr[0])
        violation("an unexpected fault", q.mr[0] << 16 | q.mr[2], 0);
}

void sysfuzz(u32 count, u32 seed)
{
    rs = seed | 1;
    /* The playground: copies of what we were granted (the untyped moved: it cannot be
     * copied), and a copy of our own CNode capability to invoke. */
    struct telos_msg m;
    u32 w[5] = { P0, CHILD_SLOT_CNODE, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL, 0 };
    invoke(CHILD_SLOT_CNODE, TELOS_CNODE_COPY, 4, w, &m);
    w[0] = P0 + 1, w[2] = CHILD_SLOT_ARG1;
    invoke(CHILD_SLOT_CNODE, TELOS_CNODE_COPY, 4, w, &m);
    w[0] = P0 + 2, w[2] = CHILD_SLOT_ARG2;
    invoke(CHILD_SLOT_CNODE, TELOS_CNODE_MOVE, 3, w, &m);
    w[0] = P0 + 3, w[2] = CHILD_SLOT_CNODE;
    invoke(CHILD_SLOT_CNODE, TELOS_CNODE_COPY, 4, w, &m);
    w[0] = P0 + 4, w[2] = CHILD_SLOT_ARG4;
    invoke(CHILD_SLOT_CNODE, TELOS_CNODE_COPY, 4, w, &m);
    for (u32 i = 0; i < NSLOT; i++) {
        identify(P0 + i, &model[i]);
        model[i].parent = NO_PARENT;
    }
    own_cnode_obj = model[3].obj;
    ops = 0;
    u32 checkpoint = CHECK_EVERY;
    while (ops < count) {
        u32 r = rnd() % 100;
        if (r < 25)
            op_retype();
        else if (r < 65)
            op_cnode();
        else if (r < 75)
            op_object();
        else {
            no_fault_since_last_query();
            op_fault();
        }
        if (ops >= checkpoint) {
            checkpoint += CHECK_EVERY;
            no_fault_since_last_query();
            verify_all();
            struct telos_msg c = { { 0, 0, 0 }, 0 };
            telos_call(CHILD_SLOT_ARG3, TELOS_MSG_INFO(SYSFUZZ_CHECK, 0, 0), &c);
        }
    }
    no_fault_since_last_query();
    verify_all();
    struct telos_msg done = { { ops, violations, faults_expected }, 0 };
    telos_ipc->msg[3] = checks;
    telos_call(CHILD_SLOT_ARG3, TELOS_MSG_INFO(SYSFUZZ_DONE, 0, 4), &done);
    for (;;)
        telos_yield();
}
