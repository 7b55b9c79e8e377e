import type { BerthEvent } from '../api/types';
import type { FeedMode } from '../hooks/use-live-feed';
import { foldEvents, severityOf } from '../lib/event-words';
import { formatDateTime } from '../lib/format';
import { NotAvailable, Notice } from './notice';
import { Skeleton } from './skeleton';

/**
 * Events newest first: when, what kind (status → error, restart…) coloured by how bad it is, the
 * instance and the reason — a reason told by two events at once (a crash's status and its restart)
 * printed once; the feed's state in words when it is not flowing.
 */
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
        {foldEvents(events).map(({ event: e, types }) => {
          const severity = severityOf(e);
          return (
            <li key={e.id} className={`event event-${severity}`} data-severity={severity} data-type={e.type}>
              <time dateTime={new Date(e.ts).toISOString()}>{formatDateTime(e.ts)}</time>
              <span className="event-type">{types.join(' · ')}</span>
              <span className="event-body">
                {showInstance && e.instanceName ? (
                  <>
                    <a className="event-instance" href={`#/instances/${encodeURIComponent(e.instanceName)}`}>
                      {e.instanceName}
                    </a>{' '}
                  </>
                ) : null}
                <span className="event-message">{e.message}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
