import { InvalidInput, Unprocessable } from '../errors.js';
import type { NodeProbe } from './node-driver.js';
import type { NodeUpdate } from './node-state.js';

/** Why an add or an update of a node is refused, in the words the operator reads. */
export function unreachable(name: string, probe: Extract<NodeProbe, { ok: false }>): Unprocessable {
  return new Unprocessable(
    `node ${name} was not added: ${probe.message} (to keep it while it is down, add it with force: ?force=1, or berth node add --force)`,
    { code: 'NODE_UNREACHABLE', details: { node: name, reason: probe.reason } },
  );
}

export function localHasNo(patch: NodeUpdate): InvalidInput {
  if (patch.hostKey !== undefined)
    return new InvalidInput('node local is this machine; it has no ssh host key');
  return new InvalidInput('node local is this machine; its links use 127.0.0.1', {
    details: { field: 'publicAddress' },
  });
}
