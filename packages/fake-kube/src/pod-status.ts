type Obj = Record<string, unknown>;

export type ContainerState =
  | { running: { startedAt: string } }
  | { waiting: { reason: string; message?: string } }
  | { terminated: { exitCode: number; reason: string; startedAt?: string; finishedAt: string } };

export interface PodView {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  scheduled: { ok: true } | { ok: false; reason: string; message: string };
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  podIP?: string;
  containerID?: string;
  image: string;
  containerName: string;
  startTime?: string;
}

const condition = (type: string, ok: boolean, reason?: string, message?: string): Obj => ({
  type,
  status: ok ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: new Date().toISOString(),
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** The pod status the kubelet reports for one container, in the API's shape. */
export function podStatus(v: PodView): Obj {
  const status: Obj = { phase: v.phase, qosClass: 'BestEffort' };
  if (!v.scheduled.ok) {
    status.conditions = [condition('PodScheduled', false, v.scheduled.reason, v.scheduled.message)];
    return status;
  }
  const running = 'running' in v.state;
  status.conditions = [
    condition('PodReadyToStartContainers', v.podIP !== undefined),
    condition('Initialized', true),
    condition('Ready', v.ready, v.ready ? undefined : 'ContainersNotReady'),
    condition('ContainersReady', v.ready, v.ready ? undefined : 'ContainersNotReady'),
    condition('PodScheduled', true),
  ];
  status.hostIP = '127.0.0.1';
  status.hostIPs = [{ ip: '127.0.0.1' }];
  if (v.podIP) {
    status.podIP = v.podIP;
    status.podIPs = [{ ip: v.podIP }];
  }
  if (v.startTime) status.startTime = v.startTime;
  status.containerStatuses = [
    {
      name: v.containerName,
      image: v.image,
      imageID: '',
      ready: v.ready,
      started: running,
      restartCount: v.restartCount,
      state: v.state,
      lastState: v.lastState ?? {},
      ...(v.containerID ? { containerID: `docker://${v.containerID}` } : {}),
    },
  ];
  return status;
}
