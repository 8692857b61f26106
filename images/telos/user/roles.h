/* The roles the worker program can play, chosen by the root task when it starts one
 * (EAX at entry), and the badges the tests use. */
#ifndef TELOS_USER_ROLES_H
#define TELOS_USER_ROLES_H

#define ROLE_ECHO_SERVER   1
#define ROLE_CLIENT        2
#define ROLE_CAP_RECEIVER  3
#define ROLE_TICKER        4
#define ROLE_FAULT         5
#define ROLE_HOSTILE       6
#define ROLE_WATCHDOG      7
#define ROLE_BENCH_SERVER  8
#define ROLE_BENCH_CLIENT  9
#define ROLE_REVOKEE       10
#define ROLE_CALL_ONCE     11
#define ROLE_PORT_USER     12   /* arg 1: binds its IOPort cap (ARG0) first; reports on ARG1 */
#define PORT_USER_REPORT   40   /* label of its reports */
#define ROLE_RO_BUFFER     13   /* its IPC buffer capability is read-only: what does the kernel write? */
#define ROLE_REG_SERVER    14   /* echoes the registers it received; reports what stayed its own */
#define ROLE_NOREAD_SERVER 15   /* ReplyRecv on an endpoint capability without Read */
#define ROLE_CALLER        16   /* one Call on ARG0, then reports on ARG1 that a reply came */
#define ROLE_SENTINEL      17   /* one blocking Send (label SENTINEL_LABEL, MR0 = arg) on ARG0 */
#define SENTINEL_LABEL     99
#define ROLE_SIGNALLER     18   /* signals the notification in ARG0 now and then, for ever: a clock */
#define CALLER_GOT_REPLY   0xCA11
#define ROLE_PS_STALLER    19   /* begins a PS transaction (PS in ARG0), stages one object, reports on ARG1, stops */
#define ROLE_SYSFUZZ       20   /* the syscall fuzzer (user/sysfuzz.c): arg = syscalls to make */
#define ROLE_MEM_WRITER    21   /* writes MEM_WRITER_MARK at address arg, then Sends what it reads there on ARG0 */
#define MEM_WRITER_MARK    0x5A5A5A5Au
#define ROLE_CALL_TWICE    22   /* Calls ARG0 (label 9), then ARG1 (label 10); Sends both reply labels on ARG2 */
#define ROLE_TWICE_REPLIER 23   /* receives a Call on ARG0, replies 5; after a signal on ARG1 replies 6 again; signals ARG2 */
/* The syscall fuzzer's supervisor (user/ktest/fuzzsys.c): its faults arrive with badge
 * SYSFUZZ_FAULT; on SYSFUZZ_REPORT it asks for the last fault (QUERY), a scan of its
 * CNode (CHECK) and ends (DONE: MR0 syscalls, MR1 violations, MR2 faults). */
#define SYSFUZZ_FAULT  0x1
#define SYSFUZZ_REPORT 0x2
#define SYSFUZZ_QUERY  1
#define SYSFUZZ_CHECK  2
#define SYSFUZZ_DONE   3

/* ROLE_FAULT kinds (the argument). */
#define FAULT_PAGE         1
#define FAULT_GP           2
#define FAULT_UD           3
#define FAULT_DE           4
#define FAULT_BAD_SYSCALL  5
#define FAULT_BAD_CAP      6
#define FAULT_RIGHTS       7
#define FAULT_FORGED_CPTR  8
#define FAULT_CONSOLE_INPUT 9   /* GETCHAR without the COM1 input capability */
#define FAULT_HALT         10   /* the halt syscall without the IRQ control capability */
#define FAULT_KIND_COUNT   10

#define BADGE_HOSTILE_FAULT  0x1
#define BADGE_HOSTILE_REPORT 0x2
#define BADGE_WATCHDOG       0x3

#define HOSTILE_REPORT_EVERY 25

/* ROLE_REG_SERVER labels: echo (reply: length, MR0..MR2 as received), empty reply (length 0,
 * its own registers left as they were), count (reply: messages received). */
#define REG_ECHO   1
#define REG_EMPTY  2
#define REG_COUNT  3
#define REG_SENTINEL(i) (0x5E5E0000u | (i))

#endif
