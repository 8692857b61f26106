/* IPC protocols of the Memory Management Server and the Process Management Server
 * (the Persistence Server's is in ps.h). Calls on the server's endpoint; the label names
 * the operation and the reply label is 0 or a TELOS_E* error code. */
#ifndef TELOS_SERVERS_H
#define TELOS_SERVERS_H

/* MMS: owns the untyped memory the root task delegated to it. */
#define MMS_ALLOC   1  /* MR0 object type, MR1 size_bits -> MR0 handle, plus the new object's
                        * capability granted into the caller's receive slot */
#define MMS_FREE    2  /* MR0 handle: the object and every capability to it are deleted */

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
                              * goes back to the MMS. */
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
