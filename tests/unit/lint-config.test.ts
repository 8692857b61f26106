// The lint config (eslint.config.js) enforces the layout rules: a deliberate violation of each
// fails, and the imports the rules allow pass. Files are linted as text under made-up paths,
// so nothing is written to the tree.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
// Loading ESLint and the TypeScript parser takes seconds on a busy machine.
const SLOW = 60_000;

/** The rule ids reported for `code` as if it were the file at `filePath` (relative to the repository). */
async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('lint config', () => {
  it('refuses an import past another folder’s index.ts', async () => {
    expect(await ruleIds('src/ide/probe.ts', "import { ImageStore } from '../store/image-store';\nexport { ImageStore };\n")).toEqual([
      'telos/public-faces',
    ]);
    // From a subfolder, as a re-export, as a dynamic import and as a type-only import.
    expect(await ruleIds('src/ide/windows/probe.ts', "export { World } from '../../world/world';\n")).toEqual(['telos/public-faces']);
    expect(await ruleIds('src/cli/probe.ts', "export const m = () => import('../machine/psdisk');\n")).toEqual(['telos/public-faces']);
    expect(await ruleIds('src/ide/probe.ts', "import type { Value } from '../world/types';\nexport type V = Value;\n")).toEqual([
      'telos/public-faces',
    ]);
    // Tests, benches and e2e specs reach src/ through the same faces.
    expect(await ruleIds('tests/kernel/probe.test.ts', "import { sealRecord } from '../../src/machine/psdisk';\nexport { sealRecord };\n")).toEqual([
      'telos/public-faces',
    ]);
  }, SLOW);

  it('allows a folder’s public faces and a folder’s own files', async () => {
    expect(await ruleIds('src/ide/probe.ts', "import { World } from '../world';\nimport { Machine } from '../machine/index';\nexport { World, Machine };\n")).toEqual([]);
    expect(await ruleIds('tests/kernel/probe.test.ts', "export { bootFromFiles } from '../../src/machine/node';\n")).toEqual([]);
    expect(await ruleIds('e2e/probe.spec.ts', "export * from '../src/store/harness';\n")).toEqual([]);
    expect(await ruleIds('src/store/harness/probe.ts', "export { ImageStore } from '../image-store';\n")).toEqual([]);
    expect(await ruleIds('src/sandbox/probe.ts', "export { default } from './vm/prelude.js?raw';\n")).toEqual([]);
  }, SLOW);

  it('keeps src/world free of the app', async () => {
    expect(await ruleIds('src/world/probe.ts', "import { ImageStore } from '../store';\nexport { ImageStore };\n")).toEqual(['telos/pure-world']);
    expect(await ruleIds('src/world/probe.ts', "import { Parser } from 'acorn';\nimport { World } from './world';\nexport { Parser, World };\n")).toEqual([]);
  }, SLOW);
});
