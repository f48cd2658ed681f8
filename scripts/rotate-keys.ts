/**
 * Master-key rotation command. Put the new key FIRST in MASTER_KEYS (`v2:<new>,v1:<old>`),
 * deploy, then run this with an admin access token: it calls the admin API for every region
 * until every data key is re-wrapped. Afterwards `v1` can be removed from MASTER_KEYS.
 *
 * Usage: HAVEN_URL=https://app.haven.example HAVEN_ADMIN_TOKEN=... \
 *        node --experimental-strip-types scripts/rotate-keys.ts
 */
const base = process.env.HAVEN_URL ?? "http://127.0.0.1:8787";
const token = process.env.HAVEN_ADMIN_TOKEN;
if (!token) {
  console.error("Set HAVEN_ADMIN_TOKEN to an admin access token (MFA-verified session).");
  process.exit(2);
}
for (const region of ["us", "eu", "apac"]) {
  let remaining = 1;
  let total = 0;
  while (remaining > 0) {
    const res = await fetch(`${base}/v1/admin/keys/rotate?region=${region}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) {
      console.error(`${region}: HTTP ${res.status} ${await res.text()}`);
      process.exit(1);
    }
    const body = (await res.json()) as { rewrapped: number; remaining: number; currentVersion: string };
    total += body.rewrapped;
    remaining = body.remaining;
    if (remaining === 0) console.log(`${region}: ${total} data keys re-wrapped under ${body.currentVersion}`);
  }
}
