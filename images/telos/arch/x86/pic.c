/* The 8259 PIC pair, remapped to vectors 32..47, and the 8253 PIT on IRQ 0 as the
 * scheduler's clock. Only the timer is unmasked; devices belong to user-space drivers. */
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

void pic_init(void)
{
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, IRQ_BASE);
    outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 0x04);
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, (u8)~(1u << IRQ_TIMER));
    outb(PIC2_DATA, 0xFF);
}

void pic_eoi(u32 irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

void pit_init(u32 hz)
{
    u32 divisor = 1193182 / hz;
    outb(0x43, 0x34); /* channel 0, lo/hi byte, rate generator */
    outb(0x40, (u8)(divisor & 0xFF));
    outb(0x40, (u8)(divisor >> 8));
}

/* An IRQ 7 or 15 the PIC does not show in service is spurious (the line dropped before
 * the CPU acknowledged it): no EOI for it, except that the master must still be told for
 * the cascade of a spurious IRQ 15. Real IRQs 7 and 15 are ordinary device lines. */
bool pic_spurious(u32 irq)
{
    if (irq != 7 && irq != 15)
        return false;
    u16 cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, 0x0B); /* OCW3: read the in-service register */
    bool in_service = inb(cmd) & 0x80;
    if (!in_service && irq == 15)
        outb(PIC1_CMD, 0x20);
    return !in_service;
}

void pic_mask(u32 irq)
{
    u16 port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) | (u8)(1u << (irq & 7)));
}

void pic_unmask(u32 irq)
{
    u16 port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & (u8)~(1u << (irq & 7)));
    if (irq >= 8)
        outb(PIC1_DATA, inb(PIC1_DATA) & (u8)~(1u << 2)); /* the cascade */
}
