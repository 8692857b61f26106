/* The bridge server: a COM2 driver in user space (ports in ARG0, IRQ 3 through the
 * handler in ARG1 and the notification in ARG2) speaking the frames of bridge.h, and a
 * client of the PS (ARG3) and the PMS (ARG4). */
#include <telos/bridge.h>
#include <telos/ps.h>
#include <telos/servers.h>
#include "user/telos.h"
#include "lib/crc32.h"
#include "lib/string.h"

#define COM2 0x2F8
#define FRAME_MAX (BRIDGE_HEADER_SIZE + BRIDGE_MAX_PAYLOAD + 4)

static u8 in[2 * FRAME_MAX];
static u32 in_len;
static u8 out[FRAME_MAX];

/* The COM2 ports are bound to this thread (TELOS_IO_PORT_BIND) and used directly; should
 * the kernel refuse, each access is an invocation. */
static bool direct;

static u32 port_in(u32 port)
{
    if (direct) {
        u8 b;
        __asm__ volatile("inb %w1, %0" : "=a"(b) : "Nd"((u16)port));
        return b;
    }
    u32 v = 0;
    const u32 a[2] = { port, 1 };
    telos_invoke(CHILD_SLOT_ARG0, TELOS_IO_PORT_IN, 2, a, &v);
    return v & 0xFF;
}

static void port_out(u32 port, u32 v)
{
    if (direct)
        __asm__ volatile("outb %b0, %w1" : : "a"((u8)v), "Nd"((u16)port));
    else
        TELOS_INVOKE(CHILD_SLOT_ARG0, TELOS_IO_PORT_OUT, port, 1, v);
}

static void uart_init(void)
{
    direct = TELOS_INVOKE(CHILD_SLOT_ARG0, TELOS_IO_PORT_BIND, 0) == TELOS_OK;
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

static void serve(u32 type, u32 id, const u8 *payload, u32 len)
{
    u8 *body = out + BRIDGE_HEADER_SIZE;
    u32 r[TELOS_MAX_MRS], n;
    switch (type) {
    case BRIDGE_LIST_OBJECTS: {
        u32 count = 0, first = 0, total = 0;
        do {
            if (call(CHILD_SLOT_ARG3, PS_LIST, 1, &first, r, &n))
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
        u32 args[2] = { rd32(payload), 0 }, total = 0, got = 0;
        do {
            if (call(CHILD_SLOT_ARG3, PS_GET, 2, args, r, &n)) {
                send_error(id, BRIDGE_ENOT_FOUND, "no such object");
                return;
            }
            total = r[0];
            u32 chunk = total - got < (n - 1) * 4 ? total - got : (n - 1) * 4;
            if (got + chunk > BRIDGE_MAX_PAYLOAD - 8)
                chunk = BRIDGE_MAX_PAYLOAD - 8 - got;
            memcpy(body + 8 + got, &r[1], chunk);
            got += chunk;
            args[1] = got;
            if (!chunk)
                break;
        } while (got < total && got < BRIDGE_MAX_PAYLOAD - 8);
        wr32(body, args[0]);
        wr32(body + 4, total);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8 + got);
        return;
    }
    case BRIDGE_LIST_PROCESSES: {
        if (call(CHILD_SLOT_ARG4, PMS_LIST_PROCESSES, 0, NULL, r, &n)) {
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
        u32 err = call(CHILD_SLOT_ARG4, PMS_CREATE_PROCESS, 3, args, r, &n);
        if (err) {
            send_error(id, BRIDGE_EFAILED, telos_error_name(err));
            return;
        }
        wr32(body, args[2]);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 4);
        return;
    }
    case BRIDGE_SHUTDOWN: {
        if (call(CHILD_SLOT_ARG3, PS_SHUTDOWN, 0, NULL, r, &n) || n < 2) {
            send_error(id, BRIDGE_EFAILED, "the PS did not shut down");
            return;
        }
        wr32(body, r[0]);
        wr32(body + 4, r[1]);
        send_frame(type | BRIDGE_RESPONSE, 0, id, body, 8);
        return;
    }
    default:
        send_error(id, BRIDGE_EUNKNOWN_TYPE, "unknown request type");
    }
}

/* Serves every whole frame in the input buffer, resynchronising on anything else. */
static void drain(void)
{
    u32 at = 0;
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
    }
    memmove(in, in + at, in_len - at);
    in_len -= at;
}

int main(void)
{
    uart_init();
    if (TELOS_INVOKE(CHILD_SLOT_ARG1, TELOS_IRQ_HANDLER_SET_NOTIFICATION, CHILD_SLOT_ARG2)) {
        telos_print("TelOS: bridge: cannot claim COM2's interrupt\n");
        return 0;
    }
    telos_print("TelOS: bridge: serving frames on COM2\n");
    for (;;) {
        struct telos_msg m = { { 0, 0, 0 }, 0 };
        telos_recv(CHILD_SLOT_ARG2, &m);
        while (port_in(COM2 + 5) & 0x01) {
            if (in_len == sizeof in) /* a flood of garbage: keep the newest half */
                memmove(in, in + FRAME_MAX, in_len -= FRAME_MAX);
            in[in_len++] = (u8)port_in(COM2);
        }
        drain();
        TELOS_INVOKE0(CHILD_SLOT_ARG1, TELOS_IRQ_HANDLER_ACK);
    }
}
