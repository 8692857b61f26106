// The storage conformance scenarios on fake-indexeddb. The same scenarios run in Chromium
// through e2e/store-conformance.spec.ts.
import 'fake-indexeddb/auto';
import { describe, it } from 'vitest';
import { runScenario, suites } from './scenarios';

const options = { syncIntervalMs: 200, opTimeoutMs: 5_000, blockedTimeoutMs: 1_000 };

for (const [suite, scenarios] of Object.entries(suites)) {
  describe(suite, () => {
    for (const [name, run] of Object.entries(scenarios)) it(name, () => runScenario(run, options));
  });
}
