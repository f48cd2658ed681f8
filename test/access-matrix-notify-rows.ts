import { everyone, jsonInit, only, type Row } from "./access-matrix-cells";

const KEYS = {
  p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
};

/** Notifications: every caller acts on their own inbox, settings and devices; dead letters are admin-only. */
export const NOTIFICATION_ROWS: Row[] = [
  {
    operation: "GET /v1/me/notifications",
    route: "GET /v1/me/notifications",
    request: () => ["/v1/me/notifications"],
    // P's own notices, and the team clinician's notifications about P, name P.
    expect: { ...everyone("200"), self: "200+", teamClinician: "200+" },
  },
  {
    operation: "POST /v1/me/notifications/read",
    route: "POST /v1/me/notifications/read (all of one's own)",
    request: () => ["/v1/me/notifications/read", jsonInit("POST", { all: true })],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/me/notifications/{id}/deliveries",
    route: "GET /v1/me/notifications/:not-yours/deliveries",
    request: () => [`/v1/me/notifications/${crypto.randomUUID()}/deliveries`],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/me/notification-settings",
    route: "GET /v1/me/notification-settings",
    request: () => ["/v1/me/notification-settings"],
    expect: everyone("200"),
  },
  {
    operation: "PATCH /v1/me/notification-settings",
    route: "PATCH /v1/me/notification-settings",
    request: () => ["/v1/me/notification-settings", jsonInit("PATCH", { timeZone: "Europe/Dublin" })],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/me/notification-preferences",
    route: "GET /v1/me/notification-preferences",
    request: () => ["/v1/me/notification-preferences"],
    expect: everyone("200"),
  },
  {
    operation: "PUT /v1/me/notification-preferences",
    route: "PUT /v1/me/notification-preferences",
    request: () => [
      "/v1/me/notification-preferences",
      jsonInit("PUT", { preferences: [{ eventType: "note.unsigned", channel: "email", enabled: true }] }),
    ],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/notifications/vapid-public-key",
    route: "GET /v1/notifications/vapid-public-key",
    request: () => ["/v1/notifications/vapid-public-key"],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/push-subscriptions",
    route: "POST /v1/me/push-subscriptions",
    request: () => [
      "/v1/me/push-subscriptions",
      jsonInit("POST", {
        endpoint: `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`,
        keys: KEYS,
      }),
    ],
    expect: everyone("201"),
  },
  {
    operation: "DELETE /v1/me/push-subscriptions/{id}",
    route: "DELETE /v1/me/push-subscriptions/:not-yours",
    request: () => [`/v1/me/push-subscriptions/${crypto.randomUUID()}`, { method: "DELETE" }],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/me/reminders",
    route: "GET /v1/me/reminders",
    request: () => ["/v1/me/reminders"],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/reminders",
    route: "POST /v1/me/reminders (patients only)",
    request: () => ["/v1/me/reminders", jsonInit("POST", { localTime: "09:00", timeZone: "Europe/Dublin" })],
    expect: only({ otherPatient: "201", self: "201" }),
  },
  {
    operation: "DELETE /v1/me/reminders/{id}",
    route: "DELETE /v1/me/reminders/:not-yours",
    request: () => [`/v1/me/reminders/${crypto.randomUUID()}`, { method: "DELETE" }],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/admin/notifications/dead-letters",
    route: "GET /v1/admin/notifications/dead-letters",
    request: () => ["/v1/admin/notifications/dead-letters"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "GET /v1/admin/notifications/dead-letters/{id}",
    route: "GET /v1/admin/notifications/dead-letters/:unknown",
    request: () => [`/v1/admin/notifications/dead-letters/${crypto.randomUUID()}`],
    expect: only({}),
  },
  {
    operation: "POST /v1/admin/notifications/dead-letters/{id}/retry",
    route: "POST /v1/admin/notifications/dead-letters/:unknown/retry",
    request: () => [`/v1/admin/notifications/dead-letters/${crypto.randomUUID()}/retry`, { method: "POST" }],
    expect: only({}),
  },
  {
    operation: "POST /v1/admin/notifications/dead-letters/{id}/discard",
    route: "POST /v1/admin/notifications/dead-letters/:unknown/discard",
    request: () => [
      `/v1/admin/notifications/dead-letters/${crypto.randomUUID()}/discard`,
      { method: "POST" },
    ],
    expect: only({}),
  },
  // Provider webhooks: their own signatures, never a user's token — everyone unsigned is refused.
  {
    operation: "POST /v1/notifications/webhooks/email",
    route: "POST /v1/notifications/webhooks/email (no Svix signature)",
    request: () => [
      "/v1/notifications/webhooks/email",
      jsonInit("POST", { type: "email.delivered", data: { email_id: "re_matrix" } }),
    ],
    expect: { ...everyone("401"), self: "401" },
  },
  {
    operation: "POST /v1/notifications/webhooks/sms",
    route: "POST /v1/notifications/webhooks/sms (no X-Twilio-Signature)",
    request: () => [
      "/v1/notifications/webhooks/sms",
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "MessageSid=SM00000000000000000000000000000000&MessageStatus=delivered",
      },
    ],
    expect: { ...everyone("401"), self: "401" },
  },
];
