/* The CSpace layout the root task gives every process it starts (TelOS convention). */
#ifndef TELOS_USER_LAYOUT_H
#define TELOS_USER_LAYOUT_H

#define CHILD_SLOT_TCB        1
#define CHILD_SLOT_CNODE      2
#define CHILD_SLOT_VSPACE     3
#define CHILD_SLOT_IPC_FRAME  4
#define CHILD_SLOT_ARG0       10   /* role-specific capabilities follow */
#define CHILD_SLOT_ARG1       11
#define CHILD_SLOT_ARG2       12
#define CHILD_SLOT_ARG3       13
#define CHILD_SLOT_ARG4       14
#define CHILD_SLOT_ARG5       15
#define CHILD_SLOT_RECEIVE    20   /* where granted capabilities arrive */
#define CHILD_SLOT_REPORT     200  /* hostile program: progress endpoint, out of its random range */
#define CHILD_CNODE_RADIX     10
/* The MMS holds a capability per block of its memory (servers/mms.c): 32 processes of
 * 13 objects each, with the blocks split on the way to them, need more than 1024 slots. */
#define MMS_CNODE_RADIX       12

#define CHILD_IPC_BUFFER      0x7FFFF000u
#define CHILD_STACK_TOP       0x7FFF0000u
#define CHILD_STACK_PAGES     2

#endif
