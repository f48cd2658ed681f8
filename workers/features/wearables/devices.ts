import type { z } from "@hono/zod-openapi";
import { streamStub } from "../../../durable-objects/wearable-stub";
import { careData } from "../../lib/care-data/repository";
import {
  DEVICE_LIST,
  deviceCreate,
  deviceRevoke,
  devicesQuery,
  insertDevice,
  revokeDeviceWrite,
} from "../../lib/care-data/wearables";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import type { Device, DeviceCreated, DeviceInput } from "./schema";
import { DEVICE_TOKEN_SCOPES, deviceToken, sha256Hex } from "./tokens";

type DeviceOut = z.infer<typeof Device>;

const out = (d: {
  id: string;
  kind: string;
  vendor: string;
  model: string;
  pairedVia: "web" | "device_code";
  createdAt: Date;
  revokedAt: Date | null;
}): DeviceOut => ({
  ...d,
  createdAt: d.createdAt.toISOString(),
  revokedAt: d.revokedAt?.toISOString() ?? null,
});

/**
 * Registers a device for the signed-in patient (health-data consent required) and returns its
 * token once. Postgres first (with the audit row), then the patient's stream learns the hash; if
 * that call fails the stream re-reads the device from Postgres on the first post.
 */
export async function registerDevice(
  scope: Scope,
  input: z.infer<typeof DeviceInput>,
  opts: { pairedVia: "web" | "device_code"; secret?: string } = { pairedVia: "web" },
): Promise<z.infer<typeof DeviceCreated>> {
  const care = careData(scope);
  const access = care.self();
  if (scope.principal?.role !== "patient") throw new AppError("not_found", "No such resource");
  const id = crypto.randomUUID();
  const op = deviceCreate(id);
  await care.requireConsent(access, op.consent);
  const token = deviceToken(access.patientId, access.region, opts.secret);
  const tokenHash = await sha256Hex(token);
  const [[row]] = await care.run(
    access,
    op,
    (db) =>
      [
        insertDevice(db, {
          id,
          userId: access.patientId,
          ...input,
          tokenHash,
          scopes: [...DEVICE_TOKEN_SCOPES],
          pairedVia: opts.pairedVia,
        }),
      ] as const,
  );
  if (!row) throw new AppError("internal");
  await streamStub(scope.env, access.patientId, access.region)
    .addDevice({ userId: access.patientId, region: access.region }, { id, tokenHash })
    .catch(() => scope.log.warn("wearable_device_stream_unreached", {}));
  return { device: out(row), token, scopes: [...DEVICE_TOKEN_SCOPES] };
}

export async function listDevices(scope: Scope): Promise<{ devices: DeviceOut[] }> {
  const care = careData(scope);
  const [rows] = await care.run(
    care.self(),
    DEVICE_LIST,
    (db) => [devicesQuery(db, care.self().patientId)] as const,
  );
  return { devices: rows.map(out) };
}

/**
 * Revokes a device: the stream refuses its token first (so it stops working even if Postgres is
 * slow), then Postgres records it. Another user's device is a 404.
 */
export async function revokeDevice(scope: Scope, deviceId: string): Promise<{ devices: DeviceOut[] }> {
  const care = careData(scope);
  const access = care.self();
  const op = deviceRevoke(deviceId);
  const [mine] = await care.run(access, DEVICE_LIST, (db) => [devicesQuery(db, access.patientId)] as const);
  if (!mine.some((d) => d.id === deviceId)) return care.refuse(op, "device", access);
  const told = await streamStub(scope.env, access.patientId, access.region).revokeDevice(
    { userId: access.patientId, region: access.region },
    deviceId,
  );
  if (!told.ok) throw new AppError("service_unavailable", "The device could not be revoked now; try again");
  await care.run(access, op, (db) => [revokeDeviceWrite(db, access.patientId, deviceId)] as const);
  return listDevices(scope);
}
