export * from "./assessments";
export * from "./audit";
export * from "./auth";
export * from "./care";
export * from "./chat";
export * from "./screeners";
export * from "./tracking";
export * from "./users";
