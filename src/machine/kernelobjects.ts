// The kernel's objects as the IDE shows them: each PS object (read from the disk or over
// the bridge) turned into plain data for the Kernel objects window and its outliners,
// with its slots as text, its parents and trait uses as links, and a role read from the
// graph (root, prototype, trait, server, process, image) so a person can tell them apart.
import { describeCap, decodePsObject, type PsContent, type PsValue } from './psobject';

/** One slot of a kernel object, as text for the outliner. */
export interface KernelSlotView {
  name: string;
  kind: 'data' | 'parent' | 'method' | 'cap';
  /** The value as a person reads it (a capability described, a method's IPC label). */
  text: string;
  /** The object a parent slot or a reference names. */
  ref?: number;
}

/** A kernel object as the IDE shows it (a typed PS object; blobs are only counted). */
export interface KernelObjectView {
  oid: number;
  /** Transaction that last wrote it (known from the disk, not over the bridge). */
  tid?: number;
  name: string;
  /** What the object is in the graph: root, prototype, trait, server, process, image, or ''. */
  role: string;
  slots: KernelSlotView[];
  traits: { oid: number; name: string; exclude: string[]; alias: Record<string, string> }[];
  size: number;
  /** Why its bytes could not be read as an object. */
  problem?: string;
}

/** An object to describe: its oid, its bytes and (from the disk) the tid that wrote it. */
export interface KernelObjectInput {
  oid: number;
  bytes: Uint8Array;
  tid?: number;
}

const ROOT_OID = 1;

function valueText(v: PsValue, nameOf: (oid: number) => string): string {
  if (v === null) return 'nil';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return `(${v.length} bytes)`;
  if (Array.isArray(v)) return `[${v.map((x) => valueText(x, nameOf)).join(', ')}]`;
  return `→ ${nameOf(v.ref)} (#${v.ref})`;
}

/** Decodes every object and describes it for the IDE; blobs are left out and counted. */
export function kernelObjectViews(inputs: KernelObjectInput[]): { objects: KernelObjectView[]; blobs: number } {
  const decoded = new Map<number, { input: KernelObjectInput; content: PsContent | null; problem?: string }>();
  for (const input of inputs) {
    try {
      decoded.set(input.oid, { input, content: decodePsObject(input.bytes) });
    } catch (e) {
      decoded.set(input.oid, { input, content: null, problem: (e as Error).message });
    }
  }
  const nameOf = (oid: number) => {
    const c = decoded.get(oid)?.content;
    return c?.kind === 'object' ? c.name || `#${oid}` : `#${oid}`;
  };
  const usedAsTrait = new Set<number>();
  for (const { content } of decoded.values()) if (content?.kind === 'object') for (const t of content.traits) usedAsTrait.add(t.trait);
  const root = decoded.get(ROOT_OID)?.content;
  const named = new Set<number>(root?.kind === 'object' ? root.slots.flatMap((s) => (s.kind === 'data' && s.value && typeof s.value === 'object' && 'ref' in s.value ? [s.value.ref] : [])) : []);
  const processOid = [...decoded.values()].find((d) => d.content?.kind === 'object' && d.content.name === 'Process')?.input.oid;
  const reachesProcess = (oid: number): boolean => {
    const seen = new Set<number>();
    const walk = (at: number): boolean => {
      if (seen.has(at)) return false;
      seen.add(at);
      const c = decoded.get(at)?.content;
      if (c?.kind !== 'object') return false;
      return c.slots.some((s) => s.kind === 'parent' && (s.ref === processOid || walk(s.ref)));
    };
    return oid !== processOid && walk(oid);
  };

  const objects: KernelObjectView[] = [];
  let blobs = 0;
  for (const { input, content, problem } of decoded.values()) {
    const base = { oid: input.oid, ...(input.tid !== undefined ? { tid: input.tid } : {}), size: input.bytes.length };
    if (content?.kind === 'blob') {
      blobs++;
      continue;
    }
    if (!content) {
      objects.push({ ...base, name: `#${input.oid}`, role: 'malformed', slots: [], traits: [], problem: problem ?? 'malformed' });
      continue;
    }
    const slots: KernelSlotView[] = content.slots.map((s) => {
      switch (s.kind) {
        case 'parent':
          return { name: s.name, kind: s.kind, text: `${nameOf(s.ref)} (#${s.ref})`, ref: s.ref };
        case 'method':
          return { name: s.name, kind: s.kind, text: s.label ? `method (IPC label ${s.label})` : 'method' };
        case 'cap':
          return { name: s.name, kind: s.kind, text: describeCap(s.cap, nameOf(s.cap.holder)) };
        default: {
          const ref = s.value && typeof s.value === 'object' && 'ref' in s.value ? s.value.ref : undefined;
          return { name: s.name, kind: s.kind, text: valueText(s.value, nameOf), ...(ref !== undefined ? { ref } : {}) };
        }
      }
    });
    const role =
      input.oid === ROOT_OID ? 'root'
      : content.slots.some((s) => s.name === 'chunks') ? 'image'
      : usedAsTrait.has(input.oid) ? 'trait'
      : content.slots.some((s) => s.kind === 'cap' && s.name === 'endpointCap' && s.cap.kind !== 0) ? 'server'
      : reachesProcess(input.oid) ? 'process'
      : named.has(input.oid) ? 'prototype'
      : '';
    objects.push({
      ...base,
      name: content.name || `#${input.oid}`,
      role,
      slots,
      traits: content.traits.map((t) => ({ oid: t.trait, name: nameOf(t.trait), exclude: t.exclude, alias: t.alias })),
    });
  }
  objects.sort((a, b) => a.oid - b.oid);
  return { objects, blobs };
}
