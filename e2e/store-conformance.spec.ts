// The store's conformance scenarios (src/store/conformance) in real Chromium: the same
// scenarios vitest runs on fake-indexeddb, here against Chromium's own IndexedDB.
import { test, expect } from './fixtures';
import { allScenarios } from '../src/store/harness';

const harness = '/e2e/pages/store-harness.html';

test.describe('store conformance in Chromium', () => {
  for (const [suite, name] of allScenarios()) {
    const id = `${suite} › ${name}`;
    test(id, async ({ page, consoleErrors }) => {
      void consoleErrors;
      await page.goto(harness);
      await expect(page.locator('body[data-ready="true"]')).toBeAttached();
      const result = await page.evaluate((scenario) => window.storeHarness.run(scenario), id);
      expect(result).toBe('ok');
    });
  }
});
