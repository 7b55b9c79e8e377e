import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type {
  CreateIntegrationBody,
  IntegrationType,
  IntegrationTypeView,
  IntegrationView,
} from '../api/types';
import { type ConnectionVerdict, verdictOf } from '../lib/connection-result';
import { fieldErrorsOf } from '../lib/field-errors';
import { configOf, type FormValues, initialValues } from '../lib/integration-form';
import { ConnectionTestLine } from './connection-test-line';
import { SchemaFieldInput } from './schema-field-input';

const MIN_INTERVAL = 60;

/**
 * Add or edit an integration in two steps: pick the type, then its config — a form built from the
 * type's JSON Schema — with Test connection for what is typed, saved or not. Editing starts at
 * step two (the type cannot change). Esc or Cancel closes without saving.
 */
export function IntegrationModal({
  open,
  types,
  editing,
  onClose,
  onSaved,
}: {
  open: boolean;
  types: IntegrationTypeView[];
  editing: IntegrationView | undefined;
  onClose: () => void;
  onSaved: (saved: IntegrationView) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState<'type' | 'config'>('type');
  const [type, setType] = useState<IntegrationType>('docker');
  const [name, setName] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [autoDetect, setAutoDetect] = useState(true);
  const [scanEvery, setScanEvery] = useState('300');
  const [values, setValues] = useState<FormValues>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [testing, setTesting] = useState(false);
  const [verdict, setVerdict] = useState<ConnectionVerdict>();

  const spec = types.find((t) => t.type === type);

  // a fresh form every time it opens
  useEffect(() => {
    if (!open) return;
    const first = editing?.type ?? types[0]?.type ?? 'docker';
    setStep(editing ? 'config' : 'type');
    setType(first);
    setName(editing?.name ?? '');
    setEnabled(editing?.enabled ?? true);
    setAutoDetect(editing?.autoDetect ?? true);
    setScanEvery(String(editing?.scanIntervalSeconds ?? 300));
    const s = types.find((t) => t.type === first);
    setValues(s ? initialValues(s, editing?.config) : {});
    setError(undefined);
    setErrors({});
    setVerdict(undefined);
  }, [open, editing, types]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const choose = (t: IntegrationType) => {
    setType(t);
    const s = types.find((x) => x.type === t);
    setValues(s ? initialValues(s) : {});
    setVerdict(undefined);
    setErrors({});
  };

  const body = (): CreateIntegrationBody => ({
    type,
    ...(name.trim() ? { name: name.trim() } : {}),
    enabled,
    autoDetect,
    scanIntervalSeconds: Number(scanEvery),
    config: spec ? configOf(spec, values) : {},
  });

  const intervalInvalid = !Number.isInteger(Number(scanEvery)) || Number(scanEvery) < MIN_INTERVAL;

  const test = async () => {
    setTesting(true);
    setVerdict(undefined);
    setErrors({});
    try {
      const r = await api.testIntegrationDraft(body(), editing?.id);
      setVerdict(verdictOf(r, spec?.label));
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setVerdict({ ok: false, text: messageOf(err) });
    } finally {
      setTesting(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (step === 'type') {
      setStep('config');
      return;
    }
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const { type: _t, ...changes } = body();
      const saved = editing
        ? await api.updateIntegration(editing.id, changes)
        : await api.createIntegration(body());
      onSaved(saved);
    } catch (err) {
      setError(messageOf(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  const title = editing
    ? `Edit ${editing.name}`
    : step === 'type'
      ? 'Add an integration'
      : `Add a ${spec?.label ?? type} integration`;
  const required = new Set(spec?.configSchema.required ?? []);

  return (
    <dialog
      ref={ref}
      className="dialog wide"
      aria-labelledby="integration-modal-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} noValidate={step === 'type'}>
        <div className="dialog-head">
          <h2 id="integration-modal-title">{title}</h2>
          <span className="muted small">Step {step === 'type' ? 1 : 2} of 2</span>
        </div>

        {step === 'type' ? (
          <fieldset className="type-choices">
            <legend className="muted">What should berth scan for ports?</legend>
            {types.map((t) => (
              <label key={t.type} className={`type-choice${t.type === type ? ' chosen' : ''}`}>
                <input
                  type="radio"
                  name="integration-type"
                  value={t.type}
                  checked={t.type === type}
                  onChange={() => choose(t.type)}
                />
                <span>
                  <strong>{t.label}</strong>
                  <span className="muted small">{t.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ) : (
          <div className="form">
            <div className="field">
              <label htmlFor="integration-name">Name</label>
              <input
                id="integration-name"
                value={name}
                autoComplete="off"
                placeholder={`${spec?.label ?? type} 1 (chosen for you when empty)`}
                aria-invalid={errors.name ? true : undefined}
                onChange={(e) => setName(e.target.value)}
              />
              {errors.name ? <small className="field-error">{errors.name}</small> : null}
            </div>
            <div className="field-row">
              <div className="field checkbox grow">
                <label htmlFor="integration-enabled">
                  <input
                    id="integration-enabled"
                    type="checkbox"
                    checked={enabled}
                    onChange={(e) => setEnabled(e.target.checked)}
                  />
                  <span>Enabled</span>
                </label>
                <small>Disabled integrations neither scan nor count as taken ports.</small>
              </div>
              <div className="field checkbox grow">
                <label htmlFor="integration-auto">
                  <input
                    id="integration-auto"
                    type="checkbox"
                    checked={autoDetect}
                    onChange={(e) => setAutoDetect(e.target.checked)}
                  />
                  <span>Scan on a timer</span>
                </label>
                <small>Otherwise only when you press Scan now.</small>
              </div>
            </div>
            <div className="field">
              <label htmlFor="integration-interval">Scan every (seconds)</label>
              <input
                id="integration-interval"
                type="number"
                inputMode="numeric"
                min={MIN_INTERVAL}
                step={1}
                value={scanEvery}
                disabled={!autoDetect}
                aria-invalid={intervalInvalid || errors.scanIntervalSeconds ? true : undefined}
                onChange={(e) => setScanEvery(e.target.value)}
              />
              {intervalInvalid ? (
                <small className="field-error">At least {MIN_INTERVAL} seconds.</small>
              ) : errors.scanIntervalSeconds ? (
                <small className="field-error">{errors.scanIntervalSeconds}</small>
              ) : null}
            </div>
            <fieldset className="fieldset">
              <legend>{spec?.label ?? type} connection</legend>
              {spec
                ? Object.entries(spec.configSchema.properties).map(([key, prop]) => (
                    <SchemaFieldInput
                      key={`${type}-${key}`}
                      name={key}
                      idPrefix={`integration-${type}`}
                      prop={prop}
                      required={required.has(key)}
                      value={values[key]}
                      error={errors[`config.${key}`]}
                      onChange={(v) => setValues((s) => ({ ...s, [key]: v }))}
                    />
                  ))
                : null}
              <div className="test-row">
                <button type="button" className="button" onClick={test} disabled={testing}>
                  {testing ? 'Testing…' : 'Test connection'}
                </button>
                <ConnectionTestLine verdict={verdict} busy={testing} />
              </div>
            </fieldset>
          </div>
        )}

        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          {step === 'config' && !editing ? (
            <button type="button" className="button" onClick={() => setStep('type')}>
              Back
            </button>
          ) : null}
          <button
            type="submit"
            className="button primary"
            disabled={busy || (step === 'config' && intervalInvalid) || !spec}
          >
            {step === 'type' ? 'Next' : busy ? 'Saving…' : editing ? 'Save changes' : 'Add integration'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
