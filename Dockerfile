# syntax=docker/dockerfile:1
#
# One image recipe for every service:  docker build --build-arg SERVICE=users .
# The image runs built JavaScript, not TypeScript: the build stage bundles every
# service and the `nexus` CLI with `nx run-many -t build` (@nx/esbuild:
# dist/apps/<service>/main.js with the @nexus/* libs inside, third-party
# packages left to node_modules; dist/tools/nexus/main.js). The runtime stage
# holds dist/, the service roles' SQL and the production dependencies only. The
# image content is the same for every SERVICE (the migrate Job runs the CLI from
# the users image); the build arg only selects what CMD and HEALTHCHECK run.

FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Every dependency, dev ones too (nx, @nx/esbuild, esbuild, tsx). Only the root
# manifest and lockfile: the workspace package.json files declare no
# dependencies. This layer stays cached until either file changes.
FROM base AS build
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY nx.json tsconfig.json tsconfig.base.json ./
COPY libs libs
COPY apps apps
COPY tools tools
# Then runtime/: the union of the dependencies of the package.json files the
# build generates, and the workspace lock pruned to them by npm (the pruned lock
# @nx/esbuild writes misses nested packages; tools/runtime-package.ts).
RUN npx nx run-many -t build --outputStyle=static \
 && npx tsx tools/runtime-package.ts dist runtime

# Production dependencies only, at the workspace's locked versions.
FROM base AS deps
COPY --from=build /app/runtime/package.json /app/runtime/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM base AS runtime
ARG SERVICE=users
# The service's default ports (apps/<SERVICE>/src/config.ts): EXPOSE is only
# documentation; HTTP_PORT is also the HEALTHCHECK's fallback.
ARG GRPC_PORT=50051
ARG HTTP_PORT=8081
# ARGs do not reach the running container; CMD and HEALTHCHECK read these.
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HTTP_PORT=${HTTP_PORT}
# Owned by root and read-only for the service user, so the code cannot be altered
# at run time.
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/package.json ./
COPY --from=build /app/dist dist
# The service roles' SQL, which `nexus db roles` (the migrate step) reads from
# infra/db beside dist/.
COPY infra/db/roles.sql infra/db/roles.sql
USER node
EXPOSE ${GRPC_PORT} ${HTTP_PORT}
# No curl in the slim image: node's fetch. The port is the service's own
# <SERVICE>_HTTP_PORT (USERS_HTTP_PORT, AI_USAGE_HTTP_PORT, ...) when set.
# Nothing compiles at start: a service is ready in seconds (docs/operations.md).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const s=process.env.SERVICE.toUpperCase().replace(/-/g,'_');const p=process.env[s+'_HTTP_PORT']||process.env.HTTP_PORT;fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node becomes PID 1 and gets SIGTERM/SIGINT itself for a clean stop.
# --enable-source-maps: stack traces name the TypeScript files (main.js.map).
CMD ["sh", "-c", "exec node --enable-source-maps \"dist/apps/${SERVICE}/main.js\""]
