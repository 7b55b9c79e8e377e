/** "every 5 min", "every 90 s", "every 2 h": a scan interval in seconds for a person. */
export function formatEvery(seconds: number): string {
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
