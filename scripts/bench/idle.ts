// Waiting for sqld to go quiet before a measured step. After large writes (seeding a tenant with
// 100,000 people) sqld compacts its replication log into a snapshot in the background, for up to
// tens of seconds; on a 2-core machine a step measured meanwhile shares the CPU with it.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used (user + system); null once it has exited. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: state is field 0, utime 11 and stime 12.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * Resolves once `pid` used under `share` of one core over a whole `windowMs`, or after `maxMs`.
 * Returns the seconds waited.
 */
export async function untilIdle(pid: number, { share = 0.05, windowMs = 1_000, maxMs = 60_000 } = {}) {
  const started = performance.now();
  let last = cpuSeconds(pid);
  while (last !== null && performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuSeconds(pid);
    if (now === null || now - last < (share * windowMs) / 1000) break;
    last = now;
  }
  return (performance.now() - started) / 1000;
}
