/** Map a git failure to an error code, from git's own (credential-free) messages. */
import { SigilError } from "../../core/index.js";
import type { ErrorCode } from "../../core/index.js";

const PATTERNS: readonly (readonly [RegExp, ErrorCode, string])[] = [
  [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/, "source.host_key_mismatch", "the server's host key does not match known_hosts"],
  [/Authentication failed|Permission denied \(|could not read Username|could not read Password|HTTP Basic: Access denied|returned error: 40[13]/, "source.auth_failed", "the server refused the credentials"],
  [/SSL certificate problem|server certificate verification failed|unable to get local issuer certificate/, "source.fetch_failed", "the server's TLS certificate is not trusted (set ca.crt)"],
  [/couldn't find remote ref|not our ref|no such remote ref|unadvertised object|reference is not a tree|remote error: upload-pack: not our ref/, "source.ref_not_found", "the ref was not found in the repository"],
];

/** The last stderr lines of git, without anything that looks like a header or a URL's userinfo. */
function gitSummary(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !/authorization/i.test(l));
  return lines.slice(-3).join("; ").replace(/\/\/[^/@\s]*@/g, "//").slice(0, 500);
}

/** A SigilError for a failed git call (`timedOut`: it was aborted by the timeout). */
export function gitError(err: unknown, url: string, timedOut: boolean): SigilError {
  if (err instanceof SigilError) return err;
  if (timedOut) return new SigilError("source.timeout", "fetching the repository took longer than the timeout", { subject: url });
  const text = err instanceof Error ? err.message : String(err);
  for (const [re, code, message] of PATTERNS) {
    if (re.test(text)) return new SigilError(code, message, { subject: url });
  }
  return new SigilError("source.fetch_failed", `git failed: ${gitSummary(err)}`, { subject: url });
}
