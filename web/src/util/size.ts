/** A byte count as people read it: "512 B", "1.2 KB", "34 MB" (1 KB = 1024 B, as chat apps show). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // One decimal below 10 ("1.2 MB"), none above ("34 MB"); never "1024 KB".
  let shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  if (shown >= 1024 && unit < units.length - 1) {
    shown = 1;
    unit += 1;
  }
  return `${shown} ${units[unit]}`;
}

/** The key of one of our object URLs (`…/storage/object/<key>`), percent-encoded as in the URL. */
export function objectKey(url: string): string | null {
  const marker = '/storage/object/';
  const at = url.indexOf(marker);
  return at < 0 ? null : url.slice(at + marker.length).split(/[?#]/)[0] || null;
}
