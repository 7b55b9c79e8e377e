import type { JsonSchemaProperty } from '../api/types';
import { fieldKind, isKeptSecret } from '../lib/integration-form';

/**
 * One property of a JSON Schema config: checkbox, number, password (a stored secret shows "••••"
 * and is kept unless retyped), or text. `idPrefix` keeps ids unique inside the modal.
 */
export function SchemaFieldInput({
  name,
  prop,
  required,
  value,
  error,
  idPrefix,
  onChange,
}: {
  name: string;
  prop: JsonSchemaProperty;
  required: boolean;
  value: string | boolean | undefined;
  error: string | undefined;
  idPrefix: string;
  onChange: (value: string | boolean) => void;
}) {
  const id = `${idPrefix}-${name}`;
  const kind = fieldKind(prop);
  const title = prop.title ?? name;
  const kept = kind === 'secret' && isKeptSecret(value);
  const hintText = kept
    ? 'Stored and encrypted. Leave it to keep it, or type a new one.'
    : kind === 'choice-or-list'
      ? `${prop.description ?? ''} Type all, or ids separated by commas.`.trim()
      : prop.description;
  const hint = hintText ? <small id={`${id}-hint`}>{hintText}</small> : null;
  const described = hintText ? `${id}-hint` : undefined;
  const label = (
    <span>
      {title}
      {required ? <abbr title="required"> *</abbr> : null}
    </span>
  );
  const errorLine = error ? <small className="field-error">{error}</small> : null;

  if (kind === 'boolean') {
    return (
      <div className="field checkbox">
        <label htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-describedby={described}
            onChange={(e) => onChange(e.target.checked)}
          />
          {label}
        </label>
        {hint}
        {errorLine}
      </div>
    );
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={
          kind === 'number'
            ? 'number'
            : kind === 'secret'
              ? 'password'
              : kind === 'text' && prop.format === 'uri'
                ? 'url'
                : 'text'
        }
        inputMode={kind === 'number' ? 'numeric' : undefined}
        min={prop.minimum}
        max={prop.maximum}
        value={typeof value === 'string' ? value : ''}
        placeholder={prop.default !== undefined && kind !== 'secret' ? String(prop.default) : undefined}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        autoComplete={kind === 'secret' ? 'new-password' : 'off'}
        onFocus={(e) => {
          // a stored secret is replaced as a whole, never edited around the mask
          if (kept) e.currentTarget.select();
        }}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint}
      {errorLine}
    </div>
  );
}
