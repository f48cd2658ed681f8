/**
 * The access report in words. Audit rows name actions (`profile.read`); a patient reads "Dr Lee
 * (clinician) read your profile". Each action has what was done and what was attempted, so a
 * refused or failed access reads as an attempt, never as something that happened.
 */

/** [done, attempted] for each audited action a patient can see. */
const ACTIONS: Record<string, readonly [string, string]> = {
  "profile.read": ["read your profile", "tried to read your profile"],
  "profile.update": ["changed your profile", "tried to change your profile"],
  "chat.join": ["joined your chat", "tried to join your chat"],
  "chat.history.read": ["read your chat history", "tried to read your chat history"],
  "chat.sharing.update": [
    "changed what your care team sees of your chat",
    "tried to change your chat sharing",
  ],
  "screener.read": ["read your questionnaire results", "tried to read your questionnaire results"],
  "screener.create": ["recorded a questionnaire for you", "tried to record a questionnaire for you"],
  "care_team.assign": ["added a clinician to your care team", "tried to add a clinician to your care team"],
  "care_team.accept": ["joined your care team", "tried to join your care team"],
  "break_glass.open": [
    "opened emergency access to your records",
    "tried to open emergency access to your records",
  ],
  "break_glass.read": ["read the emergency-access log", "tried to read the emergency-access log"],
  "audit.query": [
    "searched the audit log for your records",
    "tried to search the audit log for your records",
  ],
  "admin.role_change": ["changed your account's role", "tried to change your account's role"],
};

/** Words for resource types, for actions added later that have no entry above yet. */
const RESOURCES: Record<string, string> = {
  profile: "your profile",
  chat_message: "your chat messages",
  chat_room: "your chat",
  chat_sharing: "your chat sharing",
  screener: "your questionnaire results",
  care_team: "your care team",
  break_glass: "your emergency-access log",
  audit_log: "your access log",
  consent: "your consent choices",
  notification: "your notifications",
};

const ROLES: Record<string, string> = { clinician: "clinician", admin: "Haven administrator" };

export type Outcome = "success" | "denied" | "failure";

/** "read your profile" / "tried to read your profile"; unknown actions fall back to the resource. */
export function describeAction(action: string, resourceType: string, outcome: Outcome): string {
  const known = ACTIONS[action];
  if (known) return outcome === "success" ? known[0] : known[1];
  const what = RESOURCES[resourceType] ?? "your records";
  return outcome === "success" ? `opened ${what}` : `tried to open ${what}`;
}

/**
 * "Dr Lee (clinician)", "you", or the role alone when the name is unknown (account deleted).
 * `name` comes from the directory of display names; it is never taken from the audit row.
 */
export function describeActor(role: string | null, name: string | null, isYou: boolean): string {
  if (isYou) return "you";
  const roleName = ROLES[role ?? ""] ?? "someone at Haven";
  return name ? `${name} (${roleName})` : roleName === "someone at Haven" ? roleName : `a ${roleName}`;
}

/** Whether the access was let through: a refusal is not; a failure was allowed but did not complete. */
export function describeOutcome(outcome: Outcome): { allowed: boolean; result: string } {
  if (outcome === "denied") return { allowed: false, result: "refused" };
  if (outcome === "failure") return { allowed: true, result: "allowed, but it did not complete" };
  return { allowed: true, result: "allowed" };
}
