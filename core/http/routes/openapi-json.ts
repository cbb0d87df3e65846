/** `GET /openapi.json`: the OpenAPI 3.1 document, built once per app. */
import { jsonResponse } from '../responses.ts';
import type { RouteHandler } from '../context.ts';

/** @example (await openApiJson(request, context).json()).openapi // '3.1.0' */
export const openApiJson: RouteHandler = (_request, { deps }) => jsonResponse(200, deps.openApiDocument);
