/**
 * Verifying a webhook request: GitHub's `X-Hub-Signature-256`, GitLab's
 * `X-Gitlab-Token`, and the generic `X-Signature: sha256=<hex>`. Every
 * comparison is constant-time; the outcome names a reason, never a value.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ReceiverType } from "./types.js";

/** The headers a verification reads (lowercase names, as node gives them). */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Why a request was refused (also the metrics label). */
export type RejectReason = "missing-signature" | "malformed-signature" | "bad-signature";

/** The outcome of {@link verifyRequest}. */
export type Verification =
  | { readonly ok: true; readonly event: string | undefined; readonly ping: boolean }
  | { readonly ok: false; readonly reason: RejectReason };

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two byte strings (false for different lengths, without leaking where they differ). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** `sha256=<64 hex>` against HMAC-SHA256(body, token). */
export function checkHmac(value: string | undefined, body: Buffer, token: string): Verification | undefined {
  if (value === undefined || value === "") return { ok: false, reason: "missing-signature" };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (m?.[1] === undefined) return { ok: false, reason: "malformed-signature" };
  const expected = createHmac("sha256", token).update(body).digest();
  return safeEqual(Buffer.from(m[1], "hex"), expected) ? undefined : { ok: false, reason: "bad-signature" };
}

/**
 * Verify a request for a receiver of `type` holding `token`.
 * GitHub's `ping` event is reported as `ping: true` (answered 200, triggers nothing).
 */
export function verifyRequest(type: ReceiverType, headers: Headers, body: Buffer, token: string): Verification {
  switch (type) {
    case "github": {
      const failed = checkHmac(header(headers, "x-hub-signature-256"), body, token);
      if (failed !== undefined) return failed;
      const event = header(headers, "x-github-event");
      return { ok: true, event, ping: event === "ping" };
    }
    case "gitlab": {
      const given = header(headers, "x-gitlab-token");
      if (given === undefined || given === "") return { ok: false, reason: "missing-signature" };
      if (!safeEqual(Buffer.from(given, "utf8"), Buffer.from(token, "utf8"))) return { ok: false, reason: "bad-signature" };
      return { ok: true, event: header(headers, "x-gitlab-event"), ping: false };
    }
    case "generic-hmac": {
      const failed = checkHmac(header(headers, "x-signature"), body, token);
      return failed ?? { ok: true, event: undefined, ping: false };
    }
  }
}

/** Whether `event` is one the receiver acts on: any when `events` is empty, else a case-insensitive match; generic receivers have no event. */
export function eventAccepted(type: ReceiverType, event: string | undefined, events: readonly string[] | undefined): boolean {
  if (type === "generic-hmac" || events === undefined || events.length === 0) return true;
  if (event === undefined) return false;
  return events.some((e) => e.toLowerCase() === event.toLowerCase());
}
