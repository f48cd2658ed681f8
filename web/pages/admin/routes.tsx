import { type Context, Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { invite } from "../../../workers/features/accounts/credentials";
import { changeRole } from "../../../workers/features/accounts/roles";
import { InviteBody } from "../../../workers/features/accounts/schema";
import { auditCsv, breakGlassReview, keyStatus } from "../../../workers/features/admin/review";
import { searchUsers, setActive } from "../../../workers/features/admin/users";
import { AuditQuery } from "../../../workers/features/audit/schema";
import { queryAudit, verifyChain } from "../../../workers/features/audit/service";
import { assign } from "../../../workers/features/care-team/service";
import { rotateRegion } from "../../../workers/features/keys/service";
import { auditedCompliance, runLifecycleNow } from "../../../workers/features/lifecycle/admin-routes";
import * as svc from "../../../workers/features/lifecycle/service";
import { audit } from "../../../workers/lib/audit";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { isRegion, type Region } from "../../../workers/lib/vocabulary";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { formFields } from "../auth/respond";
import { csrfToken, formCsrf } from "../auth/session";
import { ActionButton, AdminShell, DataTable, RegionFilter, StatusText } from "./page";

type Ctx = Context<AppEnv>;

/**
 * Admins only, with MFA in this session; every page view and action is audited. Signed out →
 * sign-in; another role → 404 page (the console does not exist for them); no MFA → 403 page.
 */
const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login", 303);
  if (p.role !== "admin") throw new AppError("not_found", "No such page");
  if (!p.mfa)
    throw new AppError(
      "forbidden",
      "The admin console requires two-factor sign-in: set it up in your account",
    );
  await audit(scopeOf(c), p.region, {
    action: c.req.method === "GET" ? "admin.page_view" : "admin.page_action",
    resourceType: "admin_page",
    resourceId: c.req.path.slice(0, 100),
    outcome: "success",
  });
  c.header("cache-control", "no-store");
  await next();
};
const page = [rateLimit, adminOnly] as const;
const post = [formCsrf, rateLimit, adminOnly] as const;
const regionOf = (c: Ctx): Region => {
  const r = c.req.query("region");
  return isRegion(r) ? r : "us";
};
const back = (c: Ctx, path: string, notice: string) =>
  c.redirect(`${path}${path.includes("?") ? "&" : "?"}notice=${encodeURIComponent(notice)}`, 303);
const notice = (c: Ctx) => c.req.query("notice")?.slice(0, 200);
const Uuid = z.uuid();
/** A path id, or a 404 page (never a 500 for a malformed id). */
const idParam = (c: Ctx): string => {
  const id = Uuid.safeParse(c.req.param("id"));
  if (!id.success) throw new AppError("not_found", "No such record");
  return id.data;
};

export const adminPages = new Hono<AppEnv>()
  .onError(pageError)
  .get("/admin", ...page, async (c) => {
    const comp = await auditedCompliance(scopeOf(c));
    return c.html(
      <AdminShell title="Console" notice={notice(c)}>
        <p>
          Compliance score: <span class="score">{comp.score}%</span> (
          {comp.controls.filter((x) => x.status === "fail").length} failing controls).{" "}
          <a href="/admin/compliance">Details</a>
        </p>
      </AdminShell>,
    );
  })
  .get("/admin/users", ...page, async (c) => {
    const q = c.req.query("q")?.slice(0, 200) ?? "";
    const users = await searchUsers(scopeOf(c), { q });
    const csrf = csrfToken(c);
    return c.html(
      <AdminShell title="Users" notice={notice(c)}>
        <form method="get" action="/admin/users" class="filters">
          <label>
            Name or exact email
            <input type="search" name="q" value={q} />
          </label>
          <button type="submit">Search</button>
        </form>
        <DataTable
          caption="Users (up to 100 per region)"
          head={["Name", "Role", "Region", "MFA", "Sessions", "Status", "Actions"]}
          rows={users.map((u) => [
            u.displayName,
            u.role,
            u.region.toUpperCase(),
            u.mfa ? "on" : "off",
            String(u.activeSessions),
            u.active ? "active" : "deactivated",
            <>
              <ActionButton
                action={`/admin/users/${u.id}/${u.active ? "deactivate" : "reactivate"}`}
                csrf={csrf}
                label={`${u.active ? "Deactivate" : "Reactivate"} ${u.displayName}`}
                secondary
              />
              {u.role !== "patient" ? (
                <ActionButton
                  action={`/admin/users/${u.id}/role/${u.role === "admin" ? "clinician" : "admin"}`}
                  csrf={csrf}
                  label={`Make ${u.displayName} ${u.role === "admin" ? "clinician" : "admin"}`}
                  secondary
                />
              ) : null}
            </>,
          ])}
        />
        <section class="card" aria-labelledby="invite">
          <h2 id="invite">Invite staff</h2>
          <form method="post" action="/admin/users/invite" class="form">
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Email <input type="email" name="email" required />
            </label>
            <label>
              Name <input type="text" name="displayName" required />
            </label>
            <label>
              Role
              <select name="role">
                <option value="clinician">Clinician</option>
                <option value="admin">Admin</option>
              </select>
            </label>
            <label>
              Region
              <select name="region">
                <option value="us">US</option>
                <option value="eu">EU</option>
                <option value="apac">APAC</option>
              </select>
            </label>
            <button type="submit">Send invitation</button>
          </form>
        </section>
        <section class="card" aria-labelledby="assign">
          <h2 id="assign">Assign a clinician to a patient's care team</h2>
          <form method="post" action="/admin/users/assign" class="form">
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Patient id <input type="text" name="patientId" required />
            </label>
            <label>
              Clinician id <input type="text" name="clinicianId" required />
            </label>
            <button type="submit">Assign</button>
          </form>
        </section>
      </AdminShell>,
    );
  })
  .post("/admin/users/invite", ...post, async (c) => {
    const body = InviteBody.safeParse(await formFields(c));
    if (!body.success)
      throw new AppError(
        "validation_failed",
        "Check the invitation: email, name, role and region are required",
      );
    await invite(scopeOf(c), body.data);
    return back(c, "/admin/users", "Invitation sent.");
  })
  .post("/admin/users/assign", ...post, async (c) => {
    const f = await formFields(c);
    const p = c.get("principal");
    const ids = z.object({ patientId: Uuid, clinicianId: Uuid }).safeParse(f);
    if (!p || !ids.success) throw new AppError("validation_failed", "Give a patient id and a clinician id");
    await assign(scopeOf(c), p, ids.data.patientId, ids.data.clinicianId);
    return back(c, "/admin/users", "Clinician assigned.");
  })
  .post("/admin/users/:id/:action{deactivate|reactivate}", ...post, async (c) => {
    const active = c.req.param("action") === "reactivate";
    const r = await setActive(scopeOf(c), idParam(c), active);
    return back(
      c,
      "/admin/users",
      active ? "Account reactivated." : `Account deactivated; ${r.sessionsRevoked} sessions revoked.`,
    );
  })
  .post("/admin/users/:id/role/:role{clinician|admin}", ...post, async (c) => {
    const p = c.get("principal");
    if (!p) throw new AppError("unauthorized", "Sign in to continue");
    await changeRole(scopeOf(c), p, idParam(c), c.req.param("role") as "clinician" | "admin");
    return back(c, "/admin/users", "Role changed; the user's sessions were revoked.");
  })
  .get("/admin/audit", ...page, async (c) => {
    const query = AuditQuery.safeParse({ ...c.req.query(), region: regionOf(c) });
    if (!query.success) throw new AppError("validation_failed", "Check the filters: a field is not valid");
    const [result, chain] = await Promise.all([
      queryAudit(scopeOf(c), query.data),
      verifyChain(scopeOf(c), query.data.region),
    ]);
    const qs = new URLSearchParams(
      Object.entries(c.req.query()).filter(([k]) => k !== "cursor" && k !== "notice") as [string, string][],
    );
    return c.html(
      <AdminShell title="Audit log">
        <p role="status">
          Hash chain ({query.data.region.toUpperCase()}):{" "}
          {chain.intact ? (
            <span class="status-pass">
              verified, {chain.rows} entries intact
              {chain.checkpoints > 0
                ? ` from retention checkpoint ${chain.checkpoints} (${chain.prunedTotal} entries past 7 years pruned)`
                : ""}
            </span>
          ) : (
            <span class="status-fail">
              BROKEN at entry {chain.brokenId} ({chain.problem})
            </span>
          )}
        </p>
        <RegionFilter
          action="/admin/audit"
          region={query.data.region}
          extra={
            <>
              {(["actorId", "patientId", "action"] as const).map((k) => (
                <label>
                  {k === "actorId" ? "Actor id" : k === "patientId" ? "Patient id" : "Action"}
                  <input type="text" name={k} value={query.data[k] ?? ""} />
                </label>
              ))}
              <label>
                Outcome
                <select name="outcome">
                  <option value="">any</option>
                  {["success", "denied", "failure"].map((o) => (
                    <option value={o} selected={query.data.outcome === o}>
                      {o}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                From{" "}
                <input
                  type="text"
                  name="from"
                  placeholder="2026-11-30T00:00:00Z"
                  value={query.data.from ?? ""}
                />
              </label>
              <label>
                To{" "}
                <input type="text" name="to" placeholder="2026-12-01T00:00:00Z" value={query.data.to ?? ""} />
              </label>
            </>
          }
        />
        <p>
          <a href={`/admin/audit.csv?${qs}`}>Download these entries as CSV</a>
        </p>
        <DataTable
          caption="Audit entries, newest first"
          head={["#", "Time", "Actor", "Role", "Action", "Resource", "Patient", "Outcome"]}
          rows={result.entries.map((e) => [
            String(e.id),
            e.at,
            e.actorId ?? "—",
            e.actorRole ?? "—",
            e.action,
            `${e.resourceType}${e.resourceId ? ` ${e.resourceId}` : ""}`,
            e.patientId ?? "—",
            e.outcome,
          ])}
        />
        {result.nextCursor ? (
          <p>
            <a href={`/admin/audit?${qs}&cursor=${result.nextCursor}`}>Older entries</a>
          </p>
        ) : null}
      </AdminShell>,
    );
  })
  .get("/admin/audit.csv", ...page, async (c) => {
    const query = AuditQuery.safeParse({ ...c.req.query(), region: regionOf(c) });
    if (!query.success) throw new AppError("validation_failed", "Check the filters: a field is not valid");
    const { limit, cursor, ...filters } = query.data;
    const csv = await auditCsv(scopeOf(c), filters);
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="haven-audit-${query.data.region}.csv"`,
    });
  })
  .get("/admin/break-glass", ...page, async (c) => {
    const region = regionOf(c);
    const grants = await breakGlassReview(scopeOf(c), region);
    return c.html(
      <AdminShell title="Break-glass review">
        <RegionFilter action="/admin/break-glass" region={region} />
        <DataTable
          caption="Emergency access grants, newest first"
          head={["Opened", "Until", "State", "By", "Role", "Patient", "Reason"]}
          rows={grants.map((g) => [
            g.openedAt,
            g.expiresAt,
            g.active ? "ACTIVE" : "ended",
            g.actorId,
            g.actorRole,
            g.patientId,
            g.reason ?? "(unreadable: the patient's key was destroyed)",
          ])}
        />
      </AdminShell>,
    );
  })
  .get("/admin/data-requests", ...page, async (c) => {
    const region = regionOf(c);
    const [requests, holds] = await Promise.all([
      svc.listRequests(scopeOf(c), region),
      svc.listHolds(scopeOf(c), region),
    ]);
    const csrf = csrfToken(c);
    const local = scopeOf(c).config.ENVIRONMENT === "local";
    return c.html(
      <AdminShell title="Data requests and legal holds" notice={notice(c)}>
        <RegionFilter action="/admin/data-requests" region={region} />
        <DataTable
          caption="Exports and erasures, newest first"
          head={["Kind", "Status", "Subject", "Requested", "Due", "Completed", "Certificate / actions"]}
          rows={requests.map((r) => [
            r.kind,
            r.status,
            r.patientId,
            r.requestedAt,
            r.dueAt ?? "—",
            r.completedAt ?? "—",
            <>
              {r.result ? (
                <a href={`/admin/data-requests/${r.id}?region=${region}`}>
                  {r.kind === "erasure" ? "Certificate" : "Manifest"}
                </a>
              ) : null}
              {r.kind === "erasure" && (r.status === "pending" || r.status === "held") ? (
                <ActionButton
                  action={`/admin/data-requests/${r.id}/cancel?region=${region}`}
                  csrf={csrf}
                  label="Cancel erasure"
                  secondary
                />
              ) : null}
              {local && r.kind === "erasure" && r.status === "pending" ? (
                <ActionButton
                  action={`/admin/data-requests/${r.id}/execute-now?region=${region}`}
                  csrf={csrf}
                  label="Execute now (local only: skips cooling-off)"
                  secondary
                />
              ) : null}
            </>,
          ])}
        />
        <h2>Legal holds</h2>
        <DataTable
          caption="Legal holds (an active hold suspends erasure)"
          head={["Patient", "Reason", "Placed", "Released", "Action"]}
          rows={holds.map((h) => [
            h.patientId,
            h.reason,
            h.placedAt,
            h.releasedAt ?? "—",
            h.releasedAt ? (
              "—"
            ) : (
              <ActionButton
                action={`/admin/legal-holds/${h.id}/release?region=${region}`}
                csrf={csrf}
                label="Release hold"
                secondary
              />
            ),
          ])}
        />
        <form method="post" action={`/admin/legal-holds?region=${region}`} class="form">
          <input type="hidden" name="csrf" value={csrf} />
          <label>
            Patient id <input type="text" name="patientId" required />
          </label>
          <label>
            Legal reference (no clinical details){" "}
            <input type="text" name="reason" required minlength={3} maxlength={200} />
          </label>
          <button type="submit">Place legal hold</button>
        </form>
        <ActionButton action="/admin/lifecycle/run" csrf={csrf} label="Run retention and due erasures now" />
      </AdminShell>,
    );
  })
  .get("/admin/data-requests/:id", ...page, async (c) => {
    const region = regionOf(c);
    const id = idParam(c);
    const found = (await svc.listRequests(scopeOf(c), region)).find((r) => r.id === id);
    if (!found) throw new AppError("not_found", "No such request");
    return c.html(
      <AdminShell title={found.kind === "erasure" ? "Erasure certificate" : "Export manifest"}>
        <p>
          Request {found.id}, status {found.status}.
        </p>
        <pre class="cert">{JSON.stringify(found.result, null, 2)}</pre>
      </AdminShell>,
    );
  })
  .post("/admin/data-requests/:id/cancel", ...post, async (c) => {
    await svc.cancelErasure(scopeOf(c), idParam(c), regionOf(c));
    return back(c, `/admin/data-requests?region=${regionOf(c)}`, "Erasure cancelled.");
  })
  .post("/admin/data-requests/:id/execute-now", ...post, async (c) => {
    const cert = await svc.executeNowLocal(scopeOf(c), idParam(c), regionOf(c));
    return back(c, `/admin/data-requests?region=${regionOf(c)}`, `Erasure ${cert?.outcome ?? "not run"}.`);
  })
  .post("/admin/legal-holds", ...post, async (c) => {
    const f = await formFields(c);
    const reason = (f.reason ?? "").trim();
    if (reason.length < 3 || reason.length > 200)
      throw new AppError("validation_failed", "Give a legal reference of 3 to 200 characters");
    const patientId = Uuid.safeParse(f.patientId);
    if (!patientId.success) throw new AppError("validation_failed", "Give the patient's id");
    await svc.placeHold(scopeOf(c), patientId.data, reason);
    return back(c, `/admin/data-requests?region=${regionOf(c)}`, "Legal hold placed.");
  })
  .post("/admin/legal-holds/:id/release", ...post, async (c) => {
    await svc.liftHold(scopeOf(c), idParam(c), regionOf(c));
    return back(c, `/admin/data-requests?region=${regionOf(c)}`, "Legal hold released.");
  })
  .post("/admin/lifecycle/run", ...post, async (c) => {
    const r = await runLifecycleNow(scopeOf(c));
    return back(
      c,
      "/admin/data-requests",
      `Retention ran in ${r.retention.length} regions; ${r.erasures.completed} erasures completed.`,
    );
  })
  .get("/admin/keys", ...page, async (c) => {
    const keys = keyStatus(scopeOf(c));
    const comp = await auditedCompliance(scopeOf(c));
    const age = comp.controls.find((x) => x.id === "master_key_age");
    const csrf = csrfToken(c);
    return c.html(
      <AdminShell title="Keys" notice={notice(c)}>
        <dl class="facts">
          <dt>Current master key</dt>
          <dd>{keys.current}</dd>
          <dt>Loaded versions</dt>
          <dd>{keys.versions.join(", ")}</dd>
          <dt>Age check</dt>
          <dd>
            {age ? <StatusText status={age.status} /> : "—"} {age ? JSON.stringify(age.evidence) : null}
          </dd>
        </dl>
        <p>
          Rotation re-wraps up to 200 data keys per run under the current master key; run until nothing
          remains.
        </p>
        {(["us", "eu", "apac"] as const).map((r) => (
          <ActionButton
            action={`/admin/keys/rotate?region=${r}`}
            csrf={csrf}
            label={`Rotate ${r.toUpperCase()} data keys`}
          />
        ))}
      </AdminShell>,
    );
  })
  .post("/admin/keys/rotate", ...post, async (c) => {
    const r = await rotateRegion(scopeOf(c), regionOf(c));
    return back(
      c,
      "/admin/keys",
      `${r.region.toUpperCase()}: ${r.rewrapped} re-wrapped under ${r.currentVersion}, ${r.remaining} remaining.`,
    );
  })
  .get("/admin/compliance", ...page, async (c) => {
    const comp = await auditedCompliance(scopeOf(c));
    return c.html(
      <AdminShell title="Compliance">
        <p>
          Score: <span class="score">{comp.score}%</span> of applicable controls pass (evaluated{" "}
          {comp.evaluatedAt}).
        </p>
        <DataTable
          caption="Automated controls"
          head={["Control", "Result", "Evidence"]}
          rows={comp.controls.map((x) => [
            x.title,
            <StatusText status={x.status} />,
            <code>{JSON.stringify(x.evidence)}</code>,
          ])}
        />
      </AdminShell>,
    );
  });
