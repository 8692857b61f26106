/* Who runs first: the scheduling policy of TelOS, written down once. The kernel runs the
 * highest-priority ready thread and time-slices threads of equal priority (kernel/thread.c);
 * these are the priorities the root task and the PMS give the threads they start.
 *
 *   255          the root task (TELOS_MAX_PRIORITY, set by the kernel)
 *   170..220     the services the system stands on: block server, PS, MMS, PMS, vfs_server
 *   140..150     the consoles a person reaches the Machine through: the COM2 bridge (the
 *                IDE's link) and the COM1 monitor
 *   0..100       user programs: every process the PMS creates
 *
 * So a user program that never blocks starves neither the services nor the consoles: the
 * monitor still answers `ps` and the bridge its frames while it spins. The PMS creates each
 * process at PRIO_USER_DEFAULT, or at the priority its process object asks for (the
 * `priority` slot, as the World edits it) clamped to the user band: no user program can
 * rise above the monitor, whatever its object says. (The kernel's own rule is weaker: TCB
 * SetPriority only refuses to raise a thread above its caller, here the PMS.) */
#ifndef TELOS_PRIORITIES_H
#define TELOS_PRIORITIES_H

#define PRIO_BLOCK   220
#define PRIO_PS      200
#define PRIO_MMS     190
#define PRIO_PMS     180
#define PRIO_VFS     170

#define PRIO_BRIDGE  150
#define PRIO_MONITOR 140

#define PRIO_USER_MAX     100
#define PRIO_USER_DEFAULT 50
#define PRIO_USER_MIN     0

#endif
