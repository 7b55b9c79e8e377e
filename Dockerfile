# berth as a container: build with the dev dependencies, run with the production ones only.
#
#   docker build -t berth .                                   # offline here: FROM berth-test/node:20
#   docker build --build-arg BASE_IMAGE=node:20-bookworm -t berth .   # where a registry answers
#
# BASE_IMAGE is the Node 20 image both stages start from. The default is the local image
# scripts/test-images.sh makes (this machine's node + npm, busybox, a `node` user), because no
# registry can be pulled from here. BUILD_IMAGE (default: BASE_IMAGE) is the build stage's image:
# better-sqlite3's install script takes a prebuilt binary (downloaded, or a tarball found in the
# folder $npm_config_better_sqlite3_local_prebuilds of that image) or compiles one, which needs
# python3, make and g++ — the full node:20 image has them, the slim one and berth-test/node:20 not.
# The web UI's build also runs rollup's native binary, which needs librt (berth-test/node:20 holds
# only the libraries node itself needs). test/berth-container.test.ts makes such a build image.
ARG BASE_IMAGE=berth-test/node:20
ARG BUILD_IMAGE=${BASE_IMAGE}

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV npm_config_better_sqlite3_local_prebuilds=/prebuilds
# The manifests first, so the dependencies' layer is kept while only sources change.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/contracts/package.json packages/contracts/
COPY packages/host/package.json packages/host/
COPY packages/store-sqlite/package.json packages/store-sqlite/
COPY packages/runtime-process/package.json packages/runtime-process/
COPY packages/runtime-docker/package.json packages/runtime-docker/
COPY packages/runtime-kubernetes/package.json packages/runtime-kubernetes/
COPY packages/fake-kube/package.json packages/fake-kube/
COPY packages/integrations/package.json packages/integrations/
COPY packages/builder/package.json packages/builder/
COPY packages/testkit/package.json packages/testkit/
COPY apps/server/package.json apps/server/
COPY apps/cli/package.json apps/cli/
COPY apps/web/package.json apps/web/
# npm 11 warns that better-sqlite3's install script is not in an allowScripts list, and runs it;
# the check after it fails the build here, not at berth's first start, if no binary came of it.
RUN npm ci --no-audit --no-fund \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
WORKDIR /opt/berth
# Only what `berth serve` runs: the manifests, the compiled packages, the web UI and the
# production dependencies (better-sqlite3's compiled binary among them).
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps ./apps
# The data lives in the volume; the process runs as `node` (uid 1000), which owns it. To use
# the Docker socket it needs the socket's group: `group_add` in compose.yml, `--group-add`.
RUN mkdir -p /data && chown 1000:1000 /data
ENV NODE_ENV=production \
    BERTH_HOME=/data \
    BERTH_HOST=0.0.0.0 \
    BERTH_PORT=7411 \
    BERTH_PROXY_PORT=7412 \
    BERTH_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 7411 7412
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BERTH_PORT||7411)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/opt/berth/apps/cli/dist/main.js"]
CMD ["serve"]
