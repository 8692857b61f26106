/* IPC protocols of the Memory Management Server and the Process Management Server
 * (the Persistence Server's is in ps.h). Calls on the server's endpoint; the label names
 * the operation and the reply label is 0 or a TELOS_E* error code. */
#ifndef TELOS_SERVERS_H
#define TELOS_SERVERS_H

/* MMS: owns the untyped memory the root task delegated to it. Each handle belongs to the
 * client badge that allocated it, and each badge has a quota in bytes of object memory
 * (an object of type T with size_bits S costs 2^object_size_bits(T, S) bytes: 2 KiB a
 * TCB, 4 KiB a frame or page table, 2^S * 32 bytes a CNode). Bytes, not
 * objects: a 32 KiB CNode and a 16-byte endpoint must not cost the same. A badge the root
 * task set no quota for can allocate nothing. Quotas bound each client; they reserve
 * nothing, so their sum may exceed the memory the MMS holds. */
#define MMS_ALLOC   1  /* MR0 object type, MR1 size_bits -> MR0 handle, plus the new object's
                        * capability granted into the caller's receive slot. Past the caller's
                        * quota (or the MMS's memory): NotEnoughMemory; a type that does not
                        * exist: InvalidArgument; a size the kernel refuses: RangeError; Untyped
                        * memory: IllegalOperation (the MMS makes objects, it never hands out
                        * the memory to make them from) */
#define MMS_FREE    2  /* MR0 handle: the object and every capability to it are deleted, its
                        * bytes go back to the owner's quota and its memory to the MMS, which
                        * makes new objects from it. A handle another badge owns:
                        * IllegalOperation, nothing changes; one never given out (or freed
                        * already): InvalidArgument */
#define MMS_SET_QUOTA 3 /* MR0 badge, MR1 quota in bytes; from BADGE_ROOT only (others:
                         * IllegalOperation). A quota below what the badge holds refuses its
                         * allocations until it frees enough; NotEnoughMemory when the MMS's
                         * table of MMS_MAX_CLIENTS badges is full */
#define MMS_USAGE   4  /* -> MR0 bytes the caller's badge holds, MR1 its quota */
#define MMS_STAT    5  /* -> MR0 bytes the MMS could still make objects from, MR1 bytes it
                        * was given, MR2 the largest object it could make now, in bytes */
#define MMS_MAX_CLIENTS 16
/* The MMS's start argument (its role register): with MMS_ROLE_LOG it prints a line for every
 * allocation it grants (the boot argument mmslog=1); refusals and errors are printed always. */
#define MMS_ROLE_LOG 1u

/* The quotas the root task sets at boot: the PMS gets MMS_PROCESS_QUOTA for each of the
 * PMS_MAX_PROCESSES it may run (test_proc costs 78 KiB: a 32 KiB CNode, a 2 KiB TCB, a
 * page directory, two page tables and eight frames for its image, stack and IPC buffer;
 * 256 KiB leaves room for larger programs and the PMS's own page table); the root task
 * itself (and so the kernel tests it runs) gets all of the MMS's memory. */
#define MMS_PROCESS_QUOTA (256u << 10)
#define MMS_PMS_QUOTA     (PMS_MAX_PROCESSES * MMS_PROCESS_QUOTA)

/* PMS: creates processes from program images kept in the PS. */
#define PMS_CREATE_PROCESS 1 /* MR0 image oid, MR1 caps oid (0 = none), MR2 oid to record the
                              * process at -> MR0 the process oid. In one PS transaction: the
                              * process object (parent* Process, its image, state, priority and
                              * capability slots) and its slot in the processes mapping.
                              * Optional namespace description from MR3: a grant count
                              * (0..VFS_MAX_GRANTS; 0: no vfs session), then per grant a rights
                              * word (VFS_RIGHT_*) and a path (length word, bytes), as in
                              * VFS_SESSION; without MR3, /tmp read-write and /image read-only.
                              * A malformed one: InvalidArgument (TruncatedMessage when a length
                              * reaches past the message). vfs_server makes the session from the
                              * PMS's own, so a grant outside it answers VFS_EOUTSIDE and one with
                              * more rights VFS_EACCES; then nothing is recorded and every object
                              * goes back to the MMS. The process runs in the user band of
                              * priorities.h: at PRIO_USER_DEFAULT, or at the int `priority`
                              * slot of an object already at MR2, clamped to the band; the
                              * object records the priority it runs at. */
#define PMS_LIST_PROCESSES 2 /* -> MR0 count, then per process: oid, state (1 running), name (4 words) */
#define PMS_TERMINATE_PROCESS 3 /* MR0 process oid -> MR0 the process oid: the process stops, leaves
                                 * the PMS's list, its object's state becomes "terminated", its vfs
                                 * session is closed and every object it was made of goes back to
                                 * the MMS */
#define PMS_MAX_PROCESSES 32    /* running at once; CreateProcess past it: NotEnoughMemory, and for
                                 * an oid that runs already: InvalidArgument */

/* Badges the root task mints so servers know their clients. */
#define BADGE_ROOT 1
#define BADGE_PMS  2
#define BADGE_MMS  3
#define BADGE_MONITOR 4
#define BADGE_BRIDGE  5
#define BADGE_VFS     6   /* vfs_server's living_image: reads only */

/* Program images in the PS: a typed object with `name` (string), `size` (int) and
 * `chunks` (a list of refs to blobs of at most IMAGE_CHUNK bytes each, in order); a caps
 * object for CreateProcess has a `caps` list (only the empty list is understood). */
#define IMAGE_CHUNK 4092

#endif
