/** What the vitest globalSetup hands to the workerd test pool (see test/global-setup.ts). */
declare module "vitest" {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
    openaiControlUrl: string;
  }
}

export {};
