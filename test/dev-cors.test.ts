import { describe, expect, it } from "vitest";
import { devCorsOrigins } from "../scripts/dev-cors";

describe("dev CORS follows the dev port", () => {
  it("trusts the port the dev server runs on, and not :8787", () => {
    const origins = devCorsOrigins("127.0.0.1", 8870).split(",");
    expect(origins).toEqual(["http://127.0.0.1:8870", "http://localhost:8870"]);
    expect(origins.some((o) => o.endsWith(":8787"))).toBe(false);
  });

  it("keeps a custom host and brackets IPv6", () => {
    expect(devCorsOrigins("::1", 9000)).toBe("http://[::1]:9000,http://127.0.0.1:9000,http://localhost:9000");
    expect(devCorsOrigins("0.0.0.0", 9000)).toBe("http://127.0.0.1:9000,http://localhost:9000");
  });
});
