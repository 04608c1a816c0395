# syntax=docker/dockerfile:1
# Two deployables from one code base: `docker build --target api .` and `docker build --target worker .`
# (the worker image also runs the migrations: `node dist/main.migrate.js`). Configuration comes only
# from environment variables, named as in .env.example.
#
# bookworm-slim rather than alpine: the build stage installs the devDependencies, and dynalite's native
# classic-level ships glibc prebuilds. The production images need neither (they talk to a real DynamoDB).
ARG NODE_IMAGE=node:24-bookworm-slim

# TypeScript to dist/, with every devDependency. npm 11 runs only the install scripts package.json's
# allowScripts lets through.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.js scripts/
COPY src src
# The web pages (Vite, into dist/web): served by the API process.
COPY web web
RUN npm run build

# Run-time dependencies only: no devDependency (neither the `node` package nor dynalite), so the images
# run on the base image's Node 24. No production dependency has an install script.
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Shared by both targets. The files stay root-owned: the non-root process can read, not rewrite, its code.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/dist dist

# Liveness (`/health`), not readiness: an orchestrator that restarts unhealthy containers must not restart
# the API for a Redis outage that a new API would not cure. Slim images have no curl: node's fetch.
FROM runtime AS api
ENV PORT=3000
EXPOSE 3000
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.api.js"]

FROM runtime AS worker
ENV WORKER_PORT=3001
EXPOSE 3001
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WORKER_PORT + '/health', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.worker.js"]
