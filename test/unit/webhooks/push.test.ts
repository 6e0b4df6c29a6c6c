/** Which GitSources a push concerns (src/operator/webhooks/push.ts), and what is read of a payload. */
import { describe, expect, it } from "vitest";
import { MAX_PAYLOAD_DEPTH, parsePush, pushConcerns } from "../../../src/operator/webhooks/index.js";
import type { PushInfo } from "../../../src/operator/webhooks/index.js";
import type { GitRef } from "../../../src/reconcile/index.js";

const C1 = "1".repeat(40);
const C2 = "2".repeat(40);

describe("pushConcerns", () => {
  const cases: { reason: string; push: PushInfo; ref: GitRef | undefined; want: boolean }[] = [
    { reason: "a push whose ref is unknown concerns every GitSource", push: {}, ref: { branch: "main" }, want: true },
    { reason: "a branch push concerns the GitSource tracking that branch", push: { ref: "refs/heads/main" }, ref: { branch: "main" }, want: true },
    { reason: "a branch push does not concern another branch", push: { ref: "refs/heads/dev" }, ref: { branch: "main" }, want: false },
    { reason: "a branch named like a prefix is another branch", push: { ref: "refs/heads/main-2" }, ref: { branch: "main" }, want: false },
    { reason: "a branch push does not concern a tag ref", push: { ref: "refs/heads/v1" }, ref: { tag: "v1" }, want: false },
    { reason: "a branch push does not concern a semver ref", push: { ref: "refs/heads/main" }, ref: { semver: ">=1.0.0" }, want: false },
    { reason: "a tag push concerns the GitSource tracking that tag", push: { ref: "refs/tags/v1.2.0" }, ref: { tag: "v1.2.0" }, want: true },
    { reason: "a tag push does not concern another tag", push: { ref: "refs/tags/v1.2.1" }, ref: { tag: "v1.2.0" }, want: false },
    { reason: "any tag push concerns a semver ref (it may change the newest match)", push: { ref: "refs/tags/v2.0.0" }, ref: { semver: "^1" }, want: true },
    { reason: "a tag push does not concern a branch", push: { ref: "refs/tags/main" }, ref: { branch: "main" }, want: false },
    { reason: "no ref tracks the default branch when the payload names it", push: { ref: "refs/heads/trunk", defaultBranch: "trunk" }, ref: undefined, want: true },
    { reason: "no ref: a push to another branch does not concern it", push: { ref: "refs/heads/dev", defaultBranch: "trunk" }, ref: undefined, want: false },
    { reason: "no ref and no default branch in the payload: concerned, to be safe", push: { ref: "refs/heads/dev" }, ref: undefined, want: true },
    { reason: "no ref: a tag push does not concern it", push: { ref: "refs/tags/v1", defaultBranch: "main" }, ref: undefined, want: false },
    { reason: "a pinned commit is concerned only by a push that brings it", push: { ref: "refs/heads/main", after: C1 }, ref: { commit: C1 }, want: true },
    { reason: "a pinned commit is not concerned by a push of another commit", push: { ref: "refs/heads/main", after: C2 }, ref: { commit: C1 }, want: false },
  ];
  for (const c of cases) {
    it(c.reason, () => {
      expect(pushConcerns(c.push, c.ref)).toBe(c.want);
    });
  }
});

describe("parsePush", () => {
  const body = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  it("reads GitHub's push: ref, after and the repository's default branch", () => {
    expect(parsePush("github", "push", body({ ref: "refs/heads/main", after: C1, repository: { default_branch: "main" } }))).toEqual({ ref: "refs/heads/main", after: C1, defaultBranch: "main" });
  });
  it("reads GitLab's Push Hook and Tag Push Hook, with the project's default branch", () => {
    expect(parsePush("gitlab", "Push Hook", body({ ref: "refs/heads/dev", after: C2, project: { default_branch: "main" } }))).toEqual({ ref: "refs/heads/dev", after: C2, defaultBranch: "main" });
    expect(parsePush("gitlab", "Tag Push Hook", body({ ref: "refs/tags/v1", after: C2 }))).toMatchObject({ ref: "refs/tags/v1" });
  });
  it("reads a generic receiver's body when it carries a ref", () => {
    expect(parsePush("generic-hmac", undefined, body({ ref: "refs/heads/main" }))).toMatchObject({ ref: "refs/heads/main" });
  });
  const unknown: { reason: string; type: "github" | "gitlab" | "generic-hmac"; event: string | undefined; body: Buffer }[] = [
    { reason: "another GitHub event (release) says nothing of a ref", type: "github", event: "release", body: body({ ref: "refs/heads/main" }) },
    { reason: "a body that is not JSON", type: "generic-hmac", event: undefined, body: Buffer.from("not json {") },
    { reason: "a JSON value that is not an object", type: "generic-hmac", event: undefined, body: body(["refs/heads/main"]) },
    { reason: "a ref that is neither a branch nor a tag", type: "github", event: "push", body: body({ ref: "refs/pull/1/head" }) },
    { reason: "a ref that is not a string", type: "github", event: "push", body: body({ ref: { x: 1 } }) },
    { reason: "a ref over 1 KiB", type: "github", event: "push", body: body({ ref: `refs/heads/${"x".repeat(2000)}` }) },
    { reason: "a payload nested deeper than the limit (not parsed at all)", type: "github", event: "push", body: Buffer.from(`{"ref":"refs/heads/main","x":${"[".repeat(MAX_PAYLOAD_DEPTH + 1)}${"]".repeat(MAX_PAYLOAD_DEPTH + 1)}}`) },
  ];
  for (const c of unknown) {
    it(`gives no ref for ${c.reason}`, () => {
      expect(parsePush(c.type, c.event, c.body)).toEqual({});
    });
  }
  it("is not fooled by brackets inside strings when counting depth", () => {
    expect(parsePush("github", "push", body({ ref: "refs/heads/main", note: "[".repeat(100) }))).toMatchObject({ ref: "refs/heads/main" });
  });
});
