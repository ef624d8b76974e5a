// Files the page hands to the browser to save (an exported log, a proof,
// the token ledger as CSV).

/** Offers `blob` as a download named `fileName`. */
export function saveBlob(fileName: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Later, not at once: some webviews read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "2026-12-01T16-29-54": now (UTC) as a file name may hold it. */
export const fileStamp = (ms = Date.now()) => new Date(ms).toISOString().replace(/[:.]/g, '-').slice(0, 19);
