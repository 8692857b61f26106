/* User program start: the image header, then _start. Threads begin with EAX = role,
 * EBX = argument, ECX = the IPC buffer's address (the root task gets its own from the
 * ABI's fixed address). main(role, arg) returning stops the thread. */
#include <telos/abi.h>

    .section .telos_header, "a"
    .long TELOS_IMAGE_MAGIC
    .long _start
    .long __load_end
    .long __mem_end

    .section .text.start, "ax"
    .globl _start
_start:
    testl %ecx, %ecx
    jnz 1f
    movl $TELOS_ROOT_IPC_BUFFER, %ecx
1:  movl %ecx, telos_ipc
    pushl %ebx
    pushl %eax
    call main
    call telos_exit
2:  jmp 2b

/* u32 telos_syscall(u32 sys, u32 cptr, u32 info, struct telos_msg *m): m->mr[0..2] go
 * out in EDX/EDI/EBP and come back replaced, m->badge receives EBX; returns EAX. */
    .section .text
    .globl telos_syscall
telos_syscall:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl 20(%esp), %eax
    movl 24(%esp), %ebx
    movl 28(%esp), %esi
    movl 32(%esp), %ecx
    movl 0(%ecx), %edx
    movl 4(%ecx), %edi
    movl 8(%ecx), %ebp
    int $TELOS_SYSCALL_VECTOR
    movl %edx, 0(%ecx)
    movl %edi, 4(%ecx)
    movl %ebp, 8(%ecx)
    movl %ebx, 12(%ecx)
    popl %ebx
    popl %esi
    popl %edi
    popl %ebp
    ret
