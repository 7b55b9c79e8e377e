import { useRef, useState } from 'react';
import type { CreatedTokenRow } from '../api/types';

/**
 * The secret of a token just created, with a Copy button: the server keeps only its hash, so this
 * is the one time it can be seen. Dismissing it forgets it.
 */
export function TokenSecret({ token, onDone }: { token: CreatedTokenRow; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select'>();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.secret);
      setCopied('yes');
    } catch {
      // no clipboard (a plain-http address other than localhost): select it for Ctrl+C instead
      input.current?.select();
      setCopied('select');
    }
  };

  return (
    <section className="card narrow-card token-secret" aria-labelledby="token-secret-title">
      <h2 id="token-secret-title">
        Token “{token.name}” ({token.role}) created
      </h2>
      <p>
        <strong>Copy this secret now: it will not be shown again.</strong> berth keeps only a hash of it.
      </p>
      <div className="token-secret-row">
        <label className="sr-only" htmlFor="token-secret-value">
          Secret of {token.name}
        </label>
        <input
          id="token-secret-value"
          ref={input}
          readOnly
          value={token.secret}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="small muted" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : null}
        {copied === 'select'
          ? 'The clipboard is not available here: the secret is selected, press Ctrl+C.'
          : null}
      </p>
      <button type="button" className="button" onClick={onDone}>
        Done, hide it
      </button>
    </section>
  );
}
