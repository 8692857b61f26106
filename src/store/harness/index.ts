// The store's harness, shared by vitest (fake-indexeddb), the Chromium test page
// (e2e/pages/store-harness.ts) and the store bench: the ZODB-style conformance scenarios, the
// small assertion kit they use, and the measurements with their raw-Dexie baselines.
export { allScenarios, runScenario, suites, obj, slot, type Scenario, type ScenarioContext } from './scenarios';
export { CheckFailed, ok, equal, rejects, eventually, sleep } from './check';
export { measureSmallCommit, measureBulkCommit, measureOpen, smallState, type Measured } from './measure';
