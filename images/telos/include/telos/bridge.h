/* The IDE bridge on COM2: framed binary requests from the host (TelOS Studio's Machine)
 * answered by the bridge server, which forwards them as IPC to the PS and the PMS.
 * src/machine/bridge.ts speaks the same frames.
 *
 * A frame, all integers little-endian:
 *   0  magic 'T' 'B'
 *   2  u16 payload length (at most BRIDGE_MAX_PAYLOAD)
 *   4  u8  type
 *   5  u8  status: 0 in requests and successful responses, else a BRIDGE_E* code
 *   6  u16 id, chosen by the host and echoed in the response
 *   8  payload
 *   8+length  u32 CRC-32 of bytes 0 .. 8+length-1
 * A response has the request's type with bit 7 set. A frame that cannot be served
 * (bad checksum, too long, unknown type, malformed payload) is answered with a
 * BRIDGE_ERROR frame carrying the id (when readable), the code and a text; the bridge
 * then looks for the next magic one byte further on and goes on serving.
 *
 * Requests and response payloads:
 *   LIST_OBJECTS   -> u32 count, count x u32 oid
 *   GET_OBJECT     u32 oid -> u32 oid, u32 length, then its first min(length, 1016) bytes
 *   LIST_PROCESSES -> u32 count, count x { u32 oid, u32 state (1 running), 16-byte name }
 *   SPAWN          u32 image oid, u32 process oid -> u32 process oid
 *   SHUTDOWN       -> u32 last tid, u32 generation: the PS has aborted any open
 *                  transaction and accepts no more; power can be cut safely */
#ifndef TELOS_BRIDGE_H
#define TELOS_BRIDGE_H

#define BRIDGE_MAGIC_0        0x54
#define BRIDGE_MAGIC_1        0x42
#define BRIDGE_HEADER_SIZE    8
#define BRIDGE_MAX_PAYLOAD    1024

#define BRIDGE_LIST_OBJECTS   1
#define BRIDGE_GET_OBJECT     2
#define BRIDGE_LIST_PROCESSES 3
#define BRIDGE_SPAWN          4
#define BRIDGE_SHUTDOWN       5
#define BRIDGE_RESPONSE       0x80
#define BRIDGE_ERROR          0x7F

#define BRIDGE_EBAD_CRC       1
#define BRIDGE_ETOO_LONG      2
#define BRIDGE_EUNKNOWN_TYPE  3
#define BRIDGE_EBAD_PAYLOAD   4
#define BRIDGE_ENOT_FOUND     5
#define BRIDGE_EFAILED        6

#endif
