# syntax=docker/dockerfile:1
# audo-eq API image: Node 20 slim, production dependencies only, non-root.
# Build: docker compose build   (or: docker build -t audo-eq-api .)

# --- build: the TypeScript sources compiled to dist/ (JavaScript + .d.ts) ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) runs below, once the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json mod.ts ./
COPY core ./core
COPY adapters ./adapters
COPY runtimes ./runtimes
COPY types ./types
COPY tools/build-dist.mjs ./tools/
RUN npm run build

# --- deps: production node_modules, resolved from the lockfile only ---------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and the compiler is a dev dependency;
# the build stage above makes dist/.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: sources + deps, nothing else ------------------------------------
FROM node:20-bookworm-slim AS runtime
# GLIBC_TUNABLES: malloc on transparent huge pages, as `npm start` runs the
# server (a job maps hundreds of megabytes of fresh arrays; mapping them 2 MiB
# at a time is what makes the difference on small VMs).
ENV NODE_ENV=production \
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
    API_HOST=0.0.0.0 \
    API_PORT=8000 \
    AUDO_EQ_LOG_FORMAT=json \
    AUDO_EQ_DATA_DIR=/app/data
WORKDIR /app
# Code and dependencies stay owned by root: the server cannot rewrite itself.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
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
# node directly (not npm start) so signals reach the server process itself;
# the built JavaScript, so no TypeScript loader runs at start-up.
CMD ["node", "dist/runtimes/node/server.js"]
