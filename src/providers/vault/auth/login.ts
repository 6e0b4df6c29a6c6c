/**
 * Vault logins, one function per method, with the request ESO's Vault
 * provider sends (docs/formats.md#c3-vault-http-calls, "Login"). Credentials are passed in
 * resolved; nothing here reads Kubernetes or the environment.
 */
import { SigilError } from "../../../core/index.js";
import { isJsonObject } from "../kv/json.js";
import { statusError } from "../kv/transport.js";
import type { VaultRequest, VaultResponse } from "../kv/transport.js";

/** A login, with its credentials resolved. */
export type VaultLogin =
  | { readonly method: "token"; readonly token: string }
  | { readonly method: "appRole"; readonly path: string; readonly roleId: string; readonly secretId: string }
  | { readonly method: "kubernetes"; readonly path: string; readonly role: string; readonly jwt: string }
  | { readonly method: "jwt"; readonly path: string; readonly role: string; readonly jwt: string }
  | { readonly method: "userPass"; readonly path: string; readonly username: string; readonly password: string }
  | { readonly method: "cert" };

/** A token and what is known of its lifetime. */
export interface VaultToken {
  readonly token: string;
  /** Epoch ms when it expires; undefined when it does not (or is unknown). */
  readonly expiresAt: number | undefined;
  readonly renewable: boolean;
  /** True when Sigil obtained it by a login (and so may renew and revoke it). */
  readonly fromLogin: boolean;
}

/** Sends one unauthenticated request. */
export type LoginSend = (req: VaultRequest) => Promise<VaultResponse>;

function loginRequest(l: Exclude<VaultLogin, { method: "token" }>): { path: string; body: Record<string, string> } {
  switch (l.method) {
    case "appRole": return { path: `auth/${l.path}/login`, body: { role_id: l.roleId, secret_id: l.secretId } };
    case "kubernetes": return { path: `auth/${l.path}/login`, body: { role: l.role, jwt: l.jwt } };
    case "jwt": return { path: `auth/${l.path}/login`, body: { role: l.role, jwt: l.jwt } };
    case "userPass": return { path: `auth/${l.path}/login/${encodeURIComponent(l.username)}`, body: { password: l.password } };
    case "cert": return { path: "auth/cert/login", body: {} };
  }
}

/**
 * Log in (or take a given token as is).
 * @throws SigilError `provider.denied` (bad credentials), `provider.unreachable`, `provider.failed` (no token in the answer).
 */
export async function vaultLogin(send: LoginSend, login: VaultLogin, namespace: string | undefined, now: number): Promise<VaultToken> {
  if (login.method === "token") return { token: login.token, expiresAt: undefined, renewable: false, fromLogin: false };
  const { path, body } = loginRequest(login);
  const res = await send({ method: "PUT", path, body, namespace });
  const subject = `vault ${path}`;
  if (res.status < 200 || res.status >= 300) throw statusError(res.status, res.body, `vault ${login.method} login failed`, subject);
  const auth = isJsonObject(res.body) ? res.body["auth"] : undefined;
  const token = auth !== undefined && isJsonObject(auth) ? auth["client_token"] : undefined;
  if (typeof token !== "string" || token === "") throw new SigilError("provider.failed", `vault ${login.method} login returned no token`, { subject });
  return { token, ...lifetime(auth, now), fromLogin: true };
}

/** `lease_duration` / `ttl` (seconds) and `renewable` of an `auth` or lookup `data` block. */
export function lifetime(block: unknown, now: number): { expiresAt: number | undefined; renewable: boolean } {
  if (typeof block !== "object" || block === null) return { expiresAt: undefined, renewable: false };
  const b = block as Record<string, unknown>;
  const raw = b["lease_duration"] ?? b["ttl"];
  const secs = raw !== null && typeof raw === "object" && "text" in raw ? Number((raw as { text: string }).text) : Number(raw);
  return { expiresAt: Number.isFinite(secs) && secs > 0 ? now + secs * 1000 : undefined, renewable: b["renewable"] === true };
}
