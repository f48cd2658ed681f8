/**
 * Haven's psychoeducation library: short, plain-language items written for Haven, each with the
 * evidence it rests on and a review date. Versioned: changing an item's text means raising its
 * `version` (the retrieval index re-embeds it). No PHI, ever.
 *
 * Status: written by Haven's engineering team from the cited sources; NOT yet signed off by a
 * licensed clinician (`reviewedBy` says so). A clinical content review is required before
 * production use.
 */
export interface LibraryItem {
  slug: string;
  version: number;
  title: string;
  /** One line, shown in lists and used in citations. */
  summary: string;
  /** Plain-language steps or explanation (a few short paragraphs). */
  body: string[];
  sources: string[];
  reviewedOn: string;
  nextReviewOn: string;
  reviewedBy: string;
  /** Words people use when they need this item (indexed with the text). */
  keywords: string[];
}

const REVIEW = {
  reviewedOn: "2026-11-30",
  nextReviewOn: "2027-11-30",
  reviewedBy: "engineering draft, awaiting clinical sign-off",
};

export const LIBRARY: readonly LibraryItem[] = [
  {
    slug: "thought-record",
    version: 1,
    title: "Thought record",
    summary: "Write down a hard moment, the thought behind it, and look at the evidence for and against it.",
    body: [
      "When a feeling hits hard, pause and write down: the situation (what happened, where, when), the emotion and how strong it is from 0 to 100, and the thought that went through your mind.",
      "Then look at that thought like a detective: what facts support it, and what facts don't? What would you tell a friend who had this thought?",
      "Finish with a more balanced thought that fits all the facts, and rate the emotion again. It often drops a little — that is the skill working.",
    ],
    sources: [
      "Beck, J. S. (2020). Cognitive Behavior Therapy: Basics and Beyond (3rd ed.). Guilford Press.",
      "Greenberger, D., & Padesky, C. A. (2015). Mind Over Mood (2nd ed.). Guilford Press.",
    ],
    keywords: [
      "negative thoughts",
      "overthinking",
      "challenge thoughts",
      "CBT worksheet",
      "evidence",
      "write down feelings",
    ],
    ...REVIEW,
  },
  {
    slug: "thinking-traps",
    version: 1,
    title: "Thinking traps (cognitive distortions)",
    summary:
      "Spot common unhelpful thinking patterns such as catastrophising, mind reading and all-or-nothing thinking.",
    body: [
      "Our minds take shortcuts. Some of them are traps: all-or-nothing thinking (\"if it isn't perfect it's a failure\"), catastrophising (jumping to the worst outcome), mind reading (\"they think I'm stupid\"), fortune telling, labelling yourself, and 'should' statements.",
      "Naming the trap — \"that's catastrophising\" — puts a little distance between you and the thought. You don't have to argue with it yet; just notice it.",
      "If a trap shows up often, a thought record can help you test it.",
    ],
    sources: [
      "Burns, D. D. (1980). Feeling Good: The New Mood Therapy. William Morrow.",
      "Beck, J. S. (2020). Cognitive Behavior Therapy: Basics and Beyond (3rd ed.). Guilford Press.",
    ],
    keywords: [
      "worst case",
      "catastrophizing",
      "always",
      "never",
      "everyone hates me",
      "jumping to conclusions",
    ],
    ...REVIEW,
  },
  {
    slug: "behavioural-activation",
    version: 1,
    title: "Behavioural activation: small steps back to things that matter",
    summary: "When mood is low, plan small, doable activities first — motivation often follows action.",
    body: [
      "Low mood makes us do less, and doing less makes mood lower. Behavioural activation breaks that loop by scheduling small activities before you feel like doing them.",
      "Pick one or two things for tomorrow: something you used to enjoy, something that gives a sense of achievement, or something that matters to you. Make them small — a ten-minute walk, one message to a friend, washing a few dishes.",
      "Afterwards, note how you felt from 0 to 10. Over days, you build a map of what helps.",
    ],
    sources: [
      "Martell, C. R., Dimidjian, S., & Herman-Dunn, R. (2010). Behavioral Activation for Depression: A Clinician's Guide. Guilford Press.",
      "Cuijpers, P., van Straten, A., & Warmerdam, L. (2007). Behavioral activation treatments of depression: a meta-analysis. Clinical Psychology Review, 27(3), 318–326.",
    ],
    keywords: [
      "no motivation",
      "can't get out of bed",
      "depressed",
      "nothing to do",
      "stuck",
      "lazy",
      "energy",
    ],
    ...REVIEW,
  },
  {
    slug: "grounding-5-4-3-2-1",
    version: 1,
    title: "Grounding 5-4-3-2-1",
    summary:
      "Bring yourself back to the present by naming five things you see, four you feel, three you hear, two you smell and one you taste.",
    body: [
      "When you feel overwhelmed, panicky or far away, use your senses to come back to right now.",
      "Name 5 things you can see. 4 things you can feel (your feet on the floor, your back against the chair). 3 things you can hear. 2 things you can smell. 1 thing you can taste.",
      "Go slowly and say them out loud if you can. It's fine if it doesn't fix everything — the aim is to get through the next few minutes.",
    ],
    sources: [
      "Najavits, L. M. (2002). Seeking Safety: A Treatment Manual for PTSD and Substance Abuse. Guilford Press (grounding).",
      "A widely taught exercise; the evidence is mostly clinical consensus rather than trials of this exact sequence.",
    ],
    keywords: [
      "panic attack",
      "overwhelmed",
      "dissociating",
      "flashback",
      "spiralling",
      "anxious right now",
      "calm down",
    ],
    ...REVIEW,
  },
  {
    slug: "paced-breathing",
    version: 1,
    title: "Paced breathing",
    summary: "Slow your breathing to about six breaths a minute: in for four, out for six.",
    body: [
      "Slow breathing can settle the body's alarm system. Breathe in gently through your nose for a count of four, then out slowly through your mouth for a count of six.",
      "Keep going for two to five minutes. A longer out-breath than in-breath is the important part.",
      "If counting feels stressful, just make each out-breath a little longer than the one before.",
    ],
    sources: [
      "Zaccaro, A., et al. (2018). How breath-control can change your life: a systematic review on psycho-physiological correlates of slow breathing. Frontiers in Human Neuroscience, 12, 353.",
    ],
    keywords: ["breathe", "heart racing", "tense", "stress", "relax", "calm", "anxiety"],
    ...REVIEW,
  },
  {
    slug: "sleep-hygiene",
    version: 1,
    title: "Sleep: habits that help",
    summary:
      "Keep regular wake times, use the bed only for sleep, and get up if you can't sleep after about 20 minutes.",
    body: [
      "Get up at the same time every day, even after a bad night. A steady wake time is the anchor for the body clock.",
      "Use your bed for sleep (and sex) only. If you've been awake for about 20 minutes, get up, do something quiet in dim light, and go back when you feel sleepy.",
      "Cut caffeine after midday, keep screens out of the last hour before bed, and keep the bedroom cool, dark and quiet. Avoid long naps.",
      "If sleep problems last more than a few weeks, talk to your clinician: CBT for insomnia works well.",
    ],
    sources: [
      "Irish, L. A., et al. (2015). The role of sleep hygiene in promoting public health: a review of empirical evidence. Sleep Medicine Reviews, 22, 23–36.",
      "Bootzin, R. R. (1972). Stimulus control treatment for insomnia. Proceedings of the American Psychological Association, 7, 395–396.",
    ],
    keywords: [
      "can't sleep",
      "insomnia",
      "awake at night",
      "tired",
      "sleeping",
      "bedtime",
      "nightmares",
      "rest",
    ],
    ...REVIEW,
  },
  {
    slug: "worry-time",
    version: 1,
    title: "Worry time",
    summary: "Postpone worries to a set 15-minute slot each day instead of fighting them all day.",
    body: [
      "Choose a 15-minute 'worry time' at the same time each day, not close to bedtime.",
      'When a worry pops up during the day, write it down in a word or two and tell yourself: "I\'ll think about this at worry time." Then bring your attention back to what you were doing.',
      "At worry time, go through the list. Some worries will have faded. For the rest, ask: can I do something about this? If yes, plan a step; if not, practise letting it go.",
    ],
    sources: [
      "Borkovec, T. D., Wilkinson, L., Folensbee, R., & Lerman, C. (1983). Stimulus control applications to the treatment of worry. Behaviour Research and Therapy, 21(3), 247–251.",
    ],
    keywords: ["worrying", "can't stop thinking", "what if", "anxious thoughts", "ruminating", "racing mind"],
    ...REVIEW,
  },
  {
    slug: "self-compassion",
    version: 1,
    title: "Self-compassion",
    summary: "Talk to yourself the way you would talk to a good friend who is struggling.",
    body: [
      'When you notice harsh self-criticism, pause and try three steps: notice ("this is a hard moment"), remember you are not alone ("struggling is part of being human"), and offer kindness ("may I be patient with myself").',
      "Ask: what would I say to a friend in my place? Then say that to yourself, in the same tone.",
      "Self-compassion is not letting yourself off the hook; it makes it easier to learn from mistakes.",
    ],
    sources: [
      "Neff, K. D. (2003). Self-compassion: an alternative conceptualization of a healthy attitude toward oneself. Self and Identity, 2, 85–101.",
      "Neff, K. D., & Germer, C. K. (2013). A pilot study and randomized controlled trial of the Mindful Self-Compassion program. Journal of Clinical Psychology, 69(1), 28–44.",
    ],
    keywords: [
      "hate myself",
      "failure",
      "not good enough",
      "self-critical",
      "guilt",
      "shame",
      "kind to myself",
    ],
    ...REVIEW,
  },
  {
    slug: "problem-solving",
    version: 1,
    title: "Problem solving, step by step",
    summary: "Define the problem, list options without judging, pick one, try it, and review.",
    body: [
      "Write the problem in one sentence, as specifically as you can.",
      "List every option you can think of, even silly ones — don't judge yet. Then go through them: pros, cons, and whether you can actually do it.",
      "Pick one, break it into small steps, and choose when you'll take the first. Afterwards, review: what happened, and what would you try next?",
    ],
    sources: [
      "D'Zurilla, T. J., & Nezu, A. M. (2007). Problem-Solving Therapy: A Positive Approach to Clinical Intervention (3rd ed.). Springer.",
      "Bell, A. C., & D'Zurilla, T. J. (2009). Problem-solving therapy for depression: a meta-analysis. Clinical Psychology Review, 29(4), 348–353.",
    ],
    keywords: [
      "don't know what to do",
      "decision",
      "too many problems",
      "overwhelmed by tasks",
      "money",
      "work problem",
    ],
    ...REVIEW,
  },
  {
    slug: "first-therapy-session",
    version: 1,
    title: "Preparing for your first therapy session",
    summary: "What usually happens in a first session, and a few notes to bring with you.",
    body: [
      "A first session is mostly getting to know each other: what brings you, what you'd like to change, your history and what has helped before. You choose how much to share.",
      "It helps to jot down beforehand: what's been hardest lately, when it started, what you hope therapy can help with, and any questions (how long sessions last, confidentiality, what happens between sessions).",
      "It's normal to feel nervous. Saying so in the session is a good start. If something doesn't feel right, you can say that too.",
    ],
    sources: [
      "Swift, J. K., & Greenberg, R. P. (2012). Premature discontinuation in adult psychotherapy: a meta-analysis. Journal of Consulting and Clinical Psychology, 80(4), 547–559 (clear expectations help people stay in therapy).",
    ],
    keywords: [
      "therapist",
      "first appointment",
      "nervous about therapy",
      "what to say",
      "counselling",
      "session",
    ],
    ...REVIEW,
  },
  {
    slug: "safety-planning",
    version: 1,
    title: "Safety planning",
    summary:
      "A written plan for hard moments: warning signs, coping steps, people and places, and who to call.",
    body: [
      "A safety plan is a short list you write while you are calm, to use when things get hard: your warning signs, things you can do on your own to cope, people and places that distract you, people you can ask for help, professionals and crisis lines, and ways to make your surroundings safer.",
      "Keep it where you can reach it — on your phone, and in Haven. Your clinician can help you write it.",
      "If you are in danger now, call your local emergency number or a crisis line straight away.",
    ],
    sources: [
      "Stanley, B., & Brown, G. K. (2012). Safety Planning Intervention: a brief intervention to mitigate suicide risk. Cognitive and Behavioral Practice, 19(2), 256–264.",
    ],
    keywords: ["crisis plan", "when things get bad", "coping plan", "who to call", "warning signs"],
    ...REVIEW,
  },
];

export const LIBRARY_BY_SLUG: ReadonlyMap<string, LibraryItem> = new Map(LIBRARY.map((i) => [i.slug, i]));

/** The text that is embedded for retrieval: title, summary, keywords and body. */
export function indexText(item: LibraryItem): string {
  return [item.title, item.summary, item.keywords.join(", "), ...item.body].join("\n");
}
