// The machine worker: owns v86, the kernel disk buffer and the serial lines, so the page
// stays responsive while TelOS runs. It serves one MachineSession (./session.ts) to the
// page's client (./client.ts) through ../rpc.ts.
import { serve, type Endpoint } from '../rpc';
import type { MachineEvent } from './protocol';
import { MachineSession } from './session';

const server = serve<MachineEvent>(self as unknown as Endpoint, (method, args, context) => session.handle(method, args, context));
const session = new MachineSession((event) => server.emit(event));
