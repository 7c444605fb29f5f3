// Lambda (on a schedule): the reconciler — re-issue what lost events left waiting, fail runs past their deadline.
import { reconcileRuns } from "@genq/core";
import { awsDeps } from "../aws-deps.ts";

export const handler = async (): Promise<void> => {
  const deps = awsDeps();
  const summary = await reconcileRuns({ ...deps.handlerDeps, deadlines: deps.deadlines });
  deps.handlerDeps.logger.info("runs reconciled", { ...summary });
};
