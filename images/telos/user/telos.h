/* The user-side TelOS library: syscall wrappers, kernel invocations, console output.
 * Every thread of an address space shares `telos_ipc`, so only one thread per address
 * space should use long messages or printing. */
#ifndef TELOS_USER_H
#define TELOS_USER_H
#include <telos/abi.h>
#include <telos/types.h>
#include "user/layout.h"

struct telos_msg {
    u32 mr[3];
    u32 badge;
};

extern struct telos_ipc_buffer *telos_ipc;

u32 telos_syscall(u32 sys, u32 cptr, u32 info, struct telos_msg *m);

static inline u32 telos_call(u32 cptr, u32 info, struct telos_msg *m) { return telos_syscall(TELOS_SYS_CALL, cptr, info, m); }
static inline void telos_send(u32 cptr, u32 info, struct telos_msg *m) { telos_syscall(TELOS_SYS_SEND, cptr, info, m); }
static inline u32 telos_recv(u32 cptr, struct telos_msg *m) { return telos_syscall(TELOS_SYS_RECV, cptr, 0, m); }
static inline u32 telos_reply_recv(u32 cptr, u32 info, struct telos_msg *m) { return telos_syscall(TELOS_SYS_REPLY_RECV, cptr, info, m); }
static inline void telos_reply(u32 info, struct telos_msg *m) { telos_syscall(TELOS_SYS_REPLY, 0, info, m); }
static inline void telos_yield(void) { struct telos_msg m = { { 0, 0, 0 }, 0 }; telos_syscall(TELOS_SYS_YIELD, 0, 0, &m); }
/* The debug identify syscall (abi.h): what slot `index` of the CNode `cnode` holds; returns
 * the cap type (0 empty, 0xFFFFFFFF out of range). */
static inline u32 telos_cap_identify(u32 cnode, u32 index, u32 *obj, u32 *rights_bits, u32 *data)
{
    struct telos_msg m = { { index, 0, 0 }, 0 };
    u32 type = telos_syscall(TELOS_SYS_DEBUG_CAP_IDENTIFY, cnode, 0, &m);
    *obj = m.mr[0];
    *rights_bits = m.mr[1];
    *data = m.mr[2];
    return type;
}
static inline void telos_null_syscall(void) { struct telos_msg m = { { 0, 0, 0 }, 0 }; telos_syscall(TELOS_SYS_DEBUG_NULL, 0, 0, &m); }
static inline u64 telos_rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }

/* A kernel invocation: label and up to 8 arguments; returns the error code (0 = ok). */
u32 telos_invoke(u32 cptr, u32 label, u32 argc, const u32 *argv, u32 *reply0);
/* Puts `n` message words in place: the fast registers of `m` first, then the IPC buffer. */
void telos_put_words(struct telos_msg *m, const u32 *words, u32 n);
/* Call with `argc` words (fast registers first, then the IPC buffer); copies the reply's
 * words into `reply` (may be NULL) and its length into `reply_len`; returns the label. */
u32 telos_call_words(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len);
#define TELOS_INVOKE(cptr, label, ...) \
    ({ const u32 _a[] = { __VA_ARGS__ }; telos_invoke((cptr), (label), sizeof _a / sizeof _a[0], _a, NULL); })
#define TELOS_INVOKE0(cptr, label) telos_invoke((cptr), (label), 0, NULL, NULL)

/* Console output: log lines (in the log colour, see TELOS_LOG_STYLE) unless the program said
 * it answers a person with telos_console_answers(). */
void telos_print(const char *s);
void telos_console_answers(void);
void telos_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void telos_exit(void);
const char *telos_error_name(u32 err);

#endif
