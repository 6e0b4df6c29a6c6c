/**
 * What a process's RSS is made of, read from inside it: Node's
 * `process.memoryUsage()` (V8 heap, external memory, ArrayBuffers), V8's
 * heap spaces (how much of each space is committed and how much is live),
 * and the kernel's view (`/proc/self/status`: anonymous vs file-backed
 * resident pages). A sampler keeps the sample taken at the highest RSS, so
 * a run can say what the peak consisted of, not only how high it was.
 */
import { readFileSync } from "node:fs";
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** One reading, in MB. */
export interface MemorySample {
  readonly rssMb: number;
  /** Resident anonymous memory (V8 heap pages, malloc arenas, thread stacks). */
  readonly rssAnonMb: number;
  /** Resident file-backed pages (the node binary's code and data, shared libraries). */
  readonly rssFileMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  /** V8 heap pages actually touched (committed and resident). */
  readonly heapPhysicalMb: number;
  /** Memory V8 itself got from malloc (outside the heap spaces). */
  readonly v8MallocedMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  /** RSS not explained by V8's heap pages, V8's malloc and the file-backed pages: the C++ side (OpenSSL, TLS, libuv, node) and malloc's free lists. */
  readonly otherAnonMb: number;
  /** Committed / used per V8 heap space (new_space, old_space, code_space, large_object_space, …). */
  readonly spaces: Readonly<Record<string, { readonly sizeMb: number; readonly usedMb: number }>>;
}

function procStatus(): { anon: number; file: number; hwm: number } {
  let anon = 0;
  let file = 0;
  let hwm = 0;
  try {
    for (const line of readFileSync("/proc/self/status", "utf8").split("\n")) {
      const m = /^(RssAnon|RssFile|RssShmem|VmHWM):\s+(\d+) kB/.exec(line);
      if (m === null) continue;
      if (m[1] === "RssAnon") anon = Number(m[2]) * 1024;
      else if (m[1] === "VmHWM") hwm = Number(m[2]) * 1024;
      else file += Number(m[2]) * 1024;
    }
  } catch {
    // not Linux: the kernel's split is left at 0
  }
  return { anon, file, hwm };
}

/**
 * The highest RSS of this process so far: the kernel's `VmHWM` (the high-water
 * mark of this process's own address space). Not `resourceUsage().maxRSS`:
 * Linux carries `ru_maxrss` across fork and exec, so a child started by a
 * large parent reports the parent's RSS at the fork as its own peak (the
 * benchmark's parent, holding 5,000 SealedSecrets, is one).
 */
export function peakRss(): number {
  return procStatus().hwm || process.resourceUsage().maxRSS * 1024;
}

/** Read the process's memory now. */
export function sampleMemory(): MemorySample {
  const m = process.memoryUsage();
  const heap = getHeapStatistics();
  const proc = procStatus();
  const spaces: Record<string, { sizeMb: number; usedMb: number }> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { sizeMb: mb(s.physical_space_size), usedMb: mb(s.space_used_size) };
  return {
    rssMb: mb(m.rss),
    rssAnonMb: mb(proc.anon),
    rssFileMb: mb(proc.file),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    heapPhysicalMb: mb(heap.total_physical_size),
    v8MallocedMb: mb(heap.malloced_memory),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    otherAnonMb: mb(proc.anon - heap.total_physical_size - heap.malloced_memory),
    spaces,
  };
}

/** Samples memory every `intervalMs` and keeps the sample with the highest RSS. */
export class PeakSampler {
  #peak: MemorySample | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => {
      this.sample();
    }, intervalMs);
    this.#timer.unref();
  }

  /** Take a sample now (and keep it if it is the highest so far). */
  sample(): MemorySample {
    const s = sampleMemory();
    if (this.#peak === undefined || s.rssMb > this.#peak.rssMb) this.#peak = s;
    return s;
  }

  /** The sample at the highest RSS seen so far; reset it to measure the next phase alone. */
  peak(reset = false): MemorySample | undefined {
    const p = this.#peak;
    if (reset) this.#peak = undefined;
    return p;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
