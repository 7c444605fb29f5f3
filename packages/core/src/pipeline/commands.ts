/**
 * Commands: what the pipeline asks the outside world to do after a transition. They are data; the
 * run-advancing use case hands them to the stage executors. Every command is idempotent per run.
 */
export type PipelineCommand =
  | { type: "generateQueries"; runId: string; corpus: string }
  | { type: "startTraining"; runId: string; corpus: string; pairsKey: string }
  | { type: "deployModel"; runId: string; corpus: string; modelKey: string }
  | { type: "buildIndex"; runId: string; corpus: string; modelId: string }
  | { type: "evaluate"; runId: string; corpus: string; indexVersion: string }
  | { type: "promoteIndex"; runId: string; corpus: string; indexVersion: string }
  | { type: "publishOutcome"; runId: string; corpus: string; outcome: "succeeded" | "failed" | "rejected"; reason: string };

export type PipelineCommandType = PipelineCommand["type"];
