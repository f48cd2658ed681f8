/**
 * Small talk that must NOT be grounded in a library item. The local relevance threshold
 * (LIBRARY_MIN_SCORE = 0.2 for the offline embedding) was chosen on this list — it is tuning
 * data, reported apart from the retrieval set.
 */
export const OFF_TOPIC: readonly string[] = [
  "I planted tomatoes today",
  "what's the weather like",
  "tell me a joke",
  "my cat knocked over a glass",
  "I watched a film with my sister",
  "how are you",
  "I had pasta for dinner",
  "the train was late this morning",
  "thanks for listening",
  "I went for a walk in the park",
];
