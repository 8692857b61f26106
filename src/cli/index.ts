// Public face of the `telos` command line (bin/telos.mjs, `npm run telos`): `main` runs one
// command line and answers its exit status; `runImageCommand` is `telos image ...` alone.
export { main, describeFailure, EXIT, type CliIO } from './telos';
export { runImageCommand } from './image';
