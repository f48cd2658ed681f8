import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { z } from "zod";
import { updateRequest } from "../../lib/care-data/lifecycle";
import { RegionSchema } from "../../lib/vocabulary";
import { buildExport } from "./export";
import { lifecycleScope } from "./job-scope";

export const ExportParams = z.object({ requestId: z.uuid(), region: RegionSchema });
export type ExportParams = z.infer<typeof ExportParams>;

/**
 * The export job as a Cloudflare Workflow: each step's result is persisted by the runtime, so a
 * restart midway resumes after the last completed step, and a failed step is retried with backoff.
 * The build step itself is idempotent (same object keys, a claim on the request row).
 */
export class ExportWorkflow extends WorkflowEntrypoint<Env, ExportParams> {
  override async run(event: Readonly<WorkflowEvent<ExportParams>>, step: WorkflowStep) {
    const params = ExportParams.parse(event.payload);
    try {
      return await this.build(params, step);
    } catch {
      // Every retry failed: say so on the request (the admin console lists it) instead of "running".
      await step.do("mark failed", async () => {
        const scope = lifecycleScope(this.env, "export.build");
        await updateRequest(scope.db(params.region), params.requestId, {
          status: "failed",
          error: "build_failed",
        });
        return true;
      });
      return { status: "failed" };
    }
  }

  private build(params: ExportParams, step: WorkflowStep) {
    return step.do(
      "build archive and FHIR bundle",
      { retries: { limit: 5, delay: "5 seconds", backoff: "exponential" }, timeout: "10 minutes" },
      async () => {
        const scope = lifecycleScope(this.env, "export.build");
        const built = await buildExport(scope, params.region, params.requestId);
        return { status: built.status };
      },
    );
  }
}
