import { gunzipSync, gzipSync } from "node:zlib";
import { createTar, parseTar } from "nanotar";
import { deserialiseModel, type StaticModel } from "@genq/ml";
import {
  HandlerError,
  defaultHandlerContainer,
  deterministicQueries,
  queryGenerationPipeline,
  type ModelContainer,
} from "./hf-toolkit.ts";

/** Files of a `.tar.gz`, keyed by path without a leading `./` (SageMaker tars SM_MODEL_DIR's contents). */
export function readTarGz(bytes: Uint8Array): Map<string, Uint8Array> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(bytes);
  } catch {
    throw new Error("not a gzip-compressed tar archive");
  }
  return new Map(
    parseTar(tar)
      .filter((f) => f.data && f.type !== "directory")
      .map((f) => [f.name.replace(/^\.\//, ""), f.data!]),
  );
}

export function writeTarGz(files: ReadonlyMap<string, Uint8Array | string>): Uint8Array {
  return gzipSync(createTar([...files].map(([name, data]) => ({ name, data }))));
}

/** What the inference toolkit needs inside a model archive to run genq's handlers (train.py puts them there). */
export const INFERENCE_CODE = ["code/inference.py", "code/requirements.txt"] as const;

/**
 * A stand-in for sagemaker/inference.py running in the toolkit, over the static-embedding model the
 * simulated training job wrote: the same requests, answers and refusals (the Python source is the
 * contract; sagemaker-scripts.test.ts runs it). The toolkit turns the handler's ValueError into 400.
 */
export function genqEncoderContainer(model: StaticModel): ModelContainer {
  const textOf = (record: Record<string, unknown>) => {
    let inputs = record.inputs;
    if (Array.isArray(inputs) && inputs.length === 1) inputs = inputs[0];
    if (typeof inputs === "string") return inputs;
    if (typeof record.text === "string") return record.title ? `${record.title}\n${record.text}` : record.text;
    throw new HandlerError('every line needs "text" (a passage record) or "inputs" (a string)');
  };
  const vector = (text: string) => Array.from(model.encode(text), (v) => Math.round(v * 1e6) / 1e6);
  return {
    async invoke(body, contentType) {
      try {
        const text = new TextDecoder().decode(body);
        let answer: string;
        if (contentType === "application/json") {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (error) {
            throw new HandlerError(`Expecting value: ${(error as Error).message}`);
          }
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
            throw new HandlerError('send a JSON object {"inputs": [...], "kind": "query" | "passage"}');
          let inputs = (parsed as { inputs?: unknown }).inputs;
          if (typeof inputs === "string") inputs = [inputs];
          if (!Array.isArray(inputs) || !inputs.every((t) => typeof t === "string"))
            throw new HandlerError('"inputs" must be a string or a list of strings');
          answer = JSON.stringify({ embeddings: inputs.map(vector), dimensions: model.dimensions });
        } else if (contentType === "application/jsonlines") {
          const records = text
            .split(/\r?\n/)
            .filter((l) => l.trim())
            .map((l) => {
              const r = JSON.parse(l) as unknown;
              if (!r || typeof r !== "object" || Array.isArray(r))
                throw new HandlerError("every line must be a JSON object");
              return r as Record<string, unknown>;
            });
          answer = records
            .map((r) => {
              const { inputs: _inputs, ...rest } = r;
              return JSON.stringify({ ...rest, embedding: vector(textOf(r)) });
            })
            .join("\n");
        } else {
          throw new HandlerError(
            `unsupported content type ${contentType}; send application/json (endpoint) or application/jsonlines (batch transform)`,
          );
        }
        return { status: 200, body: new TextEncoder().encode(answer), contentType: "application/json" };
      } catch (error) {
        if (!(error instanceof HandlerError) && !(error instanceof SyntaxError)) throw error;
        return { status: 400, body: new TextEncoder().encode(error.message), contentType: "text/plain" };
      }
    },
  };
}

/** Why a model cannot be created, or null: the simulator's CreateModel check on the container. */
export function modelProblem(
  container: { ModelDataUrl?: string; Environment?: Record<string, string> },
  archive: Map<string, Uint8Array> | null,
): string | null {
  if (container.ModelDataUrl) {
    if (!archive) return `Could not find model data at ${container.ModelDataUrl}.`;
    // The toolkit imports user code only from code/ inside the archive (handler_service.py
    // initialize()); without it the stock handler would serve a default pipeline instead of genq's
    // encoder protocol, so the simulator refuses the model at once rather than at the first request.
    const missing = INFERENCE_CODE.filter((f) => !archive.has(f));
    if (missing.length)
      return `model data ${container.ModelDataUrl} has no ${missing.join(" or ")}: the Hugging Face inference toolkit would not run genq's handlers`;
    return null;
  }
  const env = container.Environment ?? {};
  if (!env.HF_MODEL_ID)
    return "a model needs ModelDataUrl (an archive with code/inference.py) or HF_MODEL_ID (a Hub model)";
  if (env.HF_TASK !== "text2text-generation")
    return `the simulator serves Hub models for HF_TASK text2text-generation only, not ${env.HF_TASK ?? "(unset)"}`;
  return null;
}

/** The running container for a created model: the stock toolkit with a query writer, or genq's encoder. */
export function startContainer(
  container: { ModelDataUrl?: string; Environment?: Record<string, string> },
  archive: Map<string, Uint8Array> | null,
): ModelContainer {
  if (!container.ModelDataUrl) return defaultHandlerContainer(queryGenerationPipeline(deterministicQueries));
  const manifest = archive?.get("manifest.json");
  const weights = archive?.get("model.bin");
  if (!manifest || !weights)
    throw new Error("model_fn failed: the archive holds no model (manifest.json and model.bin)");
  return genqEncoderContainer(deserialiseModel(new TextDecoder().decode(manifest), weights).model);
}
