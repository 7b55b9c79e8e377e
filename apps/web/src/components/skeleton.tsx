/** A placeholder of fixed height, so the page does not jump when the data arrives. */
export function Skeleton({
  height,
  count = 1,
  label = 'Loading…',
}: {
  height: number;
  count?: number;
  label?: string;
}) {
  return (
    <div className="skeletons" role="status" aria-busy="true" aria-label={label}>
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <div key={i} className="skeleton" style={{ height }} />
      ))}
    </div>
  );
}
