import { describe, expect, it } from "vitest";
import { mapBounded } from "../../../src/core/index.js";

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("mapBounded", () => {
  it("keeps the input order and never has more than `limit` calls in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([30, 5, 20, 1, 10, 2, 8], 3, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick(ms);
      inFlight--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(3);
  });

  it("throws the failure of the earliest item, starts nothing after a failure, and waits for the calls in flight", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapBounded([0, 1, 2, 3, 4, 5], 2, async (_x, i) => {
      started.push(i);
      await tick(i === 0 ? 30 : 5);
      finished.push(i);
      if (i === 0 || i === 1) throw new Error(`item ${String(i)}`);
      return i;
    });
    await expect(run).rejects.toThrow("item 0");
    expect(started).toEqual([0, 1]);
    expect(finished.sort()).toEqual([0, 1]);
  });

  it("handles no items and a limit above the number of items", async () => {
    expect(await mapBounded([], 8, () => Promise.resolve(1))).toEqual([]);
    expect(await mapBounded([1, 2], 100, (x) => Promise.resolve(x * 2))).toEqual([2, 4]);
  });
});
