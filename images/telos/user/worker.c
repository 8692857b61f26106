/* The worker program: every process the root task starts in the kernel tests runs this
 * image in its own address space, in the role the root task picked. */
#include <telos/ps.h>
#include "user/telos.h"
#include "user/psclient.h"
#include "user/roles.h"
#include "lib/string.h"

static void echo_server(void)
{
    u32 seen[8] = { 0 };
    struct telos_msg m;
    memset(&m, 0, sizeof m);
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        u32 len = TELOS_MSG_LENGTH(info);
        u32 sum = 0;
        for (u32 i = 0; i < len; i++)
            sum += i < TELOS_FAST_MRS ? m.mr[i] : telos_ipc->msg[i];
        bool known = false;
        for (u32 i = 0; i < 8; i++)
            if (seen[i] == m.badge)
                known = true;
        if (!known) {
            for (u32 i = 0; i < 8; i++)
                if (!seen[i]) {
                    seen[i] = m.badge;
                    break;
                }
            telos_printf("TelOS: echo server: first call from badge %x\n", m.badge);
        }
        u32 label = TELOS_MSG_LABEL(info);
        m.mr[0] = sum;
        m.mr[1] = m.badge;
        m.mr[2] = len;
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(label + 1, 0, 3), &m);
    }
}

static void client(u32 badge)
{
    u32 ok = 0;
    for (u32 i = 0; i < 100; i++) {
        struct telos_msg m = { { i, 2 * i, 3 }, 0 };
        u32 info = telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(7, 0, 3), &m);
        if (TELOS_MSG_LABEL(info) == 8 && m.mr[0] == 3 * i + 3 && m.mr[1] == badge && m.mr[2] == 3)
            ok++;
    }
    /* A long message: 40 words, 37 of them through the IPC buffers. */
    struct telos_msg m = { { 1, 2, 3 }, 0 };
    u32 expect = 6;
    for (u32 i = 3; i < 40; i++) {
        telos_ipc->msg[i] = i * 1000;
        expect += i * 1000;
    }
    u32 info = telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(20, 0, 40), &m);
    bool long_ok = TELOS_MSG_LABEL(info) == 21 && m.mr[0] == expect && m.mr[2] == 40;
    telos_printf("TelOS: client badge %x: %u/100 calls answered correctly, long message %s\n", badge, ok,
                 long_ok ? "ok" : "CORRUPTED");
    struct telos_msg done = { { ok == 100 && long_ok, badge, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 2), &done);
}

static void cap_receiver(void)
{
    telos_ipc->receive_index = CHILD_SLOT_RECEIVE;
    for (u32 round = 0; round < 2; round++) {
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
        u32 caps = TELOS_MSG_EXTRA_CAPS(info);
        telos_printf("TelOS: receiver: message %u carried %u capability\n", round + 1, caps);
        if (caps) {
            /* Use what we were given: signal the notification in the receive slot. */
            struct telos_msg s = { { 0, 0, 0 }, 0 };
            telos_send(CHILD_SLOT_RECEIVE, 0, &s);
        }
        m.mr[0] = caps;
        telos_reply(TELOS_MSG_INFO(0, 0, 1), &m);
    }
}

static void spin(u32 n)
{
    for (volatile u32 i = 0; i < n; i++)
        ;
}

static void ticker(void)
{
    for (u32 tick = 1;; tick++) {
        spin(20000);
        telos_printf("TelOS: ticker: still running (tick %u)\n", tick);
        struct telos_msg m = { { tick, 0, 0 }, 0 };
        telos_send(CHILD_SLOT_ARG0, TELOS_MSG_INFO(1, 0, 1), &m);
    }
}

static void fault(u32 kind)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    switch (kind) {
    case FAULT_PAGE:
        *(volatile u32 *)0x00100000 = 1; /* the kernel window: supervisor only */
        break;
    case FAULT_GP:
        __asm__ volatile("cli");
        break;
    case FAULT_UD:
        __asm__ volatile("ud2");
        break;
    case FAULT_DE: {
        volatile u32 zero = 0;
        volatile u32 x = 10 / zero;
        (void)x;
        break;
    }
    case FAULT_BAD_SYSCALL:
        telos_syscall(99, 0, 0, &m);
        break;
    case FAULT_BAD_CAP:
        telos_call(77, 0, &m); /* an empty slot */
        break;
    case FAULT_RIGHTS:
        telos_send(CHILD_SLOT_ARG0, 0, &m); /* a receive-only endpoint capability */
        break;
    case FAULT_FORGED_CPTR:
        telos_call(0x7FFFFFF0, 0, &m); /* far outside the CNode */
        break;
    case FAULT_CONSOLE_INPUT:
        telos_syscall(TELOS_SYS_DEBUG_GETCHAR, 0, 0, &m); /* slot 0: no COM1 input capability */
        break;
    case FAULT_HALT:
        telos_syscall(TELOS_SYS_DEBUG_EXIT, CHILD_SLOT_TCB, 0, &m); /* a TCB, not IRQ control */
        break;
    }
    telos_printf("TelOS: fault kind %u did not fault!\n", kind);
}

/* Random syscalls with random arguments, biased towards small numbers so that real
 * objects are hit; reports progress on a slot outside its random range. */
static u32 rng_state;
static u32 rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static u32 rnd_arg(void)
{
    u32 r = rnd();
    switch (r & 3) {
    case 0: return rnd();
    case 1: return r >> 27;            /* 0..31 */
    case 2: return (r >> 24) & 63;
    default: return (r >> 20) & 0xFFF;
    }
}

static void hostile(u32 seed)
{
    rng_state = seed * 2654435761u + 1;
    for (u32 n = 1;; n++) {
        u32 sys = rnd() % 24;
        u32 cptr = rnd() % 48;
        if (cptr == CHILD_SLOT_REPORT)
            cptr = 0;
        u32 info = rnd();
        if (rnd() & 1)
            info = TELOS_MSG_INFO(rnd() % 20, rnd() % 4, rnd() % 10);
        for (u32 i = 3; i < 12; i++)
            telos_ipc->msg[i] = rnd_arg();
        telos_ipc->caps_or_badges[0] = rnd() % 48;
        telos_ipc->receive_index = rnd() % 48;
        if (telos_ipc->receive_index == CHILD_SLOT_REPORT)
            telos_ipc->receive_index = 0;
        struct telos_msg m = { { rnd_arg(), rnd_arg(), rnd_arg() }, 0 };
        if (sys == TELOS_SYS_DEBUG_WRITE || sys == TELOS_SYS_DEBUG_PUTCHAR)
            sys = TELOS_SYS_YIELD; /* keep the console readable */
        telos_syscall(sys, cptr, info, &m);
        if (n % HOSTILE_REPORT_EVERY == 0) {
            struct telos_msg r = { { n, seed, 0 }, 0 };
            telos_call(CHILD_SLOT_REPORT, TELOS_MSG_INFO(1, 0, 2), &r);
        }
    }
}

static void watchdog(void)
{
    for (;;) {
        u64 start = telos_rdtsc();
        while (telos_rdtsc() - start < 5000000ull) /* ~5 ms on a 1 GHz TSC */
            telos_yield();
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_send(CHILD_SLOT_ARG0, TELOS_MSG_INFO(1, 0, 0), &m);
    }
}

static void bench_server(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;)
        telos_reply_recv(CHILD_SLOT_ARG0, 0, &m);
}

#define BENCH_ITERATIONS 100000u

static void bench_client(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    for (u32 i = 0; i < 2000; i++) { /* warm up caches, TLB and v86's JIT */
        telos_null_syscall();
        telos_call(CHILD_SLOT_ARG0, 0, &m);
    }
    u64 t0 = telos_rdtsc(), t1 = telos_rdtsc();
    u64 overhead = t1 - t0;
    telos_print("TelOS: bench: null syscall start\n");
    t0 = telos_rdtsc();
    for (u32 i = 0; i < BENCH_ITERATIONS; i++)
        telos_null_syscall();
    t1 = telos_rdtsc();
    telos_print("TelOS: bench: null syscall end\n");
    u64 null_total = t1 - t0 - overhead;
    telos_print("TelOS: bench: ipc start\n");
    t0 = telos_rdtsc();
    for (u32 i = 0; i < BENCH_ITERATIONS; i++)
        telos_call(CHILD_SLOT_ARG0, 0, &m);
    t1 = telos_rdtsc();
    telos_print("TelOS: bench: ipc end\n");
    u64 ipc_total = t1 - t0 - overhead;
    /* One-way latency as sel4bench takes it: counter before Call, counter after the
     * server's receive returns (here the server's reply brings it back: half of it). */
    telos_printf("TelOS: bench: %u iterations, tsc null=%llu ipc=%llu overhead=%llu\n", BENCH_ITERATIONS, null_total,
                 ipc_total, overhead);
    struct telos_msg done = { { 1, 0, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 1), &done);
}

static void revokee(void)
{
    for (u32 i = 0;; i++) {
        struct telos_msg m = { { i, 0, 0 }, 0 };
        telos_syscall(TELOS_SYS_NB_SEND, CHILD_SLOT_ARG0, TELOS_MSG_INFO(1, 0, 1), &m);
        telos_yield();
    }
}

/* One Call, then report what came back (arg names the caller in the log). */
static void call_once(u32 who)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(9, 0, 0), &m);
    telos_printf("TelOS: caller %u: reply label %u\n", who, TELOS_MSG_LABEL(info));
    struct telos_msg done = { { who, 0, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 1), &done);
}

static void call_twice(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 first = TELOS_MSG_LABEL(telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(9, 0, 0), &m));
    m = (struct telos_msg){ { 0, 0, 0 }, 0 };
    u32 second = TELOS_MSG_LABEL(telos_call(CHILD_SLOT_ARG1, TELOS_MSG_INFO(10, 0, 0), &m));
    struct telos_msg done = { { first, second, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG2, TELOS_MSG_INFO(1, 0, 2), &done);
}

/* Replies to one Call, then (told by a signal, which is no endpoint receive) replies again:
 * with a reply capability spent by the first Reply, the second goes nowhere. */
static void twice_replier(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_recv(CHILD_SLOT_ARG0, &m);
    telos_reply(TELOS_MSG_INFO(5, 0, 0), &m);
    telos_recv(CHILD_SLOT_ARG1, &m);
    m = (struct telos_msg){ { 0, 0, 0 }, 0 };
    telos_reply(TELOS_MSG_INFO(6, 0, 0), &m);
    telos_send(CHILD_SLOT_ARG2, 0, &m);
    telos_recv(CHILD_SLOT_ARG1, &m);
}

/* Direct port access: binds the IOPort capability in ARG0 (when `bind`), reads the ATA
 * status port itself and reports; after the root task's reply it reads the port again,
 * which must now raise #GP (a fault message to the root task). */
static u32 status_port(void)
{
    u8 v;
    __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((u16)0x1F7));
    return v;
}

static void port_user(u32 bind)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    if (bind) {
        m.mr[0] = TELOS_INVOKE(CHILD_SLOT_ARG0, TELOS_IO_PORT_BIND, 0);
        m.mr[1] = status_port();
        telos_call(CHILD_SLOT_ARG1, TELOS_MSG_INFO(PORT_USER_REPORT, 0, 2), &m);
    }
    m.mr[0] = status_port();
    m.mr[1] = 0xD1D; /* "did not fault" */
    telos_call(CHILD_SLOT_ARG1, TELOS_MSG_INFO(PORT_USER_REPORT, 0, 2), &m);
}

/* Its IPC buffer capability is read-only (the root task reconfigured the TCB): a reply
 * to its Call and a message it receives must come without the buffer's words, which
 * keep the marks written here. Reports (reply length, message length, marks intact). */
#define RO_MARKS 10
static u32 marks_intact(void)
{
    u32 n = 0;
    for (u32 i = 0; i < RO_MARKS; i++)
        n += telos_ipc->msg[3 + i] == (0xB0B00000u | i);
    return n;
}

static void set_marks(void)
{
    for (u32 i = 0; i < RO_MARKS; i++)
        telos_ipc->msg[3 + i] = 0xB0B00000u | i;
}

static void ro_buffer(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    set_marks();
    u32 reply_len = TELOS_MSG_LENGTH(telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(1, 0, 0), &m));
    u32 reply_marks = marks_intact();
    set_marks();
    memset(&m, 0, sizeof m);
    u32 recv_len = TELOS_MSG_LENGTH(telos_recv(CHILD_SLOT_ARG0, &m));
    u32 recv_marks = marks_intact();
    struct telos_msg r = { { reply_len | recv_len << 8, reply_marks | recv_marks << 8, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 2), &r);
}

/* Receives with its own marks in every message register, so a register the sender did
 * not send shows the mark. REG_ECHO answers (length, MR0, MR1, MR2); REG_EMPTY answers
 * with length 0 and its marks in the registers, through ReplyRecv. */
static void reg_server(void)
{
    u32 count = 0;
    struct telos_msg m = { { REG_SENTINEL(0), REG_SENTINEL(1), REG_SENTINEL(2) }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG0, &m);
    for (;;) {
        count++;
        u32 label = TELOS_MSG_LABEL(info);
        if (label == REG_ECHO) {
            telos_ipc->msg[3] = m.mr[2];
            m.mr[2] = m.mr[1];
            m.mr[1] = m.mr[0];
            m.mr[0] = TELOS_MSG_LENGTH(info);
            telos_reply(TELOS_MSG_INFO(0, 0, 4), &m);
            m = (struct telos_msg){ { REG_SENTINEL(0), REG_SENTINEL(1), REG_SENTINEL(2) }, 0 };
            info = telos_recv(CHILD_SLOT_ARG0, &m);
            continue;
        }
        if (label == REG_COUNT) {
            m.mr[0] = count;
            telos_reply(TELOS_MSG_INFO(0, 0, 1), &m);
            m = (struct telos_msg){ { REG_SENTINEL(0), REG_SENTINEL(1), REG_SENTINEL(2) }, 0 };
            info = telos_recv(CHILD_SLOT_ARG0, &m);
            continue;
        }
        m = (struct telos_msg){ { REG_SENTINEL(0), REG_SENTINEL(1), REG_SENTINEL(2) }, 0 };
        info = telos_reply_recv(CHILD_SLOT_ARG0, TELOS_MSG_INFO(0, 0, 0), &m);
    }
}

/* Receives on ARG0 (all rights), then answers with ReplyRecv on ARG1, a capability to the
 * same endpoint without Read: the reply goes, the receive is a capability fault. */
static void noread_server(void)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_recv(CHILD_SLOT_ARG0, &m);
    telos_reply_recv(CHILD_SLOT_ARG1, TELOS_MSG_INFO(7, 0, 0), &m);
    telos_print("TelOS: noread server: received without the Read right!\n");
}

static void caller(u32 arg)
{
    struct telos_msg m = { { arg, 0, 0 }, 0 };
    u32 info = telos_call(CHILD_SLOT_ARG0, TELOS_MSG_INFO(5, 0, 1), &m);
    struct telos_msg r = { { CALLER_GOT_REPLY, TELOS_MSG_LABEL(info), arg }, 0 };
    telos_send(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 3), &r);
}

static void signaller(void)
{
    for (;;) {
        spin(200000);
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_send(CHILD_SLOT_ARG0, 0, &m);
    }
}

static void sentinel(u32 arg)
{
    struct telos_msg m = { { arg, 0, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG0, TELOS_MSG_INFO(SENTINEL_LABEL, 0, 1), &m);
}

static void mem_writer(u32 vaddr)
{
    volatile u32 *word = (volatile u32 *)vaddr;
    *word = MEM_WRITER_MARK;
    struct telos_msg m = { { *word, 0, 0 }, 0 };
    telos_send(CHILD_SLOT_ARG0, TELOS_MSG_INFO(SENTINEL_LABEL, 0, 1), &m);
}

/* A PS client that stalls with its transaction open: it never commits, aborts or exits. */
static void ps_staller(void)
{
    u32 tx = 0;
    u32 err = ps_begin(CHILD_SLOT_ARG0, &tx);
    if (!err)
        err = ps_put_blob(CHILD_SLOT_ARG0, tx, 3000, "stalled", 7);
    struct telos_msg m = { { err, tx, 0 }, 0 };
    telos_call(CHILD_SLOT_ARG1, TELOS_MSG_INFO(1, 0, 2), &m);
    telos_exit();
}

void sysfuzz(u32 count, u32 seed); /* user/sysfuzz.c */

int main(u32 role, u32 arg)
{
    switch (role) {
    case ROLE_ECHO_SERVER: echo_server(); break;
    case ROLE_CLIENT: client(arg); break;
    case ROLE_CAP_RECEIVER: cap_receiver(); break;
    case ROLE_TICKER: ticker(); break;
    case ROLE_FAULT: fault(arg); break;
    case ROLE_HOSTILE: hostile(arg); break;
    case ROLE_WATCHDOG: watchdog(); break;
    case ROLE_BENCH_SERVER: bench_server(); break;
    case ROLE_BENCH_CLIENT: bench_client(); break;
    case ROLE_REVOKEE: revokee(); break;
    case ROLE_CALL_ONCE: call_once(arg); break;
    case ROLE_PORT_USER: port_user(arg); break;
    case ROLE_RO_BUFFER: ro_buffer(); break;
    case ROLE_REG_SERVER: reg_server(); break;
    case ROLE_NOREAD_SERVER: noread_server(); break;
    case ROLE_CALLER: caller(arg); break;
    case ROLE_SENTINEL: sentinel(arg); break;
    case ROLE_SIGNALLER: signaller(); break;
    case ROLE_PS_STALLER: ps_staller(); break;
    case ROLE_SYSFUZZ: sysfuzz(arg, arg * 2654435761u + 12345u); break;
    case ROLE_MEM_WRITER: mem_writer(arg); break;
    case ROLE_CALL_TWICE: call_twice(); break;
    case ROLE_TWICE_REPLIER: twice_replier(); break;
    default: telos_printf("TelOS: worker: unknown role %u\n", role); break;
    }
    return 0;
}
