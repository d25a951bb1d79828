#!/usr/bin/env bash
# Generates the keys and lists for config/k8s-authorities (the network of config/k8s following three voting directory
# authorities) and writes a kustomize overlay that fills in its placeholders:
#
#   config/k8s-authorities/make-secrets.sh OUT_DIR
#   kubectl apply -k OUT_DIR
#
# OUT_DIR (created 0700; must not be inside a git work tree, so real keys are never committed) receives:
#   authorities/<authority>/authority.key, authority.pub   each authority's Ed25519 key (`mixnode authority keygen`)
#   nodes/<node>/                      each node's key directory (`mixnode keygen`, files 0600); the descriptor's
#                                      address is replaced by the pod's IP at every pod start (install-keys.sh)
#   authorities.json                   every authority, its address and key, and the threshold (a majority)
#   nodes.json                         the nodes the authorities accept uploads from (name, identity key, role)
#   secrets/<pod>.yaml                 Secret mixnode-keys-<pod>: a node's keys or an authority's key
#   network.yaml                       ConfigMap mixnode-network's authorities.json (read by nodes and authorities)
#   authority.yaml                     ConfigMap mixnode-authority's nodes.json
#   kustomization.yaml                 config/k8s-authorities with the above as patches
# Running it again on the same OUT_DIR keeps every key (both keygens reuse existing keys) and rewrites the rest. The
# nodes make their own mix keys as epochs pass and upload new descriptors to the authorities every epoch: unlike the
# offline document of config/k8s, nothing here needs re-running before a date.
#
# Settings (environment): MIXNODE (the mixnode executable; default `mixnode` on PATH), CLUSTER_DOMAIN
# (cluster.local), AUTHORITIES (3), LAYERS (3), PER_LAYER (1), PROVIDERS (2), EPOCHS (mix keys made now: 3). They
# must match the StatefulSets' replicas and files (config/k8s and authorities.yaml) and, for LAYERS, the authorities'
# Layers setting (authority-config.yaml).
set -euo pipefail

if [ $# -ne 1 ] || [ "${1:0:1}" = "-" ]; then
    echo "usage: $0 OUT_DIR   (see the comment at the top of this script)" >&2
    exit 2
fi

MIXNODE=${MIXNODE:-mixnode}
NAMESPACE=mixnode
CLUSTER_DOMAIN=${CLUSTER_DOMAIN:-cluster.local}
AUTHORITIES=${AUTHORITIES:-3}
LAYERS=${LAYERS:-3}
PER_LAYER=${PER_LAYER:-1}
PROVIDERS=${PROVIDERS:-2}
EPOCHS=${EPOCHS:-3}
API_PORT=31000
LINK_PORT=30001
CLIENT_PORT=30002

if ! command -v "$MIXNODE" > /dev/null 2>&1; then
    echo "make-secrets: '$MIXNODE' not found: build it (dotnet publish src/Mixnode.Cli -c Release -o out) and set MIXNODE=out/mixnode" >&2
    exit 2
fi

overlay_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Checked on the nearest existing folder before anything is created.
existing=$1
while [ ! -d "$existing" ]; do existing=$(dirname "$existing"); done
if git -C "$existing" rev-parse --is-inside-work-tree > /dev/null 2>&1 && [ "${ALLOW_IN_GIT:-0}" != 1 ]; then
    echo "make-secrets: $1 is inside a git work tree; private keys must not end up in a repository." >&2
    echo "make-secrets: choose a directory outside it (or set ALLOW_IN_GIT=1 if that tree is private)." >&2
    exit 2
fi

umask 077
mkdir -p "$1"
out=$(cd "$1" && pwd)
mkdir -p "$out/nodes" "$out/secrets" "$out/authorities"

# A file as a YAML block scalar at the given indentation.
block() {
    sed "s/^/$2/" "$1"
}

# Authorities: pod authority-N of StatefulSet authority, reached at its stable name under the headless Service.
authorities=()
entries=""
for ((a = 0; a < AUTHORITIES; a++)); do
    authority="authority-$a"
    authorities+=("$authority")
    key=$("$MIXNODE" authority keygen --dir "$out/authorities/$authority" | tail -n 1)
    [ -z "$entries" ] || entries="$entries,"
    entries="$entries
    {\"name\": \"$authority\", \"address\": \"$authority.authority.$NAMESPACE.svc.$CLUSTER_DOMAIN:$API_PORT\", \"public_key\": \"$key\"}"
done
printf '{\n  "threshold": %s,\n  "authorities": [%s\n  ]\n}\n' "$((AUTHORITIES / 2 + 1))" "$entries" > "$out/authorities.json"

# Nodes: pod <statefulset>-<ordinal> is node <statefulset>-<ordinal>: provider-N, and mix-L-I (StatefulSet mix-L).
nodes=()
for ((p = 0; p < PROVIDERS; p++)); do nodes+=("provider-$p"); done
for ((l = 0; l < LAYERS; l++)); do
    for ((i = 0; i < PER_LAYER; i++)); do nodes+=("mix-$l-$i"); done
done

entries=""
for node in "${nodes[@]}"; do
    service=${node%-*}
    # The stable name until the pod's first start, when install-keys.sh puts the pod's IP in its place.
    host="$node.$service.$NAMESPACE.svc.$CLUSTER_DOMAIN"
    case "$node" in
        provider-*)
            role=provider
            "$MIXNODE" keygen --dir "$out/nodes/$node" --name "$node" --role provider \
                --address "$host:$LINK_PORT" --address "$host:$CLIENT_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
        mix-*)
            role=mix
            "$MIXNODE" keygen --dir "$out/nodes/$node" --name "$node" --role mix --layer "${service#mix-}" \
                --address "$host:$LINK_PORT" --epochs "$EPOCHS" > /dev/null
            ;;
    esac
    identity=$(sed -n 's/^ *"identity_key": "\([^"]*\)".*/\1/p' "$out/nodes/$node/descriptor.json")
    [ -z "$entries" ] || entries="$entries,"
    entries="$entries
  {\"name\": \"$node\", \"identity_key\": \"$identity\", \"role\": \"$role\"}"
done
printf '[%s\n]\n' "$entries" > "$out/nodes.json"

{
    echo "# Generated by config/k8s-authorities/make-secrets.sh: the directory authorities the nodes follow."
    echo "apiVersion: v1"
    echo "kind: ConfigMap"
    echo "metadata:"
    echo "  name: mixnode-network"
    echo "  namespace: $NAMESPACE"
    echo "data:"
    echo "  authorities.json: |"
    block "$out/authorities.json" "    "
} > "$out/network.yaml"

{
    echo "# Generated by config/k8s-authorities/make-secrets.sh: the nodes the authorities accept."
    echo "apiVersion: v1"
    echo "kind: ConfigMap"
    echo "metadata:"
    echo "  name: mixnode-authority"
    echo "  namespace: $NAMESPACE"
    echo "data:"
    echo "  nodes.json: |"
    block "$out/nodes.json" "    "
} > "$out/authority.yaml"

for node in "${nodes[@]}"; do
    dir="$out/nodes/$node"
    {
        echo "# Generated by config/k8s-authorities/make-secrets.sh: PRIVATE KEYS of $node. Never commit this file."
        echo "apiVersion: v1"
        echo "kind: Secret"
        echo "metadata:"
        echo "  name: mixnode-keys-$node"
        echo "  namespace: $NAMESPACE"
        echo "type: Opaque"
        echo "stringData:"
        for name in identity.key link.key descriptor.json; do
            echo "  $name: |"
            block "$dir/$name" "    "
        done
        for key in "$dir"/mix/*.key; do
            echo "  mix.$(basename "$key"): |"
            block "$key" "    "
        done
    } > "$out/secrets/$node.yaml"
done

for authority in "${authorities[@]}"; do
    {
        echo "# Generated by config/k8s-authorities/make-secrets.sh: the PRIVATE SIGNING KEY of $authority. Never commit this file."
        echo "apiVersion: v1"
        echo "kind: Secret"
        echo "metadata:"
        echo "  name: mixnode-keys-$authority"
        echo "  namespace: $NAMESPACE"
        echo "type: Opaque"
        echo "stringData:"
        echo "  authority.key: |"
        block "$out/authorities/$authority/authority.key" "    "
    } > "$out/secrets/$authority.yaml"
done

base=$(realpath --relative-to="$out" "$overlay_dir")
{
    echo "# Generated by config/k8s-authorities/make-secrets.sh: config/k8s-authorities with this network's keys and lists."
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "resources:"
    echo "  - $base"
    echo "patches:"
    echo "  - path: network.yaml"
    echo "  - path: authority.yaml"
    for pod in "${nodes[@]}" "${authorities[@]}"; do
        echo "  - path: secrets/$pod.yaml"
    done
} > "$out/kustomization.yaml"

echo "make-secrets: ${#authorities[@]} authorities and ${#nodes[@]} nodes in $out; next: kubectl apply -k $out"
echo "make-secrets: $out/secrets/ and $out/authorities/*/authority.key hold private keys"
