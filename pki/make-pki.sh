#!/usr/bin/env bash
# (Re)creates the hsbench test PKI: for each key kind a root CA, an
# intermediate CA and a localhost leaf, all with keys of that kind; for the
# kinds in CLIENT_KINDS also a client chain (KIND/client/: its own root and
# intermediate, and a leaf for TLS client authentication only).
#
#   pki/make-pki.sh                  regenerate every kind
#   pki/make-pki.sh KIND...          regenerate only these kinds
#   pki/make-pki.sh --client KIND... regenerate only these kinds' client chains
#
# The keys written here are public test keys. Never trust them for anything.
set -euo pipefail

PKI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OPENSSL="${OPENSSL:-openssl}"

ALL_KINDS=(rsa2048 rsa3072 rsa4096 ecdsa-p256 ecdsa-p384 ed25519)
# The kinds with a client chain, for mutual TLS.
CLIENT_KINDS=(rsa2048 ecdsa-p256)

# Fixed validity window, independent of when the script runs.
START_DATE="20240101000000Z"
END_DATE="21231231235959Z"

die() { echo "make-pki.sh: $*" >&2; exit 1; }

command -v "$OPENSSL" >/dev/null || die "openssl not found"
case "$("$OPENSSL" version)" in
  "OpenSSL 3."*) ;;
  *) die "needs OpenSSL 3 (found: $("$OPENSSL" version))" ;;
esac

# genkey KIND FILE: a PKCS#8 PEM private key of the given kind.
genkey() {
  local kind=$1 out=$2
  case "$kind" in
    rsa2048)    "$OPENSSL" genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out" ;;
    rsa3072)    "$OPENSSL" genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$out" ;;
    rsa4096)    "$OPENSSL" genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$out" ;;
    ecdsa-p256) "$OPENSSL" genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                  -pkeyopt ec_param_enc:named_curve -out "$out" ;;
    ecdsa-p384) "$OPENSSL" genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
                  -pkeyopt ec_param_enc:named_curve -out "$out" ;;
    ed25519)    "$OPENSSL" genpkey -quiet -algorithm ED25519 -out "$out" ;;
    *) die "unknown kind: $kind" ;;
  esac
  chmod 644 "$out"
}

# digest KIND: the signature hash for certificates of that kind.
digest() {
  case "$1" in
    rsa*|ecdsa-p256) echo sha256 ;;
    ecdsa-p384)      echo sha384 ;;
    ed25519)         echo default ;;  # Ed25519 signs the message itself, no prehash
  esac
}

# write_config DIR KIND: an openssl ca configuration with the three profiles.
write_config() {
  local dir=$1 kind=$2 leaf_ku="critical, digitalSignature"
  case "$kind" in
    rsa*) leaf_ku="critical, digitalSignature, keyEncipherment" ;;
  esac
  cat >"$dir/ca.cnf" <<EOF
[ ca ]
default_ca = hsbench_ca

[ hsbench_ca ]
dir              = $dir
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
rand_serial      = yes
unique_subject   = no
default_md       = $(digest "$kind")
policy           = policy_any
copy_extensions  = none
email_in_dn      = no

[ policy_any ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf ]
basicConstraints       = CA:FALSE
keyUsage               = $leaf_ku
extendedKeyUsage       = serverAuth, clientAuth
subjectAltName         = DNS:localhost
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# A TLS client's certificate: it signs CertificateVerify and nothing else.
[ v3_client_leaf ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
  mkdir -p "$dir/newcerts"
  : >"$dir/index.txt"
}

# ca_sign WORK EXTENSIONS CSR OUT [openssl ca options...]: issue one certificate.
ca_sign() {
  local work=$1 ext=$2 csr=$3 out=$4; shift 4
  "$OPENSSL" ca -config "$work/ca.cnf" -batch -notext -extensions "$ext" \
    -startdate "$START_DATE" -enddate "$END_DATE" \
    -in "$csr" -out "$out" "$@" 2>"$work/ca.log" \
    || { cat "$work/ca.log" >&2; die "openssl ca failed ($ext)"; }
}

# make_chain KIND WORK LEAF_EXTENSIONS LABEL: root, intermediate and leaf
# of one kind in WORK, named "hsbench test root (LABEL)" and so on.
make_chain() {
  local kind=$1 work=$2 leaf_ext=$3 label=$4
  mkdir -p "$work"
  write_config "$work" "$kind"
  genkey "$kind" "$work/root.key"
  genkey "$kind" "$work/intermediate.key"
  genkey "$kind" "$work/key.pem"

  # Root: self-signed.
  "$OPENSSL" req -new -config "$work/ca.cnf" -key "$work/root.key" \
    -subj "/CN=hsbench test root ($label)" -out "$work/root.csr"
  ca_sign "$work" v3_root "$work/root.csr" "$work/root.pem" \
    -selfsign -keyfile "$work/root.key"

  # Intermediate: signed by the root.
  "$OPENSSL" req -new -config "$work/ca.cnf" -key "$work/intermediate.key" \
    -subj "/CN=hsbench test intermediate ($label)" -out "$work/intermediate.csr"
  ca_sign "$work" v3_intermediate "$work/intermediate.csr" "$work/intermediate.pem" \
    -cert "$work/root.pem" -keyfile "$work/root.key"

  # Leaf: signed by the intermediate.
  "$OPENSSL" req -new -config "$work/ca.cnf" -key "$work/key.pem" \
    -subj "/CN=hsbench test leaf ($label)" -out "$work/leaf.csr"
  ca_sign "$work" "$leaf_ext" "$work/leaf.csr" "$work/leaf.pem" \
    -cert "$work/intermediate.pem" -keyfile "$work/intermediate.key"

  cat "$work/leaf.pem" "$work/intermediate.pem" >"$work/chain.pem"

  "$OPENSSL" verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" \
    "$work/leaf.pem" >/dev/null || die "$label: chain does not verify"
  # The key must belong to the leaf.
  cmp -s <("$OPENSSL" pkey -in "$work/key.pem" -pubout) \
         <("$OPENSSL" x509 -in "$work/leaf.pem" -noout -pubkey) \
    || die "$label: key.pem does not match leaf.pem"
}

# install_chain WORK OUT: replaces the chain files in OUT.
install_chain() {
  local work=$1 out=$2
  mkdir -p "$out"
  rm -f "$out"/*.pem "$out"/*.key
  for f in root.pem root.key intermediate.pem intermediate.key leaf.pem key.pem chain.pem; do
    install -m 644 "$work/$f" "$out/$f"
  done
  echo "   $out: OK"
}

make_server() {
  local kind=$1 work="$WORK_ROOT/$1"
  echo "== $kind"
  make_chain "$kind" "$work" v3_leaf "$kind"
  # Check before anything replaces the committed files.
  "$OPENSSL" verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" \
    -verify_hostname localhost -purpose sslserver "$work/leaf.pem" >/dev/null \
    || die "$kind: leaf not valid as a TLS server certificate for localhost"
  "$OPENSSL" verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" \
    -purpose sslclient "$work/leaf.pem" >/dev/null \
    || die "$kind: leaf not valid as a TLS client certificate"
  install_chain "$work" "$PKI_DIR/$kind"
}

make_client() {
  local kind=$1 work="$WORK_ROOT/$1-client"
  echo "== $kind client"
  make_chain "$kind" "$work" v3_client_leaf "client $kind"
  "$OPENSSL" verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" \
    -purpose sslclient "$work/leaf.pem" >/dev/null \
    || die "$kind: client leaf not valid as a TLS client certificate"
  # Only a client's: a server presenting it must be refused.
  if "$OPENSSL" verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" \
      -purpose sslserver "$work/leaf.pem" >/dev/null 2>&1; then
    die "$kind: client leaf is valid as a TLS server certificate"
  fi
  install_chain "$work" "$PKI_DIR/$kind/client"
}

has_client() { [[ " ${CLIENT_KINDS[*]} " == *" $1 "* ]]; }

WORK_ROOT="$(mktemp -d)"
trap 'rm -rf "$WORK_ROOT"' EXIT

client_only=0
if [[ "${1:-}" == "--client" ]]; then
  client_only=1
  shift
fi
kinds=("$@")
if [[ ${#kinds[@]} -eq 0 ]]; then
  if [[ $client_only -eq 1 ]]; then kinds=("${CLIENT_KINDS[@]}"); else kinds=("${ALL_KINDS[@]}"); fi
fi
for k in "${kinds[@]}"; do
  [[ " ${ALL_KINDS[*]} " == *" $k "* ]] || die "unknown kind: $k (known: ${ALL_KINDS[*]})"
  [[ $client_only -eq 0 ]] || has_client "$k" \
    || die "$k has no client chain (kinds with one: ${CLIENT_KINDS[*]})"
done
for k in "${kinds[@]}"; do
  [[ $client_only -eq 1 ]] || make_server "$k"
  if has_client "$k"; then make_client "$k"; fi
done
