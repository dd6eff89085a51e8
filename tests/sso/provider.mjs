// A real OpenID Connect provider for the SSO tests: panva's certified `oidc-provider` on a
// loopback port, with two static accounts, open dynamic client registration (each test
// registers the client it needs) and the signing keys the Python fixture generated.
// Usage: node provider.mjs <port> <jwks.json>
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const jwks = JSON.parse(readFileSync(process.argv[3], "utf8"));
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  alice: { email: "alice@acme.test", email_verified: true, name: "Alice Acme", groups: ["folio-admins"] },
  bob: { email: "bob@acme.test", email_verified: true, name: "Bob Acme", groups: ["staff"] },
  mallory: { email: "mallory@evil.test", email_verified: true, name: "Mallory", groups: [] },
  unverified: { email: "eve@acme.test", email_verified: false, name: "Eve", groups: [] },
};

const provider = new Provider(issuer, {
  jwks,
  findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims (no userinfo call)
  features: {
    devInteractions: { enabled: true }, // login and consent pages a test drives with httpx
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ["folio-tests-only"] },
});
provider.proxy = false;

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
