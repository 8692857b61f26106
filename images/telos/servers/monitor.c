/* The COM1 monitor shell: a line editor on the console (input arrives as IRQ 4 on the
 * notification in ARG1, through the IRQ handler in ARG0) and a handful of commands that
 * ask the PS (ARG2) and the PMS (ARG3). */
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "lib/format.h"
#include "lib/string.h"

#define PS_EP  CHILD_SLOT_ARG2
#define PMS_EP CHILD_SLOT_ARG3

static u32 call(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ep, label, argc, argv, reply, reply_len);
}

/* An object's text, with anything unprintable shown as a byte count. */
static bool object_text(u32 oid, char *out, u32 size)
{
    u32 r[TELOS_MAX_MRS], n;
    if (call(PS_EP, PS_GET, 1, &oid, r, &n))
        return false;
    u32 len = r[0] < size - 1 ? r[0] : size - 1;
    memcpy(out, &r[1], len);
    out[len] = 0;
    for (u32 i = 0; i < len; i++)
        if ((out[i] < 32 || out[i] > 126) && out[i] != '\n') {
            format_to(out, size, "(%u bytes of binary data)\n", r[0]);
            break;
        }
    return true;
}

static const char *field(const char *text, const char *key, char *out, u32 size)
{
    usize n = strlen(key);
    for (const char *p = text; *p;) {
        if (!strncmp(p, key, n) && p[n] == '=') {
            u32 i = 0;
            for (p += n + 1; *p && *p != '\n' && i + 1 < size; p++)
                out[i++] = *p;
            out[i] = 0;
            return out;
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return NULL;
}

static u32 list_oids(u32 *oids, u32 max)
{
    u32 r[TELOS_MAX_MRS], n, total = 0, first = 0;
    u32 got = 0;
    do {
        if (call(PS_EP, PS_LIST, 1, &first, r, &n))
            break;
        total = r[0];
        for (u32 i = 0; i < r[1] && got < max; i++)
            oids[got++] = r[2 + i];
        first += r[1];
        if (!r[1])
            break;
    } while (first < total && got < max);
    return got;
}

static void cmd_objects(void)
{
    u32 oids[128];
    u32 n = list_oids(oids, 128);
    telos_printf("%u objects\n", n);
    for (u32 i = 0; i < n; i++) {
        char text[PS_TEXT_MAX + 1], name[32], kind[32];
        if (!object_text(oids[i], text, sizeof text))
            continue;
        if (field(text, "name", name, sizeof name))
            telos_printf("  %u  %s (%s)\n", oids[i], name, field(text, "kind", kind, sizeof kind) ? kind : "?");
    }
}

static void cmd_ps(void)
{
    u32 r[TELOS_MAX_MRS], n;
    if (call(PMS_EP, PMS_LIST_PROCESSES, 0, NULL, r, &n)) {
        telos_print("the PMS did not answer\n");
        return;
    }
    telos_printf("%u processes created by the PMS\n", r[0]);
    for (u32 i = 0, at = 1; i < r[0] && at + 6 <= n; i++, at += 6) {
        char name[17];
        memcpy(name, &r[at + 2], 16);
        name[16] = 0;
        telos_printf("  %u  %s  %s\n", r[at], name, r[at + 1] ? "running" : "stopped");
    }
}

static void cmd_get(const char *arg)
{
    u32 oid = 0;
    for (; *arg >= '0' && *arg <= '9'; arg++)
        oid = oid * 10 + (u32)(*arg - '0');
    char text[PS_TEXT_MAX + 1];
    if (!object_text(oid, text, sizeof text))
        telos_printf("no object %u\n", oid);
    else
        telos_printf("object %u:\n%s", oid, text);
}

static void cmd_spawn(const char *name)
{
    u32 oids[128];
    u32 n = list_oids(oids, 128), image = 0, next = 1000;
    for (u32 i = 0; i < n; i++) {
        char text[PS_TEXT_MAX + 1], v[32];
        if (oids[i] >= next)
            next = oids[i] + 1;
        if (object_text(oids[i], text, sizeof text) && field(text, "kind", v, sizeof v) && !strcmp(v, "image") &&
            field(text, "name", v, sizeof v) && !strcmp(v, name))
            image = oids[i];
    }
    if (!image) {
        telos_printf("no program image named '%s' in the PS\n", name);
        return;
    }
    u32 args[3] = { image, 0, next }, r[4];
    u32 err = call(PMS_EP, PMS_CREATE_PROCESS, 3, args, r, NULL);
    if (err)
        telos_printf("spawn %s failed: %s\n", name, telos_error_name(err));
    else
        telos_printf("spawned %s as object %u\n", name, next);
}

static void execute(char *line)
{
    while (*line == ' ')
        line++;
    if (!*line)
        return;
    if (!strcmp(line, "help"))
        telos_print("commands: help, ps, objects, get <oid>, spawn <name>\n");
    else if (!strcmp(line, "ps"))
        cmd_ps();
    else if (!strcmp(line, "objects"))
        cmd_objects();
    else if (!strncmp(line, "get ", 4))
        cmd_get(line + 4);
    else if (!strncmp(line, "spawn ", 6))
        cmd_spawn(line + 6);
    else
        telos_printf("unknown command '%s' (try help)\n", line);
}

int main(void)
{
    if (TELOS_INVOKE(CHILD_SLOT_ARG0, TELOS_IRQ_HANDLER_SET_NOTIFICATION, CHILD_SLOT_ARG1)) {
        telos_print("TelOS: monitor: cannot claim COM1 input\n");
        return 0;
    }
    telos_print("TelOS: monitor: ready on COM1 (type help)\ntelos> ");
    char line[80];
    u32 len = 0;
    for (;;) {
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_recv(CHILD_SLOT_ARG1, &m);
        for (;;) {
            struct telos_msg g = { { 0, 0, 0 }, 0 };
            u32 c = telos_syscall(TELOS_SYS_DEBUG_GETCHAR, 0, 0, &g);
            if (c == 0xFFFFFFFFu)
                break;
            if (c == '\r' || c == '\n') {
                telos_print("\n");
                line[len] = 0;
                execute(line);
                len = 0;
                telos_print("telos> ");
            } else if ((c == 8 || c == 127) && len) {
                len--;
                telos_print("\b \b");
            } else if (c >= 32 && c < 127 && len + 1 < sizeof line) {
                line[len++] = (char)c;
                char echo[2] = { (char)c, 0 };
                telos_print(echo);
            }
        }
        TELOS_INVOKE0(CHILD_SLOT_ARG0, TELOS_IRQ_HANDLER_ACK);
    }
}
