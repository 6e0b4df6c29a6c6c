import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../../src/kube/runtime/index.js";

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("WorkQueue", () => {
  it("never works on one key in two workers at once, and runs it once more when it was added while running", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const q = new WorkQueue(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
      active--;
      return { retry: false };
    }, { concurrency: 4 });
    q.add("a");
    await tick();
    q.add("a");
    q.add("a");
    await tick();
    expect(runs).toBe(1);
    release();
    await q.idle();
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it("drops duplicates of a waiting key and works different keys in parallel up to the concurrency", async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const q = new WorkQueue(async (key) => {
      active++;
      maxActive = Math.max(maxActive, active);
      seen.push(key);
      await tick(10);
      active--;
      return { retry: false };
    }, { concurrency: 2 });
    for (const key of ["a", "b", "c", "c", "c"]) q.add(key);
    await q.idle();
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    expect(maxActive).toBe(2);
  });

  it("retries with backoff up to maxRetries, then gives up", async () => {
    let runs = 0;
    const q = new WorkQueue(() => {
      runs++;
      return Promise.resolve({ retry: true });
    }, { maxRetries: 3, baseBackoffMs: 1 });
    q.add("x");
    for (let i = 0; i < 50 && q.length > 0; i++) await tick(5);
    expect(runs).toBe(4);
    expect(q.length).toBe(0);
  });

  it("treats a throwing worker as a retry", async () => {
    let runs = 0;
    const q = new WorkQueue(() => {
      runs++;
      return runs === 1 ? Promise.reject(new Error("boom")) : Promise.resolve({ retry: false });
    }, { baseBackoffMs: 1 });
    q.add("x");
    for (let i = 0; i < 50 && runs < 2; i++) await tick(5);
    await q.idle();
    expect(runs).toBe(2);
  });

  it("stops taking work after stop()", async () => {
    let runs = 0;
    const q = new WorkQueue(() => {
      runs++;
      return Promise.resolve({ retry: false });
    });
    await q.stop();
    q.add("x");
    await tick();
    expect(runs).toBe(0);
  });
});
