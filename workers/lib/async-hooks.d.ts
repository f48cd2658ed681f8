/**
 * The part of `node:async_hooks` workerd provides under `nodejs_compat` that Haven uses
 * (workers/lib/correlation.ts). Declared here rather than pulling all of @types/node into the
 * Worker's types, which would bring Node globals that do not exist in workerd.
 */
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R;
    getStore(): T | undefined;
  }
}
