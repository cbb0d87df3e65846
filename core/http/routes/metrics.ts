/** `GET /metrics`: Prometheus text exposition. */
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.ts';
import type { RouteHandler } from '../context.ts';

/** @example await metricsRoute(request, context) // 200 text/plain; version=0.0.4 */
export const metricsRoute: RouteHandler = async (_request, { deps }) =>
  new Response(await deps.metrics.render(), {
    status: 200,
    headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
