/* User-side library: invocations and console output through the debug syscalls. */
#include "user/telos.h"
#include "lib/format.h"
#include "lib/string.h"

struct telos_ipc_buffer *telos_ipc;

void telos_put_words(struct telos_msg *m, const u32 *words, u32 n)
{
    for (u32 i = 0; i < n; i++) {
        if (i < TELOS_FAST_MRS)
            m->mr[i] = words[i];
        else
            telos_ipc->msg[i] = words[i];
    }
}

u32 telos_call_words(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    telos_put_words(&m, argv, argc);
    u32 info = telos_call(ep, TELOS_MSG_INFO(label, 0, argc), &m);
    u32 n = TELOS_MSG_LENGTH(info);
    for (u32 i = 0; reply && i < n; i++)
        reply[i] = i < TELOS_FAST_MRS ? m.mr[i] : telos_ipc->msg[i];
    if (reply_len)
        *reply_len = n;
    return TELOS_MSG_LABEL(info);
}

u32 telos_invoke(u32 cptr, u32 label, u32 argc, const u32 *argv, u32 *reply0)
{
    u32 reply[TELOS_MAX_MRS] = { 0 };
    u32 result = telos_call_words(cptr, label, argc, argv, reply, NULL);
    if (reply0)
        *reply0 = reply[0];
    return result;
}

/* Whether this program's output is answers to a person (the monitor) rather than log lines. */
static bool answers;

void telos_console_answers(void) { answers = true; }

void telos_print(const char *s)
{
    /* Each write is one syscall, styled whole: another program's output between two writes
     * keeps its own colour. */
    const char *style = answers ? "" : TELOS_LOG_STYLE, *plain = answers ? "" : TELOS_LOG_PLAIN;
    usize n = strlen(s), before = strlen(style), after = strlen(plain);
    while (n) {
        usize room = sizeof telos_ipc->msg - before - after;
        usize chunk = n > room ? room : n;
        char *out = (char *)telos_ipc->msg;
        memcpy(out, style, before);
        memcpy(out + before, s, chunk);
        memcpy(out + before + chunk, plain, after);
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_syscall(TELOS_SYS_DEBUG_WRITE, before + chunk + after, 0, &m);
        s += chunk;
        n -= chunk;
    }
}

void telos_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    format_vto(buf, sizeof buf, fmt, ap);
    va_end(ap);
    telos_print(buf);
}

void telos_exit(void)
{
    TELOS_INVOKE0(CHILD_SLOT_TCB, TELOS_TCB_SUSPEND);
    for (;;)
        telos_yield();
}

const char *telos_error_name(u32 err)
{
    static const char *const names[] = {
        "ok", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError", "AlignmentError",
        "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst", "NotEnoughMemory",
    };
    return err < sizeof names / sizeof names[0] ? names[err] : "unknown error";
}
