/**
 * The companion's direct check-in question for ambiguous messages (the `check_in` tier).
 *
 * Clinicians are taught to ask about suicide directly and kindly: asking does not put the idea in
 * anyone's head, and it gives the person permission to say it. The answer is assessed like any
 * message, with `afterCheckIn` set, so "yes" or "sometimes" counts as passive ideation.
 */
export const CHECK_IN_TEXT =
  "I want to check in with you, because what you just said matters to me. Sometimes when people feel this way, they have thoughts of suicide or of not wanting to be alive. Are you having thoughts like that right now? Whatever the answer is, it's okay to tell me. If you're in danger right now, please call your local emergency number.";
