#!/bin/sh
# The compose network's one-shot init step (service `init` in compose.yaml), run in the mixnode image before any
# node starts. It writes, with the same commands an operator uses (docs/keys-and-topology.md):
#   /network/authority/            the authority's key (volume `authority`, mounted here only; made once, reused)
#   /network/nodes/<node>/keys/    each node's keys (`mixnode keygen`; the node's own volume, its /var/lib/mixnode)
#   /network/nodes/<node>/state/   its replay filters
#   /network/etc/                  appsettings.json, topology.json (`mixnode topology sign`), authority.pub:
#                                  volume `etc`, every node's /etc/mixnode (read only)
# Running it again (every `docker compose up`) keeps every key, tops up mix keys and re-signs the document, so the
# network keeps its identities and the document covers the coming epochs again.
#
# Node names say the role and the layer, as in `mixnode testnet`: provider-N, and mix-L-I for mix I of layer L.
# The address every node is reached at is its compose service name: links on LINK_PORT, clients on CLIENT_PORT.
set -eu

MIXNODE=${MIXNODE:-/app/mixnode}
NODES=${NODES:?NODES must list the node services, e.g. "provider-0 provider-1 mix-0-0 mix-1-0 mix-2-0"}
EPOCHS=${EPOCHS:-72}                 # mix keys per node: 72 epochs of 20 minutes = one day
MEAN_DELAY_MS=${MEAN_DELAY_MS:-50}
LOOP_RATE=${LOOP_RATE:-0.5}          # λM: each node's loop cover packets per second
LINK_PORT=${LINK_PORT:-30001}
CLIENT_PORT=${CLIENT_PORT:-30002}
NODE_UID=${NODE_UID:-10001}          # the image's user (Dockerfile)
NODE_GID=${NODE_GID:-10001}
ROOT=${ROOT:-/network}               # where compose.yaml mounts the volumes

umask 077
descriptors=""
for node in $NODES; do
    dir="$ROOT/nodes/$node"
    if [ ! -d "$dir" ]; then
        echo "init: $dir is missing: mount the volume of service $node there (compose.yaml)" >&2
        exit 1
    fi
    case "$node" in
        provider-*)
            "$MIXNODE" keygen --dir "$dir/keys" --name "$node" --role provider \
                --address "$node:$LINK_PORT" --address "$node:$CLIENT_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
        mix-*-*)
            layer=${node#mix-}
            layer=${layer%%-*}
            "$MIXNODE" keygen --dir "$dir/keys" --name "$node" --role mix --layer "$layer" \
                --address "$node:$LINK_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
        *)
            echo "init: cannot tell the role of '$node' (use provider-N or mix-L-I)" >&2
            exit 1
            ;;
    esac
    mkdir -p "$dir/state"
    descriptors="$descriptors $dir/keys/descriptor.json"
done

if [ ! -f "$ROOT/authority/authority.key" ]; then
    "$MIXNODE" topology keygen --out "$ROOT/authority" > /dev/null
fi

# shellcheck disable=SC2086 # one argument per descriptor
"$MIXNODE" topology sign --authority-key "$ROOT/authority/authority.key" --out "$ROOT/etc/topology.json" \
    --mean-delay-ms "$MEAN_DELAY_MS" --loop-rate-per-sec "$LOOP_RATE" $descriptors
cp "$ROOT/authority/authority.pub" "$ROOT/etc/authority.pub"

# Settings shared by every node; compose.yaml sets each node's name and role-specific settings in its environment.
# Sized like `mixnode testnet` for a whole network on one machine: one crypto worker per node, smaller replay filters.
cat > "$ROOT/etc/appsettings.json" <<EOF
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.Hosting.Lifetime": "Warning",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "Mixnode": {
    "ListenAddress": "0.0.0.0:$LINK_PORT",
    "KeysDirectory": "/var/lib/mixnode/keys",
    "StateDirectory": "/var/lib/mixnode/state",
    "TopologyPath": "/etc/mixnode/topology.json",
    "AuthorityPublicKeyPath": "/etc/mixnode/authority.pub",
    "Geometry": "default",
    "Workers": 1,
    "ReplayFilterCapacity": 5000000,
    "Management": {
      "ListenAddress": "0.0.0.0:9464"
    }
  }
}
EOF

# Nodes run as the image's user: their volume is theirs alone (0700), the shared settings are readable by all.
for node in $NODES; do
    chown -R "$NODE_UID:$NODE_GID" "$ROOT/nodes/$node"
    chmod 0700 "$ROOT/nodes/$node"
done
chmod 0755 "$ROOT/etc"
chmod 0644 "$ROOT/etc/appsettings.json" "$ROOT/etc/topology.json" "$ROOT/etc/authority.pub"

echo "init: network ready: $(echo "$NODES" | wc -w) nodes, document signed for $EPOCHS epochs"
