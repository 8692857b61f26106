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

/* ROLE_FAULT kinds (the argument). */
#define FAULT_PAGE         1
#define FAULT_GP           2
#define FAULT_UD           3
#define FAULT_DE           4
#define FAULT_BAD_SYSCALL  5
#define FAULT_BAD_CAP      6
#define FAULT_RIGHTS       7
#define FAULT_FORGED_CPTR  8
#define FAULT_KIND_COUNT   8

#define BADGE_HOSTILE_FAULT  0x1
#define BADGE_HOSTILE_REPORT 0x2
#define BADGE_WATCHDOG       0x3

#define HOSTILE_REPORT_EVERY 25

#endif
