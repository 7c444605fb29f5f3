// Lambda: genq's own stage events from the bus → the next stage (indexing → evaluation → promotion).
import { awsDeps } from "../aws-deps.ts";
import { createPipelineEventsHandler } from "../pipeline-events.ts";

export const handler = createPipelineEventsHandler(async () => awsDeps().handlerDeps);
