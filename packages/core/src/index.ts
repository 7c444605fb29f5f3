// The public surface of @genq/core, chosen by hand: what adapters, composition roots and the HTTP app use.

// Domain, events, errors
export {
  CorpusName,
  CorpusId,
  corpusIdFor,
  corpusNameOf,
  corpusIdMatchesTenant,
  tenantQualifier,
  RunState,
  SERVING_SETUPS,
  ServingSetup,
  TERMINAL_STATES,
  WORKING_STATES,
  isTerminal,
  stageStartedAt,
  Corpus,
  DocumentRecord,
  Passage,
  ModelVersion,
  IndexVersion,
  RunArtifacts,
  RunTransitionRecord,
  Run,
  parseDocumentKey,
  isSafeRelativePath,
  keys,
  Metadata,
  MetadataValue,
  revisionOf,
} from "./domain.ts";
export type { TerminalState, WorkingState, DocumentKey } from "./domain.ts";
export {
  DOCUMENT_PATH_LIMITS,
  DOCUMENT_EXTENSIONS,
  documentPathProblem,
  describeControl,
  extensionOf,
  isSupportedDocument,
  findPathClash,
} from "./document-paths.ts";
export { GenqEvent, PUBLIC_EVENT_TYPES, parseEvent } from "./events.ts";
export type { GenqEventType, EventOf, EventInput } from "./events.ts";
export {
  DOMAIN_ERROR_CODES,
  DomainError,
  ValidationError,
  NotFoundError,
  ConcurrentUpdateError,
  DocumentRejectedError,
  MalformedEventError,
  CorruptArtifactError,
  UnauthorizedError,
  ConflictError,
  TransientError,
  NotImplementedError,
  UnsupportedTypeError,
  PayloadTooLargeError,
  StorageError,
  isTransient,
  reasonOf,
  isDomainError,
} from "./errors.ts";
export type { DomainErrorCode } from "./errors.ts";
export { contentHash, shortHash, fnv1a, isHeldOut } from "./hash.ts";

// Ports
export { silentLogger, systemClock, SEARCH_MODES, documentContribution } from "./ports.ts";
export type {
  BlobInfo,
  BlobStore,
  PipelineRepository,
  EventPublisher,
  EventHandler,
  Logger,
  QueryPair,
  QueryGenerator,
  Trainer,
  ModelDeployer,
  PassageIndexer,
  StageJob,
  StageWork,
  Encoder,
  SearchMode,
  SearchFilter,
  SearchHit,
  SearchIndex,
  AnswerSpan,
  Reader,
  Generator,
  Clock,
  TokenUsage,
  AnswerMetadata,
  ReaderResult,
  Citation,
  GeneratedAnswer,
  IndexItem,
  Page,
  PageRequest,
  ApiKeyInfo,
  ApiKeyStore,
  DocumentStats,
  CoreDeps,
} from "./ports.ts";

// Chunking
export { DEFAULT_CHUNK_OPTIONS, chunkText, maxCharsOf } from "./chunking/chunker.ts";
export type { ChunkOptions } from "./chunking/chunker.ts";
export { PRESEGMENTED_CHUNKING, toPassages } from "./chunking/passages.ts";
export type { ParsedSection, ParsedDocument } from "./chunking/passages.ts";
export { splitSentences, countWords, wordSpans } from "./chunking/sentences.ts";
export type { Span } from "./chunking/sentences.ts";

// The run engine
export { commandFor, STATE_OF_COMMAND } from "./pipeline/commands.ts";
export type { PipelineCommand, PipelineCommandType, CommandOf, StageCommand } from "./pipeline/commands.ts";
export { transition } from "./pipeline/transition.ts";
export type { TransitionResult } from "./pipeline/transition.ts";
export { eventIds, runResources } from "./pipeline/names.ts";
export { createTimeSlicer, runSliced, runToEnd, type TimeSlicer } from "./pipeline/time-slice.ts";
export { advanceRuns, issueCommand, releaseCorpus } from "./usecases/advance-run.ts";
export { tidyAfterRun, type TidyDeps } from "./usecases/tidy-run.ts";
export type { EngineDeps, StageExecutors } from "./usecases/advance-run.ts";
export { startRun, activeRun } from "./usecases/start-run.ts";
export { CANCELLED, cancelRun } from "./usecases/cancel-run.ts";
export { failStage } from "./usecases/fail-stage.ts";
export { reconcileRuns, parseStageDeadlines, DEFAULT_STAGE_DEADLINES } from "./usecases/reconcile-runs.ts";
export type { StageDeadlines, ReconcileSummary } from "./usecases/reconcile-runs.ts";
export { randomRunId } from "./usecases/run-id.ts";

// The stages
export { createPipelineStages, passageKeysOf } from "./stages/pipeline-stages.ts";
export type { PipelineStageDeps } from "./stages/pipeline-stages.ts";
export { GeneratedQueries, completeQueryGeneration, readGeneratedQueries } from "./stages/generated-queries.ts";
export { completeIndexBuild, createInProcessIndexer } from "./stages/index-build.ts";
export type { InProcessIndexerDeps } from "./stages/index-build.ts";
export { evaluateRun, evaluateQuerySet, SERVING_MODE } from "./stages/evaluate-run.ts";
export { setupSystems, servingSystem, calibrateSetups, SYSTEM_OF_SETUP } from "./stages/setup-systems.ts";
export type { SystemDeps } from "./stages/setup-systems.ts";
export { calibrateSetup, weightGrid, DEFAULT_SETUP, DEFAULT_CALIBRATION } from "./stages/calibrate.ts";
export type { CalibrationOptions } from "./stages/calibrate.ts";
export { chooseServingSetup, SETUP_PREFERENCE, DEFAULT_GATE_TOLERANCE } from "./stages/gate.ts";
export type { GateDecision, ScoredSetup } from "./stages/gate.ts";
export { fuseSignals, indexSignals } from "./stages/signals.ts";
export type { SignalHit, SignalLists } from "./stages/signals.ts";
export { groupHeldout, splitValidationTest, evenSample } from "./stages/heldout-queries.ts";
export type { HeldoutSummary, HeldoutCleaner } from "./stages/heldout-queries.ts";
export { bootstrapMean, bootstrapDifference } from "./metrics/bootstrap.ts";
export type { Interval } from "./metrics/bootstrap.ts";
export type { EvaluateDeps, EvaluationHooks } from "./stages/evaluate-run.ts";
export { indexRanker, candidateSystems, servingRanker } from "./stages/rankers.ts";
export type { Ranker } from "./stages/rankers.ts";
export { promoteIndex } from "./stages/promote-index.ts";

// Documents, search, judgments
export { ensureCorpus } from "./usecases/ensure-corpus.ts";
export { chunkDocument, rejectDocument } from "./usecases/chunk-document.ts";
export type { DocumentParser, ChunkDocumentDeps, ChunkOutcome } from "./usecases/chunk-document.ts";
export { readJsonLines, toJsonLines, loadCorpusPassages, passageText } from "./usecases/load-passages.ts";
export { SEARCH_LIMITS, corpusForTenant, searchCorpus, searchOf } from "./usecases/search-corpus.ts";
export { ANSWER_LIMITS, answerQuestion, composeAnswer } from "./usecases/answer-question.ts";
export type { QaInput, QaAnswer, QaResult } from "./usecases/answer-question.ts";
export type { SearchDeps } from "./usecases/search-corpus.ts";
export { uploadDocument } from "./usecases/upload-document.ts";
export { countUnprocessedUploads } from "./usecases/pending-uploads.ts";
export { storeJudgments } from "./usecases/store-judgments.ts";
export { deleteDocument } from "./usecases/delete-document.ts";
export type { DeleteDocumentDeps } from "./usecases/delete-document.ts";
export { deleteCorpus } from "./usecases/delete-corpus.ts";
export type { DeleteCorpusDeps } from "./usecases/delete-corpus.ts";
export {
  refreshDocument,
  syncIndexVersion,
  parseRetrainPolicy,
  retrainIfDue,
  trainedBy,
} from "./usecases/fresh-documents.ts";
export type { FreshIndexDeps, RetrainPolicy } from "./usecases/fresh-documents.ts";
export { collectPassageGarbage, releasePassages } from "./usecases/collect-passages.ts";
export {
  normalizeMetadata,
  metadataTerms,
  metadataMatches,
  toObjectMetadata,
  fromObjectMetadata,
  METADATA_KEY,
  METADATA_LIMITS,
} from "./usecases/metadata.ts";
export { encodeCursor, decodeCursor, pageByKey, pageLimit, MAX_PAGE } from "./usecases/pages.ts";
export { fuseScores, reciprocalRankFusion, DEFAULT_HYBRID_WEIGHTS } from "./search/fusion.ts";
export type { ScoredIndex, HybridWeights } from "./search/fusion.ts";

// Metrics and reports
export {
  rankDocuments,
  ndcgAt,
  mrrAt,
  recallAt,
  hitRateAt,
  METRIC_NAMES,
  queryMetrics,
  meanMetrics,
} from "./metrics/retrieval.ts";
export type { Judgments, ScoredDocument, MetricName, MetricSet } from "./metrics/retrieval.ts";
export { pairedRandomisationTest } from "./metrics/significance.ts";
export { parseJudgments } from "./metrics/judgments.ts";
export type { JudgedQuery } from "./metrics/judgments.ts";
export { renderReportHtml, renderReportBody, REPORT_CSS } from "./report/render-html.ts";
export { compareReports, renderComparisonHtml } from "./report/compare.ts";
export type { RunComparison, SetComparison } from "./report/compare.ts";
export { perQueryCsv, trecRun, trecQrels, trecId, resultFiles, exportMediaType } from "./report/export.ts";
export type { QuerySetResults } from "./report/export.ts";
export { buildQueryDetails, renderQueryDetail, MAX_DETAIL_QUERIES } from "./report/query-details.ts";
export type {
  SystemResult,
  QueryOutcome,
  QuerySetEvaluation,
  EmbeddingProjection,
  RunReport,
  Ablation,
  SetupCalibration,
  QueryDetail,
  QueryDetails,
  ResultExport,
} from "./report/report.ts";
