/* User faults. A fault only ever affects the thread that caused it: the kernel sends a
 * fault message to the thread's fault endpoint (as a Call, so the handler can reply to
 * resume it), or, when it has none, logs the reason on COM1 and stops the thread. */
#include "kernel/object.h"
#include "kernel/console.h"

void fault_raise(struct tcb *t, u32 label, u32 mr0, u32 mr1, u32 mr2, const char *why)
{
    struct slot *ep = &t->fault_ep_slot;
    if (ep->cap.type == CAP_ENDPOINT && (ep->cap.rights & TELOS_RIGHT_WRITE)) {
        t->fault_pending = true;
        t->fault_label = label;
        t->fault_mr[0] = mr0;
        t->fault_mr[1] = mr1;
        t->fault_mr[2] = mr2;
        ipc_send(t, ep, true, true);
        return;
    }
    kprintf("TelOS: thread '%s' killed: ", tcb_name(t));
    switch (label) {
    case TELOS_FAULT_VM:
        kprintf("page fault at %08x (eip=%08x, error %x)\n", mr0, mr1, mr2);
        break;
    case TELOS_FAULT_USER_EXCEPTION:
        kprintf("%s (vector %u, eip=%08x, error %x)\n", why, mr0, mr1, mr2);
        break;
    case TELOS_FAULT_CAP:
        kprintf("capability fault: %s (cptr %x, eip=%08x)\n", why, mr0, mr1);
        break;
    default:
        kprintf("%s %u (eip=%08x)\n", why, mr0, mr1);
        break;
    }
    tcb_suspend(t);
}
