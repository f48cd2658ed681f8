import { type ConsentState, consentState } from "../../lib/care-data/consents";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";

export {
  type ConsentState,
  chatAllowed,
  consentRequired,
  missingChatConsent,
} from "../../lib/care-data/consents";

/**
 * The consents a user holds now (open grants under the current policy), read in their region
 * through the care-data layer: one indexed query, no audit row (a consent check reads no health
 * data and runs before any is touched).
 */
export function consentsOf(scope: Scope, userId: string, region: Region): Promise<ConsentState> {
  return consentState(scope.db(region), userId);
}
