/**
 * `npm run demo`: Sigil's main job, end to end, against the real local peers.
 *
 * The GitOps reconciler (Git → decrypt → server-side apply → prune) is not
 * built yet. Until it is, the demo says so plainly and exits 0 after telling
 * the user what already works and how to try it.
 */
const lines = [
  "sigil demo: the reconciler (sync from Git, decrypt, apply, prune, drift correction) is NOT BUILT YET.",
  "",
  "What works today, against real peers (start them with `npm run env -- up`):",
  "  npm run sigil -- encrypt --age <age1…> secret.yaml   # sops-compatible encryption",
  "  npm run sigil -- decrypt secret.enc.yaml             # sops-compatible decryption",
  "  npm run sigil -- seal --cert cert.pem < secret.yaml  # kubeseal-compatible sealing",
  "  npm test                                             # the full suite against real peers",
  "",
];
process.stdout.write(lines.join("\n"));
