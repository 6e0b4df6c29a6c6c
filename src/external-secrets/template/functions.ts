/**
 * The template functions Sigil implements: Go's builtins `print`, `printf`,
 * `len`, `index`, and the sprig/ESO functions ExternalSecret templates use
 * most. Every other name ESO knows (the rest of sprig, PKCS#12, JWK, PEM and
 * YAML helpers) is refused with `es.template_unsupported`; a name ESO does not
 * know either is a template error, as in ESO.
 */
import { createHash } from "node:crypto";
import { SigilError } from "../../core/index.js";

/** A template value. */
export type TplValue = string | number | boolean | null | TplValue[] | { [k: string]: TplValue };

type Fn = (args: TplValue[], name: string) => TplValue;

const str = (v: TplValue): string => goPrint(v);

/** Go's `fmt.Sprint` of one value (`%v`). */
export function goPrint(v: TplValue): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k] ?? null)}`).join(" ")}]`;
}

function arity(args: TplValue[], n: number, fn: string, name: string): void {
  if (args.length !== n) throw new SigilError("es.template_failed", `wrong number of args for ${fn}: want ${n} got ${args.length}`, { subject: name });
}

const unary = (f: (s: string) => TplValue): Fn => (args, name) => {
  arity(args, 1, "function", name);
  return f(str(args[0] ?? null));
};

function b64dec(s: string): string {
  const clean = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return "illegal base64 data at input byte 0";
  return Buffer.from(clean, "base64").toString("utf8");
}

function printf(args: TplValue[], name: string): string {
  const [fmt, ...rest] = args;
  let i = 0;
  return str(fmt ?? "").replace(/%([%svdq])/g, (_m, verb: string) => {
    if (verb === "%") return "%";
    const v = rest[i++];
    if (v === undefined) return `%!${verb}(MISSING)`;
    if (verb === "q") return JSON.stringify(str(v));
    if (verb === "d" && typeof v !== "number") throw new SigilError("es.template_failed", "printf %d needs a number", { subject: name });
    return str(v);
  });
}

function indexFn(args: TplValue[], name: string): TplValue {
  let cur = args[0] ?? null;
  for (const k of args.slice(1)) {
    if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) {
      const key = str(k);
      if (!Object.hasOwn(cur, key)) throw new SigilError("es.template_failed", `map has no entry for key ${JSON.stringify(key)}`, { subject: name });
      cur = cur[key] ?? null;
    } else if (Array.isArray(cur) && typeof k === "number") cur = cur[k] ?? null;
    else throw new SigilError("es.template_failed", "can't index item", { subject: name });
  }
  return cur;
}

function fromJson(s: string): TplValue {
  try {
    return JSON.parse(s) as TplValue;
  } catch {
    return {};
  }
}

/** Functions by name: the last argument is the piped value. */
export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  print: (args) => args.map(str).join(""),
  printf: (args, name) => printf(args, name),
  len: (args, name) => {
    arity(args, 1, "len", name);
    const v = args[0] ?? null;
    return typeof v === "string" ? Buffer.byteLength(v) : Array.isArray(v) ? v.length : v !== null && typeof v === "object" ? Object.keys(v).length : 0;
  },
  index: indexFn,
  upper: unary((s) => s.toUpperCase()),
  lower: unary((s) => s.toLowerCase()),
  trim: unary((s) => s.trim()),
  title: unary((s) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase())),
  quote: (args) => args.filter((a) => a !== null).map((a) => JSON.stringify(str(a))).join(" "),
  squote: (args) => args.filter((a) => a !== null).map((a) => `'${str(a)}'`).join(" "),
  b64enc: unary((s) => Buffer.from(s, "utf8").toString("base64")),
  b64dec: unary(b64dec),
  sha256sum: unary((s) => createHash("sha256").update(s).digest("hex")),
  sha1sum: unary((s) => createHash("sha1").update(s).digest("hex")),
  toString: unary((s) => s),
  toJson: (args, name) => {
    arity(args, 1, "toJson", name);
    return JSON.stringify(args[0] ?? null);
  },
  fromJson: unary(fromJson),
  trimPrefix: (args, name) => { arity(args, 2, "trimPrefix", name); const [p, s] = args.map(str) as [string, string]; return s.startsWith(p) ? s.slice(p.length) : s; },
  trimSuffix: (args, name) => { arity(args, 2, "trimSuffix", name); const [p, s] = args.map(str) as [string, string]; return p !== "" && s.endsWith(p) ? s.slice(0, -p.length) : s; },
  replace: (args, name) => { arity(args, 3, "replace", name); const [o, n, s] = args.map(str) as [string, string, string]; return s.split(o).join(n); },
  contains: (args, name) => { arity(args, 2, "contains", name); const [sub, s] = args.map(str) as [string, string]; return s.includes(sub); },
  hasPrefix: (args, name) => { arity(args, 2, "hasPrefix", name); const [p, s] = args.map(str) as [string, string]; return s.startsWith(p); },
  hasSuffix: (args, name) => { arity(args, 2, "hasSuffix", name); const [p, s] = args.map(str) as [string, string]; return s.endsWith(p); },
  repeat: (args, name) => { arity(args, 2, "repeat", name); const n = Math.min(Number(args[0]), 10_000); return str(args[1] ?? "").repeat(Number.isFinite(n) && n > 0 ? n : 0); },
  nindent: (args, name) => { arity(args, 2, "nindent", name); const pad = " ".repeat(Math.min(Number(args[0]), 1000)); return "\n" + pad + str(args[1] ?? "").split("\n").join("\n" + pad); },
  indent: (args, name) => { arity(args, 2, "indent", name); const pad = " ".repeat(Math.min(Number(args[0]), 1000)); return pad + str(args[1] ?? "").split("\n").join("\n" + pad); },
  default: (args, name) => {
    if (args.length !== 2) arity(args, 2, "default", name);
    const [d, v] = args as [TplValue, TplValue];
    return v === null || v === "" || v === false || v === 0 || (Array.isArray(v) && v.length === 0) ? d : v;
  },
};

/** Names ESO v0.16.2's engine knows (sprig, minus env/expandenv, plus ESO's own) that Sigil does not implement. */
const KNOWN_ELSEWHERE = new Set([
  "pkcs12key", "pkcs12keyPass", "pkcs12cert", "pkcs12certPass", "pemToPkcs12", "pemToPkcs12Pass", "fullPemToPkcs12", "fullPemToPkcs12Pass",
  "filterPEM", "filterCertChain", "jwkPublicKeyPem", "jwkPrivateKeyPem", "toYaml", "fromYaml",
  "abbrev", "abbrevboth", "trunc", "substr", "nospace", "initials", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "swapcase", "shuffle",
  "snakecase", "camelcase", "kebabcase", "wrap", "wrapWith", "cat", "plural", "trimAll", "trimall", "untitle", "regexMatch", "regexFindAll",
  "regexFind", "regexReplaceAll", "regexReplaceAllLiteral", "regexSplit", "regexQuoteMeta", "list", "dict", "get", "set", "unset", "hasKey",
  "pluck", "keys", "values", "pick", "omit", "merge", "mergeOverwrite", "append", "prepend", "first", "last", "rest", "initial", "reverse", "uniq",
  "without", "has", "compact", "slice", "concat", "join", "split", "splitList", "splitn", "sortAlpha", "toStrings", "b32enc", "b32dec", "uuidv4",
  "genPrivateKey", "derivePassword", "buildCustomCert", "genCA", "genSelfSignedCert", "genSignedCert", "encryptAES", "decryptAES", "htpasswd",
  "adler32sum", "sha512sum", "now", "date", "dateInZone", "dateModify", "ago", "toDate", "unixEpoch", "duration", "durationRound", "htmlDate",
  "add", "add1", "sub", "div", "mod", "mul", "max", "min", "floor", "ceil", "round", "int", "int64", "float64", "atoi", "seq", "until", "untilStep",
  "empty", "coalesce", "all", "any", "ternary", "fail", "kindOf", "kindIs", "typeOf", "typeIs", "typeIsLike", "deepEqual", "deepCopy", "mustToJson",
  "toPrettyJson", "toRawJson", "mustFromJson", "semver", "semverCompare", "urlParse", "urlJoin", "getHostByName", "base", "dir", "clean", "ext", "isAbs",
  "osBase", "osDir", "osClean", "osExt", "osIsAbs", "println", "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "call",
]);

/**
 * The function `name`.
 * @throws SigilError `es.template_unsupported` for a function ESO has and Sigil does not; `es.template_failed` for an unknown one.
 */
export function lookupFunction(name: string, template: string): Fn {
  const fn = FUNCTIONS[name];
  if (fn !== undefined) return fn;
  if (KNOWN_ELSEWHERE.has(name)) throw new SigilError("es.template_unsupported", `template function ${JSON.stringify(name)} is not supported by sigil`, { subject: template });
  throw new SigilError("es.template_failed", `function ${JSON.stringify(name)} not defined`, { subject: template });
}
