/** Signature checks of the webhook receivers: each accepted and refused case, with its reason. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventAccepted, verifyRequest, webhookPath } from "../../../src/operator/webhooks/index.js";
import type { Headers, ReceiverType } from "../../../src/operator/webhooks/index.js";

const TOKEN = "canary-token-7f3e";
const BODY = Buffer.from('{"ref":"refs/heads/main"}');
const sig = (body: Buffer, token = TOKEN): string => `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;

const cases: { reason: string; type: ReceiverType; headers: Headers; body?: Buffer; want: ReturnType<typeof verifyRequest> }[] = [
  { reason: "github: a valid push", type: "github", headers: { "x-hub-signature-256": sig(BODY), "x-github-event": "push" }, want: { ok: true, event: "push", ping: false } },
  { reason: "github: ping is verified and marked", type: "github", headers: { "x-hub-signature-256": sig(BODY), "x-github-event": "ping" }, want: { ok: true, event: "ping", ping: true } },
  { reason: "github: upper-case hex is accepted", type: "github", headers: { "x-hub-signature-256": sig(BODY).toUpperCase().replace("SHA256=", "sha256=") }, want: { ok: true, event: undefined, ping: false } },
  { reason: "github: no signature header", type: "github", headers: { "x-github-event": "push" }, want: { ok: false, reason: "missing-signature" } },
  { reason: "github: an empty signature", type: "github", headers: { "x-hub-signature-256": "" }, want: { ok: false, reason: "missing-signature" } },
  { reason: "github: the SHA-1 header only", type: "github", headers: { "x-hub-signature": "sha1=0123" }, want: { ok: false, reason: "missing-signature" } },
  { reason: "github: no sha256= prefix", type: "github", headers: { "x-hub-signature-256": sig(BODY).slice(7) }, want: { ok: false, reason: "malformed-signature" } },
  { reason: "github: a short digest", type: "github", headers: { "x-hub-signature-256": sig(BODY).slice(0, 40) }, want: { ok: false, reason: "malformed-signature" } },
  { reason: "github: signed with another token", type: "github", headers: { "x-hub-signature-256": sig(BODY, "other") }, want: { ok: false, reason: "bad-signature" } },
  { reason: "github: the body changed after signing", type: "github", headers: { "x-hub-signature-256": sig(BODY) }, body: Buffer.from('{"ref":"refs/heads/evil"}'), want: { ok: false, reason: "bad-signature" } },
  { reason: "gitlab: the right token", type: "gitlab", headers: { "x-gitlab-token": TOKEN, "x-gitlab-event": "Push Hook" }, want: { ok: true, event: "Push Hook", ping: false } },
  { reason: "gitlab: no token", type: "gitlab", headers: { "x-gitlab-event": "Push Hook" }, want: { ok: false, reason: "missing-signature" } },
  { reason: "gitlab: a wrong token of the same length", type: "gitlab", headers: { "x-gitlab-token": TOKEN.replace("7", "8") }, want: { ok: false, reason: "bad-signature" } },
  { reason: "gitlab: a prefix of the token", type: "gitlab", headers: { "x-gitlab-token": TOKEN.slice(0, 5) }, want: { ok: false, reason: "bad-signature" } },
  { reason: "gitlab: an HMAC instead of the token", type: "gitlab", headers: { "x-gitlab-token": sig(BODY) }, want: { ok: false, reason: "bad-signature" } },
  { reason: "generic: a valid HMAC", type: "generic-hmac", headers: { "x-signature": sig(BODY) }, want: { ok: true, event: undefined, ping: false } },
  { reason: "generic: GitHub's header is not read", type: "generic-hmac", headers: { "x-hub-signature-256": sig(BODY) }, want: { ok: false, reason: "missing-signature" } },
  { reason: "generic: a bad HMAC", type: "generic-hmac", headers: { "x-signature": sig(BODY, "x") }, want: { ok: false, reason: "bad-signature" } },
  { reason: "generic: not hex", type: "generic-hmac", headers: { "x-signature": `sha256=${"z".repeat(64)}` }, want: { ok: false, reason: "malformed-signature" } },
];

describe("verifyRequest", () => {
  it.each(cases)("$reason", ({ type, headers, body, want }) => {
    expect(verifyRequest(type, headers, body ?? BODY, TOKEN)).toEqual(want);
  });

  it("never puts the token or the body in what it returns", () => {
    for (const c of cases) expect(JSON.stringify(verifyRequest(c.type, c.headers, c.body ?? BODY, TOKEN))).not.toMatch(/canary|refs\/heads/);
  });
});

describe("eventAccepted", () => {
  it.each([
    { reason: "no events listed: any", type: "github" as const, event: "release", events: [], want: true },
    { reason: "listed, case-insensitive", type: "gitlab" as const, event: "Push Hook", events: ["push hook"], want: true },
    { reason: "not listed", type: "github" as const, event: "issues", events: ["push"], want: false },
    { reason: "no event header when events are listed", type: "github" as const, event: undefined, events: ["push"], want: false },
    { reason: "generic receivers have no events", type: "generic-hmac" as const, event: undefined, events: ["push"], want: true },
  ])("$reason", ({ type, event, events, want }) => {
    expect(eventAccepted(type, event, events)).toBe(want);
  });
});

describe("webhookPath", () => {
  it("is /hook/ + 64 hex, and changes with the token, the name and the namespace", () => {
    const p = webhookPath(TOKEN, "r", "ns");
    expect(p).toMatch(/^\/hook\/[0-9a-f]{64}$/);
    expect(p).not.toContain(TOKEN);
    expect(new Set([p, webhookPath("t2", "r", "ns"), webhookPath(TOKEN, "r2", "ns"), webhookPath(TOKEN, "r", "ns2")]).size).toBe(4);
  });
});
