export * from "./audit";
export * from "./auth";
export * from "./care";
export * from "./chat";
export * from "./screeners";
export * from "./users";
export * from "./tracking";
