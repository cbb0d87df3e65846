/** `GET /health`: liveness. Cheap, touches no dependency. */
import { jsonResponse } from '../responses.ts';
import type { RouteHandler } from '../context.ts';

/** @example await health(request, context) // 200 {"status":"ok"} */
export const health: RouteHandler = () => jsonResponse(200, { status: 'ok' });
