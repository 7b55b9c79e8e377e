import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { BuildStatus, DetectResult } from '../api/types';
import { BuildList } from '../components/build-list';
import { BuildProgress } from '../components/build-progress';
import { DeployOptionsForm } from '../components/deploy-options-form';
import { DetectionSummary } from '../components/detection-summary';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';

const STEPS = ['Source', 'Check what was found', 'Build and run'] as const;

/**
 * Deploy from a repository: a git URL or a folder on berth's machine → Detect (shown with its
 * evidence, nothing built yet) → options (port, start command, databases) → Deploy → the build,
 * live, ending in a link to the new instance.
 */
export function DeployPage() {
  const [source, setSource] = useState('');
  const [detecting, setDetecting] = useState(false);
  const [detectError, setDetectError] = useState<string>();
  const [result, setResult] = useState<DetectResult>();
  const [build, setBuild] = useState<{ id: string; name: string; attempt: number }>();
  const [buildStatus, setBuildStatus] = useState<BuildStatus>();
  const [retryError, setRetryError] = useState<string>();
  const buildId = build?.id;
  const ended = buildStatus === 'failed' || buildStatus === 'cancelled';
  const step = buildId ? 2 : result ? 1 : 0;

  const detect = async (e: FormEvent) => {
    e.preventDefault();
    setDetecting(true);
    setDetectError(undefined);
    setResult(undefined);
    try {
      setResult(await api.detectBuild(source.trim()));
    } catch (err) {
      setDetectError(messageOf(err));
    } finally {
      setDetecting(false);
    }
  };

  const restart = () => {
    setBuild(undefined);
    setResult(undefined);
  };

  /** After a failure: the options again, as they were chosen (the build stays in the list). */
  const backToOptions = () => {
    setBuild(undefined);
    setBuildStatus(undefined);
  };

  /** After a failure: the same build once more (a redeploy of its source and options). */
  const retry = async () => {
    if (!build) return;
    setRetryError(undefined);
    try {
      const again = await api.redeployBuild(build.id);
      setBuildStatus(undefined);
      setBuild({ id: again.id, name: again.name, attempt: again.attempt });
    } catch (err) {
      setRetryError(messageOf(err));
    }
  };

  const onStatus = useCallback((s: BuildStatus) => setBuildStatus(s), []);

  return (
    <>
      <PageHeader title="Deploy from a repository" />
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            className={i === step ? 'current' : i < step ? 'done' : undefined}
            aria-current={i === step ? 'step' : undefined}
          >
            <span className="step-number">{i + 1}</span> {s}
          </li>
        ))}
      </ol>

      <section className="card" aria-labelledby="deploy-source">
        <h2 id="deploy-source">Where is the code?</h2>
        <form className="source-form" onSubmit={detect} aria-label="Repository source">
          <div className="field grow">
            <label htmlFor="deploy-source-input">Git URL or folder</label>
            <input
              id="deploy-source-input"
              required
              value={source}
              spellCheck={false}
              autoComplete="off"
              disabled={Boolean(buildId)}
              placeholder="https://github.com/you/app.git or /srv/apps/app"
              aria-invalid={detectError ? true : undefined}
              aria-describedby="deploy-source-hint"
              onChange={(e) => setSource(e.target.value)}
            />
            <small id="deploy-source-hint">
              http(s), ssh, git and file URLs are cloned (latest commit only); a folder is an absolute path on
              the machine berth runs on and is copied, never changed.
            </small>
          </div>
          <button type="submit" className="button primary" disabled={detecting || Boolean(buildId)}>
            {detecting ? 'Detecting…' : 'Detect'}
          </button>
        </form>
        {detectError ? (
          <p className="notice notice-error" role="alert">
            {detectError}
          </p>
        ) : null}
      </section>

      {detecting ? <Skeleton height={220} label="Detecting" /> : null}

      {result ? (
        // kept (hidden) while it builds, so "Back to options" shows them as they were chosen
        <div className="grid detail" style={buildId ? { display: 'none' } : undefined}>
          <section className="card" aria-labelledby="deploy-detected">
            <h2 id="deploy-detected">What berth found</h2>
            <DetectionSummary result={result} />
          </section>
          <section className="card" aria-labelledby="deploy-options">
            <h2 id="deploy-options">Before it is built</h2>
            <DeployOptionsForm
              key={result.source}
              result={result}
              onStarted={(b) => setBuild({ id: b.id, name: b.name, attempt: b.attempt })}
            />
          </section>
        </div>
      ) : null}

      {build ? (
        <section className="card" aria-labelledby="deploy-build">
          <div className="card-head">
            <h2 id="deploy-build">Building {build?.name}</h2>
            <button type="button" className="button quiet" onClick={restart}>
              Deploy something else
            </button>
          </div>
          <BuildProgress key={`${build.id}-${build.attempt}`} buildId={build.id} onStatus={onStatus} />
          {ended ? (
            <div className="actions">
              {result ? (
                <button type="button" className="button" onClick={backToOptions}>
                  Back to options
                </button>
              ) : null}
              <button type="button" className="button primary" onClick={() => void retry()}>
                Retry
              </button>
            </div>
          ) : null}
          {retryError ? (
            <p className="notice notice-error" role="alert">
              {retryError}
            </p>
          ) : null}
        </section>
      ) : null}

      <section className="card" aria-labelledby="deploy-builds">
        <h2 id="deploy-builds">Builds</h2>
        <BuildList />
      </section>
    </>
  );
}
