import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { NOTIFICATION_KINDS, NOTIFICATION_RULES, type NotificationChannelView } from '../api/types';
import { fieldErrorsOf } from '../lib/field-errors';
import {
  type ChannelForm,
  channelBody,
  channelForm,
  hasStoredSecret,
  KIND_LABELS,
  RULE_LABELS,
} from '../lib/notification-form';

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="field grow">
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? <small className="field-error">{error}</small> : hint ? <small>{hint}</small> : null}
    </div>
  );
}

/**
 * Add or edit a notification channel: its kind, where it sends and what it is told of. A secret
 * (a webhook URL, an SMTP password) is write-only: the form never holds the stored one, and left
 * empty while editing it keeps it. The name and kind cannot change once added.
 */
export function NotificationChannelModal({
  open,
  editing,
  onClose,
  onSaved,
}: {
  open: boolean;
  editing: NotificationChannelView | undefined;
  onClose: () => void;
  onSaved: (saved: NotificationChannelView) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<ChannelForm>(() => channelForm());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  // A fresh form each time it opens; closed, it forgets what was typed (a secret stays nowhere).
  useEffect(() => {
    if (!open) {
      setForm(channelForm());
      return;
    }
    setForm(channelForm(editing));
    setError(undefined);
    setErrors({});
  }, [open, editing]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const set = <K extends keyof ChannelForm>(key: K, value: ChannelForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const text = (key: 'name' | 'url' | 'host' | 'port' | 'username' | 'password' | 'from' | 'to') => ({
    id: `channel-${key}`,
    value: form[key],
    autoComplete: 'off',
    'aria-invalid': errors[key] || errors[`config.${key}`] ? true : undefined,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
  });
  const err = (key: string) => errors[`config.${key}`] ?? errors[key];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const body = channelBody(form, editing);
      const saved = editing
        ? await api.updateNotificationChannel(editing.name, body)
        : await api.createNotificationChannel(body);
      onSaved(saved);
    } catch (caught) {
      setError(messageOf(caught));
      setErrors(fieldErrorsOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const keepsUrl = hasStoredSecret(editing, 'url');
  const keepsPassword = hasStoredSecret(editing, 'password');

  return (
    <dialog
      ref={ref}
      className="dialog wide"
      aria-labelledby="channel-modal-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <div className="dialog-head">
          <h2 id="channel-modal-title">{editing ? `Edit ${editing.name}` : 'Add a notification channel'}</h2>
        </div>
        <div className="form">
          <Field
            id="channel-name"
            label="Name"
            error={err('name')}
            hint="Lowercase letters, digits and dashes."
          >
            <input {...text('name')} disabled={editing !== undefined} placeholder="ops-alerts" />
          </Field>
          {editing ? null : (
            <fieldset className="type-choices">
              <legend className="muted">Where should berth send?</legend>
              {NOTIFICATION_KINDS.map((k) => (
                <label key={k} className={`type-choice${k === form.kind ? ' chosen' : ''}`}>
                  <input
                    type="radio"
                    name="channel-kind"
                    value={k}
                    checked={k === form.kind}
                    onChange={() => set('kind', k)}
                  />
                  <span>
                    <strong>{KIND_LABELS[k].label}</strong>
                    <span className="muted small">{KIND_LABELS[k].description}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          {form.kind === 'email' ? (
            <fieldset className="fieldset">
              <legend>SMTP server</legend>
              <div className="field-row">
                <Field id="channel-host" label="Host" error={err('host')}>
                  <input {...text('host')} placeholder="smtp.example.com" />
                </Field>
                <div className="field narrow">
                  <label htmlFor="channel-port">Port</label>
                  <input {...text('port')} inputMode="numeric" />
                  {err('port') ? <small className="field-error">{err('port')}</small> : null}
                </div>
              </div>
              <div className="field checkbox">
                <label htmlFor="channel-secure">
                  <input
                    id="channel-secure"
                    type="checkbox"
                    checked={form.secure}
                    onChange={(e) => set('secure', e.target.checked)}
                  />
                  <span>TLS from the first byte (port 465)</span>
                </label>
                <small>Otherwise STARTTLS when the server offers it.</small>
              </div>
              <div className="field-row">
                <Field id="channel-username" label="User name" error={err('username')}>
                  <input {...text('username')} />
                </Field>
                <Field
                  id="channel-password"
                  label="Password"
                  error={err('password')}
                  hint={
                    keepsPassword
                      ? 'Stored; never shown. Leave empty to keep it.'
                      : 'Stored sealed; never shown again.'
                  }
                >
                  <input
                    {...text('password')}
                    type="password"
                    autoComplete="new-password"
                    placeholder={keepsPassword ? 'stored — type to replace' : ''}
                  />
                </Field>
              </div>
              <div className="field-row">
                <Field id="channel-from" label="From" error={err('from')}>
                  <input {...text('from')} type="email" placeholder="berth@example.com" />
                </Field>
                <Field
                  id="channel-to"
                  label="To"
                  error={err('to')}
                  hint="One or more addresses, comma-separated."
                >
                  <input {...text('to')} placeholder="ops@example.com" />
                </Field>
              </div>
            </fieldset>
          ) : (
            <Field
              id="channel-url"
              label="Webhook URL"
              error={err('url')}
              hint={
                keepsUrl
                  ? 'Stored; never shown (its path holds the token). Leave empty to keep it.'
                  : 'Stored sealed; never shown again (its path holds the token).'
              }
            >
              <input
                {...text('url')}
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                placeholder={keepsUrl ? 'stored — type to replace' : 'https://hooks.example.com/…'}
              />
            </Field>
          )}
          <fieldset className="fieldset">
            <legend>Tell this channel when</legend>
            <div className="rule-choices">
              {NOTIFICATION_RULES.map((r) => (
                <div key={r} className="field checkbox">
                  <label htmlFor={`channel-rule-${r}`}>
                    <input
                      id={`channel-rule-${r}`}
                      type="checkbox"
                      checked={form.rules[r]}
                      onChange={(e) => set('rules', { ...form.rules, [r]: e.target.checked })}
                    />
                    <span>{RULE_LABELS[r].label}</span>
                  </label>
                  <small>{RULE_LABELS[r].hint}</small>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add channel'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
