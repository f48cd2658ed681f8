export * from "./assessments";
export * from "./audit";
export * from "./auth";
export * from "./care";
export * from "./chat";
export * from "./companion";
export * from "./screeners";
export * from "./users";
