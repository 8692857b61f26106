/* Persistence Server tests: a commit loop to cut power in (ps-stress), the check after
 * such a cut (ps-verify), the persistence blueprint's benchmark (ps-bench), one test per
 * fault of the format-1 log (ps-full, ps-endless, ps-stall), and selector lookup in the
 * kernel's object model (ps-lookup). */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include "user/ktest/ktest.h"
#include "user/psclient.h"
#include "lib/psobj.h"
#include "lib/format.h"
#include "lib/string.h"

#define STRESS_OBJECTS 8

void test_ps_stress(void)
{
    start_ps();
    u32 stop = ktest_arg("stop=", 0); /* 0: commit until the power goes */
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    for (u32 k = st.last_tid + 1;; k++) {
        u32 tx = tx_begin();
        struct ps_batch b;
        ps_batch_start(&b, tx);
        char text[48];
        for (u32 i = 0; i < STRESS_OBJECTS; i++) {
            format_to(text, sizeof text, "stress value=%u object=%u padding.........", k, i);
            ps_batch_add_blob(&b, 1000 + i, text, strlen(text));
        }
        u32 tid = 0;
        if (ps_batch_put(ps_ep, &b) != PS_OK || ps_commit(ps_ep, tx, &tid) != PS_OK || tid != k) {
            telos_printf("TelOS: ps-stress: commit %u FAILED\n", k);
            return;
        }
        if (k % 10 == 0)
            telos_printf("TelOS: ps-stress: committed tid %u\n", k);
        if (k == stop) {
            telos_printf("TelOS: ps-stress: stopped after tid %u\n", k);
            return;
        }
    }
}

void test_ps_verify(void)
{
    start_ps();
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    u32 objects = st.objects, last_tid = st.last_tid;
    u32 agree = 0;
    char text[64], want[48];
    for (u32 i = 0; i < STRESS_OBJECTS; i++) {
        format_to(want, sizeof want, "stress value=%u object=%u padding.........", last_tid, i);
        u32 len;
        if (ps_get_blob(ps_ep, 1000 + i, text, sizeof text - 1, &len) == PS_OK && len == strlen(want) && !memcmp(text, want, len))
            agree++;
    }
    if (last_tid == 0 ? objects == 0 : agree == STRESS_OBJECTS)
        telos_printf("TelOS: PS verify: consistent at tid %u (%u objects)\n", last_tid, objects);
    else
        telos_printf("TelOS: PS verify: INCONSISTENT at tid %u: %u of %u objects agree\n", last_tid, agree, STRESS_OBJECTS);
}

/* The persistence blueprint's first benchmark: transactions of 1, 16 and 256 objects of
 * 64 B and 4 KiB. The host times the spans between the markers. */
void test_ps_bench(void)
{
    start_ps();
    wait_until_serving(ps_ep);
    static const u32 sizes[2] = { 64, 4096 }, batches[3] = { 1, 16, 256 };
    static const u32 txs[2][3] = { { 40, 10, 4 }, { 20, 4, 2 } };
    static u8 data[4096];
    for (u32 i = 0; i < sizeof data; i++)
        data[i] = (u8)(i * 7 + 1);
    const u32 blob_magic = PSDISK_BLOB_MAGIC; /* 4 KiB objects go as blobs, in parts */
    memcpy(data, &blob_magic, 4);
    /* Two passes: the first warms caches and v86's JIT, only the second is measured. */
    for (u32 pass = 0; pass < 2; pass++)
    for (u32 si = 0; si < 2; si++) {
        for (u32 bi_ = 0; bi_ < 3; bi_++) {
            u32 size = sizes[si], batch = batches[bi_], oid_base = 5000 + si * 1000;
            if (pass)
                telos_printf("TelOS: ps-bench: size=%u batch=%u start\n", size, batch);
            u64 t0 = telos_rdtsc();
            for (u32 t = 0; t < txs[si][bi_]; t++) {
                u32 tx = tx_begin();
                if (size <= 64) {
                    struct ps_batch b;
                    ps_batch_start(&b, tx);
                    for (u32 i = 0; i < batch; i++) {
                        ps_batch_add_blob(&b, oid_base + i, data, size - 4);
                        if (b.count == 6 || i + 1 == batch) {
                            check("bench put", ps_batch_put(ps_ep, &b) ? TELOS_EILLEGAL_OPERATION : 0);
                            ps_batch_start(&b, tx);
                        }
                    }
                } else {
                    for (u32 i = 0; i < batch; i++)
                        for (u32 off = 0; off < size; off += 460) {
                            u32 n = size - off < 460 ? size - off : 460;
                            u32 w[5 + 115];
                            w[0] = tx;
                            w[1] = oid_base + i;
                            w[2] = size;
                            w[3] = off;
                            w[4] = n;
                            memcpy(&w[5], data + off, n);
                            check("bench put part", telos_call_words(ps_ep, PS_PUT_PART, 5 + (n + 3) / 4, w, NULL, NULL) ? TELOS_EILLEGAL_OPERATION : 0);
                        }
                }
                u32 tid;
                check("bench commit", ps_commit(ps_ep, tx, &tid) ? TELOS_EILLEGAL_OPERATION : 0);
            }
            u64 t1 = telos_rdtsc();
            if (pass)
                telos_printf("TelOS: ps-bench: size=%u batch=%u end txs=%u tsc=%llu\n", size, batch, txs[si][bi_],
                             t1 - t0);
        }
    }
}

/* --- PS faults of the format-1 log (each test names the fault it catches) ---------- */

/* Catches: a commit acknowledged although the PS could not apply it (object table or
 * arena full; the apply result ignored). Every acknowledged object must be readable, the
 * PS must say EFULL when it is full, and it must go on serving afterwards. */
void test_ps_full(void)
{
    start_ps();
    static u8 big[PSDISK_MAX_OBJECT_SIZE - 4], back[PSDISK_MAX_OBJECT_SIZE];
    u32 oid = 10000, acknowledged = 0, missing = 0, refusal = PS_OK;
    char text[32];
    /* Small objects, many per transaction, until the PS refuses one. */
    while (oid < 30000 && refusal == PS_OK) {
        u32 tx, first = oid;
        struct ps_batch b;
        if ((refusal = ps_begin(ps_ep, &tx)) != PS_OK)
            break;
        ps_batch_start(&b, tx);
        for (;;) {
            u32 n = format_to(text, sizeof text, "small %u", oid);
            if (!ps_batch_add_blob(&b, oid, text, n))
                break;
            oid++;
        }
        if ((refusal = ps_batch_put(ps_ep, &b)) != PS_OK || (refusal = ps_commit(ps_ep, tx, NULL)) != PS_OK) {
            oid = first;
            break;
        }
        acknowledged += oid - first;
        for (u32 o = first; o < oid; o++) {
            u32 len;
            if (ps_get_blob(ps_ep, o, back, sizeof back, &len) != PS_OK || len != format_to(text, sizeof text, "small %u", o) ||
                memcmp(back, text, len))
                missing++;
        }
    }
    telos_printf("TelOS: ps-full: %u small objects acknowledged, %u of them missing, then %s\n", acknowledged, missing,
                 refusal == PS_EFULL ? "EFULL" : refusal == PS_OK ? "no limit reached" : "another error");
    bool small_ok = missing == 0 && refusal == PS_EFULL;
    /* An acknowledged overwrite still works once the table is full. */
    u32 tx, err = ps_begin(ps_ep, &tx);
    if (!err)
        err = ps_put_blob(ps_ep, tx, 10000, "rewritten", 9);
    if (!err)
        err = ps_commit(ps_ep, tx, NULL);
    u32 len = 0;
    bool after_ok = !err && ps_get_blob(ps_ep, 10000, back, sizeof back, &len) == PS_OK && len == 9 &&
                    !memcmp(back, "rewritten", 9);
    telos_printf("TelOS: ps-full: overwriting an object after the refusal: %s\n", after_ok ? "committed and readable" : "FAILED");

    /* The small objects grown to 4 KiB each until the PS refuses: with the table full, it is
     * the memory for object bytes that runs out. */
    u32 big_ack = 0, big_missing = 0;
    refusal = PS_OK;
    for (u32 round = 0; round < 2000 && refusal == PS_OK; round++) {
        if ((refusal = ps_begin(ps_ep, &tx)) != PS_OK)
            break;
        for (u32 i = 0; i < 8 && refusal == PS_OK; i++) {
            memset(big, (int)(round * 8 + i), sizeof big);
            refusal = ps_put_blob(ps_ep, tx, 10000 + round * 8 + i, big, sizeof big);
        }
        if (refusal == PS_OK)
            refusal = ps_commit(ps_ep, tx, NULL);
        else
            ps_abort(ps_ep, tx);
        if (refusal != PS_OK)
            break;
        big_ack += 8;
        for (u32 i = 0; i < 8; i++) {
            u32 o = 10000 + round * 8 + i;
            if (ps_get_blob(ps_ep, o, back, sizeof back, &len) != PS_OK || len != sizeof big ||
                back[0] != (u8)(round * 8 + i) || back[sizeof big - 1] != (u8)(round * 8 + i))
                big_missing++;
        }
    }
    telos_printf("TelOS: ps-full: %u objects of 4 KiB acknowledged, %u of them missing, then %s\n", big_ack, big_missing,
                 refusal == PS_EFULL ? "EFULL" : refusal == PS_OK ? "no limit reached" : "another error");
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    telos_printf("TelOS: ps-full: the PS holds %u objects at tid %u\n", st.objects, st.last_tid);
    telos_printf("TelOS: ps-full test %s\n",
                 small_ok && after_ok && big_missing == 0 && refusal == PS_EFULL ? "passed" : "FAILED");
}

#define ENDLESS_OBJECTS 10
#define ENDLESS_SIZE 400

static u32 endless_value(u8 *out, u32 k, u32 i)
{
    memset(out, '.', ENDLESS_SIZE);
    format_to((char *)out, ENDLESS_SIZE, "endless value=%u object=%u ", k, i);
    out[strlen((char *)out)] = '.';
    return ENDLESS_SIZE;
}

/* Catches: a log that only grows, so ordinary use fills the disk. The same ten objects
 * are rewritten in many more transactions than the disk can hold side by side. */
void test_ps_endless(void)
{
    start_ps();
    u32 count = ktest_arg("count=", 3000);
    static u8 value[ENDLESS_SIZE], back[ENDLESS_SIZE];
    struct ps_stat st;
    ps_stat(ps_ep, &st);
    u32 first = st.last_tid + 1, done = 0, err = PS_OK, wrong = 0;
    for (u32 k = first; done < count; k++, done++) {
        u32 tx, tid = 0;
        if ((err = ps_begin(ps_ep, &tx)) != PS_OK)
            break;
        for (u32 i = 0; i < ENDLESS_OBJECTS && !err; i++) {
            endless_value(value, k, i);
            err = ps_put_blob(ps_ep, tx, 2000 + i, value, ENDLESS_SIZE);
        }
        if (!err)
            err = ps_commit(ps_ep, tx, &tid);
        if (err) {
            telos_printf("TelOS: ps-endless: commit %u of %u failed (status %u)\n", done + 1, count, err);
            break;
        }
        if (done % 100 == 99) {
            u32 len;
            for (u32 i = 0; i < ENDLESS_OBJECTS; i++)
                if (ps_get_blob(ps_ep, 2000 + i, back, sizeof back, &len) != PS_OK || len != ENDLESS_SIZE ||
                    memcmp(back, (endless_value(value, k, i), value), ENDLESS_SIZE))
                    wrong++;
            ps_stat(ps_ep, &st);
            telos_printf("TelOS: ps-endless: %u transactions, log end at sector %u\n", done + 1, st.log_end);
        }
    }
    telos_printf("TelOS: ps-endless: %u of %u transactions of %u x %u bytes committed, %u wrong values read back\n", done,
                 count, ENDLESS_OBJECTS, ENDLESS_SIZE, wrong);
    telos_printf("TelOS: ps-endless test %s\n", done == count && !err && !wrong ? "passed" : "FAILED");
}


/* Catches: one client's open transaction blocking every other writer and Shutdown. */
void test_ps_stall(void)
{
    start_ps();
    u32 report = object_alloc(TELOS_OBJ_ENDPOINT, 0);
    u32 staller_ps = mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, 0x77);
    struct cap_grant caps[] = { { staller_ps, CHILD_SLOT_ARG0, TELOS_RIGHTS_ALL }, { report, CHILD_SLOT_ARG1, TELOS_RIGHTS_ALL } };
    spawn("ps-staller", ROLE_PS_STALLER, 0, 100, 0, caps, 2);
    struct telos_msg m;
    recv_label(report, &m);
    telos_reply(TELOS_MSG_INFO(0, 0, 0), &m);
    telos_printf("TelOS: ps-stall: another client began a transaction and stalled (status %u)\n", m.mr[0]);
    u32 tx = 0, tid = 0;
    u32 begin = ps_begin(ps_ep, &tx);
    u32 put = begin ? begin : ps_put_blob(ps_ep, tx, 3001, "not blocked", 11);
    u32 commit = put ? put : ps_commit(ps_ep, tx, &tid);
    u32 r[TELOS_MAX_MRS], n;
    u32 shutdown = telos_call_words(ps_ep, PS_SHUTDOWN, 0, NULL, r, &n);
    u32 after = ps_begin(ps_ep, &tx);
    telos_printf("TelOS: ps-stall: our begin %u, commit %u, shutdown %u, begin after shutdown %u\n", begin, commit, shutdown,
                 after);
    telos_printf("TelOS: ps-stall test %s\n",
                 m.mr[0] == PS_OK && begin == PS_OK && commit == PS_OK && shutdown == PS_OK && after == PS_ESHUT_DOWN
                     ? "passed" : "FAILED");
}

/* Selector lookup in the kernel's object model (lib/psobj.c, answering PS_LOOKUP) on
 * objects the host wrote: the query objects at QUERY_FIRST.. hold one data slot per send,
 * a list (receiver ref, selector string); the host compares the answers with the World's
 * (src/world/lookup-cases.ts). */
#define QUERY_FIRST 1990
#define QUERY_LAST  1999

void test_ps_lookup(void)
{
    start_ps();
    static u8 obj[PSDISK_MAX_OBJECT_SIZE];
    static const char *const results[] = { "found", "MessageNotUnderstood", "TraitConflict", "AmbiguousSend", "broken" };
    u32 sends = 0;
    for (u32 q = QUERY_FIRST; q <= QUERY_LAST; q++) {
        u32 len;
        struct psobj o;
        if (ps_get(ps_ep, q, obj, sizeof obj, &len) != PS_OK || !psobj_parse(obj, len, &o) || o.blob)
            break;
        struct psobj_slot s;
        for (u32 c = 0; psobj_next_slot(&o, &c, &s);) {
            /* [ref receiver, string selector] */
            const u8 *v = s.value;
            u32 receiver, n;
            if (s.kind != PSDISK_SLOT_DATA || v[0] != PSDISK_VAL_LIST || v[3] != PSDISK_VAL_REF || v[8] != PSDISK_VAL_STRING)
                continue;
            memcpy(&receiver, v + 4, 4);
            n = v[9] | ((u32)v[10] << 8);
            char selector[PSDISK_MAX_NAME + 1], name[PSDISK_MAX_NAME + 1];
            memcpy(selector, v + 11, n < PSDISK_MAX_NAME ? n : PSDISK_MAX_NAME);
            selector[n < PSDISK_MAX_NAME ? n : PSDISK_MAX_NAME] = 0;
            memcpy(name, s.name, s.name_length);
            name[s.name_length] = 0;
            struct ps_lookup_result r;
            u32 err = ps_lookup(ps_ep, receiver, selector, &r);
            telos_printf("TelOS: ps-lookup %s: %s holder %u slot %s at %u trait %u other %u\n", name,
                         err ? "refused" : r.result < 5 ? results[r.result] : "?", r.holder, r.slot[0] ? r.slot : "-", r.at,
                         r.trait, r.other);
            sends++;
        }
    }
    /* And sends named on the command line: sends=OID:SELECTOR,OID:SELECTOR,... */
    const char *p = strstr(bi->cmdline, "sends=");
    for (p = p ? p + 6 : NULL; p && *p && *p != ' ';) {
        u32 receiver = 0, n = 0;
        char selector[PSDISK_MAX_NAME + 1];
        while (*p >= '0' && *p <= '9')
            receiver = receiver * 10 + (u32)(*p++ - '0');
        if (*p++ != ':')
            break;
        while (*p && *p != ',' && *p != ' ' && n < PSDISK_MAX_NAME)
            selector[n++] = *p++;
        selector[n] = 0;
        if (*p == ',')
            p++;
        struct ps_lookup_result r;
        u32 err = ps_lookup(ps_ep, receiver, selector, &r);
        telos_printf("TelOS: ps-lookup %u:%s: %s holder %u slot %s at %u trait %u other %u\n", receiver, selector,
                     err ? "refused" : r.result < 5 ? results[r.result] : "?", r.holder, r.slot[0] ? r.slot : "-", r.at,
                     r.trait, r.other);
        sends++;
    }
    telos_printf("TelOS: ps-lookup: %u sends looked up\n", sends);
}

/* Transactions side by side (optimistic concurrency), driven from here through PS caps
 * with different badges, each a client to the PS: disjoint writes both commit; the second
 * writer of an object, or a reader of one that changed, gets ECONFLICT with nothing
 * written; a client cannot touch another's transaction; a fifth Begin of one client aborts
 * its oldest; when every slot is taken the newcomer waits for nobody: EBUSY until a
 * transaction has been idle long enough, then that one is reclaimed; Shutdown aborts all. */
void test_ps_concurrent(void)
{
    start_ps();
    u32 c[20];
    for (u32 i = 0; i < 20; i++)
        c[i] = mint_cap(ps_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, 0x100 + i);
    u32 a = c[0], b = c[1], t1, t2, tid, len, serial;
    u32 ok = 0, checks = 0;
    u8 buf[64];
#define EXPECT(what, cond)                                                                      \
    do {                                                                                        \
        checks++;                                                                               \
        if (cond)                                                                               \
            ok++;                                                                               \
        else                                                                                    \
            telos_printf("TelOS: ps-concurrent: %s FAILED\n", what);                            \
    } while (0)

    /* Disjoint writes in interleaved transactions both commit. */
    ps_begin(a, &t1);
    ps_begin(b, &t2);
    EXPECT("disjoint put a", ps_put_blob(a, t1, 4001, "a1", 2) == PS_OK);
    EXPECT("disjoint put b", ps_put_blob(b, t2, 4002, "b1", 2) == PS_OK);
    EXPECT("disjoint commit b", ps_commit(b, t2, &tid) == PS_OK);
    EXPECT("disjoint commit a", ps_commit(a, t1, &tid) == PS_OK);
    /* Two writers of one object: the first to commit wins, the second writes nothing. */
    ps_begin(a, &t1);
    ps_begin(b, &t2);
    ps_put_blob(a, t1, 4001, "a2", 2);
    ps_put_blob(b, t2, 4001, "b2", 2);
    ps_put_blob(b, t2, 4009, "b2", 2);
    EXPECT("first writer commits", ps_commit(a, t1, &tid) == PS_OK);
    EXPECT("second writer conflicts", ps_commit(b, t2, &tid) == PS_ECONFLICT);
    EXPECT("the winner's value", ps_get_blob(a, 4001, buf, sizeof buf, &len) == PS_OK && len == 2 && !memcmp(buf, "a2", 2));
    EXPECT("nothing of the loser", ps_get_blob(a, 4009, buf, sizeof buf, &len) == PS_ENOT_FOUND);
    /* A read in a transaction joins its read set: a change by another client conflicts. */
    ps_begin(a, &t1);
    EXPECT("read in transaction", ps_get_tx(a, t1, 4002, buf, sizeof buf, &len, &serial) == PS_OK && serial > 0);
    ps_begin(b, &t2);
    ps_put_blob(b, t2, 4002, "b3", 2);
    EXPECT("the other commits", ps_commit(b, t2, &tid) == PS_OK);
    ps_put_blob(a, t1, 4003, "a3", 2);
    EXPECT("a stale read conflicts", ps_commit(a, t1, &tid) == PS_ECONFLICT);
    /* Reading an object nobody has is remembered too: someone creating it conflicts. */
    ps_begin(a, &t1);
    EXPECT("read of a missing object", ps_get_tx(a, t1, 4004, buf, sizeof buf, &len, NULL) == PS_ENOT_FOUND);
    ps_begin(b, &t2);
    ps_put_blob(b, t2, 4004, "b4", 2);
    ps_commit(b, t2, &tid);
    ps_put_blob(a, t1, 4005, "a5", 2);
    EXPECT("a phantom conflicts", ps_commit(a, t1, &tid) == PS_ECONFLICT);
    /* A transaction belongs to its client. */
    ps_begin(a, &t1);
    EXPECT("another client's put refused", ps_put_blob(b, t1, 4006, "b", 1) == PS_EBAD_TX);
    EXPECT("another client's commit refused", ps_commit(b, t1, &tid) == PS_EBAD_TX);
    EXPECT("the owner still commits", ps_commit(a, t1, &tid) == PS_OK);
    /* At most four at once per client: a fifth Begin aborts the oldest. */
    u32 mine[5];
    for (u32 i = 0; i < 5; i++)
        ps_begin(a, &mine[i]);
    EXPECT("the oldest of five is gone", ps_commit(a, mine[0], &tid) == PS_EBAD_TX);
    EXPECT("the newest commits", ps_commit(a, mine[4], &tid) == PS_OK);
    for (u32 i = 1; i < 4; i++)
        ps_abort(a, mine[i]);
    /* Every slot taken by stalled clients: no waiting, EBUSY, until one has been idle for
     * long enough; then the one idle longest goes. */
    u32 held[16];
    for (u32 i = 0; i < 16; i++)
        ps_begin(c[2 + (i % 16)], &held[i]);
    u32 t;
    EXPECT("a full table answers EBUSY", ps_begin(c[18], &t) == PS_EBUSY);
    struct ps_stat st;
    for (u32 i = 0; i < 70; i++)
        ps_stat(a, &st); /* time passes: requests served */
    EXPECT("then a slot is reclaimed", ps_begin(c[18], &t) == PS_OK);
    EXPECT("from the one idle longest", ps_commit(c[2], held[0], &tid) == PS_EBAD_TX);
    EXPECT("the others are untouched", ps_put_blob(c[3], held[1], 4007, "x", 1) == PS_OK);
    /* Shutdown, with all of them open, is not blocked and aborts them. */
    u32 r[TELOS_MAX_MRS], n;
    EXPECT("shutdown answers", telos_call_words(ps_ep, PS_SHUTDOWN, 0, NULL, r, &n) == PS_OK);
    EXPECT("open ones were aborted", ps_commit(c[3], held[1], &tid) == PS_EBAD_TX);
    telos_printf("TelOS: ps-concurrent: %u of %u checks\n", ok, checks);
    telos_printf("TelOS: ps-concurrent test %s\n", ok == checks ? "passed" : "FAILED");
#undef EXPECT
}
