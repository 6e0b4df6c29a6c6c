/**
 * Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`,
 * comma-separated), as the fake client filters by them.
 */
import { SigilError } from "../../core/index.js";

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/**
 * A predicate for `selector` (empty or undefined matches everything).
 * @throws SigilError `kube.invalid` for set-based selectors (`in`, `notin`), which the fake does not read.
 */
export function labelMatcher(selector: string | undefined): (labels: Readonly<Record<string, string>> | undefined) => boolean {
  const requirements: Requirement[] = (selector ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(requirement);
  return (labels) => requirements.every((r) => r(labels ?? {}));
}

function requirement(text: string): Requirement {
  if (/\s(in|notin)\s/.test(text)) throw new SigilError("kube.invalid", `the fake client reads equality selectors only, not '${text}'`);
  const not = text.indexOf("!=");
  if (not > 0) {
    const [k, v] = [text.slice(0, not), text.slice(not + 2)];
    return (l) => l[k] !== v;
  }
  const eq = text.indexOf("=");
  if (eq > 0) {
    const k = text.slice(0, eq);
    const v = text.slice(text.startsWith("==", eq) ? eq + 2 : eq + 1);
    return (l) => l[k] === v;
  }
  if (text.startsWith("!")) return (l) => l[text.slice(1)] === undefined;
  return (l) => l[text] !== undefined;
}
