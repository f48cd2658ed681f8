/** What the vitest globalSetup hands to the workerd test pool (see test/global-setup.ts). */
declare module "vitest" {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
    openaiControlUrl: string;
    /** Fault suite only: the control server of the proxies in front of the stack. */
    faultControlUrl: string;
    /** Fuzz budget per operation × role (0 = the CI default) and seed (0 = the fixed CI seed). */
    fuzzRuns: number;
    fuzzSeed: number;
  }
}

export {};
