"""genq's SageMaker inference handlers for the tuned encoder (Hugging Face inference toolkit).

The toolkit calls model_fn once per container and predict_fn per request. Requests are JSON:
    {"inputs": ["text", ...], "kind": "query" | "passage"}
Responses: {"embeddings": [[...], ...], "dimensions": N} with unit-length vectors (cosine = dot product).
The same handlers serve real-time and serverless endpoints and batch transforms (JSON lines).
"""

import json


def model_fn(model_dir, context=None):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_dir)


def input_fn(request_body, content_type="application/json", context=None):
    if content_type not in ("application/json", "application/jsonlines"):
        raise ValueError(f"unsupported content type {content_type}; send application/json")
    body = json.loads(request_body)
    inputs = body.get("inputs")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
        raise ValueError('"inputs" must be a string or a list of strings')
    return {"inputs": inputs, "kind": body.get("kind", "query"), "passthrough": {k: v for k, v in body.items() if k not in ("inputs", "kind")}}


def predict_fn(data, model, context=None):
    vectors = model.encode(data["inputs"], normalize_embeddings=True, batch_size=64, convert_to_numpy=True)
    return {"embeddings": vectors.tolist(), "dimensions": int(vectors.shape[1]) if len(vectors) else 0, **data["passthrough"]}


def output_fn(prediction, accept="application/json", context=None):
    return json.dumps(prediction)
