import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { addToCareTeam } from "./chat-helpers";
import { createUser } from "./fixtures";
import fhirSchema from "./fixtures/fhir/fhir.schema.json";
import { call, problem } from "./helpers";
import { landed, post, refOf, registerDevice, streamOf } from "./wearables-helpers";

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json), Observation definition. */
const observationValidator = (() => {
  const v = new Validator(
    { $ref: "http://hl7.org/fhir/json-schema/4.0#/definitions/Observation" },
    "7",
    false,
  );
  v.addSchema(fhirSchema as never, "http://hl7.org/fhir/json-schema/4.0");
  return v;
})();

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("RFC 8628 device authorization grant", () => {
  it("pending → confirmed in the web app → the token once → it posts telemetry", async () => {
    const p = await createUser("patient");
    const auth = await call(
      "/v1/devices/authorize",
      form({ client_id: "acme-ring", kind: "ring", vendor: "Acme", model: "R1" }),
    );
    expect(auth.status).toBe(200);
    const codes = (await auth.json()) as {
      device_code: string;
      user_code: string;
      verification_uri: string;
      interval: number;
    };
    expect(codes.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.verification_uri).toMatch(/\/devices\/activate$/);
    const poll = () =>
      call(
        "/v1/devices/token",
        form({
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          device_code: codes.device_code,
          client_id: "acme-ring",
        }),
      );
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect((await problem(pending)).error).toBe("authorization_pending");
    expect((await problem(await poll())).error).toBe("slow_down");
    const activate = await call("/v1/me/devices/activate", {
      method: "POST",
      headers: { ...p.auth, "content-type": "application/json" },
      body: JSON.stringify({ userCode: codes.user_code.toLowerCase().replace("-", " "), approve: true }),
    });
    expect(activate.status).toBe(200);
    expect(await activate.json()).toEqual({
      approved: true,
      device: { kind: "ring", vendor: "Acme", model: "R1" },
    });
    const granted = await poll();
    expect(granted.status).toBe(200);
    const token = (await granted.json()) as { access_token: string; token_type: string; scope: string };
    expect(token.token_type).toBe("Bearer");
    expect(token.scope).toBe("telemetry:write");
    expect((await problem(await poll())).error).toBe("expired_token");
    const res = await post(token.access_token, [
      { type: "heart_rate", ts: iso(Date.now() - MIN), value: 64 },
    ]);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const devices = (await (await call("/v1/me/devices", { headers: p.auth })).json()) as {
      devices: { pairedVia: string }[];
    };
    expect(devices.devices.map((d) => d.pairedVia)).toEqual(["device_code"]);
    // A used code cannot be confirmed again.
    const again = await call("/v1/me/devices/activate", {
      method: "POST",
      headers: { ...p.auth, "content-type": "application/json" },
      body: JSON.stringify({ userCode: codes.user_code, approve: true }),
    });
    expect(again.status).toBe(404);
  });

  it("a declined code answers access_denied; a wrong client is refused", async () => {
    const p = await createUser("patient");
    const auth = await call(
      "/v1/devices/authorize",
      form({ client_id: "c1", kind: "band", vendor: "Acme", model: "B" }),
    );
    const codes = (await auth.json()) as { device_code: string; user_code: string };
    const poll = (client: string) =>
      call(
        "/v1/devices/token",
        form({
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          device_code: codes.device_code,
          client_id: client,
        }),
      );
    expect((await problem(await poll("other"))).error).toBe("invalid_grant");
    await call("/v1/me/devices/activate", {
      method: "POST",
      headers: { ...p.auth, "content-type": "application/json" },
      body: JSON.stringify({ userCode: codes.user_code, approve: false }),
    });
    expect((await problem(await poll("c1"))).error).toBe("access_denied");
  });
});

describe("query API and FHIR R4", () => {
  it("readings and rollups for the patient and the care team; 404 for anyone else", async () => {
    const [p, other, clinician, offTeam] = await Promise.all([
      createUser("patient"),
      createUser("patient"),
      createUser("clinician"),
      createUser("clinician"),
    ]);
    await addToCareTeam(p, clinician);
    const { token } = await registerDevice(p);
    const base = Math.floor((Date.now() - 3 * 3600_000) / 3600_000) * 3600_000;
    const readings = [
      { type: "heart_rate", ts: iso(base + 5_000), value: 60 },
      { type: "heart_rate", ts: iso(base + 35_000), value: 70 },
      { type: "heart_rate", ts: iso(base + MIN + 5_000), value: 80 },
      { type: "steps", ts: iso(base + 10_000), value: 40 },
      { type: "steps", ts: iso(base + 20_000), value: 60 },
      { type: "sleep_stage", ts: iso(base - 3600_000), value: 1.5, unit: "h", stage: "deep" },
      { type: "spo2", ts: iso(base), value: 97, unit: "%" },
      { type: "resting_heart_rate", ts: iso(base), value: 55 },
      { type: "hrv_sdnn", ts: iso(base), value: 48 },
      { type: "hrv_rmssd", ts: iso(base), value: 39 },
      { type: "respiratory_rate", ts: iso(base), value: 14 },
      { type: "skin_temperature", ts: iso(base), value: 33.9 },
    ];
    expect(await (await post(token, readings)).json()).toMatchObject({ accepted: 12 });
    await streamOf(p).flushNow(refOf(p));
    expect((await landed(p)).rows).toBe(12);
    const q = (res: string, type = "heart_rate") =>
      `/v1/patients/${p.id}/telemetry?type=${type}&from=${encodeURIComponent(iso(base - 2 * 3600_000))}&to=${encodeURIComponent(iso(base + 3600_000))}&resolution=${res}`;
    const minute = (await (await call(q("minute"), { headers: p.auth })).json()) as {
      points: { value: number; n: number }[];
    };
    expect(minute.points.map((x) => [x.value, x.n])).toEqual([
      [65, 2],
      [80, 1],
    ]);
    const hour = (await (await call(q("hour", "steps"), { headers: clinician.auth })).json()) as {
      points: { value: number }[];
    };
    expect(hour.points.map((x) => x.value)).toEqual([100]);
    const raw = (await (await call(q("raw"), { headers: clinician.auth })).json()) as {
      points: { value: number }[];
    };
    expect(raw.points.map((x) => x.value)).toEqual([60, 70, 80]);
    for (const stranger of [other, offTeam])
      expect((await call(q("hour"), { headers: stranger.auth })).status).toBe(404);
    expect((await call(q("hour").replace("from=", "from=x"), { headers: p.auth })).status).toBe(422);

    // FHIR R4: every type, valid against the official schema, with the LOINC codes.
    const loinc: Record<string, string> = {
      heart_rate: "8867-4",
      resting_heart_rate: "40443-4",
      hrv_sdnn: "80404-7",
      steps: "55423-8",
      spo2: "59408-5",
      respiratory_rate: "9279-1",
      skin_temperature: "8310-5",
      sleep_stage: "93832-4",
      hrv_rmssd: "hrv-rmssd",
    };
    for (const [type, code] of Object.entries(loinc)) {
      const res = await call(
        `/v1/patients/${p.id}/telemetry/fhir?type=${type}&from=${encodeURIComponent(iso(base - 2 * 3600_000))}&to=${encodeURIComponent(iso(base + 3600_000))}`,
        { headers: clinician.auth },
      );
      expect(res.headers.get("content-type")).toContain("application/fhir+json");
      const bundle = (await res.json()) as {
        resourceType: string;
        entry: { resource: Record<string, unknown> }[];
      };
      expect(bundle.resourceType).toBe("Bundle");
      expect(bundle.entry.length).toBeGreaterThan(0);
      for (const { resource } of bundle.entry) {
        const result = observationValidator.validate(resource);
        expect(result.errors.slice(0, 3), type).toEqual([]);
        expect(resource.code).toMatchObject({ coding: [{ code }] });
        expect(resource.subject).toEqual({ reference: `Patient/${p.id}` });
      }
    }
    // The validator is not a rubber stamp: a broken Observation fails it.
    const broken = { resourceType: "Observation", status: "done", code: { text: "x" } };
    expect(observationValidator.validate(broken).valid).toBe(false);
  });
});

describe("Open mHealth data points", () => {
  it("maps heart-rate 2.0, step-count, sleep-duration and oxygen-saturation; refuses others with a reason", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const t = iso(Date.now() - 10 * MIN);
    const header = (name: string, version = "2.0") => ({
      id: crypto.randomUUID(),
      schema_id: { namespace: "omh", name, version },
    });
    const points = [
      {
        header: header("heart-rate"),
        body: { heart_rate: { value: 72, unit: "beats/min" }, effective_time_frame: { date_time: t } },
      },
      {
        header: header("step-count", "1.0"),
        body: {
          step_count: 120,
          effective_time_frame: { time_interval: { start_date_time: t, end_date_time: t } },
        },
      },
      {
        header: header("sleep-duration"),
        body: {
          sleep_duration: { value: 7.5, unit: "h" },
          effective_time_frame: {
            time_interval: { start_date_time: t, duration: { value: 7.5, unit: "h" } },
          },
        },
      },
      {
        header: header("oxygen-saturation"),
        body: { oxygen_saturation: { value: 96, unit: "%" }, effective_time_frame: { date_time: t } },
      },
      {
        header: header("blood-glucose"),
        body: { blood_glucose: { value: 5, unit: "mmol/L" }, effective_time_frame: { date_time: t } },
      },
      { nope: true },
    ];
    const res = await post(token, points, {}, "/v1/telemetry/omh");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(4);
    expect(body.rejected.map((r) => [r.index, r.reason.split(":")[0]])).toEqual([
      [4, "unsupported"],
      [5, "invalid"],
    ]);
  });
});

describe("live subscription", () => {
  it("the patient's socket sees new readings; a stranger gets 404", async () => {
    const [p, stranger] = await Promise.all([createUser("patient"), createUser("patient")]);
    const { token } = await registerDevice(p);
    const res = await call(`/v1/patients/${p.id}/wearables/live`, {
      headers: { ...p.auth, upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket as WebSocket;
    ws.accept();
    const frames: { type: string; reading?: { type: string; value: number } }[] = [];
    ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data))));
    await post(token, [{ type: "heart_rate", ts: iso(Date.now() - 5000), value: 77 }]);
    const deadline = Date.now() + 3000;
    while (!frames.some((f) => f.type === "reading") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(frames.find((f) => f.type === "reading")?.reading).toMatchObject({
      type: "heart_rate",
      value: 77,
    });
    ws.close();
    const refused = await call(`/v1/patients/${p.id}/wearables/live`, {
      headers: { ...stranger.auth, upgrade: "websocket" },
    });
    expect(refused.status).toBe(404);
  });
});
