import { DETECTOR_METRICS } from '../detectors/metrics.ts';
import { METRIC } from '../metrics/names.ts';
import type { K6MetricType } from './grammar.ts';

/**
 * The k6 type of every metric a threshold set here may name: k6's built-ins, the transfer
 * accounting metrics the scenarios declare (lib/flows/record.ts) and the detector metrics the
 * probe declares (lib/detectors/metrics.ts). A threshold on anything else would fail k6 with
 * exit code 104.
 */
export const BUILTIN_METRIC_TYPES: Readonly<Record<string, K6MetricType>> = {
  checks: 'rate',
  data_received: 'counter',
  data_sent: 'counter',
  dropped_iterations: 'counter',
  group_duration: 'trend',
  http_req_blocked: 'trend',
  http_req_connecting: 'trend',
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  http_req_receiving: 'trend',
  http_req_sending: 'trend',
  http_req_tls_handshaking: 'trend',
  http_req_waiting: 'trend',
  http_reqs: 'counter',
  iteration_duration: 'trend',
  iterations: 'counter',
  vus: 'gauge',
  vus_max: 'gauge',
};

/** Transfer metrics the thresholds here use (declared by the scenarios through lib/flows/record.ts). */
export const TRANSFER_METRIC_TYPES: Readonly<Record<string, K6MetricType>> = {
  [METRIC.transferE2e]: 'trend',
  [METRIC.transferOver1s]: 'rate',
  [METRIC.transferSuccess]: 'rate',
  [METRIC.transfersCommitted]: 'counter',
};

export function metricType(name: string): K6MetricType | undefined {
  const base = name.replace(/\{.*\}$/, '');
  return (
    BUILTIN_METRIC_TYPES[base] ??
    TRANSFER_METRIC_TYPES[base] ??
    (DETECTOR_METRICS as Record<string, K6MetricType>)[base]
  );
}
