/* Syscall dispatch (int 0x80): capability lookup, rights checks, the IPC syscalls, and
 * kernel invocations (a Call on a non-endpoint capability; its label names the method). */
#include "kernel/object.h"
#include "kernel/console.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"
#include "lib/string.h"

void read_message(struct tcb *t, u32 *mr, u32 len)
{
    struct telos_ipc_buffer *buf = tcb_ipc_buffer(t, false);
    if (len > 0) mr[0] = t->ctx.edx;
    if (len > 1) mr[1] = t->ctx.edi;
    if (len > 2) mr[2] = t->ctx.ebp;
    if (len > TELOS_FAST_MRS) {
        if (buf)
            memcpy(&mr[TELOS_FAST_MRS], &buf->msg[TELOS_FAST_MRS], (len - TELOS_FAST_MRS) * 4);
        else
            memset(&mr[TELOS_FAST_MRS], 0, (len - TELOS_FAST_MRS) * 4);
    }
}

void write_reply(struct tcb *t, u32 label, const u32 *mr, u32 len)
{
    struct telos_ipc_buffer *buf = tcb_ipc_buffer(t, true);
    if (len > TELOS_FAST_MRS && !buf)
        len = TELOS_FAST_MRS;
    t->ctx.eax = TELOS_MSG_INFO(label, 0, len);
    t->ctx.ebx = 0;
    if (len > 0) t->ctx.edx = mr[0];
    if (len > 1) t->ctx.edi = mr[1];
    if (len > 2) t->ctx.ebp = mr[2];
    if (len > TELOS_FAST_MRS)
        memcpy(&buf->msg[TELOS_FAST_MRS], &mr[TELOS_FAST_MRS], (len - TELOS_FAST_MRS) * 4);
}

static const char *error_name(u32 err)
{
    switch (err) {
    case TELOS_ERANGE: return "capability index out of range";
    case TELOS_EFAILED_LOOKUP: return "no CSpace";
    case TELOS_EINVALID_CAPABILITY: return "empty or wrong capability";
    case TELOS_EILLEGAL_OPERATION: return "missing right";
    default: return "capability error";
    }
}

/* Looks a capability up for an IPC syscall; on failure raises a capability fault. */
/* For the debug calls that need authority: the capability at `cptr` must be of `type` on
 * object `obj`; otherwise a capability fault. */
static bool device_cap(struct tcb *t, u32 cptr, u32 type, u32 obj, const char *why)
{
    u32 err = TELOS_EINVALID_CAPABILITY;
    struct slot *s = cspace_lookup(t, cptr, &err);
    if (s && s->cap.type == type && s->cap.obj == obj)
        return true;
    fault_raise(t, TELOS_FAULT_CAP, cptr, t->ctx.eip, s ? TELOS_EINVALID_CAPABILITY : err, s ? why : error_name(err));
    return false;
}

static struct slot *lookup_for_ipc(struct tcb *t, u32 cptr, u32 need_right)
{
    u32 err = TELOS_EINVALID_CAPABILITY;
    struct slot *s = cspace_lookup(t, cptr, &err);
    if (s && s->cap.type == CAP_NULL) {
        s = NULL;
        err = TELOS_EINVALID_CAPABILITY;
    }
    if (s && need_right && (s->cap.type == CAP_ENDPOINT || s->cap.type == CAP_NOTIFICATION) &&
        !(s->cap.rights & need_right)) {
        s = NULL;
        err = TELOS_EILLEGAL_OPERATION;
    }
    if (!s)
        fault_raise(t, TELOS_FAULT_CAP, cptr, t->ctx.eip, err, error_name(err));
    return s;
}

static u32 invoke_untyped(struct tcb *t, struct slot *s, u32 label, const u32 *mr, u32 len)
{
    if (label != TELOS_UNTYPED_RETYPE)
        return TELOS_EILLEGAL_OPERATION;
    if (len < 5)
        return TELOS_ETRUNCATED_MESSAGE;
    u32 err = 0;
    struct slot *dest = cspace_lookup(t, mr[2], &err);
    if (!dest)
        return err;
    return untyped_retype(s, mr[0], mr[1], dest, mr[3], mr[4]);
}

static void invoke_object(struct tcb *t, struct slot *s, bool wants_reply)
{
    u32 info = t->ctx.esi;
    u32 label = TELOS_MSG_LABEL(info), len = TELOS_MSG_LENGTH(info);
    u32 mr[TELOS_MAX_MRS], reply[TELOS_MAX_MRS];
    u32 reply_len = 0, result;
    if (len > TELOS_MAX_MRS)
        len = TELOS_MAX_MRS;
    read_message(t, mr, len);
    switch (s->cap.type) {
    case CAP_UNTYPED: result = invoke_untyped(t, s, label, mr, len); break;
    case CAP_TCB: result = invoke_tcb(t, s, label, mr, len); break;
    case CAP_CNODE: result = invoke_cnode(t, s, label, mr, len); break;
    case CAP_PAGE_TABLE: result = invoke_page_table(t, s, label, mr, len); break;
    case CAP_FRAME: result = invoke_frame(t, s, label, mr, len, reply, &reply_len); break;
    case CAP_IO_PORT: result = invoke_io_port(t, s, label, mr, len, reply, &reply_len); break;
    case CAP_IRQ_CONTROL: result = invoke_irq_control(t, s, label, mr, len); break;
    case CAP_IRQ_HANDLER: result = invoke_irq_handler(t, s, label, mr, len); break;
    default: result = TELOS_EILLEGAL_OPERATION; break;
    }
    /* The invocation may have suspended or deleted the caller itself. */
    if (wants_reply && t->state == THREAD_RUNNING)
        write_reply(t, result, reply, result == TELOS_OK ? reply_len : 0);
}

/* QEMU's isa-debug-exit device, when configured at this port (the tests do), ends the
 * emulator with status code*2+1. Not 0xF4, its usual place: v86 takes a write there for
 * the end of a test run and throws out of its CPU loop. */
#define DEBUG_EXIT_PORT 0x501

static __attribute__((noreturn)) void machine_halt(struct tcb *t, u32 code)
{
    kprintf("TelOS: halted by '%s' (exit code %u): unclean, nothing flushed\n", tcb_name(t), code);
    outb(DEBUG_EXIT_PORT, (u8)code);
    cpu_halt_forever();
}

static void debug_write(struct tcb *t, u32 count)
{
    struct telos_ipc_buffer *buf = tcb_ipc_buffer(t, false);
    if (!buf)
        return;
    if (count > sizeof buf->msg)
        count = sizeof buf->msg;
    kwrite((const char *)buf->msg, count);
}

/* What one slot of a CNode the caller holds contains: for the kernel tests' fuzzer and its
 * supervisor, which check that no capability is reachable that was not granted. */
static void debug_cap_identify(struct tcb *t)
{
    u32 err = TELOS_EINVALID_CAPABILITY;
    struct slot *cn = cspace_lookup(t, t->ctx.ebx, &err);
    if (!cn || cn->cap.type != CAP_CNODE) {
        fault_raise(t, TELOS_FAULT_CAP, t->ctx.ebx, t->ctx.eip, cn ? TELOS_EINVALID_CAPABILITY : err,
                    cn ? "not a CNode" : error_name(err));
        return;
    }
    struct slot *s = cnode_slot(&cn->cap, t->ctx.edx, &err);
    if (!s) {
        t->ctx.eax = 0xFFFFFFFFu;
        t->ctx.edx = t->ctx.edi = t->ctx.ebp = 0;
        return;
    }
    u32 type = s->cap.type;
    t->ctx.eax = type;
    t->ctx.edx = s->cap.obj;
    t->ctx.edi = s->cap.rights | (u32)s->cap.size_bits << 8;
    t->ctx.ebp = type == CAP_ENDPOINT || type == CAP_NOTIFICATION || type == CAP_UNTYPED ? s->cap.data : 0;
}

static void do_recv(struct tcb *t)
{
    struct slot *s = lookup_for_ipc(t, t->ctx.ebx, TELOS_RIGHT_READ);
    if (!s)
        return;
    if (s->cap.type != CAP_ENDPOINT && s->cap.type != CAP_NOTIFICATION) {
        fault_raise(t, TELOS_FAULT_CAP, t->ctx.ebx, t->ctx.eip, TELOS_EINVALID_CAPABILITY, "not an endpoint");
        return;
    }
    ipc_recv(t, s);
}

void syscall_dispatch(struct tcb *t)
{
    u32 sys = t->ctx.eax;
    switch (sys) {
    case TELOS_SYS_CALL:
    case TELOS_SYS_SEND:
    case TELOS_SYS_NB_SEND: {
        struct slot *s = lookup_for_ipc(t, t->ctx.ebx, TELOS_RIGHT_WRITE);
        if (!s)
            return;
        if (s->cap.type == CAP_ENDPOINT)
            ipc_send(t, s, sys != TELOS_SYS_NB_SEND, sys == TELOS_SYS_CALL);
        else if (s->cap.type == CAP_NOTIFICATION)
            notification_signal((struct notification *)s->cap.obj, s->cap.data);
        else
            invoke_object(t, s, sys == TELOS_SYS_CALL);
        return;
    }
    case TELOS_SYS_RECV:
        do_recv(t);
        return;
    case TELOS_SYS_REPLY:
        ipc_reply(t);
        return;
    case TELOS_SYS_REPLY_RECV:
        ipc_reply(t);
        do_recv(t);
        return;
    case TELOS_SYS_YIELD:
        sched_yield();
        return;
    case TELOS_SYS_DEBUG_PUTCHAR: {
        char c = (char)t->ctx.ebx;
        kwrite(&c, 1);
        return;
    }
    case TELOS_SYS_DEBUG_WRITE:
        debug_write(t, t->ctx.ebx);
        return;
    case TELOS_SYS_DEBUG_NULL:
        return;
    case TELOS_SYS_DEBUG_GETCHAR:
        /* Console input belongs to whoever holds the COM1 input interrupt (the monitor):
         * no other thread can take the bytes typed to it. */
        if (device_cap(t, t->ctx.ebx, CAP_IRQ_HANDLER, TELOS_COM1_INPUT_IRQ, "not the COM1 input interrupt"))
            t->ctx.eax = serial_can_read(COM1_PORT) ? serial_getc(COM1_PORT) : 0xFFFFFFFFu;
        return;
    case TELOS_SYS_DEBUG_EXIT:
        /* Stops the machine at once, with nothing flushed: the unclean halt of the Phase 3
         * plan's Stage 3. Only the holder of the IRQ control capability (the root task, which
         * owns the machine) may. */
        if (device_cap(t, t->ctx.ebx, CAP_IRQ_CONTROL, 0, "not the IRQ control capability"))
            machine_halt(t, t->ctx.edx);
        return;
    case TELOS_SYS_DEBUG_CAP_IDENTIFY:
        debug_cap_identify(t);
        return;
    default:
        fault_raise(t, TELOS_FAULT_UNKNOWN_SYSCALL, sys, t->ctx.eip, 0, "unknown syscall");
        return;
    }
}
