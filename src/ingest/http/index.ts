export { HttpSource, originKey, RETRY_AFTER_S, REJECT_CODES, type HttpSourceConfig, type HttpSourceOptions, type HttpSourceStatus, type IngestTarget } from './server.js';
export { decodeBody, MalformedBody, type IngestRecord } from './records.js';
export { OffsetStore, OFFSET_RETENTION_MS } from './offsets.js';
