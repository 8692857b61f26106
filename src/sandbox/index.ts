// Public face of the sandbox: methods and workspace code run in QuickJS against a World.
export { Sandbox, EvaluationError, loadQuickJS, setQuickJSLoader, frameText } from './sandbox';
export type { SandboxOptions, EvalResult, SendFrame, RunLimits } from './sandbox';
export { runTransaction, evaluateAndCommit } from './run';
export type { RunOutcome } from './run';
