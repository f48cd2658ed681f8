import type { Channel } from "../../db/schema";
import { type PushSubscriptionRow, recipientQuery } from "../../lib/care-data/notify-settings";
import { regionOfUser } from "../../lib/care-data/region";
import type { Config } from "../../lib/config";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { Region, Role } from "../../lib/vocabulary";
import type { PreferenceInput, QuietHours } from "./rules";
import { type Locale, pickLocale } from "./templates";

/**
 * Everything delivery needs to know about one recipient, read in the recipient's own region:
 * role, contact points (decrypted only here, only when a message is about to be sent), settings,
 * preferences and push subscriptions.
 */
export interface Recipient {
  userId: string;
  region: Region;
  role: Role;
  locale: Locale;
  timeZone: string;
  quiet: QuietHours;
  digestMinutes: number;
  onCall: boolean;
  prefs: PreferenceInput[];
  push: PushSubscriptionRow[];
  reachable: Set<Channel>;
  email(): Promise<string | null>;
  phone(): Promise<string | null>;
}

/** Loads a recipient; null when the account no longer exists anywhere. Throws when a region cannot be asked. */
export async function loadRecipient(scope: Scope, userId: string): Promise<Recipient | null> {
  const region = await regionOfUser(scope, userId);
  if (!region) return null;
  const [[user], [settings], prefs, push] = await recipientQuery(scope.db(region), userId);
  if (!user) return null;
  const cipher = () => userCipher(scope.config as Config, userId, user.dataKeyWrapped);
  const reachable = new Set<Channel>(["in_app"]);
  if (user.dataKeyWrapped) reachable.add("email");
  if (settings?.phoneEnc && user.dataKeyWrapped) reachable.add("sms");
  if (push.length > 0) reachable.add("push");
  const timeZone = settings?.timeZone ?? "UTC";
  return {
    userId,
    region,
    role: user.role,
    locale: pickLocale(settings?.locale),
    timeZone,
    quiet: { timeZone, start: settings?.quietStart ?? null, end: settings?.quietEnd ?? null },
    digestMinutes: settings?.digestMinutes ?? 60,
    onCall: settings?.onCall ?? false,
    prefs: prefs.map((p) => ({
      eventType: p.eventType,
      channel: p.channel,
      enabled: p.enabled,
      digest: p.digest,
    })),
    push,
    reachable,
    email: async () => (await cipher())?.decrypt("email", user.emailEnc) ?? null,
    phone: async () => (await cipher())?.decryptOptional("notify.phone", settings?.phoneEnc ?? null) ?? null,
  };
}

/** The public origin links point to: the first configured CORS origin (the web app). */
export function appOrigin(config: Pick<Config, "CORS_ORIGINS">): string {
  const first = config.CORS_ORIGINS.split(",")
    .map((o) => o.trim())
    .find((o) => o.length > 0);
  return first ?? "https://app.haven.example";
}
