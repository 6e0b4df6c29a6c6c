// An esbuild plugin for scripts/build-cli.mjs: imports through an area's
// `index.ts` are pointed at the modules that define the imported names.
//
// Why: with code splitting, esbuild assigns a whole source file to the chunk
// of every entry point that can *reach* it through imports, whether or not
// that entry uses anything from it. An area's index.ts re-exports the whole
// area, so `import { decryptFile } from "../../decrypt/index.js"` made
// `sigil decrypt` load (and evaluate) the Kubernetes layer, the Sealed
// Secrets codec, the Vault KV client, `yaml` and `re2js` it never calls.
// Sources keep importing areas through their index.ts (conventions.md); only
// the bundle sees the direct imports. Sigil's modules have no import-time
// side effects, so skipping a barrel changes nothing at run time.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** `./x.js` (as written in the sources) → the `.ts` file, or undefined. */
function tsFileOf(from, specifier) {
  if (!specifier.startsWith(".")) return undefined;
  return resolve(dirname(from), specifier).replace(/\.js$/, ".ts");
}

/** The export declarations of one file, parsed once. */
function exportTable(file, cache) {
  let table = cache.get(file);
  if (table !== undefined) return table;
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  table = { named: new Map(), stars: [] };
  for (const st of src.statements) {
    if (!ts.isExportDeclaration(st) || st.isTypeOnly || st.moduleSpecifier === undefined) continue;
    const target = tsFileOf(file, st.moduleSpecifier.text);
    if (target === undefined) continue;
    if (st.exportClause === undefined) table.stars.push(target);
    else if (ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (!el.isTypeOnly) table.named.set(el.name.text, { file: target, name: (el.propertyName ?? el.name).text });
      }
    }
  }
  cache.set(file, table);
  return table;
}

/**
 * The module that defines `name` as exported by `file`: follows re-exports
 * (named first, then `export *`, as ES modules resolve them). Undefined when
 * `file` defines it itself, or when it is ambiguous or not found.
 */
function originOf(file, name, cache, depth = 0) {
  if (depth > 20 || !file.endsWith(`${sep}index.ts`)) return undefined;
  const table = exportTable(file, cache);
  const named = table.named.get(name);
  if (named !== undefined) return originOf(named.file, named.name, cache, depth + 1) ?? named;
  const found = table.stars.map((star) => originOf(star, name, cache, depth + 1) ?? (exportsLocally(star, name, cache) ? { file: star, name } : undefined)).filter((o) => o !== undefined);
  return found.length === 1 ? found[0] : undefined;
}

function exportsLocally(file, name, cache) {
  const key = `local:${file}`;
  let names = cache.get(key);
  if (names === undefined) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    names = new Set();
    for (const st of src.statements) {
      const exported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name !== undefined) names.add(st.name.text);
    }
    cache.set(key, names);
  }
  return names.has(name);
}

/** The import declaration rewritten to one import per defining module, or undefined to keep it. */
function rewriteImport(file, st, cache) {
  if (st.importClause === undefined || st.importClause.isTypeOnly || st.importClause.name !== undefined) return undefined;
  const bindings = st.importClause.namedBindings;
  if (bindings === undefined || !ts.isNamedImports(bindings)) return undefined;
  const barrel = tsFileOf(file, st.moduleSpecifier.text);
  if (barrel === undefined || !barrel.endsWith(`${sep}index.ts`)) return undefined;
  const byFile = new Map();
  for (const el of bindings.elements) {
    if (el.isTypeOnly) continue;
    const origin = originOf(barrel, (el.propertyName ?? el.name).text, cache) ?? { file: barrel, name: (el.propertyName ?? el.name).text };
    const list = byFile.get(origin.file) ?? [];
    list.push(origin.name === el.name.text ? origin.name : `${origin.name} as ${el.name.text}`);
    byFile.set(origin.file, list);
  }
  const spec = (target) => {
    const rel = relative(dirname(file), target).split(sep).join("/").replace(/\.ts$/, ".js");
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  return [...byFile].map(([target, names]) => `import { ${names.join(", ")} } from ${JSON.stringify(spec(target))};`).join(" ");
}

/** The plugin: applies to the TypeScript sources under the `dirs`. */
export function barrelImports(dirs) {
  const cache = new Map();
  return {
    name: "barrel-imports",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!dirs.some((dir) => args.path.startsWith(dir + sep))) return undefined;
        const text = readFileSync(args.path, "utf8");
        const src = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, false);
        let out = "";
        let at = 0;
        for (const st of src.statements) {
          if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
          const replacement = rewriteImport(args.path, st, cache);
          if (replacement === undefined) continue;
          out += text.slice(at, st.getStart(src)) + replacement;
          at = st.getEnd();
        }
        return { contents: out + text.slice(at), loader: "ts" };
      });
    },
  };
}
