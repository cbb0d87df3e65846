/**
 * Route paths with parameters: the router's spelling `/jobs/:id`, matched
 * as a pattern (for 405 answers and metric labels) and shown as OpenAPI's
 * `/jobs/{id}`.
 */

/** `/jobs/:id` → a RegExp matching `/jobs/<anything but a slash>`. */
export function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`);
}

/** `/jobs/:id` → `/jobs/{id}` (OpenAPI's spelling, used for listing routes). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}
