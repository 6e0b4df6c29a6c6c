/**
 * After a restart, a reconcile loop finds every object at once (the first
 * list). It must work on them at most `concurrency` at a time, and spread
 * their next runs (`requeueAfterMs`) by the default jitter, so that 200
 * objects reconciled in the same second are not all due in the same second
 * again at every interval after.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { DEFAULT_REQUEUE_JITTER, Manager, ReconcileLoop, SECRET_METADATA, WorkQueue, defaultWorkQueueOptions, jitteredMs } from "../../../src/kube/runtime/index.js";
import type { WorkResult } from "../../../src/kube/runtime/index.js";
import { FakeClock, FakeKubeClient } from "../../../src/kube/testing/index.js";

const quiet = new Logger({ sink: () => undefined });
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};
const INTERVAL = 600_000;
const OBJECTS = 200;

describe("jitteredMs", () => {
  it("moves a duration by up to ±jitter of it, rounded, with the jitter clamped to [0, 1]", () => {
    expect(jitteredMs(1000, 0.05, () => 0)).toBe(950);
    expect(jitteredMs(1000, 0.05, () => 0.5)).toBe(1000);
    expect(jitteredMs(1000, 0.05, () => 0.9999999)).toBe(1050);
    expect(jitteredMs(1000, 0, () => 0)).toBe(1000);
    expect(jitteredMs(1000, -1, () => 0)).toBe(1000);
    expect(jitteredMs(1000, 7, () => 0)).toBe(0);
    expect(jitteredMs(0, 0.5, () => 0)).toBe(0);
  });
});

describe("WorkQueue requeue jitter", () => {
  it("jitters requeueAfterMs with the injected random, and not the retry backoff", async () => {
    const clock = new FakeClock(0);
    const draws = [0, 1 - 1e-9];
    const runs: { key: string; at: number }[] = [];
    const queue = new WorkQueue((key): Promise<WorkResult> => {
      runs.push({ key, at: clock.now() });
      const n = runs.filter((r) => r.key === key).length;
      if (key === "fails") return Promise.resolve(n < 3 ? { retry: true } : {});
      return Promise.resolve(n < 3 ? { requeueAfterMs: 1000 } : {});
    }, { clock, requeueJitter: 0.2, baseBackoffMs: 100, random: () => draws.shift() ?? 0.5 });
    queue.add("ok");
    queue.add("fails");
    await flush();
    for (let t = 0; t < 5000; t += 10) {
      clock.advance(10);
      await flush();
    }
    expect(runs.filter((r) => r.key === "ok").map((r) => r.at)).toEqual([0, 800, 2000]);
    expect(runs.filter((r) => r.key === "fails").map((r) => r.at)).toEqual([0, 100, 300]);
  });

  it("has no jitter in a bare queue (exact requeues), and ±5% in a reconcile loop", () => {
    expect(defaultWorkQueueOptions().requeueJitter).toBe(0);
    expect(DEFAULT_REQUEUE_JITTER).toBe(0.05);
  });
});

describe("a ReconcileLoop restarted over many existing objects", () => {
  const managers: Manager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
  });

  it("works on at most `concurrency` at once and spreads their next runs over ±5% of the interval", async () => {
    const client = new FakeKubeClient();
    for (let i = 0; i < OBJECTS; i++) await client.create(resourcePath(SECRETS, { namespace: "ns" }), { apiVersion: "v1", kind: "Secret", metadata: { name: `s-${String(i)}` } } satisfies SecretObject);
    const clock = new FakeClock(0);
    let inFlight = 0;
    let peak = 0;
    const runs = new Map<string, number[]>();
    let draw = 0;
    const loop = new ReconcileLoop<SecretObject>({
      name: "many",
      primary: { resource: SECRETS, namespaces: ["ns"], transform: SECRET_METADATA },
      queue: { random: () => (draw++ % OBJECTS) / OBJECTS },
      reconcile: async (key) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        const times = [...(runs.get(key) ?? []), clock.now()];
        runs.set(key, times);
        return times.length === 1 ? { requeueAfterMs: INTERVAL } : {};
      },
    });
    const m = new Manager(client, { logger: quiet, clock }).add(loop);
    managers.push(m);
    await m.start();
    await m.idle();
    expect(runs.size).toBe(OBJECTS);
    expect(peak).toBe(defaultWorkQueueOptions().concurrency);
    for (let t = 0; t < INTERVAL * 1.1; t += 1000) {
      clock.advance(1000);
      await flush();
    }
    const second = [...runs.values()].map((times) => times[1] ?? -1).sort((a, b) => a - b);
    expect(second.every((at) => at >= INTERVAL * 0.95 && at <= INTERVAL * 1.05)).toBe(true);
    // Spread over the whole ±5% window (60 s), not bunched in one second: at most 4 due in any one second.
    expect((second.at(-1) ?? 0) - (second[0] ?? 0)).toBeGreaterThanOrEqual(INTERVAL * 0.09);
    const perSecond = new Map<number, number>();
    for (const at of second) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
  });
});
