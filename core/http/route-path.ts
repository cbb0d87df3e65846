/**
 * Route paths with parameters: the router's spelling `/jobs/:id`, matched
 * as a pattern (for 405 answers and metric labels) and shown as OpenAPI's
 * `/jobs/{id}`.
 */

/**
 * `/jobs/:id` → a RegExp matching `/jobs/<anything but a slash>`; a greedy
 * `:key+` (itty-router's spelling) matches the rest of the path, slashes included.
 */
export function pathPattern(path: string): RegExp {
  const pattern = path
    .split(/(:[A-Za-z]+\+?)/)
    .map((part) => (part.startsWith(':') ? (part.endsWith('+') ? '.+' : '[^/]+') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

/** `/jobs/:id` → `/jobs/{id}`, `/artifacts/:key+` → `/artifacts/{key}` (OpenAPI's spelling, used for listing routes). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)\+?/g, '{$1}');
}
