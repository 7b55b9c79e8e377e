// @berth/core exports its public surface only: what the adapters, the server, the CLI, testkit and
// the bench use. The helpers below are the core's own; reaching for one from outside is a sign
// the core is missing a use-case method.
import * as core from '@berth/core';
import { describe, expect, it } from 'vitest';

const internal = [
  'PortBitmap',
  'SampleRing',
  'buildDeploySpec',
  'substitute',
  'specVariables',
  'readinessFor',
  'resolveConfig',
  'decideRestart',
  'defaultRestartPolicy',
  'sealSecrets',
  'openSecrets',
  'mergeConfig',
  'SEALED_PREFIX',
  'HealthTracker',
  'canTransition',
  'pinOf',
  'defaultHandOffOptions',
  'UNKNOWN_BINDER',
  'ERROR_CODES',
  'BerthError',
  'portSpecSchema',
  'describeIssues',
  'templateFolderOf',
  'composePort',
];

const used = [
  'PortLedger',
  'Reconciler',
  'InstanceService',
  'TemplateService',
  'EventBus',
  'ResourceSampler',
  'PortBindFailed',
  'Conflict',
  'templateSchema',
  'parseTemplateOrigin',
  'maskSecrets',
  'systemClock',
];

describe('@berth/core public surface', () => {
  it.each(internal)('keeps %s inside the core', (name) => {
    expect(Object.keys(core)).not.toContain(name);
  });

  it.each(used)('exports %s, which the other packages use', (name) => {
    expect(Object.keys(core)).toContain(name);
  });
});
