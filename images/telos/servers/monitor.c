/* The COM1 monitor shell: a line editor on the console (input arrives as IRQ 4 on the
 * notification in ARG1, through the IRQ handler in ARG0) and a handful of commands that
 * ask the PS (ARG2), the PMS (ARG3) and vfs_server (ARG4: a session over the whole tree). */
#include <telos/ps.h>
#include <telos/servers.h>
#include <telos/genesis.h>
#include <telos/psdisk.h>
#include "user/psclient.h"
#include "user/vfsclient.h"
#include "lib/psobj.h"
#include "lib/psshow.h"
#include "user/telos.h"
#include "lib/format.h"
#include "lib/string.h"

#define PS_EP  CHILD_SLOT_ARG2
#define PMS_EP CHILD_SLOT_ARG3
#define VFS_EP CHILD_SLOT_ARG4

static u32 call(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ep, label, argc, argv, reply, reply_len);
}

static u8 object[PSDISK_MAX_OBJECT_SIZE];

/* The plural ending for a count of n: "1 slot", "2 slots". */
static const char *s_for(u32 n) { return n == 1 ? "" : "s"; }

/* Reads and parses an object into `object`. */
static bool read_object(u32 oid, struct psobj *o)
{
    u32 len;
    return ps_get(PS_EP, oid, object, sizeof object, &len) == PS_OK && len <= sizeof object && psobj_parse(object, len, o);
}

/* An object's name (for showing a reference), into out. */
static const char *name_of(u32 oid, char *out, u32 size)
{
    static u8 other[PSDISK_MAX_OBJECT_SIZE];
    struct psobj o;
    u32 len;
    out[0] = 0;
    if (ps_get(PS_EP, oid, other, sizeof other, &len) == PS_OK && psobj_parse(other, len, &o) && !o.blob) {
        u32 n = o.name_length < size - 1 ? o.name_length : size - 1;
        memcpy(out, o.name, n);
        out[n] = 0;
    }
    return out;
}

static void copy_name(char *out, const char *name, u32 length)
{
    memcpy(out, name, length);
    out[length] = 0;
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
    static u32 oids[256];
    u32 n = list_oids(oids, 256);
    telos_printf("%u object%s\n", n, s_for(n));
    for (u32 i = 0; i < n; i++) {
        struct psobj o;
        char name[PSDISK_MAX_NAME + 1];
        if (!read_object(oids[i], &o))
            telos_printf("  %u  (unreadable)\n", oids[i]);
        else if (o.blob)
            telos_printf("  %u  (blob of %u byte%s)\n", oids[i], o.length - 4, s_for(o.length - 4));
        else {
            copy_name(name, o.name, o.name_length);
            telos_printf("  %u  %s  (%u slot%s, %u trait%s)\n", oids[i], name, o.slot_count, s_for(o.slot_count),
                         o.trait_count, s_for(o.trait_count));
        }
    }
}

static void cmd_ps(void)
{
    u32 r[TELOS_MAX_MRS], n;
    if (call(PMS_EP, PMS_LIST_PROCESSES, 0, NULL, r, &n)) {
        telos_print("the PMS did not answer\n");
        return;
    }
    telos_printf("%u process%s created by the PMS\n", r[0], r[0] == 1 ? "" : "es");
    u32 listed = 0;
    for (u32 at = 1; listed < r[0] && at + 6 <= n; listed++, at += 6) {
        char name[17];
        memcpy(name, &r[at + 2], 16);
        name[16] = 0;
        telos_printf("  %u  %s  %s\n", r[at], name, r[at + 1] ? "running" : "stopped");
    }
    /* One answer holds (TELOS_MAX_MRS - 1) / 6 of them. */
    if (listed < r[0])
        telos_printf("  and %u more the PMS's answer has no room for\n", r[0] - listed);
}

static void cmd_get(const char *arg)
{
    static char text[8192];
    u32 oid = 0;
    for (; *arg >= '0' && *arg <= '9'; arg++)
        oid = oid * 10 + (u32)(*arg - '0');
    struct psobj o;
    if (!read_object(oid, &o)) {
        telos_printf("no object %u\n", oid);
        return;
    }
    psshow_object(oid, o.bytes, o.length, name_of, text, sizeof text);
    telos_print(text);
}

/* --- files (vfs_server) ------------------------------------------------------------ */

/* The next space-separated word of *line, NUL-terminated in place; "" at the end. */
static char *word(char **line)
{
    while (**line == ' ')
        (*line)++;
    char *w = *line;
    while (**line && **line != ' ')
        (*line)++;
    if (**line)
        *(*line)++ = 0;
    return w;
}

/* spawn <name> [<path>[:ro|:rw]]...: with paths, the process's namespace is those grants
 * (read-only unless ":rw"), made by the PMS from its own session; without, the PMS's
 * default (/tmp read-write, /image read-only). */
static void cmd_spawn(char *line)
{
    static u32 oids[256];
    static u32 args[TELOS_MAX_MRS];
    const char *name = word(&line);
    u32 n = 4, grants = 0;
    for (char *path = word(&line); *path; path = word(&line)) {
        u32 len = strlen(path), rights = VFS_RIGHT_RO;
        if (len > 3 && (!strcmp(path + len - 3, ":rw") || !strcmp(path + len - 3, ":ro"))) {
            rights = path[len - 1] == 'w' ? VFS_RIGHT_RW : VFS_RIGHT_RO;
            len -= 3;
            path[len] = 0;
        }
        u32 words = (len + 3) / 4;
        if (grants == VFS_MAX_GRANTS || path[0] != '/' || len > VFS_PATH_MAX || n + 2 + words > TELOS_MAX_MRS) {
            telos_printf("usage: spawn <name> [<path>[:ro|:rw]]... (at most %u absolute paths)\n", VFS_MAX_GRANTS);
            return;
        }
        args[n] = rights;
        args[n + 1] = len;
        memset(&args[n + 2], 0, words * 4);
        memcpy(&args[n + 2], path, len);
        n += 2 + words;
        grants++;
    }
    u32 count = list_oids(oids, 256), image = 0, next = GENESIS_FIRST_FREE;
    for (u32 i = 0; i < count; i++)
        if (oids[i] >= next)
            next = oids[i] + 1;
    struct psobj o;
    struct psobj_slot s;
    if (read_object(GENESIS_IMAGES, &o) && psobj_find_slot(&o, name, strlen(name), &s))
        psobj_value_ref(&s, &image);
    if (!image) {
        telos_printf("no program image named '%s' in the PS\n", name);
        return;
    }
    args[0] = image;
    args[1] = 0;
    args[2] = next;
    args[3] = grants;
    u32 r[4];
    u32 err = call(PMS_EP, PMS_CREATE_PROCESS, grants ? n : 3, args, r, NULL);
    if (err)
        telos_printf("spawn %s failed: %s\n", name, err >= VFS_ENOENT ? vfs_error_name(err) : telos_error_name(err));
    else
        telos_printf("spawned %s as object %u\n", name, next);
}


static void file_error(const char *cmd, const char *path, u32 err)
{
    telos_printf("%s: %s: %s\n", cmd, path, vfs_error_name(err));
}

static void cmd_ls(char *args)
{
    const char *path = word(&args);
    if (!*path)
        path = "/";
    struct vfs_stat st;
    u32 err = vfs_stat(VFS_EP, path, &st);
    if (err) {
        file_error("ls", path, err);
        return;
    }
    if (st.type != VFS_TYPE_DIR) {
        telos_printf("  %s  (%u byte%s)\n", path, (u32)st.size, s_for((u32)st.size));
        return;
    }
    u64 cookie = 0;
    bool end = false;
    u32 count = 0;
    static struct vfs_entry e;
    while (!(err = vfs_readdir(VFS_EP, path, &cookie, &e, &end)) && !end) {
        if (e.type == VFS_TYPE_DIR)
            telos_printf("  %s/\n", e.name);
        else if (e.type == VFS_TYPE_FILE)
            telos_printf("  %s  (%u byte%s)\n", e.name, (u32)e.size, s_for((u32)e.size));
        else
            telos_printf("  %s  (%s)\n", e.name, e.type == VFS_TYPE_SYMLINK ? "symbolic link" : "special file");
        count++;
    }
    if (err)
        file_error("ls", path, err);
    else
        telos_printf("%u entr%s\n", count, count == 1 ? "y" : "ies");
}

static void cmd_cat(char *args)
{
    const char *path = word(&args);
    struct vfs_file f;
    u32 err = vfs_open(VFS_EP, path, VFS_O_READ, &f), got;
    if (err) {
        file_error("cat", path, err);
        return;
    }
    static char buf[VFS_MAX_DATA + 1];
    char last = '\n';
    while (!(err = vfs_read(&f, buf, VFS_MAX_DATA, &got)) && got) {
        for (u32 i = 0; i < got; i++)
            if ((buf[i] < 32 && buf[i] != '\n' && buf[i] != '\t') || buf[i] == 127)
                buf[i] = '.';   /* the console shows text */
        buf[got] = 0;
        telos_print(buf);
        last = buf[got - 1];
    }
    if (last != '\n')
        telos_print("\n");
    if (err)
        file_error("cat", path, err);
    vfs_close(&f);
}

static void cmd_write(char *args)
{
    const char *path = word(&args);
    while (*args == ' ')
        args++;
    struct vfs_file f;
    u32 err = vfs_open(VFS_EP, path, VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC, &f);
    if (!err) {
        u32 n = strlen(args);
        args[n] = '\n';   /* the line, as a line */
        err = vfs_write(&f, args, n + 1);
        u32 cerr = vfs_close(&f);
        if (!err)
            err = cerr;
        if (!err)
            telos_printf("wrote %u byte%s to %s\n", n + 1, s_for(n + 1), path);
    }
    if (err)
        file_error("write", path, err);
}

static void cmd_path(const char *cmd, char *args)
{
    const char *path = word(&args);
    u32 err = !strcmp(cmd, "mkdir") ? vfs_mkdir(VFS_EP, path) : vfs_unlink(VFS_EP, path);
    if (err)
        file_error(cmd, path, err);
}

static void cmd_mv(char *args)
{
    const char *from = word(&args), *to = word(&args);
    u32 err = vfs_rename(VFS_EP, from, to);
    if (err)
        telos_printf("mv: %s -> %s: %s\n", from, to, vfs_error_name(err));
}

static void cmd_df(void)
{
    u64 cookie = 0;
    bool end = false;
    static struct vfs_entry e;
    telos_print("mount  plugin  size  free  inodes  free\n");
    while (!vfs_readdir(VFS_EP, "/", &cookie, &e, &end) && !end) {
        char path[VFS_NAME_MAX + 2] = "/";
        memcpy(path + 1, e.name, strlen(e.name) + 1);
        struct vfs_fsinfo fi;
        u32 err = vfs_statfs(VFS_EP, path, &fi);
        if (err) {
            file_error("df", path, err);
            continue;
        }
        telos_printf("%s  %s  %u KiB  %u KiB  %u  %u\n", path, fi.plugin, fi.blocks / 1024 * fi.block_size + fi.blocks % 1024 * fi.block_size / 1024,
                     fi.free_blocks / 1024 * fi.block_size + fi.free_blocks % 1024 * fi.block_size / 1024, fi.inodes,
                     fi.free_inodes);
    }
}

static void execute(char *line)
{
    while (*line == ' ')
        line++;
    if (!*line)
        return;
    if (!strcmp(line, "help"))
        telos_print("commands: help, ps, objects, get <oid>, spawn <name> [<path>[:ro|:rw]]...\n"
                    "files: ls [dir], cat <file>, write <file> <text>, mkdir <dir>, rm <path>\n"
                    "       mv <from> <to>, df\n");
    else if (!strcmp(line, "ps"))
        cmd_ps();
    else if (!strcmp(line, "objects"))
        cmd_objects();
    else if (!strncmp(line, "get ", 4))
        cmd_get(line + 4);
    else if (!strncmp(line, "spawn ", 6))
        cmd_spawn(line + 6);
    else if (!strcmp(line, "ls") || !strncmp(line, "ls ", 3))
        cmd_ls(line + 2);
    else if (!strncmp(line, "cat ", 4))
        cmd_cat(line + 4);
    else if (!strncmp(line, "write ", 6))
        cmd_write(line + 6);
    else if (!strncmp(line, "mkdir ", 6))
        cmd_path("mkdir", line + 6);
    else if (!strncmp(line, "rm ", 3))
        cmd_path("rm", line + 3);
    else if (!strncmp(line, "mv ", 3))
        cmd_mv(line + 3);
    else if (!strcmp(line, "df"))
        cmd_df();
    else
        telos_printf("unknown command '%s' (try help)\n", line);
}

int main(void)
{
    telos_console_answers();
    if (TELOS_INVOKE(CHILD_SLOT_ARG0, TELOS_IRQ_HANDLER_SET_NOTIFICATION, CHILD_SLOT_ARG1)) {
        telos_print("TelOS: monitor: cannot claim COM1 input\n");
        return 0;
    }
    telos_print("TelOS: monitor: ready on COM1 (type help)\ntelos> ");
    static char line[200];
    u32 len = 0;
    for (;;) {
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_recv(CHILD_SLOT_ARG1, &m);
        for (;;) {
            struct telos_msg g = { { 0, 0, 0 }, 0 };
            u32 c = telos_syscall(TELOS_SYS_DEBUG_GETCHAR, CHILD_SLOT_ARG0, 0, &g);
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
