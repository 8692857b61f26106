/* The TelOS user/kernel ABI: the single source of truth for syscall numbers, registers,
 * message info, the IPC buffer, object types and sizes, rights, invocation labels, error
 * codes, fault messages and the root task's boot information. Kernel, user programs and
 * the TypeScript side (src/machine) all read their numbers from here.
 *
 * Syscalls are `int 0x80`:
 *   in:  EAX syscall number, EBX capability pointer (a slot index in the caller's root
 *        CNode), ESI message info, EDX/EDI/EBP message registers 0..2; MRs 3.. live in
 *        the caller's IPC buffer.
 *   out: EAX message info, EBX badge of the sender (0 when unbadged), EDX/EDI/EBP MRs.
 * Kernel services are Calls on object capabilities whose label names the method, as in
 * seL4; the reply's label is 0 on success or a TELOS_E* error code. */
#ifndef TELOS_ABI_H
#define TELOS_ABI_H

#define TELOS_SYSCALL_VECTOR 0x80

/* Syscall numbers (EAX). */
#define TELOS_SYS_CALL           1
#define TELOS_SYS_REPLY_RECV     2
#define TELOS_SYS_SEND           3
#define TELOS_SYS_RECV           4
#define TELOS_SYS_REPLY          5
#define TELOS_SYS_YIELD          6
#define TELOS_SYS_NB_SEND        7
/* Debug calls. */
#define TELOS_SYS_DEBUG_PUTCHAR  16  /* EBX = byte */
#define TELOS_SYS_DEBUG_WRITE    17  /* EBX = byte count; bytes from the IPC buffer's msg[] */
/* COM1 carries the kernel's and the servers' log and the monitor's answers: log text goes out
 * between these ANSI SGR codes (grey, then the default colour again), inside each write, so a
 * terminal tells the two apart and no other output inherits the colour; hosts that read COM1
 * as text drop the codes. */
#define TELOS_LOG_STYLE "\x1b[90m"
#define TELOS_LOG_PLAIN "\x1b[39m"
#define TELOS_SYS_DEBUG_NULL     18  /* does nothing: the null syscall of the benchmarks */
#define TELOS_SYS_DEBUG_GETCHAR  20  /* EBX = an IRQHandler cptr for IRQ 4 (COM1 input): only its holder
                                      * reads the console. -> EAX a byte typed on COM1, or 0xFFFFFFFF when
                                      * none is waiting; the handler's notification says when one arrives.
                                      * Any other EBX is a capability fault. */
#define TELOS_SYS_DEBUG_EXIT     19  /* EBX = the IRQ control cptr (the machine's owner), EDX = exit code:
                                      * halts the machine at once, nothing flushed (an unclean power-off;
                                      * QEMU's isa-debug-exit device at port 0x501, when present, exits with
                                      * (code & 0xFF)*2+1).
                                      * Any other EBX is a capability fault. */
#define TELOS_SYS_DEBUG_CAP_IDENTIFY 21 /* EBX = a CNode cptr, EDX = a slot index in that CNode: what the slot
                                      * holds, for test supervisors (seL4's DebugCapIdentify) -> EAX the cap
                                      * type (0 empty; 0xFFFFFFFF index out of range), EDX the object's address,
                                      * EDI rights | size_bits << 8, EBP the badge (endpoint, notification) or
                                      * the watermark (untyped), else 0. EBX not a CNode: a capability fault. */
#define TELOS_COM1_INPUT_IRQ     4

/* Message info (ESI in, EAX out): bits 0-6 length in words, 7-9 extra caps, 12-31 label. */
#define TELOS_MSG_LENGTH_BITS    7
#define TELOS_MSG_EXTRA_CAPS_SHIFT 7
#define TELOS_MSG_LABEL_SHIFT    12
#define TELOS_MSG_INFO(label, extra_caps, length) \
    (((unsigned)(label) << TELOS_MSG_LABEL_SHIFT) | (((unsigned)(extra_caps) & 7u) << TELOS_MSG_EXTRA_CAPS_SHIFT) | \
     ((unsigned)(length) & 0x7Fu))
#define TELOS_MSG_LENGTH(info)     ((info) & 0x7Fu)
#define TELOS_MSG_EXTRA_CAPS(info) (((info) >> TELOS_MSG_EXTRA_CAPS_SHIFT) & 7u)
#define TELOS_MSG_LABEL(info)      ((info) >> TELOS_MSG_LABEL_SHIFT)

#define TELOS_FAST_MRS        3     /* EDX, EDI, EBP */
#define TELOS_MAX_MRS         120
#define TELOS_MAX_EXTRA_CAPS  3
#define TELOS_BADGE_BITS      28

/* The IPC buffer: one 512-byte block inside a frame the thread names at configuration.
 * msg[0..2] mirror the fast registers and are not read from memory. */
#define TELOS_IPC_BUFFER_SIZE 512
#ifndef __ASSEMBLER__
struct telos_ipc_buffer {
    unsigned tag;
    unsigned msg[TELOS_MAX_MRS];
    unsigned user_data;
    unsigned caps_or_badges[TELOS_MAX_EXTRA_CAPS]; /* sender: cptrs to send; receiver: badges */
    unsigned receive_cnode;  /* unused: caps are received into the root CNode */
    unsigned receive_index;  /* slot for a received capability (0 = receive none) */
    unsigned receive_depth;
};
_Static_assert(sizeof(struct telos_ipc_buffer) == TELOS_IPC_BUFFER_SIZE, "IPC buffer is 512 bytes");
#endif

/* Object types for Untyped_Retype. */
#define TELOS_OBJ_UNTYPED         1
#define TELOS_OBJ_TCB             2
#define TELOS_OBJ_ENDPOINT        3
#define TELOS_OBJ_NOTIFICATION    4
#define TELOS_OBJ_CNODE           5  /* size_bits = radix (log2 of the slot count) */
#define TELOS_OBJ_FRAME           6
#define TELOS_OBJ_PAGE_TABLE      7
#define TELOS_OBJ_PAGE_DIRECTORY  8
#define TELOS_OBJ_TYPE_COUNT      9
/* Capabilities that are not retyped from memory: device access for user-space drivers. */
#define TELOS_CAP_IO_PORT         9   /* a range of x86 I/O ports */
#define TELOS_CAP_IRQ_CONTROL     10  /* the right to create IRQ handler capabilities */
#define TELOS_CAP_IRQ_HANDLER     11  /* one interrupt line, delivered to a notification */

/* log2 of object sizes in bytes. */
#define TELOS_TCB_BITS            11
#define TELOS_ENDPOINT_BITS       4
#define TELOS_NOTIFICATION_BITS   4
#define TELOS_SLOT_BITS           5   /* one CNode slot */
#define TELOS_PAGE_BITS           12
#define TELOS_MIN_UNTYPED_BITS    4
#define TELOS_MAX_UNTYPED_BITS    27
#define TELOS_MAX_CNODE_RADIX     16

/* Capability rights. */
#define TELOS_RIGHT_READ          1
#define TELOS_RIGHT_WRITE         2
#define TELOS_RIGHT_GRANT         4
#define TELOS_RIGHT_GRANT_REPLY   8
#define TELOS_RIGHTS_ALL          15

/* Invocation labels (the label of a Call on an object capability). */
#define TELOS_UNTYPED_RETYPE      1   /* MR0 type, MR1 size_bits, MR2 dest CNode cptr, MR3 dest index, MR4 count */
#define TELOS_TCB_CONFIGURE       2   /* MR0 fault ep cptr (0 none), MR1 cspace cptr, MR2 vspace cptr, MR3 IPC buffer vaddr, MR4 IPC buffer frame cptr */
#define TELOS_TCB_WRITE_REGISTERS 3   /* MR0 eip, MR1 esp, MR2 eax, MR3 ebx, MR4 ecx */
#define TELOS_TCB_SET_PRIORITY    4   /* MR0 priority (at most the caller's own) */
#define TELOS_TCB_RESUME          5
#define TELOS_TCB_SUSPEND         6
#define TELOS_TCB_SET_NAME        16  /* MR0..MR3: up to 15 bytes of name for kernel log lines */
#define TELOS_CNODE_COPY          7   /* MR0 dest index, MR1 src CNode cptr, MR2 src index, MR3 rights */
#define TELOS_CNODE_MINT          8   /* ... MR4 badge */
#define TELOS_CNODE_MOVE          9   /* MR0 dest index, MR1 src CNode cptr, MR2 src index */
#define TELOS_CNODE_DELETE        10  /* MR0 index */
#define TELOS_CNODE_REVOKE        11  /* MR0 index: deletes every capability derived from it */
#define TELOS_PAGE_TABLE_MAP      12  /* MR0 vspace cptr, MR1 vaddr */
#define TELOS_FRAME_MAP           13  /* MR0 vspace cptr, MR1 vaddr, MR2 rights (WRITE for writable) */
#define TELOS_FRAME_UNMAP         14
#define TELOS_FRAME_GET_ADDRESS   15  /* reply MR0 physical address */
#define TELOS_IO_PORT_IN          17  /* MR0 port, MR1 size (1, 2, 4) -> MR0 value */
#define TELOS_IO_PORT_OUT         18  /* MR0 port, MR1 size, MR2 value */
#define TELOS_IO_PORT_IN16_BLOCK  19  /* MR0 port, MR1 count (<= 240) -> count 16-bit values, two per MR */
#define TELOS_IO_PORT_OUT16_BLOCK 20  /* MR0 port, MR1 count (<= 236), values two per MR from MR2 */
#define TELOS_IO_PORT_ISSUE       21  /* MR0 first, MR1 last, MR2 dest index: a narrower IOPort cap */
#define TELOS_IRQ_CONTROL_GET     22  /* MR0 irq, MR1 dest index: an IRQHandler cap */
#define TELOS_IRQ_HANDLER_SET_NOTIFICATION 23 /* MR0 notification cptr */
#define TELOS_IRQ_HANDLER_ACK     24  /* re-enable the line after handling */
#define TELOS_IO_PORT_BIND        25  /* MR0 binding index (< TELOS_IO_BINDINGS): the calling thread may use
                                       * these ports directly (in/out, rep ins/outs) until this capability
                                       * is deleted or revoked or the index is bound again; a range holding a
                                       * port the kernel keeps is refused (TELOS_ERANGE) */
#define TELOS_IO_BINDINGS         2

/* Error codes (reply label of an invocation). */
#define TELOS_OK                  0
#define TELOS_EINVALID_ARGUMENT   1
#define TELOS_EINVALID_CAPABILITY 2
#define TELOS_EILLEGAL_OPERATION  3
#define TELOS_ERANGE              4
#define TELOS_EALIGNMENT          5
#define TELOS_EFAILED_LOOKUP      6
#define TELOS_ETRUNCATED_MESSAGE  7
#define TELOS_EDELETE_FIRST       8
#define TELOS_EREVOKE_FIRST       9
#define TELOS_ENOT_ENOUGH_MEMORY  10

/* Fault messages, sent as a Call to the thread's fault endpoint (label = kind). Replying
 * resumes the thread where it stopped; the handler may instead rewrite or suspend it. */
#define TELOS_FAULT_CAP           1   /* MR0 cptr, MR1 eip, MR2 reason (TELOS_E*) */
#define TELOS_FAULT_UNKNOWN_SYSCALL 2 /* MR0 syscall number, MR1 eip */
#define TELOS_FAULT_USER_EXCEPTION 3  /* MR0 vector, MR1 eip, MR2 error code */
#define TELOS_FAULT_VM            4   /* MR0 address, MR1 eip, MR2 error code */

/* Address space layout. */
#define TELOS_USER_BASE           0x40000000u
#define TELOS_USER_TOP            0xC0000000u
#define TELOS_ROOT_STACK_TOP      0x7FFF0000u
#define TELOS_ROOT_STACK_PAGES    4
#define TELOS_BOOTINFO_VADDR      0x7FFFE000u
#define TELOS_ROOT_IPC_BUFFER     0x7FFFF000u
#define TELOS_MODULES_VADDR       0xA0000000u

/* Root task's initial CNode slots. */
#define TELOS_SLOT_NULL           0
#define TELOS_SLOT_TCB            1
#define TELOS_SLOT_CNODE          2
#define TELOS_SLOT_VSPACE         3
#define TELOS_SLOT_IPC_FRAME      4
#define TELOS_SLOT_BOOTINFO_FRAME 5
#define TELOS_SLOT_IO_PORTS       6   /* every I/O port the kernel does not keep for itself */
#define TELOS_SLOT_IRQ_CONTROL    7
#define TELOS_ROOT_CNODE_RADIX    12

/* A user program image (flat binary linked at TELOS_USER_BASE) starts with this header. */
#define TELOS_IMAGE_MAGIC         0x534F4C54u /* "TLOS" */
#ifndef __ASSEMBLER__
struct telos_image_header {
    unsigned magic;
    unsigned entry;
    unsigned load_end;   /* end of bytes in the file (vaddr) */
    unsigned mem_end;    /* end of bss (vaddr) */
};

#define TELOS_MAX_UNTYPEDS 64
#define TELOS_MAX_MODULES  16
struct telos_untyped_desc {
    unsigned paddr;
    unsigned size_bits;
};
struct telos_module_desc {
    char name[16];
    unsigned vaddr;       /* where the root task sees the image bytes (read-only) */
    unsigned size;
};
/* Handed to the root task, read-only at TELOS_BOOTINFO_VADDR. */
struct telos_bootinfo {
    unsigned magic;
    unsigned cnode_radix;
    unsigned empty_first, empty_last;       /* free slots [first, last) */
    unsigned untyped_first, untyped_count;  /* untyped caps in [first, first+count) */
    struct telos_untyped_desc untyped[TELOS_MAX_UNTYPEDS];
    unsigned module_count;
    struct telos_module_desc modules[TELOS_MAX_MODULES];
    unsigned priority;                      /* the root task's priority (the maximum) */
    char cmdline[256];
};
#define TELOS_BOOTINFO_MAGIC 0x424F4F54u /* "BOOT" */
#endif

#define TELOS_MAX_PRIORITY 255

#endif
