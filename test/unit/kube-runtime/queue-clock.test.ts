import { describe, expect, it } from "vitest";
import { WorkQueue, backoffMs } from "../../../src/kube/runtime/index.js";
import type { WorkResult } from "../../../src/kube/runtime/index.js";
import { FakeClock } from "../../../src/kube/testing/index.js";

/** Let queued promise callbacks run (the worker and the queue's bookkeeping). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A queue on a fake clock that records when (clock time) each key ran. */
function recorded(results: (key: string, run: number) => WorkResult, options: Partial<ConstructorParameters<typeof WorkQueue>[1]> = {}) {
  const clock = new FakeClock(0);
  const runs: { key: string; at: number }[] = [];
  const queue = new WorkQueue(
    (key) => {
      runs.push({ key, at: clock.now() });
      return Promise.resolve(results(key, runs.filter((r) => r.key === key).length));
    },
    { clock, ...options },
  );
  return { clock, runs, queue };
}

async function advance(clock: FakeClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

describe("WorkQueue on a fake clock", () => {
  it("retries a failing key after exponential backoff, capped, then gives up after maxRetries", async () => {
    const { clock, runs, queue } = recorded(() => ({ retry: true }), { baseBackoffMs: 100, maxBackoffMs: 400, maxRetries: 4 });
    queue.add("k");
    await flush();
    await advance(clock, 5_000);
    expect(runs.map((r) => r.at)).toEqual([0, 100, 300, 700, 1100]);
    expect(queue.length).toBe(0);
    expect(queue.retries("k")).toBe(0);
  });

  it("computes backoff as base * 2^(n-1) up to the cap", () => {
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffMs(n, 50, 1000))).toEqual([50, 100, 200, 400, 800, 1000]);
  });

  it("resets the retry count after a success", async () => {
    const { clock, runs, queue } = recorded((_k, n) => ({ retry: n !== 2 && n < 4 }), { baseBackoffMs: 100, maxBackoffMs: 10_000 });
    queue.add("k");
    await flush();
    await advance(clock, 200);
    expect(runs).toHaveLength(2);
    expect(queue.retries("k")).toBe(0);
    queue.add("k");
    await flush();
    await advance(clock, 150);
    expect(runs.map((r) => r.at)).toEqual([0, 100, 200, 300]);
  });

  it("addAfter keeps the earliest time asked for, and add() runs at once", async () => {
    const { clock, runs, queue } = recorded(() => ({}));
    queue.addAfter("k", 500);
    queue.addAfter("k", 200);
    queue.addAfter("k", 900);
    await advance(clock, 1000);
    expect(runs.map((r) => r.at)).toEqual([200]);
    queue.addAfter("j", 300);
    queue.add("j");
    await flush();
    await advance(clock, 400);
    expect(runs.filter((r) => r.key === "j").map((r) => r.at)).toEqual([1000]);
  });

  it("requeues after requeueAfterMs without counting a failure", async () => {
    const { clock, runs, queue } = recorded((_k, n) => (n < 3 ? { requeueAfterMs: 1000 } : {}));
    queue.add("k");
    await flush();
    await advance(clock, 5000, 100);
    expect(runs.map((r) => r.at)).toEqual([0, 1000, 2000]);
    expect(queue.retries("k")).toBe(0);
  });

  it("runs nothing while paused, then everything collected once resumed (coalesced)", async () => {
    const { runs, queue } = recorded(() => ({}), { paused: true });
    for (const k of ["a", "b", "a", "a"]) queue.add(k);
    await flush();
    expect(runs).toEqual([]);
    queue.resume();
    await queue.idle();
    expect(runs.map((r) => r.key)).toEqual(["a", "b"]);
  });

  it("stop() waits for running work up to the deadline, and says whether it drained", async () => {
    const clock = new FakeClock(0);
    let release: () => void = () => undefined;
    const queue = new WorkQueue(() => new Promise<WorkResult>((r) => {
      release = () => {
        r({});
      };
    }), { clock });
    queue.add("slow");
    await flush();
    const stopped = queue.stop(1000);
    clock.advance(1000);
    expect(await stopped).toBe(false);

    const second = new WorkQueue(() => new Promise<WorkResult>((r) => {
      release = () => {
        r({});
      };
    }), { clock });
    second.add("slow");
    await flush();
    const drained = second.stop(1000);
    release();
    expect(await drained).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
