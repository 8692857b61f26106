// What the host hands the VM's prelude (prelude.js) before it runs, as `globalThis.__host`,
// captured and deleted by the prelude's first lines. Answers cross as JSON text.
interface TelosHost {
  /** Looks a selector up from `self` (mode 1: a resend from `at`); answers a lookup answer as JSON. */
  lookup(self: number, at: number, mode: number, selector: string): string;
  /** Writes a data slot; answers '' or an error as JSON. */
  write(holder: number, name: string, json: string): string;
  /** Compiles method `id`: answers its factory, (self, resend) => the method closure. */
  compile(id: number): (self: object, resend: object | undefined) => unknown;
  /** A primitive: 'clone' answers the new OID as JSON, 'describe' a display name. */
  prim(op: string, oid: number): string;
  /** One Transcript line. */
  print(line: string): void;
  /** A mirror operation; answers {result} or {error} as JSON. */
  mirror(op: string, oid: number, json: string): string;
}
