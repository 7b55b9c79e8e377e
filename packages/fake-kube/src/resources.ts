import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Event } from 'kubernetes-models/v1/Event';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Node } from 'kubernetes-models/v1/Node';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

/** Validates an object against its kind's OpenAPI schema (kubernetes-models); throws with `errors` (ajv's). */
type Validator = (obj: unknown) => void;

export interface ResourceDef {
  group: '' | 'apps';
  version: 'v1';
  plural: string;
  kind: string;
  namespaced: boolean;
  validate: Validator;
  shortNames?: string[];
}

const check =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (obj) =>
    new Model(obj as never).validate();

/** The resources fake-kube serves, with the real API's names. */
export const RESOURCES: ResourceDef[] = [
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    validate: check(Deployment),
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    validate: check(Service),
  },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, validate: check(Pod) },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, validate: check(Secret) },
  {
    group: '',
    version: 'v1',
    plural: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    validate: check(PersistentVolumeClaim),
    shortNames: ['pvc'],
  },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, validate: check(Event) },
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    validate: check(Namespace),
  },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, validate: check(Node) },
];

export function findResource(group: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.plural === plural);
}

export const apiVersionOf = (r: ResourceDef) => (r.group ? `${r.group}/${r.version}` : r.version);

/** What the discovery documents list for a group version. */
export function apiResourceList(group: string) {
  const list = RESOURCES.filter((r) => r.group === group);
  const resources = list.flatMap((r) => {
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    const main = {
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs,
    };
    if (r.plural === 'pods')
      return [main, { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }];
    if (r.plural === 'services')
      return [
        main,
        {
          name: 'services/proxy',
          singularName: '',
          namespaced: true,
          kind: 'ServiceProxyOptions',
          verbs: ['create', 'delete', 'get', 'patch', 'update'],
        },
      ];
    if (r.plural === 'deployments')
      return [
        main,
        {
          name: 'deployments/scale',
          singularName: '',
          namespaced: true,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        },
      ];
    return [main];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}
