import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  type ProductionVariantInstanceType,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { ValidationError, type AnswerSpan, type Encoder, type Generator, type Passage, type Reader } from "@genq/core";

export interface EndpointSettings {
  roleArn: string;
  /** The Hugging Face PyTorch inference image (ECR URI) for the region. */
  inferenceImage: string;
  /** Serverless (the low-idle-cost default) or a real-time instance. */
  mode:
    | { kind: "serverless"; memoryMb: number; maxConcurrency: number }
    | { kind: "real-time"; instanceType: string; instanceCount?: number };
}

export const endpointNames = {
  model: (runId: string) => `genq-${runId}-enc`.slice(0, 63),
  /** The run an endpoint name belongs to, or null. */
  runOf(name: string): string | null {
    return /^genq-(.+)-enc$/.exec(name)?.[1] ?? null;
  },
};

/**
 * Deploys a run's tuned model behind a SageMaker endpoint — model, endpoint config (serverless or
 * real-time) and endpoint, all named after the run — and deletes the endpoint of a superseded model.
 * The endpoint's "Endpoint State Change" event (IN_SERVICE or FAILED) continues the pipeline.
 */
export function createSageMakerDeployer(client: SageMakerClient, s: EndpointSettings) {
  const requests = (corpus: string, runId: string, modelDataUrl: string) => {
    const name = endpointNames.model(runId);
    const variant =
      s.mode.kind === "serverless"
        ? {
            VariantName: "tuned",
            ModelName: name,
            ServerlessConfig: { MemorySizeInMB: s.mode.memoryMb, MaxConcurrency: s.mode.maxConcurrency },
          }
        : {
            VariantName: "tuned",
            ModelName: name,
            InstanceType: s.mode.instanceType as ProductionVariantInstanceType,
            InitialInstanceCount: s.mode.instanceCount ?? 1,
          };
    return {
      // The toolkit imports code/inference.py from inside the model archive (train.py puts it there) and
      // never downloads SAGEMAKER_SUBMIT_DIRECTORY (aws/sagemaker-huggingface-inference-toolkit
      // handler_service.py); SAGEMAKER_PROGRAM names the module (sagemaker-inference-toolkit environment.py).
      model: {
        ModelName: name,
        ExecutionRoleArn: s.roleArn,
        PrimaryContainer: {
          Image: s.inferenceImage,
          ModelDataUrl: modelDataUrl,
          Environment: { SAGEMAKER_PROGRAM: "inference.py" },
        },
      },
      config: { EndpointConfigName: name, ProductionVariants: [variant] },
      endpoint: {
        EndpointName: name,
        EndpointConfigName: name,
        Tags: [
          { Key: "genq:corpus", Value: corpus },
          { Key: "genq:run", Value: runId },
        ],
      },
    };
  };
  const ignoreExisting = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      if (!/already exist/i.test((error as Error).message ?? "")) throw error;
    }
  };
  return {
    requests,
    async deploy(corpus: string, runId: string, modelDataUrl: string): Promise<string> {
      const r = requests(corpus, runId, modelDataUrl);
      await ignoreExisting(client.send(new CreateModelCommand(r.model)));
      await ignoreExisting(client.send(new CreateEndpointConfigCommand(r.config)));
      await ignoreExisting(client.send(new CreateEndpointCommand(r.endpoint)));
      return r.endpoint.EndpointName;
    },
    /**
     * The run's endpoint status (`Creating`, `InService`, `Failed`, …) or null when it does not exist: how
     * a re-issued deployment finds an endpoint whose state-change event was lost.
     */
    async status(runId: string): Promise<string | null> {
      try {
        return (
          (await client.send(new DescribeEndpointCommand({ EndpointName: endpointNames.model(runId) })))
            .EndpointStatus ?? null
        );
      } catch (error) {
        if (/could not find|does not exist/i.test((error as Error).message ?? "")) return null;
        throw error;
      }
    },
    /** Remove a superseded run's endpoint, config and model (missing ones are fine). */
    async retire(runId: string): Promise<void> {
      const name = endpointNames.model(runId);
      const deletions = [
        () => client.send(new DeleteEndpointCommand({ EndpointName: name })),
        () => client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })),
        () => client.send(new DeleteModelCommand({ ModelName: name })),
      ];
      for (const remove of deletions) {
        try {
          await remove();
        } catch (error) {
          if (!/could not find|does not exist/i.test((error as Error).message ?? "")) throw error;
        }
      }
    },
  };
}

async function invoke<T>(runtime: SageMakerRuntimeClient, endpoint: string, body: unknown): Promise<T> {
  const out = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      ContentType: "application/json",
      Accept: "application/json",
      Body: new TextEncoder().encode(JSON.stringify(body)),
    }),
  );
  return JSON.parse(new TextDecoder().decode(out.Body)) as T;
}

/** Encoder over a SageMaker endpoint running inference.py: `{"inputs", "kind"}` → unit vectors. */
export function createSageMakerEncoder(runtime: SageMakerRuntimeClient, endpoint: string, dimensions: number): Encoder {
  return {
    dimensions,
    async encode(texts, kind) {
      if (!texts.length) return [];
      const out = await invoke<{ embeddings: number[][]; dimensions: number }>(runtime, endpoint, {
        inputs: texts,
        kind,
      });
      if (out.embeddings.length !== texts.length || out.dimensions !== dimensions) {
        throw new ValidationError(
          `endpoint ${endpoint} returned ${out.embeddings.length}×${out.dimensions} vectors, expected ${texts.length}×${dimensions}`,
        );
      }
      return out.embeddings.map((v) => Float32Array.from(v));
    },
  };
}

type QaOutput = { answer: string; score: number; start: number; end: number };

/**
 * Reader over an extractive-QA endpoint (e.g. deepset/roberta-base-squad2 on the Hugging Face container):
 * each passage is asked the question with `handle_impossible_answer`, so the model may say "no answer"
 * (the transformers question-answering pipeline then returns answer "" at 0–0, scored as the null
 * answer). The reader abstains when the null answer outscores every span in every passage, or when the
 * best span scores below `threshold`. Scores are the model's softmax, not calibrated like the embedded reader's.
 */
export function createSageMakerReader(
  runtime: SageMakerRuntimeClient,
  endpoint: string,
  options: { threshold?: number } = {},
): Reader {
  const threshold = options.threshold ?? 0;
  return {
    async read(question, passages, topK) {
      const t0 = performance.now();
      const spans: AnswerSpan[] = [];
      let nullScore = 0;
      for (const p of passages) {
        const out = await invoke<QaOutput | QaOutput[]>(runtime, endpoint, {
          inputs: { question, context: p.text },
          parameters: { top_k: topK, handle_impossible_answer: true },
        });
        for (const a of Array.isArray(out) ? out : [out]) {
          if (!a.answer) nullScore = Math.max(nullScore, a.score);
          else if (a.start >= 0 && a.end <= p.text.length && a.start < a.end)
            spans.push({
              passageId: p.id,
              start: a.start,
              end: a.end,
              text: p.text.slice(a.start, a.end),
              score: a.score,
            });
        }
      }
      spans.sort((a, b) => b.score - a.score);
      const best = spans[0];
      const answers =
        best && best.score > nullScore && best.score >= threshold
          ? spans.filter((s) => s.score >= threshold).slice(0, topK)
          : [];
      return {
        answers,
        noAnswer: answers.length === 0,
        bestGuess: answers.length ? null : (best ?? null),
        metadata: { model: `sagemaker:${endpoint}`, latencyMs: Math.round(performance.now() - t0), threshold },
      };
    },
  };
}

/**
 * Generator over an LLM endpoint (text-generation container): the passages are numbered in the prompt,
 * the model cites them as [n]; every sentence without a valid citation is dropped, so each sentence of
 * the answer cites a passage (the whole passage text as its span). An answer left with no cited
 * sentence is reported as "not in the passages".
 */
export function createSageMakerGenerator(runtime: SageMakerRuntimeClient, endpoint: string): Generator {
  return {
    async answer(question, passages: readonly Passage[]) {
      const t0 = performance.now();
      const context = passages.map((p, i) => `[${i + 1}] ${p.text}`).join("\n\n");
      const prompt = `Answer the question using only the numbered passages. End every sentence with the number of the passage it comes from, like [1]. If the passages do not contain the answer, say so without a number.\n\n${context}\n\nQuestion: ${question}\nAnswer:`;
      const out = await invoke<Array<{ generated_text: string }>>(runtime, endpoint, {
        inputs: prompt,
        parameters: { max_new_tokens: 300, temperature: 0.1, return_full_text: false },
      });
      const text = out[0]?.generated_text ?? "";
      const sentences = text
        .split(/(?<=[.!?])\s+/)
        .map((s) => s.trim())
        .filter(Boolean)
        .flatMap((s) => {
          const refs = [...s.matchAll(/\[(\d+)\]/g)]
            .map((m) => passages[Number(m[1]) - 1])
            .filter((p): p is Passage => Boolean(p));
          return refs.length
            ? [
                {
                  text: s.replace(/\s*\[\d+\]/g, "").trim(),
                  citations: refs.map((p) => ({ passageId: p.id, start: 0, end: p.text.length })),
                },
              ]
            : [];
        });
      const metadata = { model: `sagemaker:${endpoint}`, latencyMs: Math.round(performance.now() - t0) };
      if (!sentences.length)
        return {
          answer: "",
          sentences: [],
          noAnswer: true,
          reason: "the model cited no passage: the passages do not contain the answer",
          metadata,
        };
      return { answer: sentences.map((s) => s.text).join(" "), sentences, noAnswer: false, metadata };
    },
  };
}
