// Public face of the sandbox: methods and workspace code run in QuickJS against a World.
export { Sandbox, setQuickJSLoader } from './sandbox';
export type { QuickJSLoader } from './sandbox';
export { EvaluationError, frameText } from './errors';
export type { SandboxOptions, EvalResult, RunLimits } from './sandbox';
export type { SendFrame } from './errors';
export { runTransaction, evaluateAndCommit } from './run';
export type { RunOutcome } from './run';
