import { resolveConfig } from './config-values.js';
import type { Instance } from './instance.js';
import { getTemplate, type ServiceDeps } from './instance-deps.js';
import { mergeConfig, openSecrets, sealSecrets, secretFields } from './secret-box.js';
import type { Template } from './template.js';

/**
 * Changes an instance's config for its next (re)start. A field left out keeps its value, `null`
 * clears it, and a secret sent back masked (`••••`) keeps the stored one, so a secret can be
 * replaced without ever being shown. The event names the changed fields, never their values.
 */
export function updateConfig(d: ServiceDeps, inst: Instance, input: Record<string, unknown>): Instance {
  const { config, changed } = editedConfig(d, getTemplate(d, inst.template), inst, input);
  const updated = d.store.instances.update(inst.id, { config, updatedAt: d.clock.now() });
  d.events.emit({
    type: 'instance.config',
    instanceId: inst.id,
    instanceName: inst.name,
    message: `config changed: ${changed.join(', ') || 'nothing'} (takes effect at the next start)`,
    data: { changed },
  });
  return updated;
}

/**
 * The instance's config with `input` over it (see `updateConfig`), checked against the template
 * (a 400 naming the field) and sealed, and the fields that changed.
 */
export function editedConfig(
  d: Pick<ServiceDeps, 'secrets'>,
  template: Template,
  inst: Instance,
  input: Record<string, unknown>,
): { config: Instance['config']; changed: string[] } {
  const before = openSecrets(inst.config, d.secrets);
  const after = resolveConfig(template, mergeConfig(before, input));
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
  changed.push(...Object.keys(before).filter((k) => !(k in after)));
  const config = sealSecrets(template, after, d.secrets);
  // Unchanged values keep their stored form: re-sealing would change every sealed value's bytes.
  for (const k of Object.keys(config)) if (!changed.includes(k)) config[k] = inst.config[k]!;
  return { config, changed };
}

/**
 * Seals values of `secret` fields still stored in clear (written before berth sealed them, or a
 * field its template marks secret since), of one template's instances or all. Returns how many changed.
 */
export function sealStoredSecrets(d: ServiceDeps, templateName?: string): number {
  let changed = 0;
  const templateOf = templateMemo(d);
  d.store.transaction(() => {
    const list = d.store.instances.list(templateName === undefined ? {} : { template: templateName });
    for (const inst of list) {
      const template = templateOf(inst.template);
      if (template && sealInPlace(d, inst, template)) changed++;
    }
  });
  return changed;
}

/** Whether the instance's config had a value in clear that is now stored sealed. */
function sealInPlace(d: ServiceDeps, inst: Instance, template: Template): boolean {
  if (secretFields(template).length === 0) return false;
  const config = sealSecrets(template, inst.config, d.secrets);
  if (Object.keys(config).every((k) => config[k] === inst.config[k])) return false;
  d.store.instances.update(inst.id, { config });
  return true;
}

function templateMemo(d: ServiceDeps): (name: string) => Template | undefined {
  const templates = new Map<string, Template | undefined>();
  return (name) => {
    if (!templates.has(name)) templates.set(name, d.store.templates.find(name)?.template);
    return templates.get(name);
  };
}
