#!/bin/sh
# The one-shot init step of compose.authorities.yaml (service `init`), run in the mixnode image before any
# authority or node starts. With the same commands an operator uses (docs/authority.md, "Deploying"), it writes:
#   /network/authorities/<auth>/keys/   each authority's key (`mixnode authority keygen`; the authority's own volume)
#   /network/authorities/<auth>/state/  its votes, reveals and published documents
#   /network/nodes/<node>/keys/         each node's keys and descriptor (`mixnode keygen`, at its fixed address)
#   /network/nodes/<node>/state/        its replay filters and cached consensus
#   /network/directory/                 authorities.json (every authority, its address and key, the threshold)
#                                       and nodes.json (the nodes the authorities accept uploads from):
#                                       volume `directory`, every container's /etc/mixnode-directory (read only)
# Running it again (every `docker compose up`) keeps every key (keygen reuses existing keys and tops up mix keys)
# and rewrites the two lists from them.
#
# AUTHORITIES: the authority services; they reach one another and the nodes reach them at <service>:API_PORT.
# NODES: <service>=<IPv4> for every node, its fixed address on the compose network (compose.authorities.yaml gives
# each service that ipv4_address): the authorities accept only IP literals in descriptors (a host name would let
# whoever runs DNS move a node). Names say the role and the layer: provider-N, mix-L-I.
set -eu

MIXNODE=${MIXNODE:-/app/mixnode}
AUTHORITIES=${AUTHORITIES:?AUTHORITIES must list the authority services, e.g. "auth-0 auth-1 auth-2"}
NODES=${NODES:?NODES must list the node services with their addresses, e.g. "provider-0=10.231.7.20 mix-0-0=10.231.7.30"}
EPOCHS=${EPOCHS:-72}                 # mix keys per node at first: the node makes new ones as epochs pass
API_PORT=${API_PORT:-31000}
LINK_PORT=${LINK_PORT:-30001}
CLIENT_PORT=${CLIENT_PORT:-30002}
NODE_UID=${NODE_UID:-10001}          # the image's user (Dockerfile)
NODE_GID=${NODE_GID:-10001}
ROOT=${ROOT:-/network}               # where compose.authorities.yaml mounts the volumes

umask 077
mkdir -p "$ROOT/directory"

# authorities.json: every authority with its key; the threshold is a majority.
count=0
entries=""
for authority in $AUTHORITIES; do
    dir="$ROOT/authorities/$authority"
    if [ ! -d "$dir" ]; then
        echo "init: $dir is missing: mount the volume of service $authority there (compose.authorities.yaml)" >&2
        exit 1
    fi
    # Prints the public key; on a second run, the existing key's.
    key=$("$MIXNODE" authority keygen --dir "$dir/keys" | tail -n 1)
    mkdir -p "$dir/state"
    [ -z "$entries" ] || entries="$entries,"
    entries="$entries
    {\"name\": \"$authority\", \"address\": \"$authority:$API_PORT\", \"public_key\": \"$key\"}"
    count=$((count + 1))
done
threshold=$((count / 2 + 1))
printf '{\n  "threshold": %s,\n  "authorities": [%s\n  ]\n}\n' "$threshold" "$entries" > "$ROOT/directory/authorities.json"

# nodes.json: every node's name, identity key and role, from the descriptor keygen writes.
entries=""
for entry in $NODES; do
    node=${entry%%=*}
    ip=${entry#*=}
    if [ "$node" = "$entry" ] || [ -z "$ip" ]; then
        echo "init: '$entry' in NODES is not <service>=<IPv4>" >&2
        exit 1
    fi
    dir="$ROOT/nodes/$node"
    if [ ! -d "$dir" ]; then
        echo "init: $dir is missing: mount the volume of service $node there (compose.authorities.yaml)" >&2
        exit 1
    fi
    case "$node" in
        provider-*)
            role=provider
            "$MIXNODE" keygen --dir "$dir/keys" --name "$node" --role provider \
                --address "$ip:$LINK_PORT" --address "$ip:$CLIENT_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
        mix-*-*)
            role=mix
            layer=${node#mix-}
            layer=${layer%%-*}
            "$MIXNODE" keygen --dir "$dir/keys" --name "$node" --role mix --layer "$layer" \
                --address "$ip:$LINK_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
        *)
            echo "init: cannot tell the role of '$node' (use provider-N or mix-L-I)" >&2
            exit 1
            ;;
    esac
    mkdir -p "$dir/state"
    identity=$(sed -n 's/^ *"identity_key": "\([^"]*\)".*/\1/p' "$dir/keys/descriptor.json")
    if [ -z "$identity" ]; then
        echo "init: no identity_key in $dir/keys/descriptor.json" >&2
        exit 1
    fi
    [ -z "$entries" ] || entries="$entries,"
    entries="$entries
  {\"name\": \"$node\", \"identity_key\": \"$identity\", \"role\": \"$role\"}"
done
printf '[%s\n]\n' "$entries" > "$ROOT/directory/nodes.json"

# Authorities and nodes run as the image's user: each volume is its own (0700); the lists are public.
for authority in $AUTHORITIES; do
    chown -R "$NODE_UID:$NODE_GID" "$ROOT/authorities/$authority"
    chmod 0700 "$ROOT/authorities/$authority"
done
for entry in $NODES; do
    node=${entry%%=*}
    chown -R "$NODE_UID:$NODE_GID" "$ROOT/nodes/$node"
    chmod 0700 "$ROOT/nodes/$node"
done
chmod 0755 "$ROOT/directory"
chmod 0644 "$ROOT/directory/authorities.json" "$ROOT/directory/nodes.json"

echo "init: $count authorities (threshold $threshold) and $(echo "$NODES" | wc -w) nodes ready"
