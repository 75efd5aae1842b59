export { HttpSource, originKey, RETRY_AFTER_S, type HttpSourceConfig, type HttpSourceOptions, type IngestTarget } from './server.js';
export { decodeBody, MalformedBody, type IngestRecord } from './records.js';
export { OffsetStore, OFFSET_RETENTION_MS } from './offsets.js';
