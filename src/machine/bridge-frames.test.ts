// The host's frame decoder takes COM2's bytes one at a time, as the UART delivers them.
import { describe, expect, it } from 'vitest';
import { BRIDGE, FrameDecoder, encodeFrame, type BridgeFrame } from './bridge';

const frameOf = (id: number, length: number): BridgeFrame => ({
  type: BRIDGE.FS_READ | BRIDGE.RESPONSE,
  status: 0,
  id,
  payload: Uint8Array.from({ length }, (_, i) => (i * 7 + id) & 0xff),
});

describe('FrameDecoder', () => {
  // Catches: frames lost, merged or altered when they arrive a byte at a time, split at
  // any point, between garbage and a corrupted frame; the stream makes the decoder move
  // its leftovers to the front and grow its buffer for a full-size frame.
  it('yields the same frames whether bytes come one at a time or all at once', () => {
    const frames = [frameOf(1, 0), frameOf(2, 100), frameOf(3, BRIDGE.MAX_PAYLOAD), frameOf(4, 5)];
    const broken = encodeFrame(frameOf(9, 40));
    broken[20]! ^= 1;
    const parts = [Uint8Array.of(0x54, 0x00, 0x41), encodeFrame(frames[0]!), encodeFrame(frames[1]!), broken, encodeFrame(frames[2]!), Uint8Array.of(0x54), encodeFrame(frames[3]!)];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);

    const whole = new FrameDecoder().push(all);
    const one = new FrameDecoder();
    const byByte: BridgeFrame[] = [];
    for (const b of all) byByte.push(...one.push(Uint8Array.of(b)));
    const odd = new FrameDecoder();
    const bySlices: BridgeFrame[] = [];
    for (let at = 0; at < all.length; at += 777) bySlices.push(...odd.push(all.subarray(at, at + 777)));
    expect(whole).toEqual(frames);
    expect(byByte).toEqual(frames);
    expect(bySlices).toEqual(frames);
  });
});
