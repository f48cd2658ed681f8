import { z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as rec from "./recording";
import { SessionIdParam } from "./schema";

const tags = ["visit recordings"];
const security = bearer;
const both = [requireAuth("patient", "clinician")];
const RecordingParams = SessionIdParam.extend({
  recordingId: z.uuid().openapi({ param: { name: "recordingId", in: "path" } }),
});
const ChunkParams = RecordingParams.extend({
  n: z.coerce
    .number()
    .int()
    .min(0)
    .max(rec.MAX_CHUNKS)
    .openapi({ param: { name: "n", in: "path" } }),
});
const Recording = z
  .object({
    id: z.uuid(),
    sessionId: z.uuid(),
    status: z.enum(["recording", "stopped"]),
    chunks: z.number().int(),
    mimeType: z.string(),
    startedAt: z.iso.datetime(),
    stoppedAt: z.iso.datetime().nullable(),
  })
  .openapi("VisitRecording");
const ContentKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .openapi({
    description:
      "The recording's AES-256-GCM content key (base64url). Seal each chunk as 0x02 ‖ 12-byte IV ‖ ciphertext+tag with AAD `haven-recording:<recordingId>:<n>`; keep it in memory only",
  });
const Started = Recording.extend({ contentKey: ContentKey }).openapi("VisitRecordingStarted");
const NO_STORE = { "cache-control": "no-store" };
const Consents = z.object({ patient: z.boolean(), clinician: z.boolean() }).openapi("RecordingConsents");
const MIME = z
  .string()
  .regex(/^(video|audio)\/webm(;[ a-z0-9=.,"]*)?$/i)
  .max(80);

const r = {
  consent: route({
    tags,
    security,
    middleware: both,
    method: "post",
    path: "/therapy-sessions/{id}/recordings/consent",
    summary: "Give (or withdraw) your consent to recording this visit; both parties must, each visit",
    request: { params: SessionIdParam, body: jsonBody(z.object({ consent: z.boolean() }).strict()) },
    problems: [404],
    responses: { 200: ok(Consents, "Who has consented now") },
  }),
  start: route({
    tags,
    security,
    middleware: both,
    method: "post",
    path: "/therapy-sessions/{id}/recordings",
    summary: "Start a recording (409 unless both parties consented in this visit); returns its content key",
    request: { params: SessionIdParam, body: jsonBody(z.object({ mimeType: MIME }).strict()) },
    problems: [404, 409],
    responses: { 201: ok(Started, "Recording, with the key to seal its chunks (no-store)") },
  }),
  key: route({
    tags,
    security,
    middleware: both,
    method: "get",
    path: "/therapy-sessions/{id}/recordings/{recordingId}/key",
    summary: "The running recording's content key, for either party (409 once stopped; audited; no-store)",
    request: { params: RecordingParams },
    problems: [404, 409],
    responses: { 200: ok(z.object({ contentKey: ContentKey }), "The content key") },
  }),
  list: route({
    tags,
    security,
    middleware: both,
    method: "get",
    path: "/therapy-sessions/{id}/recordings",
    summary: "The visit's recordings (patient and care team; audited)",
    request: { params: SessionIdParam },
    problems: [404],
    responses: { 200: ok(z.object({ recordings: z.array(Recording) }), "Recordings") },
  }),
  put: route({
    tags,
    security,
    middleware: both,
    method: "put",
    path: "/therapy-sessions/{id}/recordings/{recordingId}/chunks/{n}",
    summary:
      "Upload chunk n, sealed in the browser with the recording's content key (≤ 1 MiB); stored as sent, never decrypted on upload",
    request: {
      params: ChunkParams,
      body: {
        content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
        required: true,
      },
    },
    problems: [404, 409],
    responses: { 200: ok(Recording, "Stored") },
  }),
  get: route({
    tags,
    security,
    middleware: both,
    method: "get",
    path: "/therapy-sessions/{id}/recordings/{recordingId}/chunks/{n}",
    summary: "Play back chunk n, decrypted (patient and care team; audited)",
    request: { params: ChunkParams },
    problems: [404],
    responses: {
      200: {
        description: "The chunk",
        content: { "video/webm": { schema: z.string().openapi({ format: "binary" }) } },
      },
    },
  }),
  media: route({
    tags,
    security,
    middleware: both,
    method: "get",
    path: "/therapy-sessions/{id}/recordings/{recordingId}/media",
    summary: "The whole recording as one WebM stream, decrypted (patient and care team; audited)",
    request: { params: RecordingParams },
    problems: [404],
    responses: {
      200: {
        description: "The recording",
        content: { "video/webm": { schema: z.string().openapi({ format: "binary" }) } },
      },
    },
  }),
  stop: route({
    tags,
    security,
    middleware: both,
    method: "post",
    path: "/therapy-sessions/{id}/recordings/{recordingId}/stop",
    summary: "Stop the recording (either party)",
    request: { params: RecordingParams },
    problems: [404],
    responses: { 200: ok(Recording, "Stopped") },
  }),
};

export const recordingRoutes = createRouter()
  .openapi(r.consent, async (c) =>
    c.json(await rec.setConsent(scopeOf(c), c.req.valid("param").id, c.req.valid("json").consent), 200),
  )
  .openapi(r.start, async (c) =>
    c.json(
      await rec.startRecording(scopeOf(c), c.req.valid("param").id, c.req.valid("json").mimeType),
      201,
      NO_STORE,
    ),
  )
  .openapi(r.key, async (c) => {
    const { id, recordingId } = c.req.valid("param");
    return c.json({ contentKey: await rec.contentKey(scopeOf(c), id, recordingId) }, 200, NO_STORE);
  })
  .openapi(r.list, async (c) =>
    c.json({ recordings: await rec.list(scopeOf(c), c.req.valid("param").id) }, 200),
  )
  .openapi(r.put, async (c) => {
    const { id, recordingId, n } = c.req.valid("param");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new AppError("validation_failed", "The chunk is empty");
    return c.json(await rec.putChunk(scopeOf(c), c.env.RECORDINGS, id, recordingId, n, bytes), 200);
  })
  .openapi(r.get, async (c) => {
    const { id, recordingId, n } = c.req.valid("param");
    const { bytes, mimeType } = await rec.getChunk(scopeOf(c), c.env.RECORDINGS, id, recordingId, n);
    return c.body(new Uint8Array(bytes), 200, {
      "content-type": mimeType.split(";")[0] ?? "video/webm",
      "cache-control": "private, no-store",
    });
  })
  .openapi(r.media, async (c) => {
    const { id, recordingId } = c.req.valid("param");
    const { body, mimeType } = await rec.media(scopeOf(c), c.env.RECORDINGS, id, recordingId);
    return c.body(body, 200, {
      "content-type": mimeType.split(";")[0] ?? "video/webm",
      "cache-control": "private, no-store",
    });
  })
  .openapi(r.stop, async (c) => {
    const { id, recordingId } = c.req.valid("param");
    return c.json(await rec.stop(scopeOf(c), id, recordingId), 200);
  });
