import type { BerthEvent } from '../api/types';
import type { FeedMode } from '../hooks/use-live-feed';
import { formatDateTime } from '../lib/format';
import { NotAvailable, Notice } from './notice';
import { Skeleton } from './skeleton';

/** Events newest first, each with its reason; the feed's state in words when it is not flowing. */
export function EventList({
  events,
  mode,
  error,
  showInstance = true,
}: {
  events: BerthEvent[];
  mode: FeedMode;
  error: string | undefined;
  showInstance?: boolean;
}) {
  if (mode === 'unavailable') return <NotAvailable what="The event feed" />;
  if (mode === 'connecting' && events.length === 0)
    return <Skeleton height={32} count={3} label="Loading events" />;
  return (
    <>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {events.length === 0 ? <Notice>No events yet.</Notice> : null}
      <ol className="events">
        {events.map((e) => (
          <li key={e.id}>
            <time dateTime={new Date(e.ts).toISOString()}>{formatDateTime(e.ts)}</time>
            {showInstance && e.instanceName ? (
              <a href={`#/instances/${encodeURIComponent(e.instanceName)}`}>{e.instanceName}</a>
            ) : null}
            <span>{e.message}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
