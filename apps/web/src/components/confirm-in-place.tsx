import { useState } from 'react';

const WORKING = { remove: 'Removing…', delete: 'Deleting…' } as const;

/**
 * A destructive action asked in place, the way the UI asks everywhere: "Remove" becomes "Yes,
 * remove" and "Keep" beside it. `onConfirm` reports its own failure (the caller shows it); once it
 * settles the question closes.
 */
export function ConfirmInPlace({
  verb,
  subject,
  onConfirm,
}: {
  verb: keyof typeof WORKING;
  subject: string;
  onConfirm: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [working, setWorking] = useState(false);
  const label = verb === 'remove' ? 'Remove' : 'Delete';
  if (!confirming) {
    return (
      <button
        type="button"
        className="button danger"
        onClick={() => setConfirming(true)}
        aria-label={`${label} ${subject}`}
      >
        {label}
      </button>
    );
  }
  const confirm = async () => {
    setWorking(true);
    try {
      await onConfirm();
    } finally {
      setWorking(false);
      setConfirming(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="button danger"
        disabled={working}
        onClick={() => void confirm()}
        aria-label={`Really ${verb} ${subject}`}
      >
        {working ? WORKING[verb] : `Yes, ${verb}`}
      </button>
      <button type="button" className="button quiet" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </>
  );
}
