// A real OpenID Connect provider for the SSO tests: panva's certified `oidc-provider` on a
// loopback port, with static accounts, open dynamic client registration (each test
// registers the client it needs) and the signing keys the Python fixture generated. Two
// accounts exercise the userinfo endpoint: carol's e-mail and groups are only there, and the
// endpoint answers for alice when asked with switcher's access token.
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
  // as Entra ID or Okta may: e-mail and groups only at the userinfo endpoint
  carol: { email: "carol@acme.test", email_verified: true, name: "Carol Acme", groups: ["folio-admins"] },
  // a userinfo endpoint that answers for somebody else (another sub) than the ID token names
  switcher: { email: "switcher@acme.test", email_verified: true, name: "Switcher", groups: [] },
};
const USERINFO_ONLY = { carol: ["email", "email_verified", "groups"] };
const USERINFO_ANSWERS_AS = { switcher: "alice" };

const provider = new Provider(issuer, {
  jwks,
  findAccount(ctx, id, token) {
    if (!ACCOUNTS[id]) return undefined;
    const atUserinfo = token?.kind === "AccessToken";
    const accountId = (atUserinfo && USERINFO_ANSWERS_AS[id]) || id;
    return {
      accountId,
      async claims(use) {
        const claims = { sub: accountId, ...ACCOUNTS[accountId] };
        if (use === "id_token") for (const name of USERINFO_ONLY[id] ?? []) delete claims[name];
        return claims;
      },
    };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims, but see USERINFO_ONLY
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
