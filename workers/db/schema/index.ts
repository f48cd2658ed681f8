export * from "./audit";
export * from "./auth";
export * from "./care";
export * from "./chat";
export * from "./screeners";
export * from "./sessions";
export * from "./users";
