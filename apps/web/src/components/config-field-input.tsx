import type { ConfigField, ConfigValue } from '../api/types';

/** One config value as the schema describes it: enum → select, boolean → checkbox, else a text box. */
export function ConfigFieldInput({
  name,
  field,
  value,
  error,
  onChange,
}: {
  name: string;
  field: ConfigField;
  value: ConfigValue | undefined;
  error: string | undefined;
  onChange: (value: ConfigValue | undefined) => void;
}) {
  const id = `config-${name}`;
  const hint = field.description ? <small id={`${id}-hint`}>{field.description}</small> : null;
  const described = field.description ? `${id}-hint` : undefined;
  const label = (
    <span>
      {name}
      {field.required ? <abbr title="required"> *</abbr> : null}
    </span>
  );

  if (field.type === 'boolean') {
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
        {error ? <small className="field-error">{error}</small> : null}
      </div>
    );
  }

  const fromText = (text: string): ConfigValue | undefined => {
    if (text === '') return undefined;
    return field.type === 'number' ? Number(text) : text;
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {field.enum ? (
        <select
          id={id}
          value={value === undefined ? '' : String(value)}
          required={field.required}
          aria-describedby={described}
          onChange={(e) => onChange(fromText(e.target.value))}
        >
          {field.required ? null : <option value="">(default)</option>}
          {field.enum.map((opt) => (
            <option key={String(opt)} value={String(opt)}>
              {String(opt)}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={field.secret ? 'password' : field.type === 'number' ? 'number' : 'text'}
          step={field.type === 'number' && !field.secret ? 'any' : undefined}
          value={value === undefined ? '' : String(value)}
          required={field.required}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          autoComplete={field.secret ? 'new-password' : 'off'}
          onChange={(e) => onChange(fromText(e.target.value))}
        />
      )}
      {hint}
      {error ? <small className="field-error">{error}</small> : null}
    </div>
  );
}
