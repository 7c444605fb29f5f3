"""genq's SageMaker inference handlers for the tuned encoder (Hugging Face inference toolkit).

train.py copies this file into <model_dir>/code/ so that it travels inside model.tar.gz: the toolkit
imports user code only from there (handler_service.py puts <model_dir>/code on sys.path).

The toolkit calls model_fn once per worker and input_fn / predict_fn / output_fn per request.

Endpoint requests (real-time or serverless), Content-Type application/json:
    {"inputs": "text" | ["text", ...], "kind": "query" | "passage"}
    → {"embeddings": [[...], ...], "dimensions": N}          unit-length vectors (cosine = dot product)

Batch transform (the corpus embedding), Content-Type application/jsonlines, BatchStrategy MultiRecord:
the body is one or more lines; each line is a genq passage record as stored in the bucket
    {"id", "corpus", "documentId", "sourcePath", "title", "text", "ordinal"}
(its text is the title and the text, as core's passageText() composes it), or a record with "inputs"
(a string or a one-element list). The answer has one line per input line, in order: the record
without "inputs", plus "embedding": [...]. Every record carries its own identity, so the output needs no
join with the input.
"""

import json

JSON = "application/json"
JSON_LINES = "application/jsonlines"


def model_fn(model_dir, context=None):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_dir)


def _text_of(record):
    inputs = record.get("inputs")
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(inputs, str):
        return inputs
    if isinstance(record.get("text"), str):
        title = record.get("title") or ""
        return f"{title}\n{record['text']}" if title else record["text"]
    raise ValueError('every line needs "text" (a passage record) or "inputs" (a string)')


def input_fn(request_body, content_type=JSON, context=None):
    # The toolkit decodes only application/json and text/csv bodies to str; others arrive as bytes.
    if isinstance(request_body, (bytes, bytearray)):
        request_body = request_body.decode("utf-8")
    if content_type == JSON:
        body = json.loads(request_body)
        if not isinstance(body, dict):
            raise ValueError('send a JSON object {"inputs": [...], "kind": "query" | "passage"}')
        inputs = body.get("inputs")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
            raise ValueError('"inputs" must be a string or a list of strings')
        return {"mode": "request", "texts": inputs}
    if content_type == JSON_LINES:
        records = []
        for line in request_body.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("every line must be a JSON object")
            records.append(record)
        return {"mode": "records", "records": records, "texts": [_text_of(r) for r in records]}
    raise ValueError(f"unsupported content type {content_type}; send {JSON} (endpoint) or {JSON_LINES} (batch transform)")


def predict_fn(data, model, context=None):
    texts = data["texts"]
    vectors = model.encode(texts, normalize_embeddings=True, batch_size=64, convert_to_numpy=True) if texts else []
    if data["mode"] == "request":
        dims = int(vectors.shape[1]) if len(texts) else int(model.get_sentence_embedding_dimension() or 0)
        return {"embeddings": [v.tolist() for v in vectors], "dimensions": dims}
    out = []
    for record, vector in zip(data["records"], vectors):
        row = {k: v for k, v in record.items() if k != "inputs"}
        row["embedding"] = vector.tolist()
        out.append(row)
    return {"records": out}


def output_fn(prediction, accept=JSON, context=None):
    if "records" in prediction:
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in prediction["records"])
    return json.dumps(prediction)
