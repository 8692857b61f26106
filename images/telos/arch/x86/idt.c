/* IDT: the 32 CPU exceptions, the 16 PIC interrupts and the syscall gate (int 0x80, the
 * only gate user code may invoke). All are interrupt gates, so the kernel runs with
 * interrupts off. */
#include <telos/abi.h>
#include "arch/x86/cpu.h"

struct idt_gate {
    u16 offset_low, selector;
    u8 zero, type_attr;
    u16 offset_high;
} __attribute__((packed));

static struct idt_gate idt[256];
extern const u32 trap_stub_table[48]; /* trap.S: vectors 0..47 */
extern void trap_syscall(void);

static void set_gate(u32 vector, u32 handler, u8 dpl)
{
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xFFFF, .selector = SEL_KERNEL_CODE, .zero = 0,
        .type_attr = (u8)(0x8E | (dpl << 5)), .offset_high = handler >> 16,
    };
}

void idt_init(void)
{
    for (u32 v = 0; v < 48; v++)
        set_gate(v, trap_stub_table[v], 0);
    set_gate(TELOS_SYSCALL_VECTOR, (u32)trap_syscall, 3);
    struct { u16 limit; u32 base; } __attribute__((packed)) idtr = { sizeof idt - 1, (u32)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
