import { type Context, Hono, type MiddlewareHandler } from "hono";
import { clearSessionCookies, setSessionCookies } from "../../../workers/features/accounts/cookies";
import {
  beginMfaSetup,
  changePassword,
  enableMfa,
  regenerateRecoveryCodes,
} from "../../../workers/features/accounts/credentials";
import { listSessions, revokeSession } from "../../../workers/features/accounts/sessions";
import { accessReport } from "../../../workers/features/audit/service";
import { totpUri } from "../../../workers/features/auth/totp";
import * as profile from "../../../workers/features/profile/service";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import type { Principal } from "../../../workers/lib/principal";
import { CONSENT_KINDS } from "../../../workers/lib/vocabulary";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import type { FormErrors } from "../auth/forms";
import { formFields, serviceFailure } from "../auth/respond";
import { csrfToken, formCsrf } from "../auth/session";
import { AccessPage, AccountPage } from "./page";
import { RecoveryCodesPage, SecurityPage, type SecurityProps } from "./security";

type Ctx = Context<AppEnv>;

/** Signed-out visitors are sent to sign in (the page equivalent of the API's 401). */
const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("principal")) {
    if (c.req.method !== "GET") return c.redirect("/login", 303);
    const here = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
  }
  await next();
};
const page = [rateLimit, signedIn] as const;
const post = [formCsrf, rateLimit, signedIn] as const;

const me = (c: Ctx): Principal => {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  return p;
};

/** Consents are behind `requireAuth()` in the API: clinicians and admins need MFA first. */
const mayUseConsents = (p: Principal) => p.role === "patient" || p.mfa;

const NOTICES: Record<string, string> = {
  "mfa-required": "Your role requires two-factor sign-in. Set it up below before using Haven.",
  "consent-updated": "Your consent choice was saved.",
  "session-revoked": "That device was signed out.",
};

async function securityPage(
  c: Ctx,
  extra: Partial<SecurityProps> = {},
  status: 200 | 401 | 409 | 422 | 429 = 200,
) {
  const p = me(c);
  const [sessions, account] = await Promise.all([
    listSessions(scopeOf(c), p),
    profile.getAccount(scopeOf(c), p),
  ]);
  const notice = extra.notice ?? NOTICES[c.req.query("notice") ?? ""];
  return c.html(
    <SecurityPage
      csrf={csrfToken(c)}
      sessions={sessions}
      mfaEnabled={account.mfaEnabled}
      {...extra}
      notice={notice}
    />,
    status,
  );
}

/** The account area: who you are, consents, the access report and security settings. */
export const accountPages = new Hono<AppEnv>()
  .onError(pageError)
  .get("/account", ...page, async (c) => {
    const p = me(c);
    const [account, consents] = await Promise.all([
      profile.getAccount(scopeOf(c), p),
      mayUseConsents(p) ? profile.listConsents(scopeOf(c), p) : null,
    ]);
    return c.html(
      <AccountPage
        csrf={csrfToken(c)}
        account={account}
        consents={consents}
        notice={NOTICES[c.req.query("notice") ?? ""]}
      />,
    );
  })
  .post("/account/consents/:kind/:change{grant|withdraw}", ...post, async (c) => {
    const p = me(c);
    const kind = CONSENT_KINDS.find((k) => k === c.req.param("kind"));
    if (!kind || !mayUseConsents(p)) throw new AppError("not_found", "No such page");
    await (c.req.param("change") === "grant" ? profile.grantConsent : profile.withdrawConsent)(
      scopeOf(c),
      p,
      kind,
    );
    return c.redirect("/account?notice=consent-updated", 303);
  })
  .get("/account/access", ...page, async (c) => {
    const p = me(c);
    if (p.role !== "patient") throw new AppError("not_found", "No such page");
    const cursor = c.req.query("cursor");
    const report = await accessReport(scopeOf(c), p, {
      limit: 100,
      ...(cursor && /^\d{1,18}$/.test(cursor) ? { cursor } : {}),
    });
    return c.html(<AccessPage entries={report.entries} nextCursor={report.nextCursor} />);
  })
  .get("/account/security", ...page, (c) => securityPage(c))
  .post("/account/sessions/:id{[0-9a-f-]+}/revoke", ...post, async (c) => {
    const p = me(c);
    const id = c.req.param("id");
    await revokeSession(scopeOf(c), p, id, "user_revoked");
    if (id !== p.sessionId) return c.redirect("/account/security?notice=session-revoked", 303);
    clearSessionCookies(c);
    return c.redirect("/login", 303);
  })
  .post("/account/password", ...post, async (c) => {
    const f = await formFields(c);
    const failure = await changePassword(
      scopeOf(c),
      me(c),
      f.currentPassword ?? "",
      f.newPassword ?? "",
    ).then(
      () => null,
      (e: unknown) => serviceFailure(e),
    );
    if (failure) return securityPage(c, { passwordErrors: failure.errors }, 422);
    return securityPage(c, { notice: "Password changed. Other devices were signed out." });
  })
  .post("/account/mfa/setup", ...post, async (c) =>
    securityPage(c, { setup: await beginMfaSetup(scopeOf(c), me(c)) }),
  )
  .post("/account/mfa/recovery-codes", ...post, async (c) => {
    const code = ((await formFields(c)).code ?? "").trim();
    if (!/^\d{6}$/.test(code))
      return securityPage(
        c,
        { recoveryErrors: { fields: { code: "Enter the 6 digits your app shows" } } },
        422,
      );
    try {
      const { recoveryCodes } = await regenerateRecoveryCodes(scopeOf(c), me(c), code);
      return c.html(<RecoveryCodesPage codes={recoveryCodes} />);
    } catch (err) {
      const failure = serviceFailure(err);
      const status = failure.status === 429 || failure.status === 409 ? failure.status : 422;
      return securityPage(c, { recoveryErrors: failure.errors }, status);
    }
  })
  .post("/account/mfa/enable", ...post, async (c) => {
    const p = me(c);
    const f = await formFields(c);
    const code = (f.code ?? "").trim();
    let mfaErrors: FormErrors = { fields: { code: "Enter the 6 digits your app shows" } };
    if (/^\d{6}$/.test(code)) {
      try {
        const result = await enableMfa(scopeOf(c), p, code);
        setSessionCookies(c, result.tokens);
        return c.html(<RecoveryCodesPage codes={result.recoveryCodes} />);
      } catch (err) {
        const failure = serviceFailure(err);
        if (failure.status === 409)
          return securityPage(c, { mfaErrors: { form: "Setup timed out. Start again." } }, 409);
        mfaErrors = failure.errors;
      }
    }
    const secret = /^[A-Z2-7]{16,64}$/.test(f.secret ?? "") ? (f.secret as string) : null;
    const account = await profile.getAccount(scopeOf(c), p);
    const setup = secret ? { secret, otpauthUri: totpUri(secret, account.displayName) } : undefined;
    return securityPage(c, { setup, mfaErrors }, 422);
  });
