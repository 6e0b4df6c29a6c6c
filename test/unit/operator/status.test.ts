import { describe, expect, it } from "vitest";
import { nextStatus } from "../../../src/operator/sealed-secrets/status.js";
import type { SealedSecretStatus } from "../../../src/decrypt/sealed-secrets/index.js";

const T0 = "2026-01-01T00:00:00Z";
const now = new Date("2026-02-02T10:00:00.123Z");
const NOW = "2026-02-02T10:00:00Z";

describe("nextStatus (the Synced condition as bitnami sets it)", () => {
  const cases: { reason: string; current: SealedSecretStatus | undefined; generation: number; error: string | undefined; expected: SealedSecretStatus | undefined }[] = [
    {
      reason: "a first success sets True with both times and observedGeneration",
      current: undefined,
      generation: 1,
      error: undefined,
      expected: { observedGeneration: 1, conditions: [{ type: "Synced", status: "True", lastUpdateTime: NOW, lastTransitionTime: NOW }] },
    },
    {
      reason: "nothing is written when status and generation are unchanged",
      current: { observedGeneration: 2, conditions: [{ type: "Synced", status: "True", lastUpdateTime: T0, lastTransitionTime: T0 }] },
      generation: 2,
      error: undefined,
      expected: undefined,
    },
    {
      reason: "a new generation with the same status updates lastUpdateTime but not lastTransitionTime",
      current: { observedGeneration: 2, conditions: [{ type: "Synced", status: "True", lastUpdateTime: T0, lastTransitionTime: T0 }] },
      generation: 3,
      error: undefined,
      expected: { observedGeneration: 3, conditions: [{ type: "Synced", status: "True", lastUpdateTime: NOW, lastTransitionTime: T0 }] },
    },
    {
      reason: "a failure sets False with the message and a transition",
      current: { observedGeneration: 2, conditions: [{ type: "Synced", status: "True", lastUpdateTime: T0, lastTransitionTime: T0 }] },
      generation: 2,
      error: "no key could decrypt",
      expected: { observedGeneration: 2, conditions: [{ type: "Synced", status: "False", message: "no key could decrypt", lastUpdateTime: NOW, lastTransitionTime: NOW }] },
    },
    {
      reason: "a different failure message is written (Sigil also writes message changes)",
      current: { observedGeneration: 2, conditions: [{ type: "Synced", status: "False", message: "old", lastUpdateTime: T0, lastTransitionTime: T0 }] },
      generation: 2,
      error: "new",
      expected: { observedGeneration: 2, conditions: [{ type: "Synced", status: "False", message: "new", lastUpdateTime: NOW, lastTransitionTime: T0 }] },
    },
    {
      reason: "recovery clears the message",
      current: { observedGeneration: 2, conditions: [{ type: "Synced", status: "False", message: "old", lastUpdateTime: T0, lastTransitionTime: T0 }] },
      generation: 2,
      error: undefined,
      expected: { observedGeneration: 2, conditions: [{ type: "Synced", status: "True", lastUpdateTime: NOW, lastTransitionTime: NOW }] },
    },
    {
      reason: "other conditions are kept",
      current: { observedGeneration: 1, conditions: [{ type: "Other", status: "True" }] },
      generation: 1,
      error: undefined,
      expected: { observedGeneration: 1, conditions: [{ type: "Other", status: "True" }, { type: "Synced", status: "True", lastUpdateTime: NOW, lastTransitionTime: NOW }] },
    },
  ];
  it.each(cases)("$reason", ({ current, generation, error, expected }) => {
    expect(nextStatus(current, generation, error, now)).toEqual(expected);
  });
});
