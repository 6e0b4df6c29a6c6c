/**
 * Git smart HTTP over TLS with basic auth, for the test environment: a small
 * CGI bridge in front of `git http-backend`. Listens on 127.0.0.1 only.
 * Config comes from the environment: GIT_SERVER_PORT, GIT_SERVER_ROOT,
 * GIT_SERVER_CERT, GIT_SERVER_KEY, GIT_SERVER_USER, GIT_SERVER_PASSWORD.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";

function need(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set`);
  return v;
}

const root = need("GIT_SERVER_ROOT");
const expected = Buffer.from(`${need("GIT_SERVER_USER")}:${need("GIT_SERVER_PASSWORD")}`);

function authorized(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return undefined;
  const given = Buffer.from(header.slice(6), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return given.toString().split(":")[0];
}

function writeCgiHead(res: ServerResponse, head: string): void {
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else res.setHeader(name, value);
  }
  res.writeHead(status);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const user = authorized(req);
  if (user === undefined) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="sigil-git"' }).end("unauthorized\n");
    return;
  }
  const url = new URL(req.url ?? "/", "https://localhost");
  if (!url.pathname.startsWith("/git/")) {
    res.writeHead(404).end();
    return;
  }
  const cgi = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env["PATH"],
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname.slice("/git".length)),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_USER: user,
      REMOTE_ADDR: req.socket.remoteAddress ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headDone = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const end = crlf >= 0 ? crlf : lf;
    if (end < 0) return;
    const sep = crlf >= 0 ? 4 : 2;
    writeCgiHead(res, head.subarray(0, end).toString());
    headDone = true;
    res.write(head.subarray(end + sep));
  });
  cgi.on("close", () => {
    if (!headDone) res.writeHead(502);
    res.end();
  });
}

const server = createServer({ cert: readFileSync(need("GIT_SERVER_CERT")), key: readFileSync(need("GIT_SERVER_KEY")) }, handle);
server.listen(Number.parseInt(need("GIT_SERVER_PORT"), 10), "127.0.0.1", () => {
  process.stdout.write(`git https server listening on 127.0.0.1:${need("GIT_SERVER_PORT")}\n`);
});
