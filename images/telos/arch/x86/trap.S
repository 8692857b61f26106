/* Trap entry and exit. Every vector lands in trap_common with the same frame layout
 * (struct user_context): a dummy error code where the CPU pushes none, the vector number,
 * the general registers and the data segments. From user mode the frame is written into
 * the current TCB (TSS.esp0); the kernel then runs on its single kernel stack and leaves
 * through restore_context, never by returning. */
#include <telos/abi.h>
#include "arch/x86/cpu.h"

    .section .bss
    .align 16
kernel_stack:
    .skip 16384
    .globl kernel_stack_top
kernel_stack_top:
idle_stack:
    .skip 1024
idle_stack_top:

    .section .text
.macro TRAP_NOERR n
trap_\n:
    pushl $0
    pushl $\n
    jmp trap_common
.endm
.macro TRAP_ERR n
trap_\n:
    pushl $\n
    jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR   21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR   29
TRAP_ERR   30
TRAP_NOERR 31
TRAP_NOERR 32
TRAP_NOERR 33
TRAP_NOERR 34
TRAP_NOERR 35
TRAP_NOERR 36
TRAP_NOERR 37
TRAP_NOERR 38
TRAP_NOERR 39
TRAP_NOERR 40
TRAP_NOERR 41
TRAP_NOERR 42
TRAP_NOERR 43
TRAP_NOERR 44
TRAP_NOERR 45
TRAP_NOERR 46
TRAP_NOERR 47

    .globl trap_syscall
trap_syscall:
    pushl $0
    pushl $TELOS_SYSCALL_VECTOR
    /* fall through */
trap_common:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movw $SEL_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movl %esp, %eax
    movl $kernel_stack_top, %esp
    pushl %eax
    call trap_entry
1:  cli
    hlt
    jmp 1b

    .globl restore_context
restore_context:
    movl 4(%esp), %esp
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iretl

/* The idle thread runs in ring 0 on its own small stack and only waits for interrupts;
 * being interrupted loses nothing, so each activation starts here afresh. */
    .globl idle_loop
idle_loop:
    movl $idle_stack_top, %esp
1:  sti
    hlt
    cli
    jmp 1b

    .section .rodata
    .align 4
    .globl trap_stub_table
trap_stub_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    .long trap_\n
    .endr
