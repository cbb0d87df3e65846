# syntax=docker/dockerfile:1
# audo-eq API image: Node 20 slim, production dependencies only, non-root.
# Build: docker compose build   (or: docker build -t audo-eq-api .)

# --- deps: production node_modules, resolved from the lockfile only ---------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: sources + deps, nothing else ------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    API_PORT=8000 \
    AUDO_EQ_LOG_FORMAT=json \
    AUDO_EQ_DATA_DIR=/app/data
WORKDIR /app
# Code and dependencies stay owned by root: the server cannot rewrite itself.
COPY --from=deps /app/node_modules ./node_modules
# .dockerignore admits only the runtime sources (no tests, fixtures or .env).
COPY . .
# The data directory must exist and belong to `node` before a named volume is
# mounted there, so the volume inherits that ownership.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8000
# The server closes its listener on SIGTERM and exits once in-flight requests end.
STOPSIGNAL SIGTERM
# Node's own fetch: the slim image has no curl, and no loader is needed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "runtimes/node/healthcheck.mjs"]
# node directly (not npm start) so signals reach the server process itself.
CMD ["node", "--import", "tsx", "runtimes/node/server.ts"]
