/**
 * OpenSearch's error responses: `{"error": {"root_cause": [...], "type", "reason", ...}, "status"}`, the
 * shape OpenSearchException.generateFailureXContent writes (opensearch-project/OpenSearch). Thrown by the
 * stand-in, answered by its server.
 */
export class OpenSearchError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
    /** For wrapped failures (search_phase_execution_exception), the shard-level cause. */
    readonly cause_?: OpenSearchError,
  ) {
    super(reason);
  }

  body(): { error: Record<string, unknown>; status: number } {
    const root = this.cause_ ?? this;
    return {
      error: {
        root_cause: [{ type: root.type, reason: root.message, ...root.extra }],
        type: this.type,
        reason: this.message,
        ...(this.cause_ ? {} : this.extra),
        ...(this.cause_
          ? {
              phase: "query",
              grouped: true,
              failed_shards: [
                {
                  shard: 0,
                  index: this.extra.index,
                  node: "standin",
                  reason: { type: root.type, reason: root.message },
                },
              ],
              caused_by: { type: root.type, reason: root.message },
            }
          : {}),
      },
      status: this.status,
    };
  }
}

/** IndexNotFoundException: 404 `index_not_found_exception`, "no such index [x]". */
export const indexNotFound = (index: string) =>
  new OpenSearchError(404, "index_not_found_exception", `no such index [${index}]`, {
    "resource.type": "index_or_alias",
    "resource.id": index,
    index_uuid: "_na_",
    index,
  });

/** IllegalArgumentException → 400 `illegal_argument_exception`. */
export const illegalArgument = (reason: string) => new OpenSearchError(400, "illegal_argument_exception", reason);

/** A query that fails on the shards: 400 `search_phase_execution_exception` "all shards failed" around the cause. */
export const shardFailure = (index: string, cause: OpenSearchError) =>
  new OpenSearchError(cause.status, "search_phase_execution_exception", "all shards failed", { index }, cause);

/** ParsingException → 400 `parsing_exception`. */
export const parsing = (reason: string) => new OpenSearchError(400, "parsing_exception", reason);
