import type { Template } from '../api/types';

/** The versions a template declares (command or image source), in its order. */
export function versionNamesOf(template: Template): string[] {
  const src = template.source;
  if (src.kind !== 'command' && src.kind !== 'image') return [];
  return Object.keys(src.versions ?? {});
}

/** A select of the template's versions; nothing when it declares none. */
export function VersionSelect({
  id,
  template,
  value,
  error,
  onChange,
}: {
  id: string;
  template: Template;
  value: string;
  error?: string | undefined;
  onChange: (version: string) => void;
}) {
  const names = versionNamesOf(template);
  if (names.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Version</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">none (the template’s own command)</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {error ? (
        <small id={`${id}-error`} className="field-error" data-field="version">
          {error}
        </small>
      ) : null}
    </div>
  );
}
