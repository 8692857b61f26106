/* The bridge server: a COM2 driver in user space (ports in ARG0, IRQ 3 through the
 * handler in ARG1 and the notification in ARG2) speaking the frames of bridge.h, and a
 * client of the PS (ARG3) and the PMS (ARG4): the host's way to the kernel's objects. */
#include <telos/bridge.h>
#include <telos/genesis.h>
#include <telos/ps.h>
#include <telos/psdisk.h>
#include <telos/servers.h>
#include "user/ioport.h"
#include "user/telos.h"
#include "user/vfsclient.h"
#include "lib/crc32.h"
#include "lib/string.h"

#define COM2 0x2F8
#define FRAME_MAX (BRIDGE_HEADER_SIZE + BRIDGE_MAX_PAYLOAD + 4)
/* GET_OBJECT answers an object's first bytes only (the kernel-objects view decodes its
 * slots from them; blobs are counted, not read): kept at one KiB as frames grew. */
#define GET_OBJECT_BYTES 1016

static u8 in[2 * FRAME_MAX];
static u32 in_len;
static u8 out[FRAME_MAX];

/* The COM2 ports, bound to this thread and used directly when the kernel allows. */
static struct io_ports com2;

static u32 port_in(u32 port) { return io_in8(&com2, port); }
static void port_out(u32 port, u32 v) { io_out8(&com2, port, v); }

static void uart_init(void)
{
    io_ports_open(&com2, CHILD_SLOT_ARG0, 0);
    port_out(COM2 + 1, 0x00);
    port_out(COM2 + 3, 0x80);
    port_out(COM2 + 0, 0x01);
    port_out(COM2 + 1, 0x00);
    port_out(COM2 + 3, 0x03);
    port_out(COM2 + 2, 0xC7);
    port_out(COM2 + 4, 0x0B);
    port_out(COM2 + 1, 0x01); /* interrupt when a byte arrives */
}

static void uart_write(const u8 *p, u32 n)
{
    for (u32 i = 0; i < n; i++) {
        /* Wait for the transmitter by time (up to 2e9 TSC cycles): QEMU keeps it busy
         * while the host end of the line is slow to take bytes. */
        if (!(port_in(COM2 + 5) & 0x20)) {
            u64 start = telos_rdtsc();
            while (!(port_in(COM2 + 5) & 0x20) && telos_rdtsc() - start < 2000000000ull)
                ;
        }
        port_out(COM2, p[i]);
    }
}

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }

static void send_frame(u32 type, u32 status, u32 id, const u8 *payload, u32 len)
{
    out[0] = BRIDGE_MAGIC_0;
    out[1] = BRIDGE_MAGIC_1;
    out[2] = (u8)len;
    out[3] = (u8)(len >> 8);
    out[4] = (u8)type;
    out[5] = (u8)status;
    out[6] = (u8)id;
    out[7] = (u8)(id >> 8);
    if (payload != out + BRIDGE_HEADER_SIZE)
        memmove(out + BRIDGE_HEADER_SIZE, payload, len);
    wr32(out + BRIDGE_HEADER_SIZE + len, crc32(out, BRIDGE_HEADER_SIZE + len));
    uart_write(out, BRIDGE_HEADER_SIZE + len + 4);
}

static void send_error(u32 id, u32 code, const char *why)
{
    send_frame(BRIDGE_ERROR, code, id, (const u8 *)why, strlen(why));
}

static u32 call(u32 ep, u32 label, u32 argc, const u32 *argv, u32 *reply, u32 *reply_len)
{
    return telos_call_words(ep, label, argc, argv, reply, reply_len);
}

#define PS_EP  CHILD_SLOT_ARG3
#define PMS_EP CHILD_SLOT_ARG4
#define VFS_EP CHILD_SLOT_ARG5   /* the file-system session: "/" read-only, /tmp and /disk read-write (absent: no vfs_server) */

static const char *ps_error_name(u32 err)
{
    static const char *const names[] = { "PS_OK", "PS_ENOT_FOUND", "PS_EBAD_TX", "PS_EMALFORMED", "PS_EFULL",
                                         "PS_EIO", "PS_EUNKNOWN", "PS_ESHUT_DOWN", "PS_ECONFLICT", "PS_EBUSY" };
    return err < sizeof names / sizeof names[0] ? names[err] : "PS_E?";
}

/* A refusal by the PS: the error frame's text starts with the PS status's name. */
static void send_refused(u32 id, u32 err)
{
    send_error(id, BRIDGE_EREFUSED, ps_error_name(err));
}

/* What the bridge last reported in events: the processes the PMS runs and the PS's last tid. */
static u32 seen_oids[32], seen_count, seen_tid;
static bool seen_valid;

static void send_event(u32 kind, u32 what)
{
    u8 ev[8];
    wr32(ev, kind);
    wr32(ev + 4, what);
    send_frame(BRIDGE_EVENT, 0, 0, ev, sizeof ev);
}

/* The PMS's running processes (oids), at most 32. */
static u32 running_processes(u32 *oids)
{
    u32 r[TELOS_MAX_MRS], n, count = 0;
    if (call(PMS_EP, PMS_LIST_PROCESSES, 0, NULL, r, &n))
        return 0;
    for (u32 i = 0, at = 1; i < r[0] && at + 6 <= n && count < 32; i++, at += 6)
        if (r[at + 1] == 1)
            oids[count++] = r[at];
    return count;
}

static u32 ps_last_tid(void)
{
    u32 r[TELOS_MAX_MRS], n;
    return call(PS_EP, PS_STAT, 0, NULL, r, &n) || n < 2 ? seen_tid : r[1];
}

static bool contains(const u32 *oids, u32 count, u32 oid)
{
    for (u32 i = 0; i < count; i++)
        if (oids[i] == oid)
            return true;
    return false;
}

/* Compares the system with what was last reported and sends an event per change. The
 * first call only takes the picture: the host reads the state when it connects. */
static void report_changes(void)
{
    u32 now[32], count = running_processes(now), tid = ps_last_tid();
    if (seen_valid) {
        for (u32 i = 0; i < count; i++)
            if (!contains(seen_oids, seen_count, now[i]))
                send_event(BRIDGE_EVENT_PROCESS_STARTED, now[i]);
        for (u32 i = 0; i < seen_count; i++)
            if (!contains(now, count, seen_oids[i]))
                send_event(BRIDGE_EVENT_PROCESS_EXITED, seen_oids[i]);
        if (tid != seen_tid)
            send_event(BRIDGE_EVENT_TX_COMMITTED, tid);
    }
    memcpy(seen_oids, now, sizeof now);
    seen_count = count;
    seen_tid = tid;
    seen_valid = true;
}

/* Reads `max` bytes of object `oid` from `offset` into dst; *total gets its length. */
static u32 ps_read(u32 oid, u32 offset, u8 *dst, u32 max, u32 *total)
{
    u32 r[TELOS_MAX_MRS], n, got = 0;
    for (;;) {
        u32 args[2] = { oid, offset + got };
        u32 err = call(PS_EP, PS_GET, 2, args, r, &n);
        if (err)
            return err;
        *total = r[0];
        u32 here = n >= 2 ? (n - 2) * 4 : 0, left = r[0] - offset - got;
        u32 chunk = left < here ? left : here;
        if (chunk > max - got)
            chunk = max - got;
        memcpy(dst + got, &r[2], chunk);
        got += chunk;
        if (!chunk || got == max || offset + got >= r[0])
            return 0;
    }
}

/* GET_OBJECTS: entries packed into as many response frames as they need. */
static void get_objects(u32 type, u32 id, const u8 *payload, u32 len)
{
    u32 count = len >= 4 ? rd32(payload) : 0;
    if (len < 4 || !count || count > BRIDGE_MAX_BATCH || len != 4 + 4 * count) {
        send_error(id, BRIDGE_EBAD_PAYLOAD, "GET_OBJECTS wants a count (1..255) and that many oids");
        return;
    }
    static u32 oids[BRIDGE_MAX_BATCH];
    memcpy(oids, payload + 4, 4 * count); /* the payload lives in the frame buffer, not in out */
    u8 *body = out + BRIDGE_HEADER_SIZE;
    u32 at = 8, entries = 0;
    for (u32 i = 0; i < count; i++) {
        u32 offset = 0, total = 0;
        do {
            if (BRIDGE_MAX_PAYLOAD - at < 24) { /* not even a header and a word: next frame */
                wr32(body, BRIDGE_MORE);
                wr32(body + 4, entries);
                send_frame(type | BRIDGE_RESPONSE, 0, id, body, at);
                at = 8;
                entries = 0;
            }
            u32 room = (BRIDGE_MAX_PAYLOAD - at - 20) & ~3u, n = 0;
            u32 err = ps_read(oids[i], offset, body + at + 20, room, &total);
            if (!err)
                n = total - offset < room ? total - offset : room;
            wr32(body + at, oids[i]);
            wr32(body + at + 4, err ? BRIDGE_ENOT_FOUND : 0);
            wr32(body + at + 8, err ? 0 : total);
            wr32(body + at + 12, offset);
            wr32(body + at + 16, n);
            for (u32 pad = n; pad & 3; pad++)
                body[at + 20 + pad] = 0;
            at += 20 + ((n + 3) & ~3u);
            entries++;
            offset += n;
            if (err)
                break;
        } while (offset < total);
    }
    wr32(body, 0);
    wr32(body + 4, entries);
    send_frame(type | BRIDGE_RESPONSE, 0, id, body, at);
}

/* TX_PUT: one part of one object, forwarded as PS_PUT_PART messages. */
static void tx_put(u32 type, u32 id, const u8 *payload, u32 len)
{
    if (len < 16) {
        send_error(id, BRIDGE_EBAD_PAYLOAD, "TX_PUT wants txid, oid, length, offset and bytes");
        return;
    }
    u32 tx = rd32(payload), oid = rd32(payload + 4), total = rd32(payload + 8), offset = rd32(payload + 12);
    u32 n = len - 16;
    if (!oid || total > PSDISK_MAX_OBJECT_SIZE || offset > total || n > total - offset || (!n && total)) {
        send_error(id, BRIDGE_EBAD_PAYLOAD, "TX_PUT part outside its object");
        return;
    }
    const u32 chunk = (TELOS_MAX_MRS - 5) * 4;
    u32 w[TELOS_MAX_MRS];
    for (u32 off = 0; off < n || (!total && !off); off += chunk) {
        u32 here = n - off < chunk ? n - off : chunk;
        w[0] = tx;
        w[1] = oid;
        w[2] = total;
        w[3] = offset + off;
        w[4] = here;
        w[5 + (here + 3) / 4 - (here ? 1 : 0)] = 0;
        memcpy(&w[5], payload + 16 + off, here);
        u32 err = call(PS_EP, PS_PUT_PART, 5 + (here + 3) / 4, w, NULL, NULL);
        if (err) {
            send_refused(id, err);
            return;
        }
        if (!total)
            break;
    }
    send_frame(type | BRIDGE_RESPONSE, 0, id, out, 0);
}

/* Copies `n` bytes at `p` into `path` NUL-terminated; false when they are not a path the
 * bridge passes on (empty, longer than VFS_PATH_MAX, or holding a NUL). */
static bool take_path(const u8 *p, u32 n, char *path)
{
    if (!n || n > VFS_PATH_MAX)
        return false;
    for (u32 i = 0; i < n; i++)
        if (!p[i])
            return false;
    memcpy(path, p, n);
    path[n] = 0;
    return true;
}

/* The path of an FS_* request after its `skip` leading bytes, NUL-terminated in `path`;
 * false (and an error frame sent) when it is not one. */
static bool fs_path(u32 id, const u8 *payload, u32 len, u32 skip, char *path, const char *usage)
{
    if (len <= skip || !take_path(payload + skip, len - skip, path)) {
        send_error(id, BRIDGE_EBAD_PAYLOAD, usage);
        return false;
    }
    return true;
}

static void send_vfs_error(u32 id, u32 err)
{
    send_error(id, err == VFS_ENOENT ? BRIDGE_ENOT_FOUND : BRIDGE_EREFUSED, vfs_error_name(err));
}

/* A change refused: a read-only grant and a mount that is not there are told apart, so
 * the host can say "read-only" or "no file disk" rather than vfs_server's bare name. */
static void send_change_error(u32 id, const char *path, u32 err)
{
    if (err != VFS_EROFS) {
        send_vfs_error(id, err);
        return;
    }
    /* vfs_server answers VFS_EROFS to a change under "/" outside every mount: is the
     * path's first component a writable mount that is missing (/disk with no hdb)? */
    static char why[64];
    u32 n = 1;
    while (path[n] && path[n] != '/')
        n++;
    const char *mount = n == 5 && !memcmp(path, "/disk", 5) ? "/disk" : n == 4 && !memcmp(path, "/tmp", 4) ? "/tmp" : NULL;
    struct vfs_stat st;
    if (mount && vfs_stat(VFS_EP, mount, &st) == VFS_ENOENT) {
        const char *tail = " is not mounted (no file disk)";
        u32 m = strlen(mount);
        memcpy(why, mount, m);
        memcpy(why + m, tail, strlen(tail) + 1);
        send_error(id, BRIDGE_ENOT_FOUND, why);
        return;
    }
    send_error(id, BRIDGE_EREAD_ONLY, "read-only: files are written under /tmp and /disk only");
}

/* The file an upload writes, kept open between its frames (bridge.h, FS_WRITE). */
static struct vfs_file upload;
static char upload_path[VFS_PATH_MAX + 1];
static bool upload_open;

/* Closes the upload's file (a close syncs it to the medium): the error, or 0. */
static u32 upload_close(void)
{
    if (!upload_open)
        return 0;
    upload_open = false;
    return vfs_close(&upload);
}

/* FS_WRITE: bytes at an offset of a file, opened (created, truncated) as the flags say. */
static void fs_write(u32 type, u32 id, const u8 *payload, u32 len)
{
    static char path[VFS_PATH_MAX + 1];
    u32 flags = len >= 16 ? rd32(payload + 8) : 0, plen = len >= 16 ? rd32(payload + 12) : 0;
    const char *bad = NULL;
    if (len < 16 || plen > len - 16 || !take_path(payload + 16, plen, path))
        bad = "FS_WRITE wants an offset, flags, a path of 1 to 255 bytes and the bytes";
    else if (flags & ~(u32)(BRIDGE_FS_CREATE | BRIDGE_FS_TRUNCATE | BRIDGE_FS_LAST))
        bad = "FS_WRITE: unknown flags";
    u64 offset = len >= 16 ? rd32(payload) | (u64)rd32(payload + 4) << 32 : 0;
    u32 n = bad ? 0 : len - 16 - plen;
    if (!bad && offset + n < offset)
        bad = "FS_WRITE: the offset and length pass 2^64";
    if (bad) {
        upload_close();
        send_error(id, BRIDGE_EBAD_PAYLOAD, bad);
        return;
    }
    u32 err = 0;
    /* Whether this frame made the file: a failure later in it takes the file away again. */
    bool created = false;
    /* Another file, or one to create or empty again: the open one is done. */
    if (upload_open && (strcmp(path, upload_path) || flags & (BRIDGE_FS_CREATE | BRIDGE_FS_TRUNCATE)))
        err = upload_close();
    if (!err && !upload_open) {
        u32 how = VFS_O_WRITE | (flags & BRIDGE_FS_CREATE ? VFS_O_CREATE : 0) | (flags & BRIDGE_FS_TRUNCATE ? VFS_O_TRUNC : 0);
        struct vfs_stat st;
        bool existed = !(flags & BRIDGE_FS_CREATE) || vfs_stat(VFS_EP, path, &st) != VFS_ENOENT;
        err = vfs_open(VFS_EP, path, how, &upload);
        if (!err) {
            upload_open = true;
            created = !existed;
            memcpy(upload_path, path, plen + 1);
        }
    }
    if (!err && n)
        err = vfs_write_at(VFS_EP, upload.handle, offset, payload + 16 + plen, n);
    if (err || flags & BRIDGE_FS_LAST) {
        u32 closed = upload_close();
        if (!err)
            err = closed;
    }
    if (err && created)
        vfs_unlink(VFS_EP, path);
    if (err) {
        send_change_error(id, path, err);
        return;
    }
    wr32(out + BRIDGE_HEADER_SIZE, n);
    send_frame(type | BRIDGE_RESPONSE, 0, id, out + BRIDGE_HEADER_SIZE, 4);
}

/* FS_MKDIR and FS_REMOVE: a directory made, a file or an empty directory removed. */
static void fs_change(u32 type, u32 id, const u8 *payload, u32 len)
{
    static char path[VFS_PATH_MAX + 1];
    if (!fs_path(id, payload, len, 0, path, type == BRIDGE_FS_MKDIR ? "FS_MKDIR wants a path of 1 to 255 bytes" : "FS_REMOVE wants a path of 1 to 255 bytes"))
        return;
    u32 err = type == BRIDGE_FS_MKDIR ? vfs_mkdir(VFS_EP, path) : vfs_unlink(VFS_EP, path);
    if (err) {
        send_change_error(id, path, err);
        return;
    }
    send_frame(type | BRIDGE_RESPONSE, 0, id, out, 0);
}

/* FS_LIST: as many entries of the directory from the cookie as fit one frame. */
static void fs_list(u32 type, u32 id, const u8 *payload, u32 len)
{
    static char path[VFS_PATH_MAX + 1];
    if (!fs_path(id, payload, len, 8, path, "FS_LIST wants a cookie and a path of 1 to 255 bytes"))
        return;
    u8 *body = out + BRIDGE_HEADER_SIZE;
    u64 cookie = rd32(payload) | (u64)rd32(payload + 4) << 32;
    u32 at = 16, count = 0, err = 0;
    bool end = false;
    static struct vfs_entry e;
    u64 before = cookie;
    for (;;) {
        before = cookie;
        err = vfs_readdir(VFS_EP, path, &cookie, &e, &end);
        if (err || end)
            break;
        u32 name = strlen(e.name), need = 16 + ((name + 3) & ~3u);
        if (at + need > BRIDGE_MAX_PAYLOAD) { /* this entry starts the next frame */
            cookie = before;
            break;
        }
        wr32(body + at, e.type);
        wr32(body + at + 4, (u32)e.size);
        wr32(body + at + 8, (u32)(e.size >> 32));
        wr32(body + at + 12, name);
        memset(body + at + 16, 0, need - 16);
        memcpy(body + at + 16, e.name, name);
        at += need;
        count++;
    }
    if (err && !count) {
        send_vfs_error(id, err);
        return;
    }
    /* An error after some entries: they go now, with MORE and the cookie of the entry that
     * failed, so the next frame asks for it again and reports the error (it starts there). */
    if (err)
        cookie = before;
    wr32(body, end ? 0 : BRIDGE_MORE);
    wr32(body + 4, (u32)cookie);
    wr32(body + 8, (u32)(cookie >> 32));
    wr32(body + 12, count);
    send_frame(type | BRIDGE_RESPONSE, 0, id, body, at);
}

/* FS_READ: the file's size and its bytes from the offset, as many as fit one frame. */
static void fs_read(u32 type, u32 id, const u8 *payload, u32 len)
{
    static char path[VFS_PATH_MAX + 1];
    if (!fs_path(id, payload, len, 8, path, "FS_READ wants an offset and a path of 1 to 255 bytes"))
        return;
    u8 *body = out + BRIDGE_HEADER_SIZE;
    u64 offset = rd32(payload) | (u64)rd32(payload + 4) << 32;
    struct vfs_stat st;
    u32 err = vfs_stat(VFS_EP, path, &st);
    if (!err && st.type != VFS_TYPE_FILE)
        err = st.type == VFS_TYPE_DIR ? VFS_EISDIR : VFS_EINVAL;
    struct vfs_file f;
    if (!err)
        err = vfs_open(VFS_EP, path, VFS_O_READ, &f);
    if (err) {
        send_vfs_error(id, err);
        return;
    }
    u32 got = 0;
    if (offset < st.size)
        err = vfs_read_at(VFS_EP, f.handle, offset, body + 8, BRIDGE_MAX_PAYLOAD - 8, &got);
    vfs_close(&f);
    if (err) {
        send_vfs_error(id, err);
        return;
    }
    wr32(body, (u32)st.size);
    wr32(body + 4, (u32)(st.size >> 32));
    send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8 + got);
}

/* The server objects the bridge holds a capability to. */
static u32 server_cap(u32 oid)
{
    return oid == GENESIS_PS ? PS_EP : oid == GENESIS_PMS ? PMS_EP : 0;
}

static void serve(u32 type, u32 id, const u8 *payload, u32 len)
{
    u8 *body = out + BRIDGE_HEADER_SIZE;
    u32 r[TELOS_MAX_MRS], n;
    /* An upload's file stays open only from one of its frames to the next. */
    if (type != BRIDGE_FS_WRITE)
        upload_close();
    switch (type) {
    case BRIDGE_LIST_OBJECTS: {
        u32 count = 0, first = 0, total = 0;
        do {
            if (call(PS_EP, PS_LIST, 1, &first, r, &n))
                break;
            total = r[0];
            for (u32 i = 0; i < r[1] && 4 + 4 * (count + 1) <= BRIDGE_MAX_PAYLOAD; i++)
                wr32(body + 4 + 4 * count++, r[2 + i]);
            first += r[1];
            if (!r[1])
                break;
        } while (first < total);
        wr32(body, count);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 4 + 4 * count);
        return;
    }
    case BRIDGE_GET_OBJECT: {
        if (len != 4) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "GET_OBJECT wants a 4-byte oid");
            return;
        }
        u32 oid = rd32(payload), total = 0;
        if (ps_read(oid, 0, body + 8, GET_OBJECT_BYTES, &total)) {
            send_error(id, BRIDGE_ENOT_FOUND, "no such object");
            return;
        }
        u32 got = total < GET_OBJECT_BYTES ? total : GET_OBJECT_BYTES;
        wr32(body, oid);
        wr32(body + 4, total);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8 + got);
        return;
    }
    case BRIDGE_GET_OBJECTS:
        get_objects(type, id, payload, len);
        return;
    case BRIDGE_LIST_PROCESSES: {
        if (len) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "LIST_PROCESSES takes no payload");
            return;
        }
        if (call(PMS_EP, PMS_LIST_PROCESSES, 0, NULL, r, &n)) {
            send_error(id, BRIDGE_EFAILED, "the PMS did not answer");
            return;
        }
        u32 count = 0;
        for (u32 i = 0, at = 1; i < r[0] && at + 6 <= n; i++, at += 6, count++) {
            wr32(body + 4 + 24 * count, r[at]);
            wr32(body + 8 + 24 * count, r[at + 1]);
            memcpy(body + 12 + 24 * count, &r[at + 2], 16);
        }
        wr32(body, count);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 4 + 24 * count);
        return;
    }
    case BRIDGE_SPAWN: {
        if (len != 8) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "SPAWN wants an image oid and a process oid");
            return;
        }
        u32 args[3] = { rd32(payload), 0, rd32(payload + 4) };
        u32 err = call(PMS_EP, PMS_CREATE_PROCESS, 3, args, r, &n);
        if (err) {
            send_error(id, BRIDGE_EFAILED, telos_error_name(err));
            return;
        }
        wr32(body, args[2]);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 4);
        return;
    }
    case BRIDGE_TERMINATE: {
        if (len != 4) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "TERMINATE wants a process oid");
            return;
        }
        u32 oid = rd32(payload);
        u32 err = call(PMS_EP, PMS_TERMINATE_PROCESS, 1, &oid, r, &n);
        if (err) {
            send_error(id, err == TELOS_EFAILED_LOOKUP ? BRIDGE_ENOT_FOUND : BRIDGE_EFAILED, telos_error_name(err));
            return;
        }
        wr32(body, oid);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 4);
        return;
    }
    case BRIDGE_PROCESS_STATE: {
        if (len != 4) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "PROCESS_STATE wants a process oid");
            return;
        }
        u32 oid = rd32(payload), total;
        if (call(PMS_EP, PMS_LIST_PROCESSES, 0, NULL, r, &n)) {
            send_error(id, BRIDGE_EFAILED, "the PMS did not answer");
            return;
        }
        memset(body, 0, 24);
        wr32(body, oid);
        for (u32 i = 0, at = 1; i < r[0] && at + 6 <= n; i++, at += 6)
            if (r[at] == oid && r[at + 1] == 1) {
                wr32(body + 4, 1);
                memcpy(body + 8, &r[at + 2], 16);
            }
        if (!rd32(body + 4)) {
            u8 probe[4];
            if (ps_read(oid, 0, probe, sizeof probe, &total)) {
                send_error(id, BRIDGE_ENOT_FOUND, "no such process");
                return;
            }
            wr32(body + 4, 2);
        }
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 24);
        return;
    }
    case BRIDGE_TX_BEGIN: {
        if (len) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "TX_BEGIN takes no payload");
            return;
        }
        u32 err = call(PS_EP, PS_BEGIN, 0, NULL, r, &n);
        if (err) {
            send_refused(id, err);
            return;
        }
        wr32(body, r[0]);
        wr32(body + 4, r[1]);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8);
        return;
    }
    case BRIDGE_TX_PUT:
        tx_put(type, id, payload, len);
        return;
    case BRIDGE_TX_COMMIT:
    case BRIDGE_TX_ABORT: {
        if (len != 4) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "TX_COMMIT and TX_ABORT want a txid");
            return;
        }
        u32 tx = rd32(payload);
        u32 err = call(PS_EP, type == BRIDGE_TX_COMMIT ? PS_COMMIT : PS_ABORT, 1, &tx, r, &n);
        if (err) {
            send_refused(id, err);
            return;
        }
        wr32(body, type == BRIDGE_TX_COMMIT ? r[0] : 0);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, type == BRIDGE_TX_COMMIT ? 4 : 0);
        return;
    }
    case BRIDGE_SEND: {
        u32 words = len >= 8 ? (len - 8) / 4 : 0, ep = len >= 8 ? server_cap(rd32(payload)) : 0;
        if (len < 8 || len & 3 || words > BRIDGE_MAX_WORDS) {
            send_error(id, BRIDGE_EBAD_PAYLOAD, "SEND wants a server oid, a label and at most 100 words");
            return;
        }
        if (!ep) {
            send_error(id, BRIDGE_ENOT_FOUND, "not a server the bridge can reach");
            return;
        }
        static u32 args[BRIDGE_MAX_WORDS];
        memcpy(args, payload + 8, 4 * words);
        u32 label = call(ep, rd32(payload + 4), words, args, r, &n);
        if (n > (BRIDGE_MAX_PAYLOAD - 8) / 4)
            n = (BRIDGE_MAX_PAYLOAD - 8) / 4;
        wr32(body, label);
        wr32(body + 4, n);
        memcpy(body + 8, r, 4 * n);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8 + 4 * n);
        return;
    }
    case BRIDGE_SHUTDOWN: {
        if (call(PS_EP, PS_SHUTDOWN, 0, NULL, r, &n) || n < 2) {
            send_error(id, BRIDGE_EFAILED, "the PS did not shut down");
            return;
        }
        wr32(body, r[0]);
        wr32(body + 4, r[1]);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8);
        return;
    }
    case BRIDGE_FS_LIST:
        fs_list(type, id, payload, len);
        return;
    case BRIDGE_FS_READ:
        fs_read(type, id, payload, len);
        return;
    case BRIDGE_FS_WRITE:
        fs_write(type, id, payload, len);
        return;
    case BRIDGE_FS_MKDIR:
    case BRIDGE_FS_REMOVE:
        fs_change(type, id, payload, len);
        return;
    default:
        send_error(id, BRIDGE_EUNKNOWN_TYPE, "unknown request type");
    }
}

/* Serves every whole frame in the input buffer, resynchronising on anything else. */
static u32 drain(void)
{
    u32 at = 0, served = 0;
    static u8 frame[FRAME_MAX];
    while (at < in_len) {
        if (in[at] != BRIDGE_MAGIC_0) {
            at++;
            continue;
        }
        if (at + 1 >= in_len)
            break;
        if (in[at + 1] != BRIDGE_MAGIC_1) {
            at++;
            continue;
        }
        if (in_len - at < BRIDGE_HEADER_SIZE)
            break;
        u32 len = in[at + 2] | (u32)in[at + 3] << 8, id = in[at + 6] | (u32)in[at + 7] << 8;
        if (len > BRIDGE_MAX_PAYLOAD) {
            send_error(id, BRIDGE_ETOO_LONG, "payload longer than the bridge accepts");
            at++;
            continue;
        }
        u32 total = BRIDGE_HEADER_SIZE + len + 4;
        if (in_len - at < total)
            break;
        if (crc32(in + at, BRIDGE_HEADER_SIZE + len) != rd32(in + at + BRIDGE_HEADER_SIZE + len)) {
            send_error(id, BRIDGE_EBAD_CRC, "checksum mismatch");
            at++;
            continue;
        }
        memcpy(frame, in + at, total);
        at += total;
        serve(frame[4], id, frame + BRIDGE_HEADER_SIZE, len);
        served++;
    }
    memmove(in, in + at, in_len - at);
    in_len -= at;
    return served;
}

int main(void)
{
    uart_init();
    if (TELOS_INVOKE(CHILD_SLOT_ARG1, TELOS_IRQ_HANDLER_SET_NOTIFICATION, CHILD_SLOT_ARG2)) {
        telos_print("TelOS: bridge: cannot claim COM2's interrupt\n");
        return 0;
    }
    report_changes(); /* the picture events are measured against */
    telos_print("TelOS: bridge: serving frames on COM2\n");
    for (;;) {
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_recv(CHILD_SLOT_ARG2, &m);
        while (port_in(COM2 + 5) & 0x01) {
            if (in_len == sizeof in) /* a flood of garbage: keep the newest half */
                memmove(in, in + FRAME_MAX, in_len -= FRAME_MAX);
            in[in_len++] = (u8)port_in(COM2);
        }
        if (drain())
            report_changes();
        TELOS_INVOKE0(CHILD_SLOT_ARG1, TELOS_IRQ_HANDLER_ACK);
    }
}
