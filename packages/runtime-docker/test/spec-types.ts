import type { DeploySpec } from '@berth/core';

export type { DeploySpec };
export type ImageSource = Extract<DeploySpec['source'], { kind: 'image' }>;
