// Memory of processes, read from /proc: the workerd that runs the worker (a child of the benchmark,
// spawned by Miniflare), its resident set sampled while the benchmark runs and its high-water mark
// (VmHWM) at the end.
import { readdirSync, readFileSync } from "node:fs";

/** Resident and peak resident set of a process, in MB; null once it has exited. */
export function residentMb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** Every process under `root`, children first. */
export function descendants(root: number): number[] {
  const children = childrenByParent();
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  return children;
}

/** The first workerd process under `root` (its child when Miniflare spawns it; deeper under wrangler dev). */
export function workerdPid(root: number): number | null {
  for (const pid of descendants(root)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd") return pid;
    } catch {
      // exited while we looked
    }
  }
  return null;
}

/** Samples a process's resident set every `everyMs` until stopped; returns the largest seen. */
export function sampleResident(pid: number, everyMs = 50): { stop: () => number } {
  let peak = residentMb(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    const now = residentMb(pid);
    if (now) peak = Math.max(peak, now.rss);
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, residentMb(pid)?.rss ?? 0);
    },
  };
}
