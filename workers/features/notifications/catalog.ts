import type { Channel } from "../../db/schema";
import type { EventType } from "../../lib/events";

/**
 * What each domain event means for notifications: who is told (resolved by the consumer), whether
 * it is critical (bypasses quiet hours and digests; clinicians on call cannot turn it off), the
 * channels tried in order (the first that the person allows and that succeeds; a permanent failure
 * falls over to the next), whether it may be batched into a digest, and whether the person may turn
 * it off at all. In-app is always recorded (the inbox is the record); it is not a failover step.
 */
export interface EventPolicy {
  critical: boolean;
  /** External channels in failover order. */
  channels: Channel[];
  /** Channels on by default (a preference row overrides). */
  defaults: Channel[];
  digestable: boolean;
  /** False for security notices: email about a new sign-in cannot be turned off. */
  optional: boolean;
  /** Where the in-app entry links (never with ids of another person). */
  link: string;
}

export const POLICY: Record<EventType, EventPolicy> = {
  "crisis.detected": {
    critical: true,
    channels: ["push", "sms", "email"],
    defaults: ["push", "sms", "email"],
    digestable: false,
    optional: true,
    link: "/clinician",
  },
  "alert.acknowledged": {
    critical: false,
    channels: ["push", "email"],
    defaults: [],
    digestable: true,
    optional: true,
    link: "/clinician",
  },
  "assessment.due": {
    critical: false,
    channels: ["push", "email"],
    defaults: ["push", "email"],
    digestable: true,
    optional: true,
    link: "/screeners",
  },
  "assessment.submitted": {
    critical: false,
    channels: ["email", "push"],
    defaults: ["email"],
    digestable: true,
    optional: true,
    link: "/clinician",
  },
  "anomaly.detected": {
    critical: false,
    channels: ["push", "email"],
    defaults: ["push"],
    digestable: true,
    optional: true,
    link: "/clinician",
  },
  "booking.created": {
    critical: false,
    channels: ["email", "push"],
    defaults: ["email"],
    digestable: false,
    optional: true,
    link: "/notifications",
  },
  "booking.changed": {
    critical: false,
    channels: ["email", "push", "sms"],
    defaults: ["email", "push"],
    digestable: false,
    optional: true,
    link: "/notifications",
  },
  "booking.cancelled": {
    critical: false,
    channels: ["email", "push", "sms"],
    defaults: ["email", "push"],
    digestable: false,
    optional: true,
    link: "/notifications",
  },
  "session.reminder": {
    critical: false,
    channels: ["push", "sms", "email"],
    defaults: ["push", "email"],
    digestable: false,
    optional: true,
    link: "/notifications",
  },
  "medication.reminder": {
    critical: false,
    channels: ["push", "sms"],
    defaults: ["push"],
    digestable: false,
    optional: true,
    link: "/notifications",
  },
  "note.unsigned": {
    critical: false,
    channels: ["email"],
    defaults: ["email"],
    digestable: true,
    optional: true,
    link: "/clinician",
  },
  "security.sign_in": {
    critical: false,
    channels: ["email"],
    defaults: ["email"],
    digestable: false,
    optional: false,
    link: "/account",
  },
  "security.mfa_changed": {
    critical: false,
    channels: ["email"],
    defaults: ["email"],
    digestable: false,
    optional: false,
    link: "/account",
  },
  // Admins only; critical when a critical-severity alert fires (see isCritical's callers).
  "ops.alert": {
    critical: false,
    channels: ["email", "push"],
    defaults: ["email"],
    digestable: false,
    optional: true,
    link: "/admin/ops",
  },
};

/**
 * Anomalies may be flagged critical by their producer (e.g. a wearable's emergency threshold); an
 * ops alert is critical while a critical-severity alert fires (its resolution is not).
 */
export function isCritical(type: EventType, flagged: boolean): boolean {
  return POLICY[type].critical || flagged;
}
