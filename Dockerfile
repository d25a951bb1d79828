# Mixnode relay image: `docker build -t mixnode .` at the repository root.
# Run one node: docs/operations.md ("Container"); a whole local network: config/compose/compose.yaml.

# ---- build --------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build

# gcc builds the eight-lane X25519 (src/Mixnode.Sphinx/Native/x25519_mb8.c -> libmixnode_x25519.so) during the
# Sphinx project's build; the SDK image has no C compiler. libc6-dev brings the C runtime files gcc links with
# (a Recommends of gcc, so --no-install-recommends would leave it out). No make: the project calls gcc directly.
# Without gcc the build still succeeds and nodes use OpenSSL one packet at a time (slower under load).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Restore first, from the project files only, so this layer is reused until a package reference changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Mixnode.Sphinx/Mixnode.Sphinx.csproj src/Mixnode.Sphinx/
COPY src/Mixnode.Noise/Mixnode.Noise.csproj src/Mixnode.Noise/
COPY src/Mixnode.Pki/Mixnode.Pki.csproj src/Mixnode.Pki/
COPY src/Mixnode.Links/Mixnode.Links.csproj src/Mixnode.Links/
COPY src/Mixnode.Node/Mixnode.Node.csproj src/Mixnode.Node/
COPY src/Mixnode.Client/Mixnode.Client.csproj src/Mixnode.Client/
COPY src/Mixnode.Authority/Mixnode.Authority.csproj src/Mixnode.Authority/
COPY src/Mixnode.Cli/Mixnode.Cli.csproj src/Mixnode.Cli/

# README's `dotnet publish src/Mixnode.Cli -c Release -o out`, for the image's one platform: framework-dependent
# (the runtime stage has the runtime) and RID-specific, so only that platform's native libraries are copied, beside
# mixnode.dll (libsodium from NSec, Skia's for loadgen's plot, libmixnode_x25519.so): about 20 MB instead of 180 MB
# with every platform's. TARGETARCH is set by BuildKit (`docker build --platform linux/arm64 …`); amd64 otherwise.
ARG TARGETARCH
RUN case "${TARGETARCH:-amd64}" in \
        amd64) echo linux-x64 ;; \
        arm64) echo linux-arm64 ;; \
        *) echo "unsupported TARGETARCH ${TARGETARCH}" >&2; exit 1 ;; \
    esac > /tmp/rid \
    && dotnet restore src/Mixnode.Cli/Mixnode.Cli.csproj -r "$(cat /tmp/rid)"

COPY src/ src/
RUN dotnet publish src/Mixnode.Cli/Mixnode.Cli.csproj -c Release -r "$(cat /tmp/rid)" --self-contained false \
        -o /app --no-restore \
    && test -x /app/mixnode \
    && test -f /app/libsodium.so \
    && /app/mixnode --help > /dev/null

# ---- runtime ------------------------------------------------------------------------------------------------
# ASP.NET Core runtime: the node's management endpoint (/metrics, /health/*) is a Kestrel app.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# A fixed uid/gid, so volumes, Kubernetes' runAsUser/fsGroup and host directories can be prepared for it.
ARG MIXNODE_UID=10001
ARG MIXNODE_GID=10001
RUN groupadd --system --gid "${MIXNODE_GID}" mixnode \
    && useradd --system --uid "${MIXNODE_UID}" --gid "${MIXNODE_GID}" --no-create-home \
        --home-dir /var/lib/mixnode --shell /usr/sbin/nologin mixnode \
    && install -d -o mixnode -g mixnode -m 0700 /var/lib/mixnode \
    && install -d -o root -g root -m 0755 /etc/mixnode

COPY --from=build /app /app
# Defaults for every setting (paths under /var/lib/mixnode and /etc/mixnode); mount your own file over it, or set
# MIXNODE__NAME etc. The signed network document and the authority's public key are mounted at
# /etc/mixnode/topology.json and /etc/mixnode/authority.pub.
COPY config/appsettings.json /etc/mixnode/appsettings.json

# DOTNET_EnableDiagnostics=0: no diagnostic IPC socket in /tmp, so no debugger attach, EventPipe session or memory
# dump of a process holding identity, link and mix keys (metrics are exported in-process and are not affected).
# The management endpoint listens beyond loopback only because a container's loopback is unreachable from outside:
# publish 9464 only to where Prometheus scrapes from. Socket completions inline: see docs/node.md, "Runtime settings".
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    MIXNODE__MANAGEMENT__LISTENADDRESS=0.0.0.0:9464

WORKDIR /var/lib/mixnode
# Keys (keys/: identity, link and per-epoch mix keys, which the node rotates) and state (state/: replay filters).
VOLUME /var/lib/mixnode
USER 10001:10001

# 30001: links from other nodes (Mixnode:ListenAddress). 9464: /metrics, /health/live, /health/ready.
# Providers also listen for clients on Mixnode:ClientListenAddress (30002 in config/compose and config/k8s).
EXPOSE 30001 9464

# Liveness through bash's /dev/tcp: bash is already in the image, so the probe adds nothing to it. curl would add
# a package and its libraries to every node for one request a minute, and there is no `mixnode probe` command.
# The port follows MIXNODE__MANAGEMENT__LISTENADDRESS; a node with the endpoint disabled has no healthcheck to pass.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/bin/bash", "-c", "a=${MIXNODE__MANAGEMENT__LISTENADDRESS:-127.0.0.1:9464}; exec 3<>/dev/tcp/127.0.0.1/${a##*:} && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]

# SIGTERM: the node stops accepting, drains held packets within Mixnode:ShutdownTimeout (15 s) and exits; give it
# more than Docker's default 10 s (`docker run --stop-timeout 20`, compose `stop_grace_period: 20s`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/mixnode", "run", "--config", "/etc/mixnode/appsettings.json"]
# Extra arguments are settings: `docker run … mixnode Mixnode:Name=mix-1-0`.
CMD []
