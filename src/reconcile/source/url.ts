/** Which transport a GitSource URL uses, and refusing URLs that carry credentials. */
import { SigilError } from "../../core/index.js";

export type Transport = "https" | "ssh" | "file";

const SCP = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/;

/**
 * The transport of `url`.
 * @throws SigilError `source.invalid` for other schemes, an option-like URL, or credentials in the URL.
 */
export function transportOf(url: string): Transport {
  if (url.length > 2048 || url.startsWith("-") || /[\s\0]/.test(url)) throw new SigilError("source.invalid", "the repository URL is not valid", { subject: "spec.url" });
  if (url.startsWith("file://")) return "file";
  if (url.startsWith("ssh://") || SCP.test(url)) return "ssh";
  if (url.startsWith("https://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      throw new SigilError("source.invalid", "the repository URL is not valid", { subject: "spec.url", cause: err });
    }
    if (parsed.password !== "" || parsed.username !== "") {
      throw new SigilError("source.invalid", "credentials in the repository URL are refused; put them in the secretRef Secret", { subject: "spec.url" });
    }
    return "https";
  }
  throw new SigilError("source.invalid", `the repository URL must be https://, ssh://, user@host:path or file://`, { subject: "spec.url" });
}
