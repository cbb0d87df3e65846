/**
 * `GET /`: the web page (upload, options, progress, listen and compare,
 * plots, download). Rendered once per app from its settings; served with a
 * policy that allows nothing from other origins.
 */
import type { AppDeps, RouteHandler } from '../context.ts';
import { renderPage } from '../page/document.ts';

const rendered = new WeakMap<AppDeps, string>();

/** Same-origin only; blob: for the players and the download of local files and the result. */
export const PAGE_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** @example await page(request, context) // 200 text/html */
export const page: RouteHandler = (_request, { deps }) => {
  let html = rendered.get(deps);
  if (html === undefined) {
    html = renderPage({ maxFileBytes: deps.limits.maxFileBytes, apiKeyRequired: deps.apiKeys.length > 0, jobsAvailable: deps.jobs !== null && deps.storage !== null });
    rendered.set(deps, html);
  }
  return new Response(html, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  });
};
