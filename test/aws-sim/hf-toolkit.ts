/**
 * The Hugging Face inference toolkit's request handling, as the stock container runs it when the model
 * brings no code/inference.py (aws/sagemaker-huggingface-inference-toolkit, src/
 * sagemaker_huggingface_inference_toolkit/): handle() → preprocess (decoder_encoder.decode) → predict
 * (pop "inputs" and "parameters", call the pipeline) → postprocess (decoder_encoder.encode). Any
 * exception becomes a 400 whose body is the exception's text (handle(): PredictionException(str(e), 400)).
 */

/** A model server answering /invocations: what a SageMaker container does for one request. */
export interface ModelContainer {
  invoke(
    body: Uint8Array,
    contentType: string,
    accept: string | undefined,
  ): Promise<{ status: number; body: Uint8Array; contentType: string }>;
}

/** An exception inside the handler: its text is what the client sees with status 400. */
export class HandlerError extends Error {}

/**
 * sagemaker_inference.errors.UnsupportedFormatError's text. The template's first line is not indented
 * and the others are, so textwrap.dedent removes nothing: the 12-space indent is part of the message.
 */
export const unsupportedFormat = (contentType: string) =>
  `Content type ${contentType} is not supported by this framework.\n\n            Please implement input_fn to to deserialize the request data or an output_fn to\n            serialize the response. For more information, see the SageMaker Python SDK README.`;

// content_types.py: what decoder_encoder._decoder_map knows. The stand-in decodes JSON and CSV (what a
// text pipeline can take); npy, images and audio are accepted as formats but no text pipeline reads them.
const JSON_TYPE = "application/json";
const CSV = "text/csv";
const BINARY_TYPES = [
  "application/x-npy",
  "image/jpeg",
  "image/png",
  "image/tiff",
  "image/bmp",
  "image/gif",
  "image/webp",
  "image/x-image",
  "audio/x-flac",
  "audio/mpeg",
  "audio/wave",
  "audio/ogg",
  "audio/x-audio",
];
const ENCODABLE = [
  JSON_TYPE,
  CSV,
  "application/x-npy",
  "image/jpeg",
  "image/png",
  "image/tiff",
  "image/bmp",
  "image/gif",
  "image/webp",
  "image/x-image",
];

/** decoder_encoder.decode: JSON via json.loads, CSV with an inputs/question/context header; others refused. */
export function decodeRequest(body: Uint8Array, contentType: string): unknown {
  if (contentType === JSON_TYPE) {
    try {
      return JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      throw new HandlerError(`Expecting value: ${(error as Error).message}`);
    }
  }
  if (contentType === CSV) {
    const [header, ...rows] = new TextDecoder().decode(body).split(/\r?\n/).filter(Boolean);
    if (!header || !["question", "context", "inputs"].some((h) => header.toLowerCase().includes(h))) {
      throw new HandlerError(
        "You need to provide the correct CSV with Header columns to use it with the inference toolkit default handler.",
      );
    }
    const names = header.split(",");
    const records = rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [names[i], v])));
    return names.includes("inputs") ? { inputs: records.map((r) => r.inputs) } : { inputs: records };
  }
  if (BINARY_TYPES.includes(contentType))
    throw new HandlerError(`the simulator's text pipelines do not read ${contentType}`);
  throw new HandlerError(unsupportedFormat(contentType));
}

/** decoder_encoder.encode for JSON (compact separators, non-ASCII kept); other known types are not simulated. */
export function encodeResponse(prediction: unknown, accept: string): Uint8Array {
  if (accept === JSON_TYPE) return new TextEncoder().encode(JSON.stringify(prediction));
  if (ENCODABLE.includes(accept)) throw new HandlerError(`the simulator encodes only ${JSON_TYPE}, not ${accept}`);
  throw new HandlerError(unsupportedFormat(accept));
}

/** The stock container around a pipeline: decode, pop inputs/parameters, predict, encode. */
export function defaultHandlerContainer(
  pipeline: (inputs: unknown, parameters: Record<string, unknown> | undefined) => unknown,
): ModelContainer {
  return {
    async invoke(body, contentType, acceptHeader) {
      const accept = !acceptHeader || acceptHeader === "*/*" ? JSON_TYPE : acceptHeader;
      try {
        const data = decodeRequest(body, contentType);
        // predict() calls data.pop("inputs", data): a list refuses two arguments, a scalar has no pop.
        if (Array.isArray(data)) throw new HandlerError("pop expected at most 1 argument, got 2");
        if (data === null || typeof data !== "object")
          throw new HandlerError(
            `'${typeof data === "string" ? "str" : data === null ? "NoneType" : typeof data === "number" ? "int" : "bool"}' object has no attribute 'pop'`,
          );
        const { inputs = data, parameters } = data as Record<string, unknown>;
        return {
          status: 200,
          body: encodeResponse(pipeline(inputs, parameters as Record<string, unknown> | undefined), accept),
          contentType: accept,
        };
      } catch (error) {
        if (!(error instanceof HandlerError)) throw error;
        return { status: 400, body: new TextEncoder().encode(error.message), contentType: "text/plain" };
      }
    },
  };
}

// The keyword arguments the text2text pipeline takes for itself or hands to generate(); generate()
// refuses any other ("The following `model_kwargs` are not used by the model").
const GENERATE_ARGS = new Set([
  "max_length",
  "max_new_tokens",
  "min_length",
  "min_new_tokens",
  "num_return_sequences",
  "do_sample",
  "top_p",
  "top_k",
  "temperature",
  "num_beams",
  "repetition_penalty",
  "no_repeat_ngram_size",
  "early_stopping",
  "length_penalty",
]);
const PIPELINE_ARGS = new Set(["truncation", "return_tensors", "return_text", "clean_up_tokenization_spaces"]);

/**
 * A stand-in for a doc2query text2text pipeline (BeIR/query-gen-msmarco-t5-*): the same input and
 * output shapes and argument checks, with a deterministic generator instead of T5. `inputs` must be a
 * string or a list of strings (Text2TextGenerationPipeline._parse_and_tokenize); a string gives a list of
 * `{"generated_text"}`, a list gives a list of such lists. Several return sequences need sampling or
 * beams (generate(): "Greedy methods without beam search do not support `num_return_sequences` …").
 */
export function queryGenerationPipeline(generate: (text: string, n: number) => string[]) {
  return (inputs: unknown, parameters: Record<string, unknown> = {}) => {
    const unused = Object.keys(parameters).filter((k) => !GENERATE_ARGS.has(k) && !PIPELINE_ARGS.has(k));
    if (unused.length)
      throw new HandlerError(
        `The following \`model_kwargs\` are not used by the model: ${JSON.stringify(unused).replace(/"/g, "'")} (note: typos in the generate arguments will also show up in this list)`,
      );
    const n = Number(parameters.num_return_sequences ?? 1);
    if (n > 1 && !parameters.do_sample && Number(parameters.num_beams ?? 1) === 1) {
      throw new HandlerError(
        `Greedy methods without beam search do not support \`num_return_sequences\` different than 1 (got ${n}).`,
      );
    }
    const one = (text: string) => generate(text, n).map((q) => ({ generated_text: q }));
    if (typeof inputs === "string") return one(inputs);
    if (Array.isArray(inputs) && inputs.every((t) => typeof t === "string")) return inputs.map(one);
    throw new HandlerError(
      ` \`args[0]\`: ${JSON.stringify(inputs)} have the wrong format. The should be either of type \`str\` or type \`list\``,
    );
  };
}

const STOP = new Set(
  "the a an and or of to in on for with by is are was were be been it its this that these those as at from can not no into than then there their which what when how why who will would should could may might must also such only other more most any all each".split(
    " ",
  ),
);

/**
 * A deterministic query writer: the passage's heading (its first line when it has several), then
 * sentences cut to their first distinctive words. Good enough for a tuned model to learn something.
 */
export function deterministicQueries(text: string, n: number): string[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const heading = lines.length > 1 ? lines[0]! : null;
  const body = heading ? lines.slice(1).join(" ") : lines.join(" ");
  const sentences = body.split(/(?<=[.!?])\s+/).filter((s) => s.length > 10);
  const candidates = [
    ...(heading ? [heading.toLowerCase()] : []),
    ...sentences.map((s) =>
      s
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, " ")
        .split(/\s+/)
        .filter((w) => w.length > 2 && !STOP.has(w))
        .slice(0, 6)
        .join(" "),
    ),
  ].filter(Boolean);
  if (!candidates.length) candidates.push(body.slice(0, 40).toLowerCase());
  return Array.from({ length: n }, (_, i) => candidates[i % candidates.length]!);
}
