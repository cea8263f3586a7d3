# The developer's front door: `just --list`.

# Serve on http://127.0.0.1:3005 with everything embedded (SQLite, mail in the log).
dev:
    cargo run

# The whole suite, embedded.
test:
    cargo test --workspace

# The whole suite against MariaDB, Redis and an SMTP sink (started when missing).
test-real: services-up
    set -a && . target/ci/services.env && set +a && cargo test --workspace -- --include-ignored

# Install/start MariaDB, Redis and the SMTP sink when missing; see .ci/services.
services-up:
    .ci/services up

# Stop what services-up started.
services-down:
    .ci/services down

# Formatting and clippy, as CI checks them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Apply the schema history to the configured database and stop.
migrate:
    cargo run -- migrate

# Exactly what CI runs.
ci:
    bash .ci/run

# Load tests against a release gateway on 127.0.0.1 (embedded, then MariaDB + Redis);
# the figures go to docs/benchmarks.md. See bench/ and docs/benchmarks.md.
bench:
    bash bench/run

# The production topology natively (deploy/compose.yaml's, without Docker): MariaDB, Redis, an
# SMTP sink, s3s-fs, two production gateways and nginx on http://127.0.0.1:8080. docs/deploy.md.
stack:
    bash deploy/stack up

# Stop nginx and the gateways of `just stack` (and the services, if it was what started them).
stack-down:
    bash deploy/stack down

# `just stack`, then the topology check through nginx (a gateway is SIGKILLed mid-stream).
stack-check:
    bash deploy/stack check

# Rounds of the topology check with every fault in turn (gateway SIGKILLs, SIGTERM, Redis dropping
# the subscriptions); nothing may be lost, duplicated or reordered.
stack-soak rounds="8":
    bash deploy/stack soak {{rounds}}
