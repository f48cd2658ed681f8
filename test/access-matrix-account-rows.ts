import { all, everyone, jsonInit, only, type Row } from "./access-matrix-cells";

/** Account, admin, probes and sign-in flows: public ones answer every actor alike. */
export const ACCOUNT_ROWS: Row[] = [
  // ---- account and admin ------------------------------------------------------------------------
  { operation: "GET /v1/meta", route: "GET /v1/meta", request: () => ["/v1/meta"], expect: all("200") },
  { operation: "GET /health", route: "GET /health", request: () => ["/health"], expect: all("200") },
  { operation: "GET /ready", route: "GET /ready", request: () => ["/ready"], expect: all("200") },
  {
    operation: "GET /v1/me/sessions",
    route: "GET /v1/me/sessions",
    request: () => ["/v1/me/sessions"],
    expect: everyone("200"),
  },
  {
    operation: "DELETE /v1/me/sessions/{sessionId}",
    route: "DELETE /v1/me/sessions/:someone-else's",
    request: () => [`/v1/me/sessions/${crypto.randomUUID()}`, { method: "DELETE" }],
    expect: everyone("404"),
  },
  {
    operation: "POST /v1/me/mfa/setup",
    route: "POST /v1/me/mfa/setup (each caller enrols only their own account)",
    request: () => ["/v1/me/mfa/setup", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/mfa/enable",
    route: "POST /v1/me/mfa/enable (wrong code)",
    request: () => ["/v1/me/mfa/enable", jsonInit("POST", { code: "000000" })],
    expect: everyone("422"),
  },
  {
    operation: "POST /v1/me/mfa/recovery-codes",
    route: "POST /v1/me/mfa/recovery-codes (no authenticator enrolled yet)",
    request: () => ["/v1/me/mfa/recovery-codes", jsonInit("POST", { code: "000000" })],
    expect: everyone("409"),
  },
  {
    operation: "POST /v1/me/password",
    route: "POST /v1/me/password (wrong current password)",
    request: () => ["/v1/me/password", jsonInit("POST", { currentPassword: "not-it", newPassword: "x" })],
    expect: everyone("422"),
  },
  {
    operation: "POST /v1/admin/invitations",
    route: "POST /v1/admin/invitations",
    request: () => [
      "/v1/admin/invitations",
      jsonInit("POST", {
        email: `invite-${crypto.randomUUID()}@example.test`,
        displayName: "Invited",
        role: "clinician",
        region: "eu",
      }),
    ],
    expect: only({ admin: "201" }),
  },
  {
    operation: "POST /v1/admin/keys/rotate",
    route: "POST /v1/admin/keys/rotate?region=eu",
    request: () => ["/v1/admin/keys/rotate?region=eu", jsonInit("POST")],
    expect: only({ admin: "200" }),
  },
  {
    operation: "PUT /v1/admin/users/{userId}/role",
    route: "PUT /v1/admin/users/:staff/role",
    request: (w) => [`/v1/admin/users/${w.roleTarget.id}/role`, jsonInit("PUT", { role: "clinician" })],
    expect: only({ admin: "200" }),
  },
  // ---- sign-in flows: public, and a presented token changes nothing -----------------------------
  {
    operation: "POST /v1/auth/signup",
    route: "POST /v1/auth/signup",
    request: () => [
      "/v1/auth/signup",
      jsonInit("POST", {
        email: `signup-${crypto.randomUUID()}@example.test`,
        password: "a long enough passphrase for haven",
        displayName: "New",
        region: "eu",
        consents: { healthData: true, aiCompanion: false },
      }),
    ],
    expect: all("202"),
  },
  {
    operation: "POST /v1/auth/verify-email",
    route: "POST /v1/auth/verify-email (unknown token)",
    request: () => ["/v1/auth/verify-email", jsonInit("POST", { token: `eu.${"x".repeat(40)}` })],
    expect: all("400"),
  },
  {
    operation: "POST /v1/auth/login",
    route: "POST /v1/auth/login (unknown account)",
    request: () => [
      "/v1/auth/login",
      jsonInit("POST", { email: `nobody-${crypto.randomUUID()}@example.test`, password: "wrong" }),
    ],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/login/mfa",
    route: "POST /v1/auth/login/mfa (unknown challenge)",
    request: () => ["/v1/auth/login/mfa", jsonInit("POST", { mfaToken: "x".repeat(40), code: "000000" })],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/refresh",
    route: "POST /v1/auth/refresh (unknown token)",
    request: () => ["/v1/auth/refresh", jsonInit("POST", { refreshToken: `eu.${"x".repeat(40)}` })],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/password-reset",
    route: "POST /v1/auth/password-reset",
    request: () => [
      "/v1/auth/password-reset",
      jsonInit("POST", { email: `nobody-${crypto.randomUUID()}@example.test` }),
    ],
    expect: all("202"),
  },
  {
    operation: "POST /v1/auth/password-reset/confirm",
    route: "POST /v1/auth/password-reset/confirm (unknown token)",
    request: () => [
      "/v1/auth/password-reset/confirm",
      jsonInit("POST", { token: `eu.${"x".repeat(40)}`, password: "a long enough passphrase for haven" }),
    ],
    expect: all("400"),
  },
  {
    operation: "POST /v1/auth/accept-invite",
    route: "POST /v1/auth/accept-invite (unknown token)",
    request: () => [
      "/v1/auth/accept-invite",
      jsonInit("POST", { token: `eu.${"x".repeat(40)}`, password: "a long enough passphrase for haven" }),
    ],
    expect: all("400"),
  },
  {
    // Last: it revokes the caller's own session (fixture tokens carry a real session row), so every
    // actor's token is signed out after it; later checks sign in again (fixtures `signIn`).
    operation: "POST /v1/auth/logout",
    route: "POST /v1/auth/logout (only the caller's own session)",
    request: () => ["/v1/auth/logout", jsonInit("POST")],
    expect: everyone("204"),
  },
];
