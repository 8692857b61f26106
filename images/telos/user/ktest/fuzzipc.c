/* The malformed-IPC fuzzer (test=malformed count=N): N messages to the PS, MMS and PMS
 * through capabilities minted with a client badge of its own, each built to break one
 * rule of the server's protocol (include/telos/ps.h, servers.h) and answered with the
 * error code that rule names; after every message the fuzzer checks what no garbage may
 * change: the PS's object count, bytes, last tid and open transactions, the processes the
 * PMS lists, and that no capability arrived that was not granted (the receive slot stays
 * empty). Prints per server the messages sent, the answers as expected and the
 * violations, each violation with the message that caused it. */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include <telos/genesis.h>
#include "user/ktest/ktest.h"
#include "lib/string.h"

#define BADGE_FUZZ 0x70 /* the fuzzer's own client badge: not privileged anywhere */

static u32 rng_state;
static u32 rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static u32 violations, reported;

static void violation(const char *server, u32 n, u32 label, u32 len, const char *what, u32 got, u32 want)
{
    violations++;
    if (reported++ < 20)
        telos_printf("TelOS: malformed: VIOLATION %s message %u (label %u, %u words): %s: got %u, expected %u\n", server, n,
                     label, len, what, got, want);
}

/* One Call with MR0..MR2 from `w[0..2]`, the rest in the IPC buffer; the receive slot is
 * set so that a capability the server wrongly granted would land there. */
static u32 call(u32 ep, u32 label, u32 len, const u32 *w, struct telos_msg *m, u32 receive_slot)
{
    *m = (struct telos_msg){ { w[0], w[1], w[2] }, 0 };
    for (u32 i = 3; i < len; i++)
        telos_ipc->msg[i] = w[i];
    telos_ipc->receive_index = receive_slot;
    u32 info = telos_call(ep, TELOS_MSG_INFO(label, 0, len), m);
    telos_ipc->receive_index = 0;
    return info;
}

static void fill_random(u32 *w, u32 len)
{
    for (u32 i = 0; i < len; i++)
        w[i] = rnd();
}

/* --- PS ------------------------------------------------------------------------------- */

#define OWN_TX 4 /* PS: a client holds at most four transactions; a fifth Begin drops its oldest */

static struct {
    u32 objects, bytes, tid, open; /* what PS_STAT must keep answering */
    u32 own[OWN_TX], used[OWN_TX], own_count, uses;
    u32 foreign;                   /* a transaction the root task holds open */
    u32 oids[PS_LIST_MAX], lengths[PS_LIST_MAX], oid_count;
} ps_model;

static bool own_tx(u32 id)
{
    for (u32 i = 0; i < ps_model.own_count; i++)
        if (ps_model.own[i] == id)
            return true;
    return false;
}

static void own_used(u32 id)
{
    for (u32 i = 0; i < ps_model.own_count; i++)
        if (ps_model.own[i] == id)
            ps_model.used[i] = ++ps_model.uses;
}

static void own_drop(u32 id)
{
    for (u32 i = 0; i < ps_model.own_count; i++)
        if (ps_model.own[i] == id) {
            ps_model.own[i] = ps_model.own[ps_model.own_count - 1];
            ps_model.used[i] = ps_model.used[ps_model.own_count - 1];
            ps_model.own_count--;
            return;
        }
}

/* A transaction id that is not ours: the root task's, zero, or random. */
static u32 not_our_tx(void)
{
    u32 id;
    do {
        u32 r = rnd() % 3;
        id = r == 0 ? ps_model.foreign : r == 1 ? 0 : rnd();
    } while (own_tx(id));
    return id;
}

static u32 any_own_tx(void) { return ps_model.own[rnd() % ps_model.own_count]; }

static void ps_stat_words(u32 ep, u32 *out)
{
    struct telos_msg m;
    u32 w[3] = { 0, 0, 0 };
    call(ep, PS_STAT, 0, w, &m, 0);
    out[0] = m.mr[0];
    out[1] = m.mr[1];
    out[4] = telos_ipc->msg[4];
    out[8] = telos_ipc->msg[8];
}

/* Builds one PS message breaking a rule (or a well-formed one whose answer is known);
 * returns the expected reply label. */
static u32 ps_message(u32 *label, u32 *len, u32 *w, u32 *kind)
{
    fill_random(w, TELOS_MAX_MRS);
    *len = rnd() % 40;
    u32 c = rnd() % 16;
    if (!ps_model.own_count && c >= 5 && c <= 7)
        c = 12; /* these need a transaction of ours: begin one */
    *kind = c;
    switch (c) {
    case 0: /* an operation the protocol does not have */
        *label = rnd() & 1 ? 0 : 13 + rnd() % 4000;
        return PS_EUNKNOWN;
    case 1: { /* the root task's and bridge's operations, from a client */
        static const u32 privileged[] = { PS_SHUTDOWN, PS_PACK, PS_REMOUNT };
        *label = privileged[rnd() % 3];
        return PS_EUNKNOWN;
    }
    case 2: /* Put, Put-part, Commit, Abort on a transaction that is not ours */
        *label = (const u32[]){ PS_PUT, PS_PUT_PART, PS_COMMIT, PS_ABORT }[rnd() % 4];
        w[0] = not_our_tx();
        if (*len < 5)
            *len = 5 + rnd() % 30;
        return PS_EBAD_TX;
    case 3: /* too short to name a transaction */
        *label = (const u32[]){ PS_PUT, PS_PUT_PART, PS_COMMIT, PS_ABORT }[rnd() % 4];
        *len = *label == PS_PUT ? rnd() % 2 : *label == PS_PUT_PART ? rnd() % 5 : 0;
        if (*len && ps_model.own_count)
            w[0] = any_own_tx();
        return PS_EBAD_TX;
    case 4: /* Get joining a transaction that is not ours */
        *label = PS_GET;
        *len = 3 + rnd() % 5;
        w[2] = not_our_tx();
        if (!w[2])
            w[2] = ~0u;
        while (own_tx(w[2]))
            w[2]++;
        return PS_EBAD_TX;
    case 5: { /* Put on our transaction, a batch whose first entry breaks a rule */
        *label = PS_PUT;
        w[0] = any_own_tx();
        own_used(w[0]);
        w[1] = 1 + rnd() % 4;
        u32 how = rnd() % 3;
        if (how == 0) { /* oid 0 */
            *len = 4 + rnd() % 20;
            w[2] = 0;
            w[3] = rnd() % ((*len - 4) * 4 + 1);
        } else if (how == 1) { /* longer than any object */
            *len = 4 + rnd() % 20;
            w[2] = GENESIS_FIRST_FREE + rnd() % 1000;
            w[3] = PSDISK_MAX_OBJECT_SIZE + 1 + rnd() % 100000;
        } else { /* longer than the message */
            *len = 2 + rnd() % 30;
            w[2] = GENESIS_FIRST_FREE + rnd() % 1000;
            w[3] = (*len >= 4 ? (*len - 4) * 4 : 0) + 1 + rnd() % 1000;
            if (*len < 4)
                *len = 4;
        }
        return PS_EMALFORMED;
    }
    case 6: { /* Put-part on our transaction breaking a rule */
        *label = PS_PUT_PART;
        w[0] = any_own_tx();
        own_used(w[0]);
        *len = 5 + rnd() % 30;
        u32 room = (*len - 5) * 4;
        u32 how = rnd() % 4;
        w[1] = GENESIS_FIRST_FREE + rnd() % 1000;
        w[2] = rnd() % (PSDISK_MAX_OBJECT_SIZE + 1);
        w[3] = 0;
        w[4] = rnd() % (room + 1);
        if (how == 0)
            w[1] = 0;
        else if (how == 1)
            w[2] = PSDISK_MAX_OBJECT_SIZE + 1 + rnd() % 100000;
        else if (how == 2)
            w[4] = room + 1 + rnd() % 1000;
        else { /* a part beyond the object's end */
            w[2] = rnd() % 64;
            w[3] = w[2] + 1 + rnd() % 64;
        }
        return PS_EMALFORMED;
    }
    case 7: /* an empty batch on our transaction: accepted, nothing staged */
        *label = PS_PUT;
        w[0] = any_own_tx();
        own_used(w[0]);
        w[1] = 0;
        *len = 2 + rnd() % 10;
        return PS_OK;
    case 8: /* Get of an object nobody wrote */
        *label = PS_GET;
        *len = 1 + rnd() % 2;
        w[0] = 0x40000000u | rnd();
        w[1] = 0;
        return PS_ENOT_FOUND;
    case 9: { /* Get of a real object, at an offset inside or past its end */
        *label = PS_GET;
        *len = 2;
        u32 i = rnd() % ps_model.oid_count;
        w[0] = ps_model.oids[i];
        bool past = rnd() & 1;
        w[1] = past ? ps_model.lengths[i] + 1 + rnd() % 10000 : rnd() % (ps_model.lengths[i] + 1);
        w[2] = i; /* remembered for the length check */
        return past ? PS_EMALFORMED : PS_OK;
    }
    case 10: { /* Lookup with a selector length out of bounds or beyond the message */
        *label = PS_LOOKUP;
        u32 how = rnd() % 4;
        *len = 2 + rnd() % 30;
        w[0] = rnd() % 100;
        if (how == 0)
            *len = rnd() % 2;
        else if (how == 1)
            w[1] = 0;
        else if (how == 2)
            w[1] = PSDISK_MAX_NAME + 1 + rnd() % 1000;
        else {
            *len = 2 + rnd() % 16;
            w[1] = (*len - 2) * 4 + 1 + rnd() % 4;
            if (w[1] > PSDISK_MAX_NAME)
                w[1] = PSDISK_MAX_NAME + 1;
        }
        return PS_EMALFORMED;
    }
    case 11: /* the read-only operations */
        *label = rnd() & 1 ? PS_STAT : PS_LIST;
        if (*label == PS_LIST)
            w[0] = rnd() % (ps_model.objects + 10);
        return PS_OK;
    case 12: /* Begin: a new transaction of ours (a fifth drops our oldest) */
        *label = PS_BEGIN;
        return PS_OK;
    case 13: /* Abort one of ours */
    case 14: /* Commit one of ours: nothing staged, so nothing changes but perhaps the tid */
        if (!ps_model.own_count) {
            *label = PS_BEGIN;
            *kind = 12;
            return PS_OK;
        }
        *label = c == 13 ? PS_ABORT : PS_COMMIT;
        w[0] = any_own_tx();
        *len = 1 + rnd() % 4;
        return PS_OK;
    default: /* a Put-part left unfinished makes the next Commit fail: tested as a pair */
        *label = PS_GET;
        *len = 1;
        w[0] = 0x40000000u | rnd();
        *kind = 8;
        return PS_ENOT_FOUND;
    }
}

static void fuzz_ps(u32 ep, u32 root_ep, u32 count, u32 receive_slot, u32 *sent, u32 *as_expected)
{
    struct telos_msg m;
    u32 w[TELOS_MAX_MRS];
    /* A transaction of the root task's, open throughout: ours may never touch it. */
    w[0] = w[1] = w[2] = 0;
    call(root_ep, PS_BEGIN, 0, w, &m, 0);
    ps_model.foreign = m.mr[0];
    /* Objects that exist, with their lengths, for Gets inside and past their ends. */
    call(ep, PS_LIST, 1, w, &m, 0);
    u32 listed = m.mr[1] < PS_LIST_MAX ? m.mr[1] : PS_LIST_MAX;
    u32 oids[PS_LIST_MAX];
    for (u32 i = 0; i < listed; i++)
        oids[i] = i < 1 ? m.mr[2] : telos_ipc->msg[2 + i];
    for (u32 i = 0; i < listed; i++) {
        u32 g[3] = { oids[i], 0, 0 };
        if (TELOS_MSG_LABEL(call(ep, PS_GET, 1, g, &m, 0)) == PS_OK && m.mr[0] <= PSDISK_MAX_OBJECT_SIZE) {
            ps_model.oids[ps_model.oid_count] = oids[i];
            ps_model.lengths[ps_model.oid_count++] = m.mr[0];
        }
    }
    u32 st[10];
    ps_stat_words(ep, st);
    ps_model.objects = st[0];
    ps_model.tid = st[1];
    ps_model.bytes = st[4];
    ps_model.open = st[8];
    telos_printf("TelOS: malformed: PS holds %u objects (%u bytes) at tid %u, %u transactions open, %u objects to read\n",
                 st[0], st[4], st[1], st[8], ps_model.oid_count);

    for (u32 n = 0; n < count; n++) {
        u32 label, len, kind;
        u32 want = ps_message(&label, &len, w, &kind);
        u32 info = call(ep, label, len, w, &m, receive_slot);
        (*sent)++;
        u32 got = TELOS_MSG_LABEL(info);
        bool ok = got == want;
        if (ok && kind == 9 && got == PS_OK && m.mr[0] != ps_model.lengths[w[2]])
            violation("PS", n, label, len, "Get answered another length", m.mr[0], ps_model.lengths[w[2]]);
        if (ok && label == PS_LIST && m.mr[0] != ps_model.objects)
            violation("PS", n, label, len, "List counted other objects", m.mr[0], ps_model.objects);
        if (TELOS_MSG_EXTRA_CAPS(info) || !slot_is_empty(receive_slot))
            violation("PS", n, label, len, "a capability arrived", TELOS_MSG_EXTRA_CAPS(info), 0);
        if (ok && label == PS_BEGIN) {
            if (ps_model.own_count == OWN_TX) { /* the PS drops our least recently used one */
                u32 oldest = 0;
                for (u32 i = 1; i < OWN_TX; i++)
                    if (ps_model.used[i] < ps_model.used[oldest])
                        oldest = i;
                own_drop(ps_model.own[oldest]);
            }
            ps_model.own[ps_model.own_count] = m.mr[0];
            ps_model.used[ps_model.own_count++] = ++ps_model.uses;
        }
        if (ok && (label == PS_ABORT || label == PS_COMMIT) && kind >= 13)
            own_drop(w[0]);
        *as_expected += ok;
        if (!ok)
            violation("PS", n, label, len, "reply label", got, want);
        /* The invariants: garbage changed nothing in the store. */
        ps_stat_words(ep, st);
        if (label == PS_COMMIT && kind == 14 && ok && (st[1] == ps_model.tid || st[1] == ps_model.tid + 1))
            ps_model.tid = st[1]; /* an empty commit may or may not take a tid */
        if (st[0] != ps_model.objects)
            violation("PS", n, label, len, "object count changed", st[0], ps_model.objects);
        if (st[4] != ps_model.bytes)
            violation("PS", n, label, len, "object bytes changed", st[4], ps_model.bytes);
        if (st[1] != ps_model.tid)
            violation("PS", n, label, len, "last tid changed", st[1], ps_model.tid);
        if (st[8] != 1 + ps_model.own_count)
            violation("PS", n, label, len, "open transactions", st[8], 1 + ps_model.own_count);
    }
    w[0] = ps_model.foreign;
    call(root_ep, PS_ABORT, 1, w, &m, 0);
    for (u32 i = 0; i < ps_model.own_count; i++) {
        w[0] = ps_model.own[i];
        call(ep, PS_ABORT, 1, w, &m, 0);
    }
}

/* --- MMS ------------------------------------------------------------------------------ */

static void fuzz_mms(u32 ep, u32 count, u32 receive_slot, u32 *sent, u32 *as_expected)
{
    struct telos_msg m;
    u32 w[TELOS_MAX_MRS];
    for (u32 n = 0; n < count; n++) {
        fill_random(w, TELOS_MAX_MRS);
        u32 len = rnd() % 20, label, c = rnd() % 5;
        bool any_error = false; /* the exact code is the kernel's or the MMS's choice */
        u32 want = TELOS_EILLEGAL_OPERATION;
        if (c == 0) { /* an operation the protocol does not have */
            label = rnd() & 1 ? 0 : 64 + rnd() % 4000;
        } else if (c == 1) { /* too short */
            label = rnd() & 1 ? MMS_ALLOC : MMS_FREE;
            len = label == MMS_ALLOC ? rnd() % 2 : 0;
        } else if (c == 2) { /* an object type that does not exist */
            label = MMS_ALLOC;
            len = 2 + rnd() % 10;
            w[0] = rnd() & 1 ? 0 : TELOS_OBJ_TYPE_COUNT + rnd() % 1000;
            w[1] = rnd() % 40;
            any_error = true;
        } else if (c == 3) { /* an object larger than any memory */
            label = MMS_ALLOC;
            len = 2 + rnd() % 10;
            w[0] = TELOS_OBJ_CNODE;
            w[1] = TELOS_MAX_CNODE_RADIX + 1 + rnd() % 100;
            any_error = true;
        } else { /* a handle the MMS never gave out */
            label = MMS_FREE;
            len = 1 + rnd() % 10;
            w[0] = rnd() & 1 ? rnd() % 32 : (1u << 16) + rnd();
            any_error = true;
        }
        u32 info = call(ep, label, len, w, &m, receive_slot);
        (*sent)++;
        u32 got = TELOS_MSG_LABEL(info);
        bool ok = any_error ? got != TELOS_OK && got <= TELOS_ENOT_ENOUGH_MEMORY : got == want;
        *as_expected += ok;
        if (!ok)
            violation("MMS", n, label, len, "reply label", got, want);
        if (TELOS_MSG_EXTRA_CAPS(info) || !slot_is_empty(receive_slot)) {
            violation("MMS", n, label, len, "a capability arrived", TELOS_MSG_EXTRA_CAPS(info), 0);
            TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_DELETE, receive_slot);
        }
    }
}

/* --- PMS ------------------------------------------------------------------------------ */

static u32 pms_count(u32 ep)
{
    struct telos_msg m;
    u32 w[3] = { 0, 0, 0 };
    call(ep, PMS_LIST_PROCESSES, 0, w, &m, 0);
    return m.mr[0];
}

static void fuzz_pms(u32 ep, u32 ps, u32 count, u32 receive_slot, u32 *sent, u32 *as_expected)
{
    struct telos_msg m;
    u32 w[TELOS_MAX_MRS], st[10];
    u32 processes = pms_count(ep);
    ps_stat_words(ps, st);
    u32 objects = st[0], tid = st[1];
    for (u32 n = 0; n < count; n++) {
        fill_random(w, TELOS_MAX_MRS);
        /* CreateProcess is rarer: the PMS logs two lines for each. */
        u32 len = rnd() % 20, label, c = rnd() % 16, want = TELOS_EILLEGAL_OPERATION;
        c = c < 6 ? 0 : c < 11 ? 1 : c < 13 ? 2 : 3;
        bool any_error = false;
        if (c == 0) {
            label = rnd() & 1 ? 0 : 64 + rnd() % 4000;
        } else if (c == 1) {
            label = PMS_CREATE_PROCESS;
            len = rnd() % 3;
        } else if (c == 2) { /* an image that does not exist, or no oid to record it at */
            label = PMS_CREATE_PROCESS;
            len = 3 + rnd() % 10;
            bool no_oid = rnd() % 4 == 0;
            w[0] = no_oid ? GENESIS_TEST_PROC_IMAGE : 0x50000000u | (rnd() & 0xFFFFFF);
            w[1] = 0;
            w[2] = no_oid ? 0 : GENESIS_FIRST_FREE + 500 + rnd() % 1000;
            any_error = true;
        } else {
            label = PMS_LIST_PROCESSES;
            want = TELOS_OK;
        }
        u32 info = call(ep, label, len, w, &m, receive_slot);
        (*sent)++;
        u32 got = TELOS_MSG_LABEL(info);
        bool ok = any_error ? got != TELOS_OK && got <= TELOS_ENOT_ENOUGH_MEMORY : got == want;
        if (ok && label == PMS_LIST_PROCESSES && m.mr[0] != processes)
            violation("PMS", n, label, len, "listed processes", m.mr[0], processes);
        *as_expected += ok;
        if (!ok)
            violation("PMS", n, label, len, "reply label", got, want);
        if (TELOS_MSG_EXTRA_CAPS(info) || !slot_is_empty(receive_slot))
            violation("PMS", n, label, len, "a capability arrived", TELOS_MSG_EXTRA_CAPS(info), 0);
        /* A refused CreateProcess leaves no trace: nothing committed, no process. */
        if (label == PMS_CREATE_PROCESS) {
            ps_stat_words(ps, st);
            if (st[0] != objects || st[1] != tid)
                violation("PMS", n, label, len, "the PS changed (objects)", st[0], objects);
            u32 now = pms_count(ep);
            if (now != processes)
                violation("PMS", n, label, len, "process count", now, processes);
        }
    }
}

/* Catches: a server that acknowledges (or crashes on) a message breaking its protocol —
 * an unknown or privileged operation from a client, another client's transaction, a
 * batch or part with a bad oid or length, a selector out of bounds, an object type that
 * does not exist, a handle never given, an image that is not there — or that changes its
 * store, its processes or anyone's capabilities in answering one. */
void test_malformed(void)
{
    start_servers();
    if (!genesis_commit())
        return;
    u32 count = ktest_arg("count=", 3000);
    rng_state = ktest_arg("seed=", 20261201) | 1;
    u32 ps = mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_FUZZ);
    u32 mms = mint_cap(mms_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_FUZZ);
    u32 pms = mint_cap(pms_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, BADGE_FUZZ);
    u32 receive_slot = slot_alloc();
    /* Shares: the PS protocol is the largest; the MMS and PMS log many of their answers. */
    u32 n_ps = count * 8 / 10, n_mms = count / 10, n_pms = count - n_ps - n_mms;
    u32 sent[3] = { 0, 0, 0 }, good[3] = { 0, 0, 0 };
    fuzz_ps(ps, ps_ep, n_ps, receive_slot, &sent[0], &good[0]);
    fuzz_mms(mms, n_mms, receive_slot, &sent[1], &good[1]);
    fuzz_pms(pms, ps, n_pms, receive_slot, &sent[2], &good[2]);
    static const char *const names[] = { "PS", "MMS", "PMS" };
    for (u32 s = 0; s < 3; s++)
        telos_printf("TelOS: malformed: %s: %u messages, %u answered as the protocol says\n", names[s], sent[s], good[s]);
    /* All three still serve real requests. */
    bool ps_ok = genesis_commit();
    u32 pms_ok = pms_create(GENESIS_TEST_PROC_IMAGE, 0, GENESIS_TEST_PROC);
    u32 total = sent[0] + sent[1] + sent[2];
    telos_printf("TelOS: malformed: %u messages, %u violations; the servers %s\n", total, violations,
                 ps_ok && pms_ok == 0 ? "still serve" : "NO LONGER SERVE");
    telos_printf("TelOS: malformed test %s\n",
                 ps_ok && pms_ok == 0 && !violations && total == count ? "passed" : "FAILED");
}
