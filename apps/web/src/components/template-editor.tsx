import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { ApiError, messageOf } from '../api/api-error';
import type { Template, TemplateBody } from '../api/types';
import { formatArgv, parseArgv } from '../lib/argv';
import { fieldPath, issueLines, type LineProblem, loadYaml, parseYaml, toYaml } from '../lib/template-yaml';

type Doc = Record<string, unknown>;
type PortDoc = { name?: string; env?: string; containerPort?: number; preferred?: number } & Record<
  string,
  unknown
>;

const BLANK: Doc = {
  name: '',
  description: '',
  source: { kind: 'command', command: '', args: [] },
  ports: [{ name: 'http', env: 'PORT' }],
};

/** The API's validation issues, fields without `body.`. */
function issuesOf(err: unknown): { field: string; message: string }[] {
  if (!(err instanceof ApiError) || !Array.isArray(err.details.issues)) return [];
  return (err.details.issues as { field?: string; message?: string }[]).map((i) => ({
    field: fieldPath(i.field ?? '').join('.'),
    message: i.message ?? 'is invalid',
  }));
}

/** The fields the form shows an error beside (the rest go to the notice under it). */
function inForm(field: string): boolean {
  return /^(name|description|source(\.(command|args|image))?|ports\.\d+(\.(name|env|containerPort|preferred))?)$/.test(
    field,
  );
}

/** A command source's words as one line, quoted as a shell would. */
function commandOf(source: Doc): string {
  const args = Array.isArray(source.args) ? source.args.map(String) : [];
  return formatArgv([String(source.command ?? ''), ...args].filter(Boolean));
}

const asDoc = (v: unknown): Doc =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {};
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

/**
 * Creates or edits a template in two views of one document: a form for the common fields (name,
 * description, the command or image, ports) and the whole template as YAML, with line numbers and
 * each error at its line — the parser's, and the API's validation issues found in the text. The
 * name of an existing template is fixed (a template is renamed by creating another).
 */
export function TemplateEditor({
  initial,
  onSaved,
  onCancel,
}: {
  initial?: Template;
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const editing = initial !== undefined;
  const [yaml, setYaml] = useState<Awaited<ReturnType<typeof loadYaml>>>();
  const [view, setView] = useState<'form' | 'yaml'>('form');
  const [doc, setDoc] = useState<Doc>(() =>
    initial ? structuredClone(initial as Doc) : structuredClone(BLANK),
  );
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<LineProblem[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const gutter = useRef<HTMLDivElement>(null);
  /** The command line as typed in the form (undefined: shown from the document). */
  const [commandText, setCommandText] = useState<string>();

  useEffect(() => {
    let live = true;
    loadYaml().then(
      (y) => live && setYaml(y),
      (err) => live && setError(`The YAML editor could not load: ${messageOf(err)}`),
    );
    return () => {
      live = false;
    };
  }, []);

  const showYaml = () => {
    if (!yaml) return;
    setText(toYaml(yaml, doc));
    setProblems([]);
    setView('yaml');
  };

  const showForm = () => {
    if (!yaml) return;
    const parsed = parseYaml(yaml, text);
    if (!parsed.ok) return setProblems(parsed.problems);
    setDoc(asDoc(parsed.data));
    setCommandText(undefined);
    setProblems([]);
    setView('form');
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!yaml) return;
    setError(undefined);
    setProblems([]);
    setFieldErrors({});
    let body: Doc = doc;
    if (view === 'yaml') {
      const parsed = parseYaml(yaml, text);
      if (!parsed.ok) return setProblems(parsed.problems);
      body = asDoc(parsed.data);
    }
    setBusy(true);
    try {
      const saved = editing
        ? await api.updateTemplate(initial.name, body as TemplateBody)
        : await api.createTemplate(body as TemplateBody);
      onSaved(saved.template.name);
    } catch (err) {
      const issues = issuesOf(err);
      if (issues.length && view === 'yaml') setProblems(issueLines(yaml, text, issues));
      else if (issues.length) setFieldErrors(Object.fromEntries(issues.map((i) => [i.field, i.message])));
      const placed = issues.length > 0 && (view === 'yaml' || issues.every((i) => inForm(i.field)));
      setError(placed ? undefined : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const source = asDoc(doc.source);
  const kind = String(source.kind ?? 'command');
  const ports = (Array.isArray(doc.ports) ? doc.ports : []) as PortDoc[];
  const set = (patch: Doc) => setDoc((d) => ({ ...d, ...patch }));
  const setSource = (patch: Doc) => setDoc((d) => ({ ...d, source: { ...asDoc(d.source), ...patch } }));
  const setPort = (i: number, patch: Partial<PortDoc>) =>
    set({ ports: ports.map((p, j) => (j === i ? dropUndefined({ ...p, ...patch }) : p)) });
  /** Errors of the form's fields, and of any field the form does not show (in the general notice). */
  const at = (...fields: string[]) => {
    const text = fields.map((f) => fieldErrors[f]).find(Boolean);
    return text ? <small className="field-error">{text}</small> : null;
  };
  const lineCount = Math.max(1, text.split('\n').length);
  const bad = new Map(problems.map((p) => [p.line, p]));

  return (
    <form
      className="form template-editor"
      onSubmit={save}
      aria-label={editing ? `Edit ${initial.name}` : 'New template'}
    >
      <fieldset className="actions ask" aria-label="View">
        <button
          type="button"
          className="button"
          aria-pressed={view === 'form'}
          disabled={!yaml}
          onClick={showForm}
        >
          Form
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={view === 'yaml'}
          disabled={!yaml}
          onClick={showYaml}
        >
          YAML
        </button>
      </fieldset>
      {view === 'form' ? (
        <>
          <div className="field">
            <label htmlFor="tpl-name">Name</label>
            <input
              id="tpl-name"
              required
              value={String(doc.name ?? '')}
              readOnly={editing}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={fieldErrors.name ? true : undefined}
              onChange={(e) => set({ name: e.target.value })}
            />
            {at('name')}
          </div>
          <div className="field">
            <label htmlFor="tpl-description">Description</label>
            <input
              id="tpl-description"
              value={String(doc.description ?? '')}
              onChange={(e) => set({ description: e.target.value || undefined })}
            />
            {at('description')}
          </div>
          <div className="field">
            <label htmlFor="tpl-kind">Runs</label>
            <select
              id="tpl-kind"
              value={kind}
              disabled={kind !== 'command' && kind !== 'image'}
              onChange={(e) => {
                setCommandText(undefined);
                set({
                  source:
                    e.target.value === 'image'
                      ? { kind: 'image', image: '' }
                      : { kind: 'command', command: '', args: [] },
                });
              }}
            >
              <option value="command">a command on the host</option>
              <option value="image">a container image</option>
              {kind !== 'command' && kind !== 'image' ? (
                <option value={kind}>{kind} (edit it as YAML)</option>
              ) : null}
            </select>
          </div>
          {kind === 'command' ? (
            <div className="field">
              <label htmlFor="tpl-command">Command</label>
              <input
                id="tpl-command"
                value={commandText ?? commandOf(source)}
                placeholder="node server.js"
                spellCheck={false}
                onChange={(e) => {
                  // the text stays as typed; the template gets its words
                  setCommandText(e.target.value);
                  const [command = '', ...args] = parseArgv(e.target.value);
                  setSource({ command, args });
                }}
              />
              <small>Quoted as a shell would; it runs without one.</small>
              {at('source.command', 'source.args', 'source')}
            </div>
          ) : null}
          {kind === 'image' ? (
            <div className="field">
              <label htmlFor="tpl-image">Image</label>
              <input
                id="tpl-image"
                value={String(source.image ?? '')}
                placeholder="nginx:1.27"
                spellCheck={false}
                onChange={(e) => setSource({ image: e.target.value })}
              />
              {at('source.image', 'source')}
            </div>
          ) : null}
          <fieldset className="fieldset">
            <legend>Ports</legend>
            {ports.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
              <fieldset className="field-row ask" key={i} aria-label={`Port ${i + 1}`}>
                <div className="field grow">
                  <label htmlFor={`tpl-port-${i}-name`}>Port name</label>
                  <input
                    id={`tpl-port-${i}-name`}
                    value={p.name ?? ''}
                    spellCheck={false}
                    onChange={(e) => setPort(i, { name: e.target.value })}
                  />
                  {at(`ports.${i}.name`, `ports.${i}`)}
                </div>
                {kind === 'image' ? (
                  <div className="field narrow">
                    <label htmlFor={`tpl-port-${i}-container`}>Container port</label>
                    <input
                      id={`tpl-port-${i}-container`}
                      type="number"
                      value={p.containerPort ?? ''}
                      onChange={(e) => setPort(i, { containerPort: num(e.target.value) })}
                    />
                    {at(`ports.${i}.containerPort`)}
                  </div>
                ) : (
                  <div className="field narrow">
                    <label htmlFor={`tpl-port-${i}-env`}>Env var</label>
                    <input
                      id={`tpl-port-${i}-env`}
                      value={p.env ?? ''}
                      spellCheck={false}
                      onChange={(e) => setPort(i, { env: e.target.value || undefined })}
                    />
                    {at(`ports.${i}.env`)}
                  </div>
                )}
                <div className="field narrow">
                  <label htmlFor={`tpl-port-${i}-preferred`}>Preferred</label>
                  <input
                    id={`tpl-port-${i}-preferred`}
                    type="number"
                    value={p.preferred ?? ''}
                    onChange={(e) => setPort(i, { preferred: num(e.target.value) })}
                  />
                  {at(`ports.${i}.preferred`)}
                </div>
                <button
                  type="button"
                  className="button quiet"
                  aria-label={`Remove port ${p.name || i + 1}`}
                  onClick={() => set({ ports: ports.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              className="button quiet"
              onClick={() => set({ ports: [...ports, { name: '' }] })}
            >
              Add a port
            </button>
          </fieldset>
          <small>Everything else (config, health, restart, volumes…) is in the YAML view.</small>
        </>
      ) : (
        <div className="yaml-editor">
          <div className="yaml-gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lineCount }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a line number is its position
              <span key={i} className={bad.has(i + 1) ? 'bad' : undefined} title={bad.get(i + 1)?.message}>
                {i + 1}
              </span>
            ))}
          </div>
          <label className="sr-only" htmlFor="tpl-yaml">
            Template YAML
          </label>
          <textarea
            id="tpl-yaml"
            value={text}
            rows={lineCount + 1}
            wrap="off"
            spellCheck={false}
            aria-invalid={problems.length ? true : undefined}
            aria-describedby={problems.length ? 'tpl-yaml-problems' : undefined}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
      )}
      {problems.length ? (
        <ul
          id="tpl-yaml-problems"
          className="notice notice-error plain-list"
          aria-label="Problems in the YAML"
        >
          {problems.map((p) => (
            <li key={`${p.line}:${p.field ?? ''}:${p.message}`}>
              Line {p.line}: {p.field ? `${p.field} — ${p.message}` : p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {error && !problems.length ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || !yaml}>
          {busy ? 'Saving…' : editing ? 'Save template' : 'Create template'}
        </button>
        <button type="button" className="button quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function dropUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
