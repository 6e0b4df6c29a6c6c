/**
 * Test doubles for the Kubernetes layer: an in-memory `KubeClient` and a
 * fake clock. For unit tests only; every path they stand in for is also
 * tested against the real API server (`test/integration/kube-runtime`).
 */
export { FakeClock } from "./fake-clock.js";
export { FakeKubeClient } from "./fake-client.js";
export type { Verb } from "./fake-client.js";
export { parsePath } from "./fake-path.js";
export type { ParsedPath } from "./fake-path.js";
export { labelMatcher } from "./selector.js";
