/**
 * @hookwork/core/testing — helpers for testing with hookwork, and the contract suites every
 * storage backend runs. The `describe…Contract` functions call jest's globals (describe, it,
 * expect): call them from jest test files.
 */
export { type ContractFactory, type ContractSubject, withSubject } from './contract-subject';
export { contractWebhook, describeWebhookRepositoryContract } from './webhook-repository-contract';
export { contractRequest, describeRequestQueueContract, type RequestQueueContractOptions } from './request-queue-contract';
export { contractLogEntry, describeDeliveryLogContract, type DeliveryLogContractOptions } from './delivery-log-contract';
export { describeWebhookHealthStoreContract, type WebhookHealthStoreContractOptions } from './webhook-health-store-contract';
export { type ConcurrentCallersBackends, describeConcurrentCallersContract } from './concurrent-callers-contract';
export { type RecordedRequest, recordingTransport, type RecordingTransport } from './recording-transport';
export { capturingStorage, type CapturingStorage } from './capturing-storage';
export {
  closedPort,
  headerRecord,
  type ReceivedRequest,
  startTestReceiver,
  type TestReceiver,
  type TestReceiverHandler,
} from './test-receiver';
export { describeErrorCatalogue } from './error-catalogue-contract';
export { describeKeyRulesContract, type KeyRulesBackend } from './key-rules-contract';
export {
  describeQueueEngineContract,
  engineRequest,
  type HostTransactionHandle,
  queueEngineHarness,
  type QueueEngineContractOptions,
  type QueueEngineHarness,
} from './queue-engine-contract';
export { startWorker, type WorkerEvent, type WorkerProcess } from './worker-process';
export { reportLine } from './report-line';
export { describeTransportContract } from './transport-contract';
export { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY } from './test-certificate';
export { startRawReceiver, type RawReceiver } from './raw-receiver';
export { startSilentServer, stopDuringStart, type SilentServer } from './silent-server';
export { ThingHappened, ThingHappenedEvent, thingComposer } from './thing-event';
export { countingHealthWrites, type HealthWriteCounts, withoutHealthUpdate } from './health-store-wrappers';
export { expectRepeatedPublishEnqueuedOnce } from './repeated-publish-check';
export { expectKeyedPublishOfTwoBatchesKeepsBoth } from './keyed-batches-check';
export { expectPublishResultCounts } from './publish-result-check';
export { expectPublishAgainAfterDropNotSent, expectPublishAgainBeforeLogEntryNotSentAgain, type LogGapCheckOptions } from './log-gap-check';
export { expectAttemptEndingDuringClaimNotSentAgain } from './claim-race-check';
export { expectLostLeaseToldOnce, expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS } from './lapsed-lease-check';
export { BREAKER_SERIES_SETTINGS, expectBreakerSeriesOnlyForLiveWebhooks } from './breaker-series-check';
export { expectFailureCounters, FAILURE_COUNTERS_SETTINGS, type StoreFaults } from './failure-counters-check';
