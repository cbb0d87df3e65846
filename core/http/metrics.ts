/**
 * A small Prometheus registry (text exposition format 0.0.4): request counts
 * by route and status, request latency, mastering time, persistence outcomes,
 * in-flight masterings and gauges read at scrape time (e.g. queue depth).
 * Hand-written: the four metric shapes needed here fit in one file.
 */

import { JOB_BUCKETS_SECONDS, type HistogramCounts, type JobTimings } from '../app/jobs/job-timings.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const MASTERING_BUCKETS_SECONDS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

type Labels = Readonly<Record<string, string>>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(labels);
    const entry = this.series.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.series.set(key, entry);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines;
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: Float64Array; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly bucketsSeconds: readonly number[]) {}

  observe(seconds: number, labels: Labels = {}): void {
    const key = JSON.stringify(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: new Float64Array(this.bucketsSeconds.length), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.bucketsSeconds.length; i++) if (seconds <= this.bucketsSeconds[i]) entry.counts[i]++;
    entry.sum += seconds;
    entry.count++;
  }

  render(): string[] {
    return this.renderCounts([...this.series.values()].map(({ labels, counts, sum, count }) => ({ labels, buckets: [...counts], sum, count })));
  }

  /** Series counted elsewhere (e.g. kept in Redis by other processes), in this histogram's buckets. */
  renderCounts(series: readonly HistogramCounts[]): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, buckets, sum, count } of series) {
      this.bucketsSeconds.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText(labels, ['le', formatNumber(bound)])} ${buckets[i] ?? 0}`));
      lines.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

export interface AppMetrics {
  /** One finished HTTP request; `route` is the route pattern (or `unmatched`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeMastering(seconds: number, outcome: 'success' | 'failure'): void;
  countPersistence(status: 'stored' | 'deferred' | 'skipped' | 'failed'): void;
  /** One settled attempt of the deferred-persistence worker running in this server (in-API worker). */
  countDeferredOutcome(outcome: 'stored' | 'retried' | 'dead_lettered'): void;
  /** Masterings in progress (+1 when one starts, −1 when it ends). */
  addInFlight(delta: number): void;
  /** A gauge read when scraped, e.g. the persistence queue depth. */
  registerGauge(name: string, help: string, read: () => Promise<number> | number): void;
  /** A gauge with one label read when scraped, e.g. jobs per state: `read` answers value per label value. */
  registerGaugeFamily(name: string, help: string, label: string, read: () => Promise<Readonly<Record<string, number>>>): void;
  /** A job started running `waitSeconds` after it was submitted (first start only). */
  observeJobWait(waitSeconds: number): void;
  /** A job finished (`succeeded`, `failed`, `cancelled`) after running `seconds`. */
  observeJobDuration(seconds: number, status: string): void;
  /**
   * Job wait and run times kept by a queue shared with other processes: when
   * registered, the job histograms show these (every job any worker ran)
   * instead of what this process observed.
   */
  registerJobTimings(read: () => Promise<JobTimings>): void;
  /** The exposition text. */
  render(): Promise<string>;
}

/**
 * Creates an empty registry with audo-eq's metrics.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.observeRequest('GET', '/health', 200, 0.001);
 * await metrics.render(); // '# HELP audo_eq_http_requests_total …'
 */
export function createMetrics(): AppMetrics {
  const requests = new Counter('audo_eq_http_requests_total', 'HTTP requests by method, route and status.');
  const latency = new Histogram('audo_eq_http_request_duration_seconds', 'HTTP request latency by method and route.', LATENCY_BUCKETS_SECONDS);
  const mastering = new Histogram('audo_eq_mastering_duration_seconds', 'Wall time of mastering jobs (decode to encoded WAV).', MASTERING_BUCKETS_SECONDS);
  const persistence = new Counter('audo_eq_artifact_persistence_total', 'Artifact persistence outcomes by status.');
  const deferred = new Counter('audo_eq_deferred_persistence_total', 'Deferred-persistence worker attempts in this process by outcome.');
  const jobWait = new Histogram('audo_eq_job_queue_wait_seconds', 'Time asynchronous jobs waited in the queue before a worker started them (first start).', JOB_BUCKETS_SECONDS);
  const jobDuration = new Histogram('audo_eq_job_duration_seconds', 'Run time of finished asynchronous jobs (first start to end), by final status.', JOB_BUCKETS_SECONDS);
  let sharedJobTimings: (() => Promise<JobTimings>) | null = null;
  const gauges: Array<{ name: string; help: string; read: () => Promise<number> | number }> = [];
  const families: Array<{ name: string; help: string; label: string; read: () => Promise<Readonly<Record<string, number>>> }> = [];
  let inFlight = 0;

  return {
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe(seconds, { method, route });
    },
    observeMastering(seconds, outcome) {
      mastering.observe(seconds, { outcome });
    },
    countPersistence(status) {
      persistence.inc({ status });
    },
    countDeferredOutcome(outcome) {
      deferred.inc({ outcome });
    },
    addInFlight(delta) {
      inFlight += delta;
    },
    registerGauge(name, help, read) {
      gauges.push({ name, help, read });
    },
    registerGaugeFamily(name, help, label, read) {
      families.push({ name, help, label, read });
    },
    observeJobWait(waitSeconds) {
      jobWait.observe(waitSeconds);
    },
    observeJobDuration(seconds, status) {
      jobDuration.observe(seconds, { status });
    },
    registerJobTimings(read) {
      sharedJobTimings = read;
    },
    async render() {
      const lines = [...requests.render(), ...latency.render(), ...mastering.render(), ...persistence.render(), ...deferred.render()];
      if (sharedJobTimings) {
        try {
          const timings = await sharedJobTimings();
          lines.push(...jobWait.renderCounts(timings.wait), ...jobDuration.renderCounts(timings.duration));
        } catch {
          // The queue did not answer: the job histograms are left out of this scrape rather than shown as zero.
        }
      } else {
        lines.push(...jobWait.render(), ...jobDuration.render());
      }
      for (const family of families) {
        lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
        try {
          for (const [value, count] of Object.entries(await family.read())) lines.push(`${family.name}${labelText({ [family.label]: value })} ${formatNumber(count)}`);
        } catch {
          lines.push(`${family.name} NaN`);
        }
      }
      lines.push('# HELP audo_eq_mastering_in_flight Mastering requests in progress.', '# TYPE audo_eq_mastering_in_flight gauge', `audo_eq_mastering_in_flight ${inFlight}`);
      for (const gauge of gauges) {
        let value = Number.NaN;
        try {
          value = await gauge.read();
        } catch {
          // A failing source reads as NaN rather than failing the whole scrape.
        }
        lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`, `${gauge.name} ${formatNumber(value)}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
