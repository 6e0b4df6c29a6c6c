/**
 * `spec.ignore`: gitignore-style patterns, compiled to RE2 (linear-time: the
 * patterns come from the cluster, not from us) and applied to a checkout by
 * deleting what they match.
 */
import { lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { RE2JS } from "re2js";
import { SigilError } from "../../core/index.js";

/** Bounds on `spec.ignore`. */
export const MAX_IGNORE_PATTERNS = 1000;
export const MAX_IGNORE_PATTERN_LENGTH = 1024;

interface Rule {
  readonly re: RE2JS;
  readonly negate: boolean;
  readonly dirOnly: boolean;
}

/** A compiled pattern list: `ignored("a/b.yaml", false)`. */
export interface IgnoreMatcher {
  ignored(path: string, isDir: boolean): boolean;
  readonly size: number;
}

const SPECIAL = new Set(["\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"]);

function escapeChar(c: string): string {
  return SPECIAL.has(c) ? `\\${c}` : c;
}

/** `[...]` starting at `i` (the `[`): the RE2 class and the index after `]`, or undefined when unclosed. */
function charClass(body: string, i: number): { re: string; next: number } | undefined {
  let j = i + 1;
  let out = "[";
  if (body[j] === "!" || body[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  for (; j < body.length; j++) {
    const c = body[j] ?? "";
    if (c === "]" && !first) return { re: `${out}]`, next: j + 1 };
    out += c === "-" ? "-" : c === "\\" ? "\\\\" : escapeChar(c);
    first = false;
  }
  return undefined;
}

function translate(body: string): string {
  let re = "";
  for (let i = 0; i < body.length; ) {
    if (body.startsWith("**/", i) && (i === 0 || body[i - 1] === "/")) {
      re += "(?:.*/)?";
      i += 3;
    } else if (body.startsWith("/**", i) && i + 3 === body.length) {
      re += "/.*";
      i += 3;
    } else if (body[i] === "*") {
      re += "[^/]*";
      i += body.startsWith("**", i) ? 2 : 1;
    } else if (body[i] === "?") {
      re += "[^/]";
      i++;
    } else if (body[i] === "[" && charClass(body, i) !== undefined) {
      const cls = charClass(body, i);
      re += cls?.re ?? "";
      i = cls?.next ?? i + 1;
    } else if (body[i] === "\\" && i + 1 < body.length) {
      re += escapeChar(body[i + 1] ?? "");
      i += 2;
    } else {
      re += escapeChar(body[i] ?? "");
      i++;
    }
  }
  return re;
}

function compileLine(raw: string): Rule | undefined {
  let line = raw.replace(/(?<!\\)[ \t]+$/, "");
  if (line === "" || line.startsWith("#")) return undefined;
  const negate = line.startsWith("!");
  if (negate) line = line.slice(1);
  if (line.startsWith("\\#") || line.startsWith("\\!")) line = line.slice(1);
  const dirOnly = line.endsWith("/");
  if (dirOnly) line = line.replace(/\/+$/, "");
  if (line === "") return undefined;
  const anchored = line.includes("/");
  const body = line.replace(/^\/+/, "");
  const source = anchored ? `^${translate(body)}$` : `^(?:.*/)?${translate(body)}$`;
  return { re: RE2JS.compile(source), negate, dirOnly };
}

/**
 * Compile gitignore-style patterns (one per line).
 * @throws SigilError `source.invalid` when there are too many patterns or one is too long or not valid.
 */
export function compileIgnore(patterns: string): IgnoreMatcher {
  const lines = patterns.split(/\r?\n/);
  if (lines.length > MAX_IGNORE_PATTERNS) throw new SigilError("source.invalid", `spec.ignore has more than ${MAX_IGNORE_PATTERNS} lines`);
  const rules: Rule[] = [];
  for (const [n, line] of lines.entries()) {
    if (line.length > MAX_IGNORE_PATTERN_LENGTH) throw new SigilError("source.invalid", `spec.ignore line ${n + 1} is longer than ${MAX_IGNORE_PATTERN_LENGTH} characters`);
    try {
      const rule = compileLine(line);
      if (rule !== undefined) rules.push(rule);
    } catch (err) {
      throw new SigilError("source.invalid", `spec.ignore line ${n + 1} is not a valid pattern`, { cause: err });
    }
  }
  return {
    size: rules.length,
    ignored(path, isDir) {
      let result = false;
      for (const rule of rules) {
        if (rule.dirOnly && !isDir) continue;
        if (rule.negate === result && rule.re.matches(path)) result = !rule.negate;
      }
      return result;
    },
  };
}

/**
 * Delete everything under `root` that `matcher` ignores (a directory that is
 * ignored goes with all it holds, as in git). Symlinks are removed, never followed.
 */
export async function applyIgnore(root: string, matcher: IgnoreMatcher, prefix = ""): Promise<void> {
  if (matcher.size === 0) return;
  for (const name of await readdir(join(root, prefix))) {
    const rel = prefix === "" ? name : `${prefix}/${name}`;
    const st = await lstat(join(root, rel));
    const isDir = st.isDirectory();
    if (matcher.ignored(rel, isDir)) await rm(join(root, rel), { recursive: true, force: true });
    else if (isDir) await applyIgnore(root, matcher, rel);
  }
}
