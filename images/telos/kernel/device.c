/* Device access for user-space drivers, as seL4 does it on x86: I/O port capabilities
 * (a port range; the kernel keeps the PIC, PIT and COM1 for itself) and interrupts, each
 * delivered as a signal on the notification its IRQHandler capability names. The line
 * stays masked until the driver acknowledges it.
 *
 * A thread may also bind an IOPort capability (TELOS_IO_PORT_BIND) and then use those
 * ports directly, as ring 3 code may when the TSS I/O permission bitmap allows it. The
 * binding is a copy of the capability in the thread's TCB, a child of the bound cap in the
 * MDB, so revoking an ancestor removes it; deleting the bound capability removes its
 * bindings too (cap.c). Only one thread's ports are open at a time: on the way out of the
 * kernel the bitmap is switched to the next thread's bindings when they differ. */
#include "kernel/object.h"
#include "arch/x86/io.h"
#include "lib/string.h"

static struct slot irq_notification[16];
static bool irq_claimed[16];

static bool kernel_port(u32 port)
{
    return (port >= 0x20 && port <= 0x21) || (port >= 0xA0 && port <= 0xA1) || (port >= 0x40 && port <= 0x43) ||
           (port >= 0x3F8 && port <= 0x3FF);
}

static bool range_has_kernel_port(u32 first, u32 last)
{
    static const u16 kept[][2] = { { 0x20, 0x21 }, { 0xA0, 0xA1 }, { 0x40, 0x43 }, { 0x3F8, 0x3FF } };
    for (u32 i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (first <= kept[i][1] && last >= kept[i][0])
            return true;
    return false;
}

struct tcb *io_bitmap_owner; /* the thread whose bindings are open in the TSS bitmap */
u32 io_bitmap_open;          /* how many ranges are open */
static u32 open_first[TELOS_IO_BINDINGS], open_last[TELOS_IO_BINDINGS];

/* Closes every open range: the next exit to user space opens its thread's own. */
void io_bitmap_forget(void)
{
    for (u32 i = 0; i < io_bitmap_open; i++)
        tss_io_set(open_first[i], open_last[i], false);
    io_bitmap_open = 0;
    io_bitmap_owner = NULL;
}

void io_bitmap_install(struct tcb *t)
{
    io_bitmap_forget();
    for (u32 i = 0; i < TELOS_IO_BINDINGS; i++) {
        const struct cap *c = &t->io_slots[i].cap;
        if (c->type != CAP_IO_PORT)
            continue;
        tss_io_set(c->obj, c->data, true);
        open_first[io_bitmap_open] = c->obj;
        open_last[io_bitmap_open] = c->data;
        io_bitmap_open++;
    }
    io_bitmap_owner = t;
}

/* Whether [port, port + size) lies inside the capability's range. As in seL4 the port is
 * a 16-bit number (the argument taken modulo 2^16) and the end is computed after that,
 * so no argument can wrap around the check. */
static bool port_allowed(const struct cap *c, u32 port, u32 size)
{
    if (size != 1 && size != 2 && size != 4)
        return false;
    port &= 0xFFFF;
    u32 last = port + size - 1;
    if (port < c->obj || last > c->data)
        return false;
    for (u32 p = port; p <= last; p++)
        if (kernel_port(p))
            return false;
    return true;
}

u32 invoke_io_port(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len, u32 *reply, u32 *reply_len)
{
    if (len < (label == TELOS_IO_PORT_BIND ? 1u : 2u))
        return TELOS_ETRUNCATED_MESSAGE;
    u32 port = mr[0] & 0xFFFF;
    switch (label) {
    case TELOS_IO_PORT_IN:
        if (!port_allowed(&s->cap, port, mr[1]))
            return TELOS_ERANGE;
        reply[0] = mr[1] == 1 ? inb((u16)port) : mr[1] == 2 ? inw((u16)port) : inl((u16)port);
        *reply_len = 1;
        return TELOS_OK;
    case TELOS_IO_PORT_OUT:
        if (len < 3)
            return TELOS_ETRUNCATED_MESSAGE;
        if (!port_allowed(&s->cap, port, mr[1]))
            return TELOS_ERANGE;
        if (mr[1] == 1)
            outb((u16)port, (u8)mr[2]);
        else if (mr[1] == 2)
            outw((u16)port, (u16)mr[2]);
        else
            outl((u16)port, mr[2]);
        return TELOS_OK;
    case TELOS_IO_PORT_IN16_BLOCK: {
        u32 count = mr[1];
        if (count > 2 * TELOS_MAX_MRS || !port_allowed(&s->cap, port, 2))
            return TELOS_ERANGE;
        for (u32 i = 0; i < count; i += 2) {
            u32 lo = inw((u16)port);
            u32 hi = i + 1 < count ? inw((u16)port) : 0;
            reply[i / 2] = lo | (hi << 16);
        }
        *reply_len = (count + 1) / 2;
        return TELOS_OK;
    }
    case TELOS_IO_PORT_OUT16_BLOCK: {
        u32 count = mr[1];
        if (count > 2 * (len - 2) || !port_allowed(&s->cap, port, 2))
            return TELOS_ERANGE;
        for (u32 i = 0; i < count; i++)
            outw((u16)port, (u16)(mr[2 + i / 2] >> ((i & 1) * 16)));
        return TELOS_OK;
    }
    case TELOS_IO_PORT_BIND: {
        if (mr[0] >= TELOS_IO_BINDINGS || s->cap.obj > s->cap.data || s->cap.data > 0xFFFF ||
            range_has_kernel_port(s->cap.obj, s->cap.data))
            return TELOS_ERANGE;
        struct slot *dest = &t->io_slots[mr[0]];
        cap_delete(dest);
        struct cap c = s->cap;
        c.flags |= CAP_FLAG_IO_BINDING;
        mdb_insert_child(s, dest, &c);
        io_bitmap_forget();
        return TELOS_OK;
    }
    case TELOS_IO_PORT_ISSUE: {
        if (len < 3)
            return TELOS_ETRUNCATED_MESSAGE;
        u32 first = mr[0] & 0xFFFF, last = mr[1] & 0xFFFF;
        if (first > last || first < s->cap.obj || last > s->cap.data)
            return TELOS_ERANGE;
        u32 err = 0;
        struct slot *dest = cspace_lookup(t, mr[2], &err);
        if (!dest)
            return err;
        if (dest->cap.type != CAP_NULL)
            return TELOS_EDELETE_FIRST;
        struct cap c = { .type = CAP_IO_PORT, .rights = TELOS_RIGHTS_ALL, .obj = first, .data = last };
        mdb_insert_child(s, dest, &c);
        return TELOS_OK;
    }
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

u32 invoke_irq_control(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len)
{
    if (label != TELOS_IRQ_CONTROL_GET)
        return TELOS_EILLEGAL_OPERATION;
    if (len < 2)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 irq = mr[0];
    if (irq >= 16 || irq == 0 || irq == 2) /* the timer and the cascade stay the kernel's */
        return TELOS_ERANGE;
    if (irq_claimed[irq])
        return TELOS_EREVOKE_FIRST;
    u32 err = 0;
    struct slot *dest = cspace_lookup(t, mr[1], &err);
    if (!dest)
        return err;
    if (dest->cap.type != CAP_NULL)
        return TELOS_EDELETE_FIRST;
    struct cap c = { .type = CAP_IRQ_HANDLER, .rights = TELOS_RIGHTS_ALL, .obj = irq };
    mdb_insert_child(s, dest, &c);
    irq_claimed[irq] = true;
    return TELOS_OK;
}

u32 invoke_irq_handler(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len)
{
    u32 irq = s->cap.obj;
    switch (label) {
    case TELOS_IRQ_HANDLER_SET_NOTIFICATION: {
        if (len < 1)
            return TELOS_ETRUNCATED_MESSAGE;
        u32 err = 0;
        struct slot *n = cspace_lookup(t, mr[0], &err);
        if (!n)
            return err;
        /* The kernel signals it for the line: the capability must allow signalling (seL4: CanSend). */
        if (n->cap.type != CAP_NOTIFICATION || !(n->cap.rights & TELOS_RIGHT_WRITE))
            return TELOS_EINVALID_CAPABILITY;
        cap_delete(&irq_notification[irq]);
        mdb_insert_child(n, &irq_notification[irq], &n->cap);
        pic_unmask(irq);
        return TELOS_OK;
    }
    case TELOS_IRQ_HANDLER_ACK:
        pic_unmask(irq);
        return TELOS_OK;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

void irq_deliver(u32 irq)
{
    struct slot *n = &irq_notification[irq];
    if (n->cap.type == CAP_NOTIFICATION)
        notification_signal((struct notification *)n->cap.obj, n->cap.data ? n->cap.data : 1u << irq);
}

void irq_handler_finalise(u32 irq)
{
    pic_mask(irq);
    cap_delete(&irq_notification[irq]);
    irq_claimed[irq] = false;
}
