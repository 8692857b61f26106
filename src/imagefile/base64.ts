// Base64 for blob, disk and VM chunks, with the same code in browsers, workers and Node
// (atob/btoa exist in all three; Buffer does not exist in the browser).

const PIECE = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += PIECE) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + PIECE) as unknown as number[]);
  }
  return btoa(binary);
}

/** Decodes base64 already checked against the schema's alphabet; throws on a bad length. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
