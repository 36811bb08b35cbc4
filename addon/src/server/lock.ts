// One Analyze or Apply at a time per spreadsheet: two editors pressing Apply at once would otherwise
// write Review over each other. The API is safe either way (each action runs exactly once); the lock
// keeps the sheet consistent.
const WAIT_MS = 10_000;

export function withDocumentLock<T>(work: () => T): T {
  const lock = LockService.getDocumentLock();
  if (!lock?.tryLock(WAIT_MS)) {
    throw new Error(
      "Someone else is running Auto-map, Analyze or Apply in this spreadsheet. Wait until it finishes, then try again.",
    );
  }
  try {
    return work();
  } finally {
    lock.releaseLock();
  }
}
