/**
 * `p`, or a rejection with Error("deadline") once `ms` have passed — whichever comes first. The
 * timer is cleared when `p` settles, so nothing is left pending. (Dependency calls use the
 * deadlines in `resilience.ts`; this bounds other waits: a Durable Object answer, a context read.)
 */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error("deadline")), ms) as ReturnType<typeof setTimeout>;
    }),
  ]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
